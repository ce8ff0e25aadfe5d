import Foundation
import TestSupport
import Testing

/// Issue 11 in the dashboard, in tmux against moto: a review is always planned from the files as
/// they are, and a plan approved after the program changed on disk is refused with the new plan.
@Suite struct DashboardPlanIntegrityTests {
    static func program(_ prefix: String, version: Int) -> String {
        """
        name: \(prefix)
        runtime: yaml
        resources:
          a:
            type: aws-native:iot:Thing
            properties:
              thingName: \(prefix)-a
              attributePayload:
                attributes:
                  version: "\(version)"

        """
    }

    /// The same thing, its attribute read from a file (`fn::readFile`), which the dashboard does not watch.
    static func readingProgram(_ prefix: String) -> String {
        program(prefix, version: 0).replacingOccurrences(of: "version: \"0\"", with: "version:\n              fn::readFile: version.txt")
    }

    static func version(_ prefix: String) throws -> String {
        try DeployAcceptanceTests.boto("print(iot.describe_thing(thingName='\(prefix)-a')['attributes'].get('version'))")
    }

    func open(_ project: DeployAcceptanceTests.Project, resources: Int = 1) throws -> TmuxSession {
        let session = try TmuxSession("cd \(project.folder) && \(ProcessRunner.fleetdeckBinary); sleep 600", width: 120, height: 30,
                                      environment: project.terminalEnvironment)
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" dev ") } }, "\(session.screen)")
        try session.sendKeys("Enter")
        #expect(session.waitFor(text: "Resources (\(resources))"), "\(session.screen)")
        #expect(session.waitFor(text: "Plan: no changes"), "\(session.screen)")
        return session
    }

    @Test func editsOnDiskArePlannedAgainOnTheStackAndInTheReview() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "watch\(UUID().uuidString.prefix(6).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: Self.program(prefix, version: 1))
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        let path = project.folder + "/Pulumi.yaml"
        let session = try open(project)

        // Edited while the stack is on screen: its plan is made again without a key.
        try Self.program(prefix, version: 2).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(session.waitFor(text: "~1 update"), "\(session.screen)")
        try session.sendKeys("p")
        #expect(session.waitFor(text: "attributePayload"), "\(session.screen)")

        // Edited back while the review is open: the review shows the plan as it is now.
        try Self.program(prefix, version: 1).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(session.waitFor(text: "this is the new plan"), "\(session.screen)")
        #expect(session.waitFor(text: "no changes"), "\(session.screen)")
        #expect(try Self.version(prefix) == "1")
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }

    @Test func theReviewIsPlannedAnewAndAStaleApprovalIsRefusedWithTheNewPlanShown() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "stale\(UUID().uuidString.prefix(6).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: Self.readingProgram(prefix))
        let file = project.folder + "/version.txt"
        try "1".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        let session = try open(project)

        // A file the program reads, changed after the stack's plan was computed: `p` shows the new plan.
        try "2".write(toFile: file, atomically: true, encoding: .utf8)
        try session.sendKeys("p")
        #expect(session.waitFor(text: "~1 update"), "\(session.screen)")

        // Changed again while the review is open: approving the shown plan is refused, the plan as
        // it is now is shown, and moto is untouched.
        try "3".write(toFile: file, atomically: true, encoding: .utf8)
        try session.sendKeys("y")
        #expect(session.waitFor(text: "changed since", timeout: .seconds(30)), "\(session.screen)")
        #expect(session.screen.contains("~1 update"))
        #expect(try Self.version(prefix) == "1")

        // The new plan is the one that runs once approved.
        try session.sendKeys("y")
        #expect(session.waitFor(text: "Update of dev succeeded", timeout: .seconds(30)), "\(session.screen)")
        #expect(try Self.version(prefix) == "3")
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0)
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }

    /// Issue 26: after an edit on disk, `r` then `p` shows the new plan with its hash, and `y`
    /// pressed at once deploys it, every time (it used to do nothing, silently, about half the
    /// time). `FLEETDECK_APPROVE_ROUNDS=50` runs the issue's 50.
    @Test func yPressedAtOnceOnTheNewPlanDeploysItEveryTime() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let rounds = ProcessInfo.processInfo.environment["FLEETDECK_APPROVE_ROUNDS"].flatMap(Int.init) ?? 12
        let prefix = "approve\(UUID().uuidString.prefix(6).lowercased())"
        // Beside the thing, 20 policies and 20 rules: a plan takes long enough for keys to
        // arrive while it is made.
        func program(_ version: Int) -> String {
            CertificateKillTests.program(prefix).components(separatedBy: "  cert0:")[0]
                + (0..<20).map { "  p\($0):\n    type: aws-native:iot:Policy\n    properties:\n      policyName: \(prefix)-p\($0)\n      policyDocument: {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"iot:Connect\", \"Resource\": \"c\($0)\"}]}\n  r\($0):\n    type: aws-native:iot:TopicRule\n    properties:\n      ruleName: \(prefix)_r\($0)\n      topicRulePayload:\n        sql: SELECT * FROM 't/\($0)'\n        actions: []\n" }.joined()
                + Self.program(prefix, version: version).components(separatedBy: "resources:\n")[1]
        }
        let project = try DeployAcceptanceTests.Project(program: program(1))
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        let session = try open(project, resources: 41)
        var deployed = 0
        for version in 2..<(2 + rounds) {
            try program(version).write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
            let preview = try project.fleetdeck(["preview", "--json"])
            let hash = try #require(try JSONSerialization.jsonObject(with: Data(preview.stdout.utf8)) as? [String: Any])["planHash"] as? String ?? "?"
            try session.sendKeys("r")
            try session.sendKeys("p")
            guard session.waitFor(text: "Plan \(hash)", timeout: .seconds(30)) else {
                Issue.record("round \(version): the plan \(hash) was not shown: \(session.screen)")
                break
            }
            try session.sendKeys("y")
            guard session.waitFor(text: "Update of dev succeeded", timeout: .seconds(30)) else {
                Issue.record("round \(version): y did not deploy: \(session.screen)")
                break
            }
            #expect(try Self.version(prefix) == "\(version)")
            deployed += 1
            try session.sendKeys("Escape")
            #expect(session.waitFor(text: "Plan: no changes", timeout: .seconds(30)), "\(session.screen)")
        }
        #expect(deployed == rounds)
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }

    @Test func theCommandLineRefusesAPlanApprovedBeforeAnEditOnDisk() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "stalecli\(UUID().uuidString.prefix(6).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: Self.program(prefix, version: 1))
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        try Self.program(prefix, version: 2).write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
        // `up` asks in a terminal; the program is edited while the question is open.
        let session = try TmuxSession("cd \(project.folder) && \(ProcessRunner.fleetdeckBinary) up -s dev; echo EXIT=$?; sleep 600", width: 120, height: 40,
                                      environment: project.terminalEnvironment)
        #expect(session.waitFor(text: "Do you want to perform this update?"), "\(session.screen)")
        try Self.program(prefix, version: 3).write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
        try session.sendKeys("-l", "yes")
        try session.sendKeys("Enter")
        #expect(session.waitFor(text: "EXIT=1", timeout: .seconds(30)), "\(session.screen)")
        #expect(session.screen.contains("changed since"), "\(session.screen)")
        #expect(session.screen.contains("The plan now:"), "\(session.screen)")
        #expect(try Self.version(prefix) == "1")
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }
}
