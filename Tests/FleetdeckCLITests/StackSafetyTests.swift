import Foundation
import TestSupport
import Testing

/// The account guard and the S3 state backend, on moto.
@Suite(.serialized) struct StackSafetyTests {
    typealias Project = DeployAcceptanceTests.Project

    @Test func aStackOfAnotherAccountIsNeverChanged() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "acct\(UUID().uuidString.prefix(5).lowercased())"
        let project = try Project(program: "name: \(p)\nruntime: yaml\nresources:\n  t:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(p)-1\n")
        try "config:\n  \(p):aws-account-id: \"111111111111\"\n  \(p):aws-region: us-east-1\n".write(toFile: project.folder + "/Pulumi.dev.yaml", atomically: true, encoding: .utf8)
        let refused = try project.fleetdeck(["up", "--yes"])
        #expect(refused.status == 1)
        #expect(refused.stderr == "fleetdeck: stack 'dev' belongs to AWS account 111111111111, but the credentials are for account 123456789012 (arn:aws:sts::123456789012:user/moto): nothing was changed\n", "\(refused.stderr)")
        #expect(try InterruptionAcceptanceTests.things(prefix: p).isEmpty)
        try "config:\n  \(p):aws-account-id: \"123456789012\"\n".write(toFile: project.folder + "/Pulumi.dev.yaml", atomically: true, encoding: .utf8)
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }

    @Test func s3BackendStateAndALockThatCannotRace() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "s3b\(UUID().uuidString.prefix(5).lowercased())"
        _ = try DeployAcceptanceTests.boto("boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1').create_bucket(Bucket='\(p)-state')")
        let project = try Project(program: InterruptionAcceptanceTests.program(p, count: 30))
        var environment = project.environment
        environment["FLEETDECK_BACKEND_URL"] = "s3://\(p)-state/teams/fleet"
        let env = ProcessRunner.environment(environment)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-s3race-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var pids: [pid_t] = []
        for index in 0..<2 {
            let err = open("\(folder)/\(index).err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            pids.append(try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["up", "--yes", "-C", project.folder, "-s", "dev"], environment: env, stderr: err))
            close(err)
        }
        let statuses = pids.map { ProcessRunner.waitForExit($0).code }
        #expect(statuses.sorted() == [0, 1], "statuses \(statuses)")
        let loser = statuses.firstIndex(of: 1) ?? 0
        let message = (try? String(contentsOfFile: "\(folder)/\(loser).err", encoding: .utf8)) ?? ""
        #expect(message.hasPrefix("fleetdeck: stack 'dev' is locked by "), "\(message)")
        #expect(try InterruptionAcceptanceTests.things(prefix: p).count == 30)
        let keys = try DeployAcceptanceTests.boto("""
            s3 = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            print('\\n'.join(sorted(o['Key'] for o in s3.list_objects_v2(Bucket='\(p)-state').get('Contents', []) if '/history/' not in o['Key'])))
            """)
        // No journal or lock left; meta.yaml says the store is in the project layout, as Pulumi writes it.
        #expect(keys == "teams/fleet/.pulumi/meta.yaml\nteams/fleet/.pulumi/stacks/\(p)/dev.json", "\(keys)")
        let listed = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["stack", "ls", "--json", "-C", project.folder], environment: env)
        #expect(listed.stdout.contains("\"resourceCount\": 30"), "\(listed.stdout)\(listed.stderr)")
        let preview = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["preview", "--expect-no-changes", "-C", project.folder, "-s", "dev"], environment: env)
        #expect(preview.status == 0, "\(preview.stdout)\(preview.stderr)")
        #expect(try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["destroy", "--yes", "-C", project.folder, "-s", "dev"], environment: env).status == 0)
    }
}

/// The destroy preflight: what the stack does not own is listed, and cleared only when asked.
@Suite(.serialized) struct DestroyPreflightTests {
    @Test func blockersAreListedAndClearedOnlyWithCleanup() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "pf\(UUID().uuidString.prefix(5).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: """
            name: \(p)
            runtime: yaml
            resources:
              policy:
                type: aws-native:iot:Policy
                properties:
                  policyName: \(p)-thing-policy
                  policyDocument: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}
              bucket:
                type: aws-native:s3:Bucket
                properties:
                  bucketName: \(p)-images
            """)
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        let certificate = try DeployAcceptanceTests.boto("""
            cert = iot.create_keys_and_certificate(setAsActive=True)['certificateArn']
            iot.attach_policy(policyName='\(p)-thing-policy', target=cert)
            boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1').put_object(Bucket='\(p)-images', Key='os.img', Body=b'x')
            print(cert)
            """)
        let preview = try project.fleetdeck(["preview"])
        #expect(preview.status == 0)
        let blocked = try project.fleetdeck(["destroy", "--yes"])
        #expect(blocked.status == 1)
        #expect(blocked.stdout.contains("! policy \(p)-thing-policy is attached to \(certificate), which this stack does not own (policy)"), "\(blocked.stdout)")
        #expect(blocked.stdout.contains("! bucket \(p)-images holds 1 object (bucket)"))
        #expect(blocked.stderr.hasPrefix("fleetdeck: destroy is blocked by 2 things the stack does not own (listed above): pass --cleanup to detach \(p)-thing-policy from \(certificate), empty bucket \(p)-images"), "\(blocked.stderr)")
        #expect(try DeployAcceptanceTests.boto("print(iot.get_policy(policyName='\(p)-thing-policy')['policyName'])") == "\(p)-thing-policy")
        let cleaned = try project.fleetdeck(["destroy", "--yes", "--cleanup"])
        #expect(cleaned.status == 0, "\(cleaned.stdout)\(cleaned.stderr)")
        #expect(cleaned.stdout.contains("Cleared 2 blockers."))
        #expect(try DeployAcceptanceTests.boto("""
            s3 = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            status = iot.describe_certificate(certificateId='\(certificate)'.split('/')[-1])['certificateDescription']['status']
            print(json.dumps([status, '\(p)-images' in [b['Name'] for b in s3.list_buckets()['Buckets']], '\(p)-thing-policy' in [x['policyName'] for x in iot.list_policies()['policies']]]))
            """) == #"["ACTIVE", false, false]"#)  // the device certificate itself is left alone
    }
}
