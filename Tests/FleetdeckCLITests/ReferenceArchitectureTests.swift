import Foundation
import TestSupport
import Testing

/// examples/iot-ref-arch deployed, checked and destroyed on the sandbox's moto (one endpoint: the
/// IoT operations moto lacks are added to it by scripts/moto/iot_missing.py).
@Suite(.serialized) struct ReferenceArchitectureTests {
    @Test func deploysEveryResourceThenNothingChangesThenDestroysAll() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let source = ProcessRunner.packageRoot.appendingPathComponent("examples/iot-ref-arch").path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-refarch-\(UUID().uuidString.prefix(6))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try ProcessRunner.shell("cp -r \(source) \(folder)").status == 0)
        let suffix = UUID().uuidString.prefix(5).lowercased()
        let stack = "t\(suffix)"
        let certificate = try DeployAcceptanceTests.boto("print(iot.create_keys_and_certificate(setAsActive=True)['certificateArn'])")
        // Upstream's physical names, each with this run's suffix (moto is one account for every test).
        let names = ["thingGroupName": "GreengrassGroup", "tesRoleName": "GreengrassV2TokenExchangeRole", "tesPolicyName": "GreengrassV2TokenExchangeRoleAccess",
                     "tesRoleAliasName": "GreengrassCoreTokenExchangeRoleAlias", "thingPolicyName": "GreengrassV2IoTThingPolicy",
                     "hookRoleName": "PreProvisioningHookRole", "hookPolicyName": "PreProvisioningHookPolicy", "hookFunctionName": "PreProvisioningHookFunction",
                     "fleetRoleName": "GreengrassFleetProvisioningRole", "provisioningTemplateName": "GreengrassFleetProvisioningTemplate",
                     "claimPolicyName": "GreengrassProvisioningClaimPolicy", "auditActionsRoleName": "IoTDeviceDefenderAuditActionsRole",
                     "auditActionsPolicyName": "IoTDeviceDefenderAuditActionsPolicy", "auditActionsFunctionName": "IoTDeviceDefenderAuditActionsFunction",
                     "auditRoleName": "IoTDeviceDefenderAuditRole", "auditPolicyName": "IoTDeviceDefenderAuditPolicy",
                     "rotateCertRoleName": "IoTDeviceDefenderRotateCertRole", "rotateCertPolicyName": "IoTDeviceDefenderRotateCertPolicy",
                     "rotateCertFunctionName": "IoTDeviceDefenderRotateCert", "revokeCertRoleName": "IoTDeviceDefenderRevokeCertRole",
                     "revokeCertPolicyName": "IoTDeviceDefenderRevokeCertPolicy", "revokeCertFunctionName": "IoTDeviceDefenderRevokeCert",
                     "csrTriggerRuleName": "CsrTrigger", "crtAckTriggerRuleName": "CrtAckTrigger", "snsTopicName": "device_certificate_expiring",
                     "scheduledAuditName": "IoTDeviceDefenderDailyAudit", "certBucketName": "certs", "osBucketName": "images"]
        // (topic rule names take no hyphen)
        let named = names.sorted { $0.key < $1.key }.map { "  iot-ref-arch:\($0.key): \($0.value)\($0.key.hasSuffix("RuleName") ? "_" : "-")\(suffix)\n" }.joined()
        try "config:\n  iot-ref-arch:aws-account-id: \"123456789012\"\n  iot-ref-arch:claimCertificateArn: \(certificate)\n\(named)"
            .write(toFile: "\(folder)/Pulumi.\(stack).yaml", atomically: true, encoding: .utf8)
        let environment = ProcessRunner.environment(["PULUMI_CONFIG_PASSPHRASE": "ref", "FLEETDECK_BACKEND_URL": "file://\(folder)/state"])
        func fleetdeck(_ arguments: [String], stack name: String = stack) throws -> ProcessResult {
            try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", folder, "-s", name], environment: environment, timeout: 300)
        }

        // The dev stack names another account: nothing may happen.
        let refused = try fleetdeck(["up", "--yes"], stack: "dev")
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("fleetdeck: stack 'dev' belongs to AWS account 111111111111, but the credentials are for account 123456789012"), "\(refused.stderr)")

        let up = try fleetdeck(["up", "--yes"])
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        #expect(up.stdout.contains("+ 33 to create"))
        let seen = try DeployAcceptanceTests.boto("""
            e = os.environ['AWS_ENDPOINT_URL']; s = '\(stack)'; x = '\(suffix)'
            iam = boto3.client('iam', endpoint_url=e, region_name='us-east-1'); lam = boto3.client('lambda', endpoint_url=e, region_name='us-east-1')
            sns = boto3.client('sns', endpoint_url=e, region_name='us-east-1'); s3 = boto3.client('s3', endpoint_url=e, region_name='us-east-1')
            roles = sorted(r['RoleName'] for r in iam.list_roles()['Roles'] if r['RoleName'].endswith('-' + x))
            inline = {r: iam.list_role_policies(RoleName=r)['PolicyNames'] for r in roles}
            functions = sorted(f['FunctionName'] for f in lam.list_functions()['Functions'] if f['FunctionName'].endswith('-' + x))
            permissions = {f: json.loads(lam.get_policy(FunctionName=f)['Policy'])['Statement'][0]['Principal']['Service'] for f in functions}
            topic = [t['TopicArn'] for t in sns.list_topics()['Topics'] if t['TopicArn'].endswith(':device_certificate_expiring-' + x)][0]
            subscriptions = [sub['Protocol'] for sub in sns.list_subscriptions_by_topic(TopicArn=topic)['Subscriptions']]
            thing_policy = json.loads(iot.get_policy(policyName='GreengrassV2IoTThingPolicy-' + x)['policyDocument'])
            claim_policy = json.loads(iot.get_policy(policyName='GreengrassProvisioningClaimPolicy-' + x)['policyDocument'])
            alias = iot.describe_role_alias(roleAlias='GreengrassCoreTokenExchangeRoleAlias-' + x)['roleAliasDescription']
            rules = {n: iot.get_topic_rule(ruleName=n + '_' + x)['rule'] for n in ['CsrTrigger', 'CrtAckTrigger']}
            print(json.dumps({
              'roles': roles, 'inline': inline, 'functions': functions, 'permissions': permissions, 'subscriptions': subscriptions,
              'group': iot.describe_thing_group(thingGroupName='GreengrassGroup-' + x)['thingGroupName'],
              'thingPolicyAssume': thing_policy['Statement'][1]['Resource'] == alias['roleAliasArn'],
              'claimResources': claim_policy['Statement'][1]['Resource'],
              'aliasDuration': alias['credentialDurationSeconds'], 'aliasRoleIsTes': alias['roleArn'].endswith('GreengrassV2TokenExchangeRole-' + x),
              'rules': {n: [r['sql'], 'lambda' in r['actions'][0]] for n, r in rules.items()},
              'claimAttached': [p['policyName'] for p in iot.list_attached_policies(target='\(certificate)')['policies']],
              'bucket': [b['Name'] for b in s3.list_buckets()['Buckets'] if b['Name'].endswith('-' + x)]}, sort_keys=True))
            """)
        let facts = try JSONSerialization.jsonObject(with: Data(seen.utf8)) as? [String: Any] ?? [:]
        #expect((facts["roles"] as? [String])?.count == 7, "\(seen)")
        #expect((facts["functions"] as? [String])?.count == 4, "\(seen)")
        #expect(Set((facts["permissions"] as? [String: String])?.values.map { $0 } ?? []) == ["iot.amazonaws.com", "sns.amazonaws.com"])
        #expect(facts["subscriptions"] as? [String] == ["lambda"])
        #expect(facts["group"] as? String == "GreengrassGroup-\(suffix)")
        #expect(facts["thingPolicyAssume"] as? Bool == true)
        #expect(facts["aliasDuration"] as? Int == 3600 && facts["aliasRoleIsTes"] as? Bool == true)
        #expect((facts["claimResources"] as? [String])?.last == "arn:aws:iot:us-east-1:123456789012:topic/$aws/provisioning-templates/GreengrassFleetProvisioningTemplate-\(suffix)/provision/*")
        #expect((facts["rules"] as? [String: [Any]])?["CsrTrigger"]?.first as? String == "SELECT * FROM 'lambda/+/csr_res'")
        #expect((facts["rules"] as? [String: [Any]])?["CrtAckTrigger"]?.first as? String == "SELECT * FROM 'lambda/+/crt_ack'")
        #expect(facts["claimAttached"] as? [String] == ["GreengrassProvisioningClaimPolicy-\(suffix)"])
        #expect((facts["bucket"] as? [String])?.count == 1)
        #expect(((facts["inline"] as? [String: [String]]) ?? [:]).values.filter { $0.count == 1 }.count == 6, "\(seen)")  // every role but the fleet role has its inline policy
        let audits = try DeployAcceptanceTests.boto("""
            t = iot.describe_provisioning_template(templateName='GreengrassFleetProvisioningTemplate-\(suffix)')
            a = iot.describe_account_audit_configuration()
            s = iot.describe_scheduled_audit(scheduledAuditName='IoTDeviceDefenderDailyAudit-\(suffix)')
            print(t['enabled'], t['preProvisioningHook']['targetArn'].split(':')[-1] == 'PreProvisioningHookFunction-\(suffix)',
                  a['auditCheckConfigurations']['DEVICE_CERTIFICATE_EXPIRING_CHECK']['enabled'], s['frequency'])
            """)
        #expect(audits == "True True True DAILY", "\(audits)")

        let quiet = try fleetdeck(["preview", "--expect-no-changes"])
        #expect(quiet.status == 0, "\(quiet.stdout)")
        let destroyed = try fleetdeck(["destroy", "--yes"])
        #expect(destroyed.status == 0, "\(destroyed.stdout)\(destroyed.stderr)")
        #expect(try DeployAcceptanceTests.boto("""
            e = os.environ['AWS_ENDPOINT_URL']; s = '\(stack)'; x = '\(suffix)'
            left = [r['RoleName'] for r in boto3.client('iam', endpoint_url=e, region_name='us-east-1').list_roles()['Roles'] if r['RoleName'].endswith('-' + x)]
            left += [f['FunctionName'] for f in boto3.client('lambda', endpoint_url=e, region_name='us-east-1').list_functions()['Functions'] if f['FunctionName'].endswith('-' + x)]
            left += [p['policyName'] for p in iot.list_policies()['policies'] if p['policyName'].endswith(x)]
            left += [g['groupName'] for g in iot.list_thing_groups()['thingGroups'] if g['groupName'].endswith(x)]
            left += [b['Name'] for b in boto3.client('s3', endpoint_url=e, region_name='us-east-1').list_buckets()['Buckets'] if b['Name'].endswith('-' + x)]
            print(left)
            """) == "[]")
    }
}
