import Foundation
import TestSupport
import Testing

/// `fleet reconcile` over 50 things with certificates, 10 of them off the allowlist.
@Suite(.serialized) struct FleetReconcileTests {
    @Test func removesExactlyTheUnlistedAndAdmitsTheRest() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "rc\(UUID().uuidString.prefix(5).lowercased())"
        let seeded = try DeployAcceptanceTests.boto("""
            p = '\(p)'
            iot.create_thing_group(thingGroupName=p + '-group')
            iot.create_policy(policyName=p + '-policy', policyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 'iot:Connect', 'Resource': '*'}]}))
            for i in range(50):
                name = '%s-%02d' % (p, i)
                iot.create_thing(thingName=name)
                cert = iot.create_keys_and_certificate(setAsActive=True)
                iot.attach_thing_principal(thingName=name, principal=cert['certificateArn'])
            print('ok')
            """)
        #expect(seeded == "ok")
        // Five of the unlisted things are Greengrass core devices (their nucleus connected).
        #expect(try Self.registerCores((45..<50).map { String(format: "%@-%02d", p, $0) }) == "5")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-allow-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let listed = (0..<40).map { String(format: "%@-%02d", p, $0) }
        try ("# serial numbers\n" + listed.joined(separator: "\n") + "\n").write(toFile: folder + "/allowlist.txt", atomically: true, encoding: .utf8)
        _ = try DeployAcceptanceTests.boto("boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1').create_bucket(Bucket='\(p)-certs')")
        let arguments = ["fleet", "reconcile", "--allowlist", folder + "/allowlist.txt", "--group", "\(p)-group", "--policy", "\(p)-policy", "--prefix", "\(p)-"]

        let doomed = try DeployAcceptanceTests.boto("""
            print(json.dumps([iot.list_thing_principals(thingName='%s-%02d' % ('\(p)', i))['principals'][0] for i in range(40, 50)]))
            """)
        let refused = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments)
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("Things: - 10 to remove, ~ 40 to admit"), "\(refused.stdout)")
        #expect(refused.stderr.contains("without a terminal"))
        let planned = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["--json", "--yes", "--upload", "s3://\(p)-certs/allowlist.txt"])
        #expect(planned.status == 0, "\(planned.stderr)")
        let plan = (try JSONSerialization.jsonObject(with: Data(planned.stdout.split(separator: "\n")[0].utf8)) as? [String: Any])?["plan"] as? [[String: Any]] ?? []
        #expect(plan.filter { $0["op"] as? String == "remove" }.compactMap { $0["thing"] as? String }.sorted() == (40..<50).map { String(format: "%@-%02d", p, $0) })

        let after = try DeployAcceptanceTests.boto("""
            p = '\(p)'
            names = sorted(t['thingName'] for t in all_things() if t['thingName'].startswith(p + '-'))
            members = sorted(iot.list_things_in_thing_group(thingGroupName=p + '-group')['things'])
            with_policy = 0
            for name in names:
                for principal in iot.list_thing_principals(thingName=name)['principals']:
                    if p + '-policy' in [x['policyName'] for x in iot.list_attached_policies(target=principal)['policies']]:
                        with_policy += 1
            body = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1').get_object(Bucket=p + '-certs', Key='allowlist.txt')['Body'].read().decode()
            print(json.dumps([len(names), names == members, with_policy, body.count(p)]))
            """)
        #expect(after == "[40, true, 40, 40]", "\(after)")
        #expect(try DeployAcceptanceTests.boto("""
            left = 0
            for arn in json.loads('\(doomed)'):
                try:
                    iot.describe_certificate(certificateId=arn.split('/')[-1]); left += 1
                except iot.exceptions.ResourceNotFoundException:
                    pass
            print(left)
            """) == "0")  // the removed things' certificates are revoked and deleted
        #expect(try DeployAcceptanceTests.boto("""
            gg = boto3.client('greengrassv2', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            print(len([d for d in gg.list_core_devices()['coreDevices'] if d['coreDeviceThingName'].startswith('\(p)-')]))
            """) == "0", "their Greengrass core devices are deleted with them")
        let again = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["--yes"])
        #expect(again.stdout.contains("Things: - 0 to remove, ~ 0 to admit"), "\(again.stdout)")
    }

    /// The sandbox's stand-in for a Greengrass nucleus connecting: its core device appears
    /// (scripts/moto/greengrass_v2.py). Returns how many were registered.
    static func registerCores(_ things: [String]) throws -> String {
        try DeployAcceptanceTests.boto("""
            import urllib.request
            from botocore.auth import SigV4Auth
            from botocore.awsrequest import AWSRequest
            made = 0
            for name in \(things):
                request = AWSRequest(method='PUT', url=os.environ['AWS_ENDPOINT_URL'] + '/greengrass/v2/coreDevices/' + name, data=b'{}')
                SigV4Auth(boto3.Session().get_credentials(), 'greengrass', 'us-east-1').add_auth(request)
                urllib.request.urlopen(urllib.request.Request(request.url, data=b'{}', headers=dict(request.headers), method='PUT'))
                made += 1
            print(made)
            """)
    }

    @Test func aMissingGroupOrPolicyRefusesThePlanBeforeAnythingChanges() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "rcmiss\(UUID().uuidString.prefix(5).lowercased())"
        _ = try DeployAcceptanceTests.boto("""
            iot.create_thing(thingName='\(p)-listed'); iot.create_thing(thingName='\(p)-unlisted')
            iot.create_thing_group(thingGroupName='\(p)-group')
            """)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-rcmiss-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "\(p)-listed\n".write(toFile: folder + "/allowlist.txt", atomically: true, encoding: .utf8)
        for (flag, value, message) in [("--policy", "\(p)-nosuch", "there is no policy '\(p)-nosuch'"), ("--group", "\(p)-nosuch", "there is no thing group '\(p)-nosuch'")] {
            let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["fleet", "reconcile", "--allowlist", folder + "/allowlist.txt",
                                                                               "--prefix", "\(p)-", flag, value, "--yes"])
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        #expect(try DeployAcceptanceTests.boto("print(sorted(t['thingName'] for t in all_things() if t['thingName'].startswith('\(p)-')))") == "['\(p)-listed', '\(p)-unlisted']")
        _ = try DeployAcceptanceTests.boto("iot.delete_thing(thingName='\(p)-listed'); iot.delete_thing(thingName='\(p)-unlisted'); iot.delete_thing_group(thingGroupName='\(p)-group')")
    }
}
