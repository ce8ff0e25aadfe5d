@testable import Console
import FleetValues
import TermCore
import Testing

/// Greengrass deployments on screen: every revision, Enter the rollout (its IoT job's
/// executions), C cancels an active one only, once approved.
@Suite struct DeploymentsScreenTests {
    static let now: Int64 = 1_796_000_000
    static let group = "arn:aws:iot:us-east-1:123456789012:thinggroup/GreengrassGroup"
    static let deployments = [
        DeploymentSummary(id: "d-2", name: "Deployment from CI/CD pipeline", target: group, revision: "2", status: "ACTIVE", latest: true, created: now - 60, job: "job-2"),
        DeploymentSummary(id: "d-1", name: "Deployment from CI/CD pipeline", target: group, revision: "1", status: "INACTIVE", latest: false, created: now - 3600, job: "job-1"),
    ]

    @Test func revisionsThenARolloutThenCancel() throws {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        (state.rows, state.columns) = (24, 120)
        var commands: [DashboardCommand] = []
        for character in ":deployments\n" { commands = Dashboard.update(&state, .key(.character(character))) }
        #expect(commands == [DeploymentsScreen.deployments.command])
        _ = Dashboard.update(&state, DeploymentsScreen.deployments.answered(Self.deployments))
        let lines = Dashboard.view(state, rows: 24, columns: 120).lines
        #expect(lines[1].contains("2 deployments, 1 active"), "\(lines[1])")
        #expect(lines.contains { $0.contains("group GreengrassGroup") && $0.contains(" 2 ") && $0.contains("ACTIVE") && $0.contains("yes") }, "\(lines)")
        try DashboardTests().check("deployments-120x24", Dashboard.view(state, rows: 24, columns: 120))
        // C on the inactive one says why not; on the active one it asks, y cancels.
        _ = Dashboard.update(&state, .key(.character("j")))
        _ = Dashboard.update(&state, .key(.character("C")))
        #expect(state.notice == "deployment Deployment from CI/CD pipeline is INACTIVE: only an active deployment can be canceled" && state.confirming == nil)
        _ = Dashboard.update(&state, .key(.character("k")))
        _ = Dashboard.update(&state, .key(.character("C")))
        #expect(state.notice?.hasPrefix("y to cancel deployment Deployment from CI/CD pipeline (revision 2 of group GreengrassGroup)") == true)
        #expect(Dashboard.update(&state, .key(.character("y"))) == [DeploymentsScreen.cancel("d-2")])
        #expect(Dashboard.update(&state, DeploymentsScreen.cancel.answered("d-2", .success("deployment d-2 canceled"))) == [DeploymentsScreen.deployments.command])
        // Enter: the rollout, device by device, with the failures' most common reason.
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [JobsScreen.executions("job-2")])
        _ = Dashboard.update(&state, JobsScreen.executions.answered("job-2", .success(Rollout(executions: [
            JobExecution(job: "job-2", thing: "GG-0001", status: "FAILED", details: ["failureCause": "docker_corrupt broke"]),
            JobExecution(job: "job-2", thing: "GG-0002", status: "FAILED", details: ["failureCause": "docker_corrupt broke"]),
            JobExecution(job: "job-2", thing: "GG-0003", status: "SUCCEEDED"),
            JobExecution(job: "job-2", thing: "GG-0004", status: "FAILED", details: ["failureCause": "No matching platform for docker_led"]),
        ], unreached: ["GG-0005"], stopped: "FAILED_THRESHOLD_REACHED"))))
        #expect(state.screen == .job("job-2"))
        // The counts, then every kind of failure (the largest first) and why the rollout stopped.
        let rollout = Dashboard.view(state, rows: 24, columns: 120).lines
        #expect(rollout[1].contains("1 succeeded, 3 failed, 1 never reached"), "\(rollout[1])")
        #expect(rollout[2].contains("the rollout stopped: FAILED_THRESHOLD_REACHED") && rollout[3].contains("2 × docker_corrupt broke")
                && rollout[4].contains("1 × No matching platform for docker_led") && rollout[5].contains("DEVICE"), "\(rollout)")
        #expect(rollout.contains { $0.contains("GG-0005") && $0.contains("NOT REACHED") && $0.contains("the job ended before the rollout reached it") }, "\(rollout)")
    }
}
