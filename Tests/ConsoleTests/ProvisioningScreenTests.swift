@testable import Console
import FleetValues
import TermCore
import Testing

/// Provisioning attempts as the hooks' logs say them, tied to the allowlist.
@Suite struct ProvisioningScreenTests {
    static let now: Int64 = 1_796_000_000

    @Test func theHooksLogLinesReadAsAttempts() {
        let listed: Set<String> = ["GG-0001", "GG-0002"]
        let admitted = ProvisioningAttempt.parse("admitting 'GG-0001'", template: "t", time: Self.now, allowlist: listed)
        #expect(admitted == ProvisioningAttempt(template: "t", serial: "GG-0001", admitted: true, reason: nil, time: Self.now, listed: true))
        let refused = ProvisioningAttempt.parse("refusing 'GG-0026': not on the allowlist", template: "t", time: Self.now, allowlist: listed)
        #expect(refused?.admitted == false && refused?.reason == "not on the allowlist" && refused?.listed == false && refused?.wrong == false)
        // Listed but refused (the allowlist file was malformed when the hook read it): wrong.
        let wrong = ProvisioningAttempt.parse("refusing 'GG-0002': allowlist.txt:3:1: 'a b' is not a thing name", template: "t", time: Self.now, allowlist: listed)
        #expect(wrong?.wrong == true)
        #expect(ProvisioningAttempt.parse("START RequestId: 1 Version: $LATEST", template: "t", time: Self.now, allowlist: listed) == nil)
        #expect(ProvisioningAttempt.parse("admitting 'unterminated", template: "t", time: Self.now, allowlist: listed) == nil)
    }

    @Test func refusedOnesSayWhyAndAListedOneRefusedIsRed() throws {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        (state.rows, state.columns) = (24, 120)
        var commands: [DashboardCommand] = []
        for character in ":provisioning\n" { commands = Dashboard.update(&state, .key(.character(character))) }
        #expect(commands == [ProvisioningScreen.attempts.command])
        _ = Dashboard.update(&state, ProvisioningScreen.attempts.answered([
            ProvisioningAttempt(template: "GreengrassFleetProvisioningTemplate", serial: "GG-0026", admitted: false, reason: "not on the allowlist", time: Self.now, listed: false),
            ProvisioningAttempt(template: "GreengrassFleetProvisioningTemplate", serial: "GG-0002", admitted: false, reason: "the allowlist is malformed",
                                time: Self.now - 1, listed: true),
            ProvisioningAttempt(template: "GreengrassFleetProvisioningTemplate", serial: "GG-0001", admitted: true, reason: nil, time: Self.now - 2, listed: true),
        ]))
        let frame = Dashboard.view(state, rows: 24, columns: 120)
        #expect(frame.lines[1].contains("3 provisioning attempts in the last 7 days: 1 admitted, 2 refused, 1 of them on the allowlist"), "\(frame.lines[1])")
        #expect(frame.lines.contains { $0.contains("GG-0026") && $0.contains("refused") && $0.contains("not on the allowlist") })
        try DashboardTests().check("provisioning-120x24", frame)
        // Enter on a refused one says no thing was made; on an admitted one opens the device.
        #expect(Dashboard.update(&state, .key(.key(.enter))).isEmpty && state.notice == "GG-0026 was refused: no thing was made for it")
        _ = Dashboard.update(&state, .key(.character("G")))
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [DeviceScreen.detail("GG-0001")])
    }
}
