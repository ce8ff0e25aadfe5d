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

/// Certificates from CSRs, both attachment types, and fn::invoke, on moto.
@Suite(.serialized) struct CertificateDeployTests {
    @Test func certificateAttachmentsAndInvokes() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "crt\(UUID().uuidString.prefix(5).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: """
            name: \(p)
            runtime: yaml
            variables:
              endpoint:
                fn::invoke:
                  function: aws:iot:getEndpoint
                  arguments:
                    endpointType: iot:Data-ATS
                  return: endpointAddress
              account:
                fn::invoke:
                  function: aws:index:getCallerIdentity
                  return: accountId
            resources:
              cert:
                type: aws-native:iot:Certificate
                properties:
                  certificateSigningRequest:
                    fn::readFile: device.csr
                  status: ACTIVE
              device:
                type: aws-native:iot:Thing
                properties:
                  thingName: \(p)-device
                  attributePayload:
                    attributes:
                      account: ${account}
              policy:
                type: aws-native:iot:Policy
                properties:
                  policyName: \(p)-policy
                  policyDocument: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}
              principal:
                type: aws:iot:ThingPrincipalAttachment
                properties:
                  thing: ${device.thingName}
                  principal: ${cert.arn}
              attachment:
                type: aws:iot:PolicyAttachment
                properties:
                  policy: ${policy.policyName}
                  target: ${cert.arn}
            outputs:
              certificateId: ${cert.id}
              endpoint: ${endpoint}
            """)
        let csr = try ProcessRunner.shell("cd \(project.folder) && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout device.key -out device.csr -subj /CN=\(p) 2>&1")
        #expect(csr.status == 0, "\(csr.stdout)")
        let up = try project.fleetdeck(["up", "--yes"])
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        let id = try project.fleetdeck(["stack", "output", "certificateId"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 64, "certificate id '\(id)'")
        #expect(try DeployAcceptanceTests.boto("""
            arn = iot.describe_certificate(certificateId='\(id)')['certificateDescription']['certificateArn']
            thing = iot.describe_thing(thingName='\(p)-device')
            print(json.dumps([iot.describe_certificate(certificateId='\(id)')['certificateDescription']['status'],
                              iot.list_thing_principals(thingName='\(p)-device')['principals'] == [arn],
                              [x['policyName'] for x in iot.list_attached_policies(target=arn)['policies']],
                              thing['attributes']['account']]))
            """) == #"["ACTIVE", true, ["\#(p)-policy"], "123456789012"]"#)
        // The sandbox answers DescribeEndpoint (iot:Data-ATS) with its device endpoint's host.
        let host = try #require(ProcessInfo.processInfo.environment["FLEETDECK_DEVICE_ENDPOINT_HOST"])
        #expect(try project.fleetdeck(["stack", "output", "endpoint"]).stdout.contains(host))
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0)
        let destroyed = try project.fleetdeck(["destroy", "--yes"])
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(try DeployAcceptanceTests.boto("""
            ids = [c['certificateId'] for c in iot.list_certificates()['certificates']]
            print(json.dumps(['\(id)' in ids, [t['thingName'] for t in all_things() if t['thingName'].startswith('\(p)')]]))
            """) == "[false, []]")
    }
}

/// The yes/no/details question of `up`, answered in a real terminal.
@Suite(.serialized) struct ApprovalPromptTests {
    @Test func noIsTheDefaultDetailsShowsTheDiffAndYesDeploys() throws {
        let env = ProcessInfo.processInfo.environment
        try #require(env["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "ask\(UUID().uuidString.prefix(5).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: "name: \(p)\nruntime: yaml\nresources:\n  t:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(p)-1\n")
        let environment = project.terminalEnvironment
        let command = "\(ProcessRunner.fleetdeckBinary) up -C \(project.folder) -s dev; echo EXIT=$?; sleep 600"
        let first = try TmuxSession(command, width: 120, height: 40, environment: environment)
        #expect(first.waitFor(text: "Do you want to perform this update? [yes/no/details] (no):"), "\(first.screen)")
        try first.sendKeys("details", "Enter")
        #expect(first.waitFor(text: "+ thingName: \"\(p)-1\""), "\(first.screen)")
        try first.sendKeys("Enter")  // the default: no
        #expect(first.waitFor(text: "EXIT=1"), "\(first.screen)")
        #expect(first.screen.contains("update cancelled: nothing was changed"))
        #expect(try InterruptionAcceptanceTests.things(prefix: p).isEmpty)

        let second = try TmuxSession(command, width: 120, height: 40, environment: environment)
        #expect(second.waitFor(text: "(no):"), "\(second.screen)")
        try second.sendKeys("yes", "Enter")
        #expect(second.waitFor(text: "EXIT=0", timeout: .seconds(30)), "\(second.screen)")
        #expect(try InterruptionAcceptanceTests.things(prefix: p) == ["\(p)-1"])
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }
}
