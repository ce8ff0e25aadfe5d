import Foundation
import TestSupport
import Testing

/// Issue 11: a create that AWS committed but whose answer was lost (an HTTP 500) must not block
/// the stack: the retried create hears "already exists", the resource is read back and adopted
/// when it is what the program wants. Behind a proxy that loses 10% of create answers, one `up`
/// converges.
@Suite struct LostAnswerTests {
    static func program(_ prefix: String) -> String {
        var text = "name: \(prefix)\nruntime: yaml\nresources:\n"
        for index in 0..<40 {
            text += "  t\(index):\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(prefix)-\(index)\n"
            if index % 5 == 0 { text += "      attributePayload:\n        attributes:\n          batch: \"\(index / 5)\"\n" }
        }
        for index in 0..<20 {
            text += """
                  p\(index):
                    type: aws-native:iot:Policy
                    properties:
                      policyName: \(prefix)-policy-\(index)
                      policyDocument: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "client-\(index)"}]}
                  g\(index):
                    type: aws-native:iot:ThingGroup
                    properties:
                      thingGroupName: \(prefix)-group-\(index)

                """
        }
        return text
    }

    static func counts(_ prefix: String) throws -> String {
        try DeployAcceptanceTests.boto("""
            things = [t['thingName'] for t in all_things() if t['thingName'].startswith('\(prefix)-')]
            policies = [p['policyName'] for p in iot.list_policies(pageSize=250)['policies'] if p['policyName'].startswith('\(prefix)-')]
            groups = [g['groupName'] for g in iot.list_thing_groups(maxResults=250)['thingGroups'] if g['groupName'].startswith('\(prefix)-')]
            print(len(things), len(set(things)), len(policies), len(groups))
            """)
    }

    @Test func oneUpConvergesWhenTenPercentOfCreateAnswersAreLost() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "lost\(UUID().uuidString.prefix(6).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: Self.program(prefix))
        let proxy = try SlowProxy(folder: project.folder, delayMS: 0, arguments: ["--lose-creates", "10", "--seed", "11"])
        defer { proxy.stop() }
        let portFile = proxy.portFile
        var environment = project.environment
        environment["http_proxy"] = proxy.url
        let up = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["up", "--yes", "-C", project.folder, "-s", "dev"],
                                       environment: ProcessRunner.environment(environment))
        #expect(up.status == 0, "\(up.stdout) \(up.stderr)")
        let lost = (try? String(contentsOfFile: portFile + ".lost", encoding: .utf8))?.split(separator: "\n").count ?? 0
        #expect(lost > 0, "the proxy lost no answer: the test proves nothing")
        #expect(try Self.counts(prefix) == "40 40 20 20", "\(up.stdout)")
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0)
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
        #expect(try Self.counts(prefix) == "0 0 0 0")
    }

    @Test func anExistingResourceThatDiffersIsNotAdopted() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "taken\(UUID().uuidString.prefix(6).lowercased())"
        _ = try DeployAcceptanceTests.boto("""
            iot.create_policy(policyName='\(prefix)-policy-0', policyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iot:*", "Resource": "*"}]}))
            """)
        let project = try DeployAcceptanceTests.Project(program: "name: \(prefix)\nruntime: yaml\nresources:\n" + """
              p0:
                type: aws-native:iot:Policy
                properties:
                  policyName: \(prefix)-policy-0
                  policyDocument: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}

            """)
        let up = try project.fleetdeck(["up", "--yes"])
        #expect(up.status != 0)
        #expect(up.stderr.contains("a aws-native:iot:Policy named '\(prefix)-policy-0' already exists and differs from the program (policyDocument)"), "\(up.stderr)")
        #expect(try DeployAcceptanceTests.boto("print(json.loads(iot.get_policy(policyName='\(prefix)-policy-0')['policyDocument'])['Statement'][0]['Effect'])") == "Deny")
        #expect(try project.fleetdeck(["stack", "export"]).stdout.contains("\(prefix)-policy-0") == false, "not adopted into the state")
        _ = try DeployAcceptanceTests.boto("iot.delete_policy(policyName='\(prefix)-policy-0')")
    }

    @Test func oneUpConvergesWhenHalfOfAllRequestsAreThrottled() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "throttled\(UUID().uuidString.prefix(6).lowercased())"
        var program = "name: \(prefix)\nruntime: yaml\nresources:\n"
        for index in 0..<50 { program += "  t\(index):\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(prefix)-\(index)\n" }
        let project = try DeployAcceptanceTests.Project(program: program)
        let proxy = try SlowProxy(folder: project.folder, delayMS: 0, arguments: ["--throttle", "50", "--seed", "5"])
        defer { proxy.stop() }
        let portFile = proxy.portFile
        var environment = project.environment
        environment["http_proxy"] = proxy.url
        let clock = ContinuousClock(), start = clock.now
        let up = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["up", "--yes", "-C", project.folder, "-s", "dev"],
                                       environment: ProcessRunner.environment(environment), timeout: 300)
        let seconds = clock.now - start
        #expect(up.status == 0, "\(up.stdout.suffix(1500)) \(up.stderr)")
        let throttled = (try? String(contentsOfFile: portFile + ".throttled", encoding: .utf8))?.split(separator: "\n").count ?? 0
        #expect(throttled >= 25, "only \(throttled) requests were throttled")
        #expect(try DeployAcceptanceTests.boto("print(len([t for t in all_things() if t['thingName'].startswith('\(prefix)-')]))") == "50")
        print("50 things with half of the requests throttled: one up in \(seconds), \(throttled) requests answered 429")
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }
}
