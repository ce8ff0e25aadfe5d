@testable import Console
import FleetValues
import JSON
import TermCore
import Testing

/// A Greengrass deployment reviewed in the dashboard: the plan with its dangers marked, `y` with
/// the target's name typed when it removes or fails, a plan that changed since review refused and
/// shown as it is now, and the rollout once made.
@Suite struct DeploymentReviewScreenTests {
    static func plan(removing: Bool) -> DeploymentPlan {
        let group = "arn:aws:iot:us-east-1:123456789012:thinggroup/GreengrassGroup"
        let spec = DeploymentSpec(target: group, name: "Deployment from CI/CD pipeline", components: ["docker_led": .init(version: "1.0.4", reset: [""])],
                                  request: ["targetArn": .string(group)])
        var plan = DeploymentPlan(spec: spec, current: ("d-1", "1", removing ? ["docker_led": "1.0.3", "docker_corrupt": "1.0.0"] : ["docker_led": "1.0.3"]),
                                  devices: [DeploymentPlan.Device(name: "GG-0001", platform: ("linux", "aarch64"), installed: ["docker_led": "1.0.3", "docker_corrupt": "1.0.0"])],
                                  facts: [:])
        plan.hash = removing ? "sha256:aaaa" : "sha256:bbbb"
        return plan
    }

    @Test func reviewTypeTheTargetRefuseAChangedPlanThenTheRollout() throws {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        (state.rows, state.columns) = (24, 120)
        var commands: [DashboardCommand] = []
        for character in ":deploy /tmp/deployment.json\n" { commands = Dashboard.update(&state, .key(.character(character))) }
        #expect(commands == [DeploymentReviewScreen.plan("/tmp/deployment.json")])
        _ = Dashboard.update(&state, DeploymentReviewScreen.plan.answered("/tmp/deployment.json", .success(Self.plan(removing: true))))
        let lines = Dashboard.view(state, rows: 24, columns: 120).lines
        #expect(lines[1].contains("Plan sha256:aaaa: removes docker_corrupt from the target's 1 device; resets the configuration of docker_led"), "\(lines[1])")
        #expect(lines.contains { $0.contains("GG-0001: upgrade docker_led 1.0.3 → 1.0.4; REMOVE docker_corrupt") }, "\(lines)")
        try DashboardTests().check("deploy-review-120x24", Dashboard.view(state, rows: 24, columns: 120))
        // It removes: y asks for the group's name.
        #expect(Dashboard.update(&state, .key(.character("y"))).isEmpty)
        #expect(state.notice?.hasPrefix("type 'GreengrassGroup' and enter to deploy to GreengrassGroup: removes docker_corrupt") == true, "\(state.notice ?? "")")
        for character in "GreengrassGroup" { _ = Dashboard.update(&state, .key(.character(character))) }
        let approved = DeploymentReviewScreen.Approved(file: "/tmp/deployment.json", hash: "sha256:aaaa")
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [DeploymentReviewScreen.deploy(approved)])
        // Another revision was made meanwhile: refused, and the plan now shown in its place.
        _ = Dashboard.update(&state, DeploymentReviewScreen.deploy.answered(approved, .success(.changed(Self.plan(removing: false)))))
        #expect(state.notice?.hasPrefix("not deployed: the plan changed since it was reviewed") == true)
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines[1].contains("Plan sha256:bbbb: resets the configuration of docker_led"))
        // That one only resets: still typed (a reset is marked); then the rollout opens.
        _ = Dashboard.update(&state, .key(.character("y")))
        for character in "GreengrassGroup" { _ = Dashboard.update(&state, .key(.character(character))) }
        let again = DeploymentReviewScreen.Approved(file: "/tmp/deployment.json", hash: "sha256:bbbb")
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [DeploymentReviewScreen.deploy(again)])
        #expect(Dashboard.update(&state, DeploymentReviewScreen.deploy.answered(again, .success(.created(deployment: "d-2", job: "job-2"))))
                == [JobsScreen.executions("job-2")])
        #expect(state.screen == .job("job-2") && state.notice == "deployment d-2 created: its rollout, device by device")
        // n leaves a review without deploying.
        for character in ":deploy /tmp/other.json\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .key(.character("n")))
        #expect(state.screen == .job("job-2") && state.notice == "not deployed: nothing was created")
    }
}
