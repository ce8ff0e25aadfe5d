import Foundation
import TestSupport
import Testing

/// Issue 4's acceptance on the sandbox's moto, through the real binary.
@Suite(.serialized) struct DeployAcceptanceTests {
    final class Project {
        let folder: String
        let stack = "dev"
        init(program: String) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-deploy-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try program.write(toFile: folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
            // The stack exists by its config file, as in a team's repository (no `stack init`).
            try "config: {}\n".write(toFile: folder + "/Pulumi.\(stack).yaml", atomically: true, encoding: .utf8)
        }
        deinit { try? FileManager.default.removeItem(atPath: folder) }

        var environment: [String: String?] { ["PULUMI_CONFIG_PASSPHRASE": "acceptance", "FLEETDECK_BACKEND_URL": "file://\(folder)/state"] }

        /// What a tmux session needs to run fleetdeck on this project against the sandbox.
        var terminalEnvironment: [String: String] {
            var result: [String: String] = ["PULUMI_CONFIG_PASSPHRASE": "acceptance", "FLEETDECK_BACKEND_URL": "file://\(folder)/state"]
            let sandbox = ProcessInfo.processInfo.environment
            for key in ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] {
                result[key] = sandbox[key]
            }
            return result
        }

        @discardableResult
        func fleetdeck(_ arguments: [String], timeout: TimeInterval = 120) throws -> ProcessResult {
            try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", folder, "-s", stack],
                                  environment: ProcessRunner.environment(environment), timeout: timeout)
        }

        func edit(_ from: String, _ to: String) throws {
            let path = folder + "/Pulumi.yaml"
            try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: from, with: to).write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    static func boto(_ script: String) throws -> String {
        let result = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", """
            import boto3, json, os
            iot = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            def keep_keys(made, stem):
                # A CreateKeysAndCertificate answer's certificate and key, as STEM.pem and STEM.key (0600, made new).
                for ending, text in (('pem', made['certificatePem']), ('key', made['keyPair']['PrivateKey'])):
                    os.close(os.open(stem + '.' + ending, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                    open(stem + '.' + ending, 'w').write(text)
            def all_things():
                # One page: moto's page token names the next thing, so a thing another test deletes
                # between two pages would end the listing early.
                return iot.list_things(maxResults=100000)['things']
            """ + "\n" + script])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func sampleProgramLifecycle() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let sample = try String(contentsOfFile: ProcessRunner.packageRoot.appendingPathComponent("examples/sample/Pulumi.yaml").path, encoding: .utf8)
        let prefix = "acc\(UUID().uuidString.prefix(5).lowercased())"
        let project = try Project(program: sample.replacingOccurrences(of: "default: sample", with: "default: \(prefix)"))
        let certificate = try Self.boto("print(iot.create_keys_and_certificate(setAsActive=True)['certificateArn'])")
        #expect(try project.fleetdeck(["stack", "init", "dev"]).status == 0)
        #expect(try project.fleetdeck(["config", "set", "certificateArn", certificate]).status == 0)
        let up = try project.fleetdeck(["up", "--yes"])
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        #expect(up.stdout.contains("+ 9 to create"))

        let seen = try Self.boto("""
            p = '\(prefix)'
            things = sorted(t['thingName'] for t in all_things() if t['thingName'].startswith(p))
            thing = iot.describe_thing(thingName=p + '-sensor-1')
            group = iot.describe_thing_group(thingGroupName=p + '-group')
            policy = json.loads(iot.get_policy(policyName=p + '-group-policy')['policyDocument'])
            rule = iot.get_topic_rule(ruleName=p + '_telemetry')['rule']
            alias = iot.describe_role_alias(roleAlias=p + '-tes')['roleAliasDescription']
            attached = [x['policyName'] for x in iot.list_attached_policies(target='\(certificate)')['policies']]
            print(json.dumps([things, thing['attributes'], thing.get('thingTypeName'), group['thingGroupProperties'].get('thingGroupDescription'),
                              policy['Statement'][0]['Resource'] == group['thingGroupArn'], rule['sql'], alias['credentialDurationSeconds'],
                              attached, iot.describe_thing_type(thingTypeName=p + '-sensor')['thingTypeName']]))
            """)
        #expect(seen == #"[["\#(prefix)-sensor-1", "\#(prefix)-sensor-2", "\#(prefix)-sensor-3"], {"serial": "S0001"}, null, "the sample fleet", true, "SELECT * FROM 'device/+/telemetry'", 3600, ["\#(prefix)-group-policy"], "\#(prefix)-sensor"]"#)

        let quiet = try project.fleetdeck(["preview", "--expect-no-changes"])
        #expect(quiet.status == 0, "\(quiet.stdout)")
        #expect(quiet.stdout.contains("0 changes. 9 unchanged"))

        try project.edit("          - iot:Publish", "          - iot:Subscribe")
        let edited = try project.fleetdeck(["preview", "--diff"])
        #expect(edited.stdout.contains(" ~   aws-native:iot:Policy"))
        #expect(edited.stdout.contains(#"~ policyDocument.Statement[0].Action[1]: "iot:Publish" => "iot:Subscribe""#))
        try project.edit("thingName: ${prefix}-sensor-3", "thingName: ${prefix}-sensor-3b")
        let renamed = try project.fleetdeck(["preview"])
        #expect(renamed.stdout.contains(" +-  aws-native:iot:Thing"))
        #expect(renamed.stdout.contains("replace [diff: ~thingName]"))
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        #expect(try Self.boto("print(json.loads(iot.get_policy(policyName='\(prefix)-group-policy')['policyDocument'])['Statement'][0]['Action'])") ==
                "['iot:Connect', 'iot:Subscribe']")

        let destroyed = try project.fleetdeck(["destroy", "--yes"])
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(try Self.boto("""
            p = '\(prefix)'
            left = [t['thingName'] for t in all_things() if t['thingName'].startswith(p)]
            left += [x['policyName'] for x in iot.list_policies()['policies'] if x['policyName'].startswith(p)]
            left += [x['groupName'] for x in iot.list_thing_groups()['thingGroups'] if x['groupName'].startswith(p)]
            left += [x for x in iot.list_role_aliases()['roleAliases'] if x.startswith(p)]
            left += [x['ruleName'] for x in iot.list_topic_rules()['rules'] if x['ruleName'].startswith(p)]
            left += [x['thingTypeName'] for x in iot.list_thing_types()['thingTypes'] if x['thingTypeName'].startswith(p)]
            print(left)
            """) == "[]")
    }

    @Test func upWithoutATerminalNeverMeansYes() throws {
        let project = try Project(program: "name: noterm\nruntime: yaml\nresources:\n  t:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: noterm-\(UUID().uuidString.prefix(6))\n")
        let result = try project.fleetdeck(["up"])
        #expect(result.status == 1)
        #expect(result.stderr == "fleetdeck: refusing to change anything without a terminal to confirm on: pass --yes to approve the plan shown\n")
        #expect(try project.fleetdeck(["preview"]).stdout.contains("+ 1 to create"))
    }

    @Test func programErrorsAreOneLineEachWithPositions() throws {
        let project = try Project(program: "name: bad\nruntime: yaml\nresources:\n  t:\n    type: aws-native:iot:Thing\n    properties:\n      thingname: x\n")
        let result = try project.fleetdeck(["preview"])
        #expect(result.status == 1)
        #expect(result.stderr.hasSuffix("Pulumi.yaml:7:7: error: unknown property 'thingname' of aws-native:iot:Thing; did you mean 'thingName'?\n"), "\(result.stderr)")
    }
}
