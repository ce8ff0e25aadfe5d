import Foundation
import TestSupport
import Testing

/// Provisioning templates, the account audit configuration and scheduled audits, deployed to the
/// sandbox's moto (which has them through scripts/moto/iot_missing.py, refusing what AWS refuses)
/// and read back with boto3. Another region than the other tests': the audit configuration is
/// one per account and region.
@Suite(.serialized) struct ProvisioningAndAuditTypesTests {
    static let region = "eu-central-1"

    static func boto(_ script: String) throws -> String {
        try DeployAcceptanceTests.boto("iot = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='\(region)')\n" + script)
    }

    @Test func provisioningTemplateAuditsAndScheduledAudits() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "rec\(UUID().uuidString.prefix(5).lowercased())"
        let trust = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"iot.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}"
        let project = try DeployAcceptanceTests.Project(program: """
            name: \(p)
            runtime: yaml
            resources:
              fleetRole:
                type: aws-native:iam:Role
                properties:
                  roleName: \(p)-fleet
                  assumeRolePolicyDocument:
                    fn::toJSON: \(trust)
              auditRole:
                type: aws-native:iam:Role
                properties:
                  roleName: \(p)-audit
                  assumeRolePolicyDocument:
                    fn::toJSON: \(trust)
              template:
                type: aws-native:iot:ProvisioningTemplate
                properties:
                  templateName: \(p)-fleet
                  templateType: FLEET_PROVISIONING
                  enabled: true
                  provisioningRoleArn: ${fleetRole.arn}
                  preProvisioningHook:
                    payloadVersion: "2020-04-01"
                    targetArn: arn:aws:lambda:\(Self.region):123456789012:function:hook
                  templateBody:
                    fn::toJSON:
                      Parameters:
                        SerialNumber: {Type: String}
                      Resources:
                        thing: {Type: "AWS::IoT::Thing", Properties: {ThingName: {Ref: SerialNumber}}}
              audit:
                type: aws-native:iot:AccountAuditConfiguration
                properties:
                  accountId: "123456789012"
                  roleArn: ${auditRole.arn}
                  auditCheckConfigurations:
                    deviceCertificateExpiringCheck:
                      enabled: true
                  auditNotificationTargetConfigurations:
                    sns:
                      targetArn: arn:aws:sns:\(Self.region):123456789012:device_certificate_expiring
                      roleArn: ${auditRole.arn}
                      enabled: true
              daily:
                type: aws-native:iot:ScheduledAudit
                properties:
                  scheduledAuditName: \(p)-daily
                  frequency: DAILY
                  targetCheckNames: [DEVICE_CERTIFICATE_EXPIRING_CHECK]
                options:
                  dependsOn:
                    - ${audit}
            """)
        try "config:\n  aws-native:region: \(Self.region)\n".write(toFile: project.folder + "/Pulumi.dev.yaml", atomically: true, encoding: .utf8)
        let up = try project.fleetdeck(["up", "--yes"])
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        let deployed = try Self.boto("""
            t = iot.describe_provisioning_template(templateName='\(p)-fleet')
            a = iot.describe_account_audit_configuration()
            s = iot.describe_scheduled_audit(scheduledAuditName='\(p)-daily')
            print(json.dumps({'enabled': t['enabled'], 'role': t['provisioningRoleArn'].endswith('role/\(p)-fleet'),
                              'hook': t['preProvisioningHook']['targetArn'].endswith(':function:hook'), 'params': sorted(json.loads(t['templateBody'])['Parameters']),
                              'auditRole': a['roleArn'].endswith('role/\(p)-audit'), 'check': a['auditCheckConfigurations']['DEVICE_CERTIFICATE_EXPIRING_CHECK']['enabled'],
                              'sns': a['auditNotificationTargetConfigurations']['SNS']['enabled'], 'schedule': [s['frequency'], s['targetCheckNames']]}, sort_keys=True))
            """)
        #expect(deployed == #"{"auditRole": true, "check": true, "enabled": true, "hook": true, "params": ["SerialNumber"], "role": true, "schedule": ["DAILY", ["DEVICE_CERTIFICATE_EXPIRING_CHECK"]], "sns": true}"#, "\(deployed)")
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0)
        let untouched = try project.fleetdeck(["refresh", "--json"])
        #expect(untouched.status == 0 && !untouched.stdout.contains("\"refresh\""), "an untouched stack shows no drift: \(untouched.stdout)")

        // Changed by hand: refresh reads the audit configuration and the schedule as AWS has them.
        _ = try Self.boto("""
            iot.update_scheduled_audit(scheduledAuditName='\(p)-daily', frequency='MONTHLY', dayOfMonth='1')
            iot.update_account_audit_configuration(auditCheckConfigurations={'DEVICE_CERTIFICATE_EXPIRING_CHECK': {'enabled': False}})
            """)
        let drift = try project.fleetdeck(["refresh"])
        #expect(drift.status == 0 && drift.stdout.contains("MONTHLY") && drift.stdout.contains("daily") && drift.stdout.contains("audit"), "\(drift.stdout)")
        #expect(try project.fleetdeck(["refresh", "--yes"]).status == 0)
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)  // the program's values go back
        #expect(try Self.boto("print(iot.describe_scheduled_audit(scheduledAuditName='\(p)-daily')['frequency'])") == "DAILY")

        try project.edit("frequency: DAILY", "frequency: WEEKLY\n      dayOfWeek: MON")
        try project.edit("SerialNumber: {Type: String}", "SerialNumber: {Type: String}\n            Region: {Type: String}")
        let changed = try project.fleetdeck(["up", "--yes"])
        #expect(changed.status == 0, "\(changed.stdout)\(changed.stderr)")
        #expect(changed.stdout.contains("~ 2 to update"), "\(changed.stdout)")
        let updated = try Self.boto("""
            t = iot.describe_provisioning_template(templateName='\(p)-fleet')
            s = iot.describe_scheduled_audit(scheduledAuditName='\(p)-daily')
            print(t['defaultVersionId'], sorted(json.loads(t['templateBody'])['Parameters']), s['frequency'], s['dayOfWeek'])
            """)
        #expect(updated == "2 ['Region', 'SerialNumber'] WEEKLY MON", "\(updated)")
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0)

        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
        let gone = try Self.boto("""
            names = [t['templateName'] for t in iot.list_provisioning_templates()['templates']]
            audits = [a['scheduledAuditName'] for a in iot.list_scheduled_audits()['scheduledAudits']]
            check = iot.describe_account_audit_configuration()['auditCheckConfigurations']['DEVICE_CERTIFICATE_EXPIRING_CHECK']['enabled']
            print('\(p)-fleet' in names, '\(p)-daily' in audits, check)
            """)
        #expect(gone == "False False False", "deleting the configuration disables its checks, as CloudFormation does: \(gone)")
    }

    @Test func whatAWSRefusesTheSandboxRefuses() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let refused = try Self.boto("""
            body = json.dumps({'Parameters': {}, 'Resources': {'thing': {'Type': 'AWS::IoT::Thing'}}})
            for call in [lambda: iot.create_provisioning_template(templateName='nope', templateBody=body, provisioningRoleArn='arn:aws:iam::123456789012:role/missing'),
                         lambda: iot.create_provisioning_template(templateName='nope', templateBody='{not json', provisioningRoleArn='arn:aws:iam::123456789012:role/missing'),
                         lambda: iot.update_account_audit_configuration(auditCheckConfigurations={'NO_SUCH_CHECK': {'enabled': True}}),
                         lambda: iot.create_scheduled_audit(scheduledAuditName='nope', frequency='WEEKLY', targetCheckNames=['LOGGING_DISABLED_CHECK'])]:
                try:
                    call(); print('accepted')
                except iot.exceptions.ClientError as error:
                    print(error.response['Error']['Code'])
            """)
        #expect(refused == "InvalidRequestException\nInvalidRequestException\nInvalidRequestException\nInvalidRequestException", "\(refused)")
    }
}
