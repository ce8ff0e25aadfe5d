@testable import Console
import FleetValues
import MQTT
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

    @Test func aThingCreatedJoinsTheLatestAdmittedAttemptBeforeIt() {
        let earlier = ProvisioningAttempt(template: "t", serial: "GG-0001", admitted: true, reason: nil, time: Self.now - 600, listed: true)
        let latest = ProvisioningAttempt(template: "t", serial: "GG-0001", admitted: true, reason: nil, time: Self.now, listed: true)
        let joined = ProvisioningAttempt.joined([earlier, latest], created: ["GG-0001": Self.now + 1, "GG-0009": Self.now + 2])
        #expect(joined.map(\.serial) == ["GG-0009", "GG-0001", "GG-0001"])
        #expect(joined.map(\.thingCreated) == [Self.now + 2, Self.now + 1, nil] && joined[0].template == nil)
    }

    @Test func refusedOnesSayWhyAndAListedOneRefusedIsRed() throws {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        (state.rows, state.columns) = (24, 120)
        var commands: [DashboardCommand] = []
        for character in ":provisioning\n" { commands = Dashboard.update(&state, .key(.character(character))) }
        // The registry's thing events join the subscriptions; the hooks' logs and the account's
        // event configuration are read.
        #expect(commands == [.connectBroker, .subscribe([ProvisioningScreen.topic]), ProvisioningScreen.attempts.command, ProvisioningScreen.events.command])
        _ = Dashboard.update(&state, ProvisioningScreen.events.answered(["THING"]))
        // GG-0001's thing was made (a THING created event); GG-0030's too, though no hook answered for it.
        _ = Dashboard.update(&state, .received([
            (Message(topic: "$aws/events/thing/GG-0001/created", payload: Array(#"{"eventType":"THING_EVENT","operation":"CREATED","thingName":"GG-0001","timestamp":1795999999000}"#.utf8)), Double(Self.now)),
            (Message(topic: "$aws/events/thing/GG-0030/created", payload: Array(#"{"eventType":"THING_EVENT","operation":"CREATED","thingName":"GG-0030","timestamp":1796000005000}"#.utf8)), Double(Self.now + 5)),
        ]))
        _ = Dashboard.update(&state, ProvisioningScreen.attempts.answered([
            ProvisioningAttempt(template: "GreengrassFleetProvisioningTemplate", serial: "GG-0026", admitted: false, reason: "not on the allowlist", time: Self.now, listed: false),
            ProvisioningAttempt(template: "GreengrassFleetProvisioningTemplate", serial: "GG-0002", admitted: false, reason: "the allowlist is malformed",
                                time: Self.now - 1, listed: true),
            ProvisioningAttempt(template: "GreengrassFleetProvisioningTemplate", serial: "GG-0001", admitted: true, reason: nil, time: Self.now - 2, listed: true),
        ]))
        let frame = Dashboard.view(state, rows: 24, columns: 120)
        #expect(frame.lines[1].contains("4 provisioning attempts in the last 7 days: 2 admitted, 2 refused, 1 of them on the allowlist; THING events on"), "\(frame.lines[1])")
        #expect(frame.lines.contains { $0.contains("GG-0026") && $0.contains("refused") && $0.contains("not on the allowlist") })
        #expect(frame.lines.contains { $0.contains("GG-0001") && $0.contains("admitted") && $0.contains("00:53:19") }, "\(frame.lines)")
        #expect(frame.lines.contains { $0.contains("GG-0030") && $0.contains("created") && $0.contains("made without a hook's answer") }, "\(frame.lines)")
        try DashboardTests().check("provisioning-120x24", frame)
        // Enter on a refused one says no thing was made; on an admitted one opens the device.
        _ = Dashboard.update(&state, .key(.character("j")))
        #expect(Dashboard.update(&state, .key(.key(.enter))).isEmpty && state.notice == "GG-0026 was refused: no thing was made for it")
        _ = Dashboard.update(&state, .key(.character("G")))
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [DeviceScreen.detail("GG-0001")])
    }
}
