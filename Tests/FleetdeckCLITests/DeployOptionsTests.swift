import Foundation
import TestSupport
import Testing

/// Plan hashes, targets, protect, import, refresh and policy versions through the real binary on moto.
@Suite(.serialized) struct DeployOptionsTests {
    typealias Project = DeployAcceptanceTests.Project

    @Test func planHashTargetProtectAndPolicyVersions() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "opt\(UUID().uuidString.prefix(5).lowercased())"
        let project = try Project(program: """
            name: \(p)
            runtime: yaml
            resources:
              keep:
                type: aws-native:iot:Thing
                properties:
                  thingName: \(p)-keep
                options:
                  protect: true
              other:
                type: aws-native:iot:Thing
                properties:
                  thingName: \(p)-other
              policy:
                type: aws-native:iot:Policy
                properties:
                  policyName: \(p)-policy
                  policyDocument: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "v0"}]}
            """)
        // --target: only what is named (and what it depends on).
        let targeted = try project.fleetdeck(["up", "--yes", "--target", "other"])
        #expect(targeted.status == 0, "\(targeted.stderr)")
        #expect(try InterruptionAcceptanceTests.things(prefix: p) == ["\(p)-other"])
        // --plan-hash: the approved plan or nothing.
        let planned = try project.fleetdeck(["preview", "--json"])
        let hash = try #require((try JSONSerialization.jsonObject(with: Data(planned.stdout.utf8)) as? [String: Any])?["planHash"] as? String)
        let refused = try project.fleetdeck(["up", "--yes", "--plan-hash", "0000000000000000"])
        #expect(refused.status == 1)
        #expect(refused.stderr == "fleetdeck: the plan is \(hash), not the approved 0000000000000000: the program, config or state changed; preview again\n")
        #expect(try project.fleetdeck(["up", "--yes", "--plan-hash", hash]).status == 0)
        // Six policy updates: IoT's limit of five versions is respected by pruning.
        for version in 1...6 {
            try project.edit("\"Resource\": \"v\(version - 1)\"", "\"Resource\": \"v\(version)\"")
            let updated = try project.fleetdeck(["up", "--yes"])
            #expect(updated.status == 0, "update \(version): \(updated.stderr)")
        }
        let versions = try DeployAcceptanceTests.boto("print(len(iot.list_policy_versions(policyName='\(p)-policy')['policyVersions']))")
        #expect(Int(versions)! <= 5)
        #expect(try DeployAcceptanceTests.boto("print(json.loads(iot.get_policy(policyName='\(p)-policy')['policyDocument'])['Statement'][0]['Resource'])") == "v6")
        // protect: destroy stops at the protected resource and says why.
        let blocked = try project.fleetdeck(["destroy", "--yes"])
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains("delete of keep (aws-native:iot:Thing) failed: it is protected"), "\(blocked.stderr)")
        #expect(try InterruptionAcceptanceTests.things(prefix: p).contains("\(p)-keep"))
        try project.edit("      protect: true", "      protect: false")
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
        #expect(try InterruptionAcceptanceTests.things(prefix: p).isEmpty)
    }

    @Test func importAdoptsAnExistingThingAndRefreshShowsDrift() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "imp\(UUID().uuidString.prefix(5).lowercased())"
        _ = try DeployAcceptanceTests.boto("iot.create_thing(thingName='\(p)-legacy', attributePayload={'attributes': {'fw': '1.0'}})")
        let project = try Project(program: """
            name: \(p)
            runtime: yaml
            resources:
              legacy:
                type: aws-native:iot:Thing
                properties:
                  thingName: \(p)-legacy
                  attributePayload:
                    attributes:
                      fw: "1.0"
                options:
                  import: \(p)-legacy
            """)
        let preview = try project.fleetdeck(["preview"])
        #expect(preview.stdout.contains(" =   aws-native:iot:Thing"), "\(preview.stdout)")
        let imported = try project.fleetdeck(["up", "--yes"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("legacy imported"))
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0)
        _ = try DeployAcceptanceTests.boto("iot.update_thing(thingName='\(p)-legacy', attributePayload={'attributes': {'fw': '2.0'}, 'merge': True})")
        let drift = try project.fleetdeck(["refresh"])
        #expect(drift.status == 0, "\(drift.stderr)")
        #expect(drift.stdout.contains(#"~ attributePayload.attributes.fw: "1.0" => "2.0""#), "\(drift.stdout)")
        #expect(try project.fleetdeck(["refresh", "--yes"]).status == 0)
        let back = try project.fleetdeck(["preview", "--diff"])
        #expect(back.stdout.contains(#"~ attributePayload.attributes.fw: "2.0" => "1.0""#), "\(back.stdout)")
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        #expect(try DeployAcceptanceTests.boto("print(iot.describe_thing(thingName='\(p)-legacy')['attributes']['fw'])") == "1.0")
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }
}
