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
            sns = iot.describe_account_audit_configuration()['auditNotificationTargetConfigurations']['SNS']
            iot.update_account_audit_configuration(auditNotificationTargetConfigurations={'SNS': dict(sns, enabled=False)})
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

    /// The sandbox refuses what AWS refuses, one case per rule, each input breaking that rule
    /// alone (the message names the rule), and a refused request stores nothing.
    @Test func whatAWSRefusesTheSandboxRefuses() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "rules\(UUID().uuidString.prefix(5).lowercased())"
        // Its own region: the audit configuration is one per account and region.
        let refused = try DeployAcceptanceTests.boto("""
            iot = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='ap-south-1')
            iam = boto3.client('iam', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='ap-south-1')
            trust = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'iot.amazonaws.com'}, 'Action': 'sts:AssumeRole'}]})
            role = iam.create_role(RoleName='\(p)', AssumeRolePolicyDocument=trust)['Role']['Arn']
            body = json.dumps({'Parameters': {}, 'Resources': {'thing': {'Type': 'AWS::IoT::Thing'}}})
            hook = {'targetArn': 'arn:aws:lambda:ap-south-1:123456789012:function:hook', 'payloadVersion': '2020-04-01'}
            topic = 'arn:aws:sns:ap-south-1:123456789012:alerts'
            def refused(name, call):
                try:
                    call(); print(name, 'accepted')
                except iot.exceptions.ClientError as error:
                    print(name, error.response['Error']['Code'], error.response['ResponseMetadata']['HTTPStatusCode'], error.response['Error']['Message'])
            refused('missing-role', lambda: iot.create_provisioning_template(templateName='\(p)-a', templateBody=body, provisioningRoleArn=role + '-missing'))
            refused('not-json', lambda: iot.create_provisioning_template(templateName='\(p)-b', templateBody='{not json', provisioningRoleArn=role))
            refused('bad-name', lambda: iot.create_provisioning_template(templateName='\(p) bad', templateBody=body, provisioningRoleArn=role))
            refused('long-name', lambda: iot.create_provisioning_template(templateName='x' * 37, templateBody=body, provisioningRoleArn=role))
            refused('jitp-hook', lambda: iot.create_provisioning_template(templateName='\(p)-c', templateBody=body, provisioningRoleArn=role, type='JITP', preProvisioningHook=hook))
            iot.create_provisioning_template(templateName='\(p)-d', templateBody=body, provisioningRoleArn=role)
            for _ in range(4):
                iot.create_provisioning_template_version(templateName='\(p)-d', templateBody=body)
            refused('sixth-version', lambda: iot.create_provisioning_template_version(templateName='\(p)-d', templateBody=body))
            refused('unknown-check', lambda: iot.update_account_audit_configuration(roleArn=role, auditCheckConfigurations={'NO_SUCH_CHECK': {'enabled': True}}))
            iot.update_account_audit_configuration(roleArn=role, auditCheckConfigurations={'DEVICE_CERTIFICATE_EXPIRING_CHECK': {'enabled': True}})
            refused('weekly-without-day', lambda: iot.create_scheduled_audit(scheduledAuditName='\(p)-w', frequency='WEEKLY', targetCheckNames=['DEVICE_CERTIFICATE_EXPIRING_CHECK']))
            refused('disabled-check', lambda: iot.create_scheduled_audit(scheduledAuditName='\(p)-x', frequency='DAILY', targetCheckNames=['LOGGING_DISABLED_CHECK']))
            iot.create_scheduled_audit(scheduledAuditName='\(p)-daily', frequency='DAILY', targetCheckNames=['DEVICE_CERTIFICATE_EXPIRING_CHECK'])
            refused('check-in-use', lambda: iot.update_account_audit_configuration(
                auditNotificationTargetConfigurations={'SNS': {'targetArn': topic, 'roleArn': role, 'enabled': True}},
                auditCheckConfigurations={'DEVICE_CERTIFICATE_EXPIRING_CHECK': {'enabled': False}}))
            audit = iot.describe_account_audit_configuration()
            print('stored-nothing', audit['auditNotificationTargetConfigurations'] == {}, audit['auditCheckConfigurations']['DEVICE_CERTIFICATE_EXPIRING_CHECK']['enabled'])
            iot.delete_scheduled_audit(scheduledAuditName='\(p)-daily')
            iot.delete_account_audit_configuration()
            names = [t['templateName'] for t in iot.list_provisioning_templates()['templates']]
            print('templates', sorted(n for n in names if n.startswith('\(p)') or n == 'x' * 37))
            """)
        let lines = refused.split(separator: "\n").map(String.init)
        let expected: [(String, String)] = [
            ("missing-role", "InvalidRequestException 400 provisioningRoleArn"),
            ("not-json", "InvalidRequestException 400 The template body is not valid JSON"),
            ("bad-name", "InvalidRequestException 400 1 validation error detected: Value '\(p) bad' at 'templateName'"),
            ("long-name", "InvalidRequestException 400 1 validation error detected: Value '\(String(repeating: "x", count: 37))' at 'templateName'"),
            ("jitp-hook", "InvalidRequestException 400 A pre-provisioning hook can only be set on a FLEET_PROVISIONING template"),
            ("sixth-version", "VersionsLimitExceededException 409 The provisioning template \(p)-d already has the maximum number of versions (5)"),
            ("unknown-check", "InvalidRequestException 400 The check NO_SUCH_CHECK is not a Device Defender audit check"),
            ("weekly-without-day", "InvalidRequestException 400 A WEEKLY audit needs dayOfWeek"),
            ("disabled-check", "InvalidRequestException 400 The check LOGGING_DISABLED_CHECK is not enabled"),
            ("check-in-use", "InvalidRequestException 400 The check DEVICE_CERTIFICATE_EXPIRING_CHECK cannot be disabled: the scheduled audit \(p)-daily uses it"),
            ("stored-nothing", "True True"),
            ("templates", "['\(p)-d']"),
        ]
        #expect(lines.count == expected.count, "\(refused)")
        for (line, (name, start)) in zip(lines, expected) {
            #expect(line.hasPrefix("\(name) \(start)"), "\(name): \(line)")
        }
    }

    /// Thing types: AWS deletes one only five minutes after its deprecation; the sandbox's period
    /// is shortened by FLEETDECK_THING_TYPE_DEPRECATION_SECONDS, and refuses an early delete.
    /// `destroy` waits it out, saying so.
    @Test func aThingTypeIsDeletedOnlyAfterItsDeprecationPeriodAndTheWaitCanBeInterrupted() throws {
        let period = try #require(ProcessInfo.processInfo.environment["FLEETDECK_THING_TYPE_DEPRECATION_SECONDS"], "run with scripts/test: the sandbox is not running")
        let p = "ttype\(UUID().uuidString.prefix(5).lowercased())"
        let early = try DeployAcceptanceTests.boto("""
            iot.create_thing_type(thingTypeName='\(p)-early')
            try:
                iot.delete_thing_type(thingTypeName='\(p)-early'); print('accepted')
            except iot.exceptions.ClientError as error:
                print(error.response['Error']['Code'], error.response['Error']['Message'])
            iot.deprecate_thing_type(thingTypeName='\(p)-early')
            print(type(iot.describe_thing_type(thingTypeName='\(p)-early')['thingTypeMetadata']['deprecationDate']).__name__)
            try:
                iot.delete_thing_type(thingTypeName='\(p)-early'); print('accepted')
            except iot.exceptions.ClientError as error:
                print(error.response['Error']['Code'], error.response['Error']['Message'])
            """)
        #expect(early == """
            InvalidRequestException Can not delete thing type \(p)-early: it must be deprecated for \(period) seconds first
            datetime
            InvalidRequestException Can not delete thing type \(p)-early: it must be deprecated for \(period) seconds first (deprecated 0 seconds ago)
            """, "\(early)")
        let project = try DeployAcceptanceTests.Project(program: "name: \(p)\nruntime: yaml\nresources:\n  kind:\n    type: aws-native:iot:ThingType\n    properties:\n      thingTypeName: \(p)\n")
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        // Interruptible: Ctrl-C during the wait (a longer one here) stops it, the type deprecated
        // and still there, the run cancelled.
        let log = project.folder + "/destroy.log"
        let out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var environment = project.environment
        environment["FLEETDECK_THING_TYPE_DEPRECATION_SECONDS"] = "300"
        let pid = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["destroy", "--yes", "-C", project.folder, "-s", "dev"],
                                          environment: ProcessRunner.environment(environment), stdout: out, stderr: out)
        close(out)
        let waiting = eventually(timeout: .seconds(60)) { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("s to wait") }
        kill(pid, SIGINT)
        let status = ProcessRunner.waitForExit(pid)
        let interrupted = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(waiting && status.code != 0 && interrupted.contains("cancelled"), "\(status): \(interrupted)")
        #expect(try DeployAcceptanceTests.boto("print(iot.describe_thing_type(thingTypeName='\(p)')['thingTypeMetadata']['deprecated'])") == "True")
        // Resumed: the next destroy waits only what is left of the (sandbox's) period.
        let destroyed = try project.fleetdeck(["destroy", "--yes"])
        #expect(destroyed.status == 0, "\(destroyed.stdout)\(destroyed.stderr)")
        #expect(interrupted.contains("AWS deletes a thing type 5 min after its deprecation"), "\(interrupted)")
        #expect(try DeployAcceptanceTests.boto("print([t['thingTypeName'] for t in iot.list_thing_types()['thingTypes'] if t['thingTypeName'] == '\(p)'])") == "[]")
    }

    /// DescribeCertificate's validity is the certificate's own (moto said "a day either side of
    /// now" whatever the certificate said).
    @Test func certificateValidityIsReadFromTheCertificate() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let validity = try DeployAcceptanceTests.boto("""
            import datetime
            from cryptography import x509
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec
            key = ec.generate_private_key(ec.SECP256R1())
            name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, 'validity')])
            start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
            cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                    .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=3)).sign(key, hashes.SHA256()))
            made = iot.register_certificate_without_ca(certificatePem=cert.public_bytes(serialization.Encoding.PEM).decode(), status='ACTIVE')
            v = iot.describe_certificate(certificateId=made['certificateId'])['certificateDescription']['validity']
            print(v['notBefore'].isoformat(), v['notAfter'].isoformat())
            iot.update_certificate(certificateId=made['certificateId'], newStatus='INACTIVE')
            iot.delete_certificate(certificateId=made['certificateId'])
            """)
        #expect(validity == "2026-01-01T00:00:00+00:00 2026-01-04T00:00:00+00:00", "\(validity)")
    }
}
