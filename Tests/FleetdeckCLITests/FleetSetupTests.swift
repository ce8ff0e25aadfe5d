import Foundation
import TestSupport
import Testing

/// `fleet setup`: upstream's prepare-infra and setup-provisioning on the sandbox, idempotent.
@Suite struct FleetSetupTests {
    @Test func makesTheBucketTheClaimCertificateAndTheFilesOnceAndOnlyOnce() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "setup\(UUID().uuidString.prefix(5).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: """
            name: iot-ref-arch
            runtime: yaml
            resources:
              role:
                type: aws-native:iam:Role
                properties:
                  roleName: \(p)-role
                  assumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: iot.amazonaws.com}, Action: sts:AssumeRole}]}
              TesRoleAliasID:
                type: aws-native:iot:RoleAlias
                properties:
                  roleAlias: \(p)-alias
                  roleArn: ${role.arn}
              FleetTemplateID:
                type: aws-native:iot:ProvisioningTemplate
                properties:
                  templateName: \(p)-template
                  provisioningRoleArn: ${role.arn}
                  templateBody: '{"Parameters": {"SerialNumber": {"Type": "String"}}, "Resources": {"thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Ref": "SerialNumber"}}}}}'
            """)
        let up = try project.fleetdeck(["up", "--yes"])
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        try "\(p)-0001\n\(p)-0002\n".write(toFile: project.folder + "/allowlist.txt", atomically: true, encoding: .utf8)
        let arguments = ["fleet", "setup", "--bucket", "\(p)-certs", "--allowlist", project.folder + "/allowlist.txt"]

        let refused = try project.fleetdeck(arguments)
        #expect(refused.status == 1 && refused.stderr.contains("without a terminal"), "\(refused.stderr)")
        #expect(refused.stdout.contains("+ create the private bucket s3://\(p)-certs") && refused.stdout.contains("+ create the claim certificate"), "\(refused.stdout)")

        let applied = try project.fleetdeck(arguments + ["--yes"])
        #expect(applied.status == 0, "\(applied.stdout) \(applied.stderr)")
        #expect(!applied.stdout.contains("PRIVATE KEY"))
        let facts = try DeployAcceptanceTests.boto("""
            s3 = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            b = '\(p)-certs'
            read = lambda k: s3.get_object(Bucket=b, Key=k)['Body'].read().decode()
            arn = read('claim_certificate.arn')
            cert = iot.describe_certificate(certificateId=arn.split('/')[-1])['certificateDescription']
            block = s3.get_public_access_block(Bucket=b)['PublicAccessBlockConfiguration']
            params = read('config_parameters.txt').split('\\n')
            print(json.dumps({'arn': arn, 'status': cert['status'], 'samePem': cert['certificatePem'].strip() == read('claim.pem.crt').strip(),
                              'key': read('claim.private.pem.key').startswith('-----BEGIN'), 'private': all(block.values()),
                              'params': [params[0], params[1] == iot.describe_endpoint(endpointType='iot:Data-ATS')['endpointAddress'],
                                         params[2] == iot.describe_endpoint(endpointType='iot:CredentialProvider')['endpointAddress'], params[3], params[4]],
                              'allowlist': read('allowlist.txt')}))
            """)
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(facts.utf8)) as? [String: Any])
        #expect(seen["status"] as? String == "ACTIVE" && seen["samePem"] as? Bool == true && seen["key"] as? Bool == true, "\(facts)")
        #expect(seen["private"] as? Bool == true)
        #expect(facts.contains("\"params\": [\"us-east-1\", true, true, \"\(p)-alias\", \"\(p)-template\"]"), "\(facts)")
        #expect(seen["allowlist"] as? String == "\(p)-0001\n\(p)-0002\n")
        let arn = try #require(seen["arn"] as? String)
        #expect(try String(contentsOfFile: project.folder + "/Pulumi.dev.yaml", encoding: .utf8).contains("iot-ref-arch:claimCertificateArn: \(arn)"))

        // Again: nothing to do, no second claim certificate.
        let again = try project.fleetdeck(arguments + ["--yes"])
        #expect(again.status == 0 && again.stdout.contains("nothing to do"), "\(again.stdout) \(again.stderr)")
        // (The account's certificate count is not compared: other tests make and delete
        // certificates in the same moto account meanwhile. The bucket still names the same one.)
        #expect(try DeployAcceptanceTests.boto("""
            s3 = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            print(s3.get_object(Bucket='\(p)-certs', Key='claim_certificate.arn')['Body'].read().decode())
            """) == arn)
        // A changed allowlist is the one step left.
        try "\(p)-0001\n".write(toFile: project.folder + "/allowlist.txt", atomically: true, encoding: .utf8)
        let changed = try project.fleetdeck(arguments + ["--yes"])
        #expect(changed.stdout.contains("+ write s3://\(p)-certs/allowlist.txt") && !changed.stdout.contains("claim certificate"), "\(changed.stdout)")
    }
}
