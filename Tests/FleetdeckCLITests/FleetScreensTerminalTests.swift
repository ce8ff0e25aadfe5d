import Foundation
import TestSupport
import Testing

/// Issue 7's acceptance in tmux on moto with 500 seeded things: `:things`, `/sensor-12` shows
/// exactly the ten matching things, Enter shows a shadow with its delta, editing desired
/// updates moto's shadow (version + 1), a stale edit shows the conflict, and 20 marked things
/// are added to a group through an approved plan.
@Suite(.serialized) struct FleetScreensTerminalTests {
    @Test func filterInspectEditShadowAndAddTwentyToAGroup() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let group = "lab\(UUID().uuidString.prefix(5).lowercased())"
        _ = try DeployAcceptanceTests.boto("""
            import json
            data = boto3.client('iot-data', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            for i in range(500):
                iot.create_thing(thingName='sensor-%03d' % i, attributePayload={'attributes': {'model': 'v%d' % (i % 3)}})
            cert = iot.create_keys_and_certificate(setAsActive=True)
            iot.attach_thing_principal(thingName='sensor-120', principal=cert['certificateArn'])
            data.update_thing_shadow(thingName='sensor-123', payload=json.dumps({'state': {'desired': {'led': 'on'}, 'reported': {'led': 'off'}}}))
            iot.create_thing_group(thingGroupName='\(group)')
            """)
        defer {
            _ = try? DeployAcceptanceTests.boto("""
                for principal in iot.list_thing_principals(thingName='sensor-120')['principals']:
                    iot.detach_thing_principal(thingName='sensor-120', principal=principal)
                for i in range(500): iot.delete_thing(thingName='sensor-%03d' % i)
                """)
        }
        // One thing is managed by the project's stack: the list names its stack resource.
        let managed = "managed-\(group)"
        let project = try DeployAcceptanceTests.Project(program: "name: fleetui\nruntime: yaml\nresources:\n  gadget:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(managed)\n")
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        defer { _ = try? project.fleetdeck(["destroy", "--yes"]) }
        let session = try TmuxSession("cd \(project.folder) && \(ProcessRunner.fleetdeckBinary); echo EXIT=$?; sleep 600", width: 120, height: 40,
                                      environment: project.terminalEnvironment)
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" dev ") } }, "\(session.screen)")
        try session.sendKeys("-l", ":things")
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(30)) { $0.contains { $0.contains(" devices") && !$0.contains("loading") && !$0.contains(" 0 of ") } }, "\(session.screen)")
        try session.sendKeys("/")
        try session.sendKeys("-l", managed)
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains { $0.contains(managed) && $0.contains("dev/gadget") } }, "\(session.screen)")
        try session.sendKeys("/")
        try session.sendKeys("-l", "sensor-12")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in
            let rows = lines.filter { $0.hasPrefix("   sensor-") }
            return rows.count == 10 && (120...129).allSatisfy { n in rows.contains { $0.contains("sensor-\(n) ") } }
        }, "\(session.screen)")
        #expect(session.screen.contains(" 10 of "))
        // The certificate's days to expiry are counted from now (they were days since 1970 until a device was opened).
        #expect(session.waitFor { $0.contains { $0.contains("sensor-120 ") && $0.range(of: "ACTIVE [0-9]{1,4}d", options: .regularExpression) != nil } },
                "\(session.screen)")

        for _ in 0..<3 { try session.sendKeys("j") }
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains { $0.contains("DELTA") } && $0.contains { $0.hasPrefix(" sensor-123") } }, "\(session.screen)")
        #expect(session.screen.contains("\"led\": \"on\""))
        try session.sendKeys("e")
        try session.sendKeys("C-u")
        try session.sendKeys("-l", "{\"led\":\"green\"}")
        #expect(session.waitFor(text: "✓ valid JSON: enter sends it at version 1"), "\(session.screen)")
        try session.sendKeys("Enter")
        #expect(session.waitFor(text: "is at version 2"), "\(session.screen)")
        #expect(try DeployAcceptanceTests.boto("""
            import json
            data = boto3.client('iot-data', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            s = json.loads(data.get_thing_shadow(thingName='sensor-123')['payload'].read())
            print(s['version'], s['state']['desired']['led'])
            """) == "2 green")

        // Someone else changes the shadow; an edit at the old version shows the conflict.
        _ = try DeployAcceptanceTests.boto("""
            import json
            data = boto3.client('iot-data', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            data.update_thing_shadow(thingName='sensor-123', payload=json.dumps({'state': {'reported': {'led': 'green'}}}))
            """)
        try session.sendKeys("e")
        try session.sendKeys("C-u")
        try session.sendKeys("-l", "{\"led\":\"red\"}")
        try session.sendKeys("Enter")
        #expect(session.waitFor(text: "CONFLICT: the shadow moved on; the server's document (version 3)"), "\(session.screen)")
        // Editing again starts from the user's draft at the server's version (it reopened {} at the old one).
        try session.sendKeys("e")
        #expect(session.waitFor(text: "✓ valid JSON: enter sends it at version 3"), "\(session.screen)")
        #expect(session.screen.contains("{\"led\":\"red\"}"), "\(session.screen)")
        try session.sendKeys("Enter")
        #expect(session.waitFor(text: "is at version 4"), "\(session.screen)")

        // Twenty marked devices join a group through a plan read from the account: one is a member
        // already, so nineteen change.
        _ = try DeployAcceptanceTests.boto("iot.add_thing_to_thing_group(thingGroupName='\(group)', thingName='sensor-200')")
        try session.sendKeys("Escape")
        try session.sendKeys("/")
        try session.sendKeys("-l", "sensor-2[01][0-9]")
        try session.sendKeys("Enter")
        #expect(session.waitFor(text: " 20 of "), "\(session.screen)")
        for _ in 0..<20 { try session.sendKeys("Space") }
        #expect(session.waitFor(text: "20 marked"), "\(session.screen)")
        try session.sendKeys("a")
        try session.sendKeys("-l", group)
        try session.sendKeys("Enter")
        #expect(session.waitFor(text: "Plan: ~19 add to group \(group)  (1 unchanged)"), "\(session.screen)")
        #expect(session.screen.contains("sensor-200 → \(group)   no change: already a member"), "\(session.screen)")
        #expect(try DeployAcceptanceTests.boto("print(len(iot.list_things_in_thing_group(thingGroupName='\(group)')['things']))") == "1")
        try session.sendKeys("y")
        #expect(session.waitFor(text: "add to group \(group): 19 of 19 done", timeout: .seconds(30)), "\(session.screen)")
        #expect(try DeployAcceptanceTests.boto("print(sorted(iot.list_things_in_thing_group(thingGroupName='\(group)')['things']) == ['sensor-%03d' % i for i in range(200, 220)])") == "True")
        try session.sendKeys("Escape")
        try session.sendKeys("q")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXIT=0"), "\(session.screen)")
    }
}

/// `groups ls` and `certs ls [--expiring DAYS]` on moto.
@Suite struct FleetCommandTests {
    @Test func groupsAsATreeAndCertificatesByExpiry() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "gc\(UUID().uuidString.prefix(5).lowercased())"
        let arn = try DeployAcceptanceTests.boto("""
            iot.create_thing_group(thingGroupName='\(p)-root')
            iot.create_thing_group(thingGroupName='\(p)-child', parentGroupName='\(p)-root')
            iot.create_thing(thingName='\(p)-t1')
            iot.add_thing_to_thing_group(thingGroupName='\(p)-child', thingName='\(p)-t1')
            c = iot.create_keys_and_certificate(setAsActive=True)
            iot.attach_thing_principal(thingName='\(p)-t1', principal=c['certificateArn'])
            print(c['certificateArn'])
            """)
        let groups = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["groups", "ls"])
        #expect(groups.status == 0, "\(groups.stderr)")
        #expect(groups.stdout.contains("\(p)-root  (0 things)\n  \(p)-child  (1 thing)\n"), "\(groups.stdout)")
        let json = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["groups", "ls", "--json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let child = try #require(list.first { $0["name"] as? String == "\(p)-child" })
        #expect(child["parent"] as? String == "\(p)-root" && child["members"] as? Int == 1)

        let certificates = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["certs", "ls", "--expiring", "9000", "--json"])
        let items = try #require(try JSONSerialization.jsonObject(with: Data(certificates.stdout.utf8)) as? [[String: Any]])
        let mine = try #require(items.first { $0["certificateArn"] as? String == arn }, "\(certificates.stdout)")
        #expect(mine["status"] as? String == "ACTIVE" && (mine["things"] as? [String]) == ["\(p)-t1"])
        // Issued as AWS IoT issues them: valid until the end of 2049.
        #expect(((mine["daysLeft"] as? Int) ?? 0) > 8000 && (mine["notAfter"] as? String)?.hasPrefix("2049-12-31") == true)
        #expect((mine["notAfter"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
        let soon = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["certs", "ls", "--expiring", "30"])
        #expect(soon.status == 0 && !soon.stdout.contains(String(arn.split(separator: "/").last!.prefix(16))))
        #expect(soon.stdout.hasSuffix("expiring within 30 days\n"))
    }
}

/// Outside a project folder the dashboard still browses the fleet.
@Suite struct FleetWithoutAProjectTests {
    @Test func thingsWorkAnywhere() throws {
        let env = ProcessInfo.processInfo.environment
        try #require(env["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let name = "anywhere-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try DeployAcceptanceTests.boto("iot.create_thing(thingName='\(name)')")
        defer { _ = try? DeployAcceptanceTests.boto("iot.delete_thing(thingName='\(name)')") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-noproject-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var environment: [String: String] = [:]
        for (key, value) in env where key.hasPrefix("AWS_") { environment[key] = value }
        let session = try TmuxSession("cd \(folder) && \(ProcessRunner.fleetdeckBinary); echo EXIT=$?; sleep 600", width: 120, height: 30, environment: environment)
        #expect(session.waitFor(text: "No Pulumi project here"), "\(session.screen)")
        try session.sendKeys("-l", ":things")
        try session.sendKeys("Enter")
        try session.sendKeys("/")
        try session.sendKeys("-l", name)
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains { $0.hasPrefix("   \(name)") && $0.contains("unmanaged") } }, "\(session.screen)")
        try session.sendKeys("q")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXIT=0"), "\(session.screen)")
    }
}

/// `stack rm` refuses a stack that still records resources unless forced.
@Suite struct StackRemoveTests {
    @Test func refusesWhileResourcesAreRecorded() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "rm\(UUID().uuidString.prefix(5).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: "name: \(p)\nruntime: yaml\nresources:\n  t:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(p)-t\n")
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        let refused = try project.fleetdeck(["stack", "rm", "dev"])
        #expect(refused.status == 1)
        #expect(refused.stderr == "fleetdeck: stack 'dev' still has 1 resources: 'fleetdeck destroy -s dev' first, or 'stack rm --force'\n")
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
        #expect(try project.fleetdeck(["stack", "rm", "dev"]).status == 0)
        #expect(try project.fleetdeck(["stack", "ls"]).stdout.contains("dev") == false)
    }
}
