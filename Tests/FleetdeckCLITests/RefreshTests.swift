import Foundation
import TestSupport
import Testing

/// Issue 11: refresh reads AWS. An untouched stack of every type reports no drift; a change made
/// with boto3 to each type's main property is reported for exactly that resource, and recording
/// it makes the next plan put the program's values back.
@Suite struct RefreshTests {
    static func program(_ p: String) -> String {
        """
        name: \(p)
        runtime: yaml
        resources:
          thing:
            type: aws-native:iot:Thing
            properties:
              thingName: \(p)-thing
              attributePayload:
                attributes:
                  site: lab
          kind:
            type: aws-native:iot:ThingType
            properties:
              thingTypeName: \(p)-kind
              thingTypeProperties:
                thingTypeDescription: sensors
          group:
            type: aws-native:iot:ThingGroup
            properties:
              thingGroupName: \(p)-group
              thingGroupProperties:
                thingGroupDescription: the fleet
          policy:
            type: aws-native:iot:Policy
            properties:
              policyName: \(p)-policy
              policyDocument: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}
          rule:
            type: aws-native:iot:TopicRule
            properties:
              ruleName: \(p)_rule
              topicRulePayload:
                sql: SELECT * FROM 'telemetry'
                actions: []
          role:
            type: aws-native:iam:Role
            properties:
              roleName: \(p)-role
              description: lambda role
              assumeRolePolicyDocument: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
              managedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSIoTThingsRegistration]
          alias:
            type: aws-native:iot:RoleAlias
            properties:
              roleAlias: \(p)-alias
              roleArn: ${role.arn}
              credentialDurationSeconds: 3600
          inline:
            type: aws-native:iam:RolePolicy
            properties:
              roleName: ${role.roleName}
              policyName: s3-read
              policyDocument: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
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
                  STAGE: dev
              code:
                zipFile: "def handler(event, context):\\n    return 1\\n"
          permission:
            type: aws-native:lambda:Permission
            properties:
              functionName: ${hook.functionName}
              action: lambda:InvokeFunction
              principal: sns.amazonaws.com
          topic:
            type: aws-native:sns:Topic
            properties:
              topicName: \(p)-topic
              displayName: Alerts
          bucket:
            type: aws-native:s3:Bucket
            properties:
              bucketName: \(p)-bucket
              versioningConfiguration:
                status: Enabled

        """
    }

    @Test func refreshReportsExactlyWhatWasChangedInAWS() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "rf\(UUID().uuidString.prefix(6).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: Self.program(p))
        let up = try project.fleetdeck(["up", "--yes"])
        #expect(up.status == 0, "\(up.stdout) \(up.stderr)")

        let untouched = try project.fleetdeck(["refresh"])
        #expect(untouched.stdout.contains("No drift"), "an untouched stack shows drift: \(untouched.stdout) \(untouched.stderr)")

        _ = try DeployAcceptanceTests.boto("""
            e = os.environ['AWS_ENDPOINT_URL']
            iam = boto3.client('iam', endpoint_url=e, region_name='us-east-1'); lam = boto3.client('lambda', endpoint_url=e, region_name='us-east-1')
            sns = boto3.client('sns', endpoint_url=e, region_name='us-east-1'); s3 = boto3.client('s3', endpoint_url=e, region_name='us-east-1')
            p = '\(p)'
            iot.update_thing(thingName=p + '-thing', attributePayload={'attributes': {'site': 'field'}})
            iot.deprecate_thing_type(thingTypeName=p + '-kind')
            iot.update_thing_group(thingGroupName=p + '-group', thingGroupProperties={'thingGroupDescription': 'edited'})
            iot.create_policy_version(policyName=p + '-policy', setAsDefault=True, policyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}))
            iot.replace_topic_rule(ruleName=p + '_rule', topicRulePayload={'sql': "SELECT * FROM 'other'", 'actions': []})
            iam.update_role(RoleName=p + '-role', Description='edited by hand')
            iot.update_role_alias(roleAlias=p + '-alias', credentialDurationSeconds=900)
            iam.put_role_policy(RoleName=p + '-role', PolicyName='s3-read', PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
            lam.update_function_configuration(FunctionName=p + '-hook', Timeout=99)
            lam.remove_permission(FunctionName=p + '-hook', StatementId='fleetdeck-permission')
            topic = [t['TopicArn'] for t in sns.list_topics()['Topics'] if t['TopicArn'].endswith(p + '-topic')][0]
            sns.set_topic_attributes(TopicArn=topic, AttributeName='DisplayName', AttributeValue='Edited')
            s3.put_bucket_versioning(Bucket=p + '-bucket', VersioningConfiguration={'Status': 'Suspended'})
            """)
        let drift = try project.fleetdeck(["refresh"])
        #expect(drift.status == 0, "\(drift.stderr)")
        let reported = drift.stdout.split(separator: "\n").filter { $0.hasPrefix(" ~ ") || $0.hasPrefix(" - ") }
            .compactMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) }.sorted()
        #expect(reported == ["alias", "bucket", "group", "hook", "inline", "kind", "permission", "policy", "role", "rule", "thing", "topic"],
                "\(drift.stdout)")
        for value in ["\"field\"", "edited by hand", "900", "99", "Suspended", "Edited", "iot:*", "s3:*", "'other'"] {
            #expect(drift.stdout.contains(value), "the drift does not show \(value): \(drift.stdout)")
        }

        // Recorded, the drift becomes the plan's work: the program's values go back.
        #expect(try project.fleetdeck(["refresh", "--yes"]).status == 0)
        let plan = try project.fleetdeck(["preview"])
        #expect(plan.stdout.contains("~   aws-native:lambda:Function"), "\(plan.stdout)")
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }
}
