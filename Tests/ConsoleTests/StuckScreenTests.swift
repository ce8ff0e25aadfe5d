@testable import Console
import FleetValues
import TermCore
import Testing

/// Executions that do not move, on screen (`:stuck`): each with why; F force-cancels the selected
/// one only with the device's name typed; Enter opens the device's deployments.
@Suite struct StuckScreenTests {
    static let old = DeploymentSummary(id: "d-1", name: "tools", target: DeploymentsScreenTests.group, revision: "1", status: "INACTIVE", latest: false,
                                       created: DeploymentsScreenTests.now - 7200, job: "job-1")
    static let stuck = [
        StuckExecution(execution: JobExecution(job: "job-1", thing: "GG-0001", status: "IN_PROGRESS"), deployment: old, why: "IN_PROGRESS behind revision 2"),
        StuckExecution(execution: JobExecution(job: "job-1", thing: "GG-0002", status: "QUEUED"), deployment: old, why: "QUEUED behind revision 2; QUEUED for 2 h 0 min"),
    ]

    @Test func listedWithWhyForceCanceledByNameAndEachDevicesHistory() throws {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        (state.rows, state.columns) = (24, 120)
        var commands: [DashboardCommand] = []
        for character in ":stuck\n" { commands = Dashboard.update(&state, .key(.character(character))) }
        #expect(commands == [StuckScreen.stuck.command])
        _ = Dashboard.update(&state, StuckScreen.stuck.answered(Self.stuck))
        let lines = Dashboard.view(state, rows: 24, columns: 120).lines
        #expect(lines[1].contains("2 stuck executions"), "\(lines[1])")
        #expect(lines.contains { $0.contains("GG-0001") && $0.contains("IN_PROGRESS") && $0.contains("group GreengrassGroup") && $0.contains("behind revision 2") }, "\(lines)")
        // F: the device's name typed, or nothing happens.
        _ = Dashboard.update(&state, .key(.character("F")))
        #expect(state.notice?.hasPrefix("type 'GG-0001' and enter to FORCE-CANCEL GG-0001's IN_PROGRESS execution of revision 1") == true, "\(state.notice ?? "")")
        _ = Dashboard.update(&state, .key(.character("y")))
        #expect(Dashboard.update(&state, .key(.key(.enter))).isEmpty && state.notice == "not done: 'y' is not 'GG-0001' (the name is typed exactly)")
        _ = Dashboard.update(&state, .key(.character("F")))
        for character in "GG-0001" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [StuckScreen.forceCancel(Self.stuck[0].execution)])
        #expect(Dashboard.update(&state, StuckScreen.forceCancel.answered(Self.stuck[0].execution, .success("GG-0001's execution force-canceled")))
                == [StuckScreen.stuck.command] && state.notice == "GG-0001's execution force-canceled")
        // Read-only refuses; Enter: the device's deployments.
        state.readOnly = true
        _ = Dashboard.update(&state, .key(.character("F")))
        #expect(state.confirming == nil)
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [CoreScreen.detail("GG-0001")] && state.screen == .core("GG-0001"))
    }
}
