import Foundation
import TestSupport
import Testing

/// IAM, Lambda, SNS and S3 resources deployed through the engine on moto.
@Suite(.serialized) struct SupportingResourcesTests {
    @Test func rolesFunctionsTopicsAndBuckets() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "sup\(UUID().uuidString.prefix(5).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: """
            name: \(p)
            runtime: yaml
            resources:
              role:
                type: aws-native:iam:Role
                properties:
                  roleName: \(p)-role
                  assumeRolePolicyDocument: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
                  managedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSIoTThingsRegistration]
              inline:
                type: aws-native:iam:RolePolicy
                properties:
                  roleName: ${role.roleName}
                  policyName: s3-read
                  policyDocument: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::\(p)-certs/*"}]}
              hook:
                type: aws-native:lambda:Function
                properties:
                  functionName: \(p)-hook
                  runtime: python3.12
                  handler: index.handler
                  role: ${role.arn}
                  timeout: 30
                  environment:
                    variables:
                      BUCKET: \(p)-certs
                  code:
                    zipFile: |
                      def handler(event, context):
                          return {"allowProvisioning": True}
              permission:
                type: aws-native:lambda:Permission
                properties:
                  functionName: ${hook.functionName}
                  action: lambda:InvokeFunction
                  principal: sns.amazonaws.com
              topic:
                type: aws-native:sns:Topic
                properties:
                  topicName: \(p)-expiring
                  subscription:
                    - protocol: lambda
                      endpoint: ${hook.arn}
              bucket:
                type: aws-native:s3:Bucket
                properties:
                  bucketName: \(p)-certs
                  versioningConfiguration:
                    status: Enabled
            """)
        let up = try project.fleetdeck(["up", "--yes"])
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        let seen = try DeployAcceptanceTests.boto("""
            import base64, io, zipfile
            e = os.environ['AWS_ENDPOINT_URL']
            iam = boto3.client('iam', endpoint_url=e, region_name='us-east-1'); lam = boto3.client('lambda', endpoint_url=e, region_name='us-east-1')
            sns = boto3.client('sns', endpoint_url=e, region_name='us-east-1'); s3 = boto3.client('s3', endpoint_url=e, region_name='us-east-1')
            p = '\(p)'
            topic = [t['TopicArn'] for t in sns.list_topics()['Topics'] if t['TopicArn'].endswith(p + '-expiring')][0]
            function = lam.get_function(FunctionName=p + '-hook')
            print(json.dumps([[x['PolicyName'] for x in iam.list_attached_role_policies(RoleName=p + '-role')['AttachedPolicies']],
                              iam.list_role_policies(RoleName=p + '-role')['PolicyNames'],
                              function['Configuration']['Environment']['Variables'],
                              json.loads(lam.get_policy(FunctionName=p + '-hook')['Policy'])['Statement'][0]['Principal'],
                              [s['Protocol'] for s in sns.list_subscriptions_by_topic(TopicArn=topic)['Subscriptions']],
                              s3.get_bucket_versioning(Bucket=p + '-certs').get('Status')]))
            """)
        #expect(seen == #"[["AWSIoTThingsRegistration"], ["s3-read"], {"BUCKET": "\#(p)-certs"}, {"Service": "sns.amazonaws.com"}, ["lambda"], "Enabled"]"#)
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0)
        try project.edit("timeout: 30", "timeout: 45")
        let updated = try project.fleetdeck(["up", "--yes"])
        #expect(updated.stdout.contains(" ~   aws-native:lambda:Function"), "\(updated.stdout)")
        #expect(try DeployAcceptanceTests.boto("print(boto3.client('lambda', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1').get_function_configuration(FunctionName='\(p)-hook')['Timeout'])") == "45")
        let destroyed = try project.fleetdeck(["destroy", "--yes"])
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(try DeployAcceptanceTests.boto("""
            e = os.environ['AWS_ENDPOINT_URL']
            roles = [r['RoleName'] for r in boto3.client('iam', endpoint_url=e, region_name='us-east-1').list_roles()['Roles'] if r['RoleName'].startswith('\(p)')]
            functions = [f['FunctionName'] for f in boto3.client('lambda', endpoint_url=e, region_name='us-east-1').list_functions()['Functions'] if f['FunctionName'].startswith('\(p)')]
            print(roles + functions)
            """) == "[]")
    }
}
