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
        // Upstream's physical names, each with this run's suffix (moto is one account for every test);
        // the template's is shortened: AWS takes 36 characters at most, upstream's has 35.
        let names = ["thingGroupName": "GreengrassGroup", "tesRoleName": "GreengrassV2TokenExchangeRole", "tesPolicyName": "GreengrassV2TokenExchangeRoleAccess",
                     "tesRoleAliasName": "GreengrassCoreTokenExchangeRoleAlias", "thingPolicyName": "GreengrassV2IoTThingPolicy",
                     "hookRoleName": "PreProvisioningHookRole", "hookPolicyName": "PreProvisioningHookPolicy", "hookFunctionName": "PreProvisioningHookFunction",
                     "fleetRoleName": "GreengrassFleetProvisioningRole", "provisioningTemplateName": "GGFleetProvisioningTemplate",
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
        try "config:\n  iot-ref-arch:aws-account-id: \"123456789012\"\n\(named)"
            .write(toFile: "\(folder)/Pulumi.\(stack).yaml", atomically: true, encoding: .utf8)
        let environment = ProcessRunner.environment(["PULUMI_CONFIG_PASSPHRASE": "ref", "FLEETDECK_BACKEND_URL": "file://\(folder)/state"])
        func fleetdeck(_ arguments: [String], stack name: String = stack) throws -> ProcessResult {
            try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", folder, "-s", name], environment: environment, timeout: 300)
        }

        // The dev stack names another account: nothing may happen.
        let refused = try fleetdeck(["up", "--yes"], stack: "dev")
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("fleetdeck: stack 'dev' belongs to AWS account 111111111111, but the credentials are for account 123456789012"), "\(refused.stderr)")

        // Upstream's prepare-infra: the certificate bucket, the claim certificate (its ARN into the
        // stack config) and the allowlist; config_parameters.txt waits for the stack's resources.
        try "dev-\(suffix)-listed\n".write(toFile: folder + "/allowlist.txt", atomically: true, encoding: .utf8)
        let setup = ["fleet", "setup", "--bucket", "certs-\(suffix)", "--allowlist", folder + "/allowlist.txt", "--yes"]
        let prepared = try fleetdeck(setup)
        #expect(prepared.status == 0 && prepared.stdout.contains("note: config_parameters.txt waits for the stack's TesRoleAliasID and FleetTemplateID"), "\(prepared.stdout)\(prepared.stderr)")
        let certificate = try DeployAcceptanceTests.boto("""
            print(boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1').get_object(Bucket='certs-\(suffix)', Key='claim_certificate.arn')['Body'].read().decode())
            """)

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
        #expect((facts["claimResources"] as? [String])?.last == "arn:aws:iot:us-east-1:123456789012:topic/$aws/provisioning-templates/GGFleetProvisioningTemplate-\(suffix)/provision/*")
        #expect((facts["rules"] as? [String: [Any]])?["CsrTrigger"]?.first as? String == "SELECT * FROM 'lambda/+/csr_res'")
        #expect((facts["rules"] as? [String: [Any]])?["CrtAckTrigger"]?.first as? String == "SELECT * FROM 'lambda/+/crt_ack'")
        #expect(facts["claimAttached"] as? [String] == ["GreengrassProvisioningClaimPolicy-\(suffix)"])
        #expect((facts["bucket"] as? [String])?.sorted() == ["certs-\(suffix)", "images-\(suffix)"], "\(seen)")  // fleet setup's and the stack's
        #expect(((facts["inline"] as? [String: [String]]) ?? [:]).values.filter { $0.count == 1 }.count == 6, "\(seen)")  // every role but the fleet role has its inline policy
        let audits = try DeployAcceptanceTests.boto("""
            t = iot.describe_provisioning_template(templateName='GGFleetProvisioningTemplate-\(suffix)')
            a = iot.describe_account_audit_configuration()
            s = iot.describe_scheduled_audit(scheduledAuditName='IoTDeviceDefenderDailyAudit-\(suffix)')
            print(t['enabled'], t['preProvisioningHook']['targetArn'].split(':')[-1] == 'PreProvisioningHookFunction-\(suffix)',
                  a['auditCheckConfigurations']['DEVICE_CERTIFICATE_EXPIRING_CHECK']['enabled'], s['frequency'])
            """)
        #expect(audits == "True True True DAILY", "\(audits)")
        // Upstream's documents as its Python program writes them: the template body's text (its
        // json.dumps), descriptions, and policies statement by statement.
        let documents = try DeployAcceptanceTests.boto("""
            e = os.environ['AWS_ENDPOINT_URL']; x = '\(suffix)'
            iam = boto3.client('iam', endpoint_url=e, region_name='us-east-1'); lam = boto3.client('lambda', endpoint_url=e, region_name='us-east-1')
            t = iot.describe_provisioning_template(templateName='GGFleetProvisioningTemplate-' + x)
            def policy(role, name): return iam.get_role_policy(RoleName=role + '-' + x, PolicyName=name + '-' + x)['PolicyDocument']['Statement']
            print(json.dumps({'body': t['templateBody'], 'description': t['description'],
              'tes': policy('GreengrassV2TokenExchangeRole', 'GreengrassV2TokenExchangeRoleAccess')[0]['Action'][4:6],
              'revoke': policy('IoTDeviceDefenderRevokeCertRole', 'IoTDeviceDefenderRevokeCertPolicy')[1]['Action'],
              'hook': policy('PreProvisioningHookRole', 'PreProvisioningHookPolicy'),
              'role': iam.get_role(RoleName='IoTDeviceDefenderRevokeCertRole-' + x)['Role']['Description'],
              'function': lam.get_function(FunctionName='IoTDeviceDefenderRevokeCert-' + x)['Configuration']['Description'],
              'rule': iot.get_topic_rule(ruleName='CrtAckTrigger_' + x)['rule']['description']}, sort_keys=True))
            """)
        let upstream = try #require(try JSONSerialization.jsonObject(with: Data(documents.utf8)) as? [String: Any], "\(documents)")
        #expect(upstream["body"] as? String == #"{"Parameters": {"SerialNumber": {"Type": "String"}, "AWS::IoT::Certificate::Id": {"Type": "String"}}, "Resources": {"Thing": {"OverrideSettings": {"AttributePayload": "REPLACE", "ThingGroups": "REPLACE", "ThingTypeName": "REPLACE"}, "Properties": {"AttributePayload": {}, "ThingGroups": ["GreengrassGroup-"# + suffix + #""], "ThingName": {"Ref": "SerialNumber"}}, "Type": "AWS::IoT::Thing"}, "Policy": {"Properties": {"PolicyName": "GreengrassV2IoTThingPolicy-"# + suffix + #""}, "Type": "AWS::IoT::Policy"}, "Certificate": {"Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "Active"}, "Type": "AWS::IoT::Certificate"}}}"#)
        #expect(upstream["description"] as? String == "A provisioning template for Greengrass core devices.")
        #expect(upstream["tes"] as? [String] == ["s3:GetBucketLocation", "s3:GetObject"])
        #expect(upstream["revoke"] as? [String] == ["iot:DescribeCertificate", "iot:UpdateCertificate", "iot:DetachPrincipalPolicy", "iot:DeleteCertificate"])
        #expect((upstream["hook"] as? [[String: Any]])?.count == 1, "\(documents)")  // s3:GetObject on the certificate bucket, nothing more
        #expect(upstream["role"] as? String == "Allow access to certificates for revocation and deletion")
        #expect(upstream["function"] as? String == "Revoke and delete certificate associated with the thing except for the new one")
        #expect(upstream["rule"] as? String == "Triggered when the certificate acknowledgement is sent by iot device")

        // setup-provisioning, after the deploy: config_parameters.txt from the stack's outputs.
        let provisioned = try fleetdeck(setup)
        #expect(provisioned.status == 0 && provisioned.stdout.contains("+ write s3://certs-\(suffix)/config_parameters.txt")
                && !provisioned.stdout.contains("claim certificate"), "\(provisioned.stdout)\(provisioned.stderr)")

        let quiet = try fleetdeck(["preview", "--expect-no-changes"])
        #expect(quiet.status == 0, "\(quiet.stdout)")
        // Upstream's check-devices as `fleet reconcile`: with the stack named, the listed device
        // joins the stack's group and gets its thing policy; the other loses its certificate.
        let devices = try DeployAcceptanceTests.boto("""
            made = {}
            for name in ['dev-\(suffix)-listed', 'dev-\(suffix)-gone']:
                iot.create_thing(thingName=name)
                cert = iot.create_keys_and_certificate(setAsActive=True)
                iot.attach_thing_principal(thingName=name, principal=cert['certificateArn'])
                made[name] = cert['certificateId']
            print(json.dumps(made))
            """)
        let certificates = try #require(try JSONSerialization.jsonObject(with: Data(devices.utf8)) as? [String: String])
        let reconciled = try fleetdeck(["fleet", "reconcile", "--allowlist", folder + "/allowlist.txt", "--prefix", "dev-\(suffix)-", "--yes"])
        #expect(reconciled.status == 0, "\(reconciled.stdout)\(reconciled.stderr)")
        let after = try DeployAcceptanceTests.boto("""
            listed = iot.list_thing_principals(thingName='dev-\(suffix)-listed')['principals'][0]
            groups = [g['groupName'] for g in iot.list_thing_groups_for_thing(thingName='dev-\(suffix)-listed')['thingGroups']]
            policies = [p['policyName'] for p in iot.list_attached_policies(target=listed)['policies']]
            try:
                iot.describe_certificate(certificateId='\(certificates["dev-\(suffix)-gone"] ?? "")'); gone = False
            except iot.exceptions.ResourceNotFoundException:
                gone = True
            print(groups, policies, gone, 'dev-\(suffix)-gone' in [t['thingName'] for t in all_things()])
            """)
        #expect(after == "['GreengrassGroup-\(suffix)'] ['GreengrassV2IoTThingPolicy-\(suffix)'] True False", "\(after)")

        // The thing policy on a device's certificate blocks the destroy; --cleanup detaches it.
        let blocked = try fleetdeck(["destroy", "--yes"])
        #expect(blocked.status == 1, "\(blocked.stdout)")
        // An image in the versioned OS bucket: two versions and a delete marker to empty.
        _ = try DeployAcceptanceTests.boto("""
            s3 = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            s3.put_bucket_versioning(Bucket='images-\(suffix)', VersioningConfiguration={'Status': 'Enabled'})
            for body in [b'one', b'two']:
                s3.put_object(Bucket='images-\(suffix)', Key='image.img', Body=body)
            s3.delete_object(Bucket='images-\(suffix)', Key='image.img')
            """)
        let destroyed = try fleetdeck(["destroy", "--cleanup", "--yes"])
        #expect(destroyed.status == 0, "\(destroyed.stdout)\(destroyed.stderr)")
        #expect(destroyed.stdout.contains("Removed config_parameters.txt and allowlist.txt from s3://certs-\(suffix) (the claim certificate stays)"), "\(destroyed.stdout)")
        let kept = try DeployAcceptanceTests.boto("""
            s3 = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
            keys = sorted(o['Key'] for o in s3.list_objects_v2(Bucket='certs-\(suffix)').get('Contents', []))
            claim = iot.describe_certificate(certificateId='\(certificate)'.split('/')[-1])['certificateDescription']['status']
            print(keys, claim, 'images-\(suffix)' in [b['Name'] for b in s3.list_buckets()['Buckets']])
            """)
        #expect(kept == "['claim.pem.crt', 'claim.private.pem.key', 'claim_certificate.arn'] ACTIVE False", "nothing left but the claim certificate and its bucket: \(kept)")
        #expect(try DeployAcceptanceTests.boto("""
            e = os.environ['AWS_ENDPOINT_URL']; s = '\(stack)'; x = '\(suffix)'
            left = [r['RoleName'] for r in boto3.client('iam', endpoint_url=e, region_name='us-east-1').list_roles()['Roles'] if r['RoleName'].endswith('-' + x)]
            left += [f['FunctionName'] for f in boto3.client('lambda', endpoint_url=e, region_name='us-east-1').list_functions()['Functions'] if f['FunctionName'].endswith('-' + x)]
            left += [p['policyName'] for p in iot.list_policies()['policies'] if p['policyName'].endswith(x)]
            left += [g['groupName'] for g in iot.list_thing_groups()['thingGroups'] if g['groupName'].endswith(x)]
            left += [b['Name'] for b in boto3.client('s3', endpoint_url=e, region_name='us-east-1').list_buckets()['Buckets'] if b['Name'].endswith('-' + x) and b['Name'] != 'certs-' + x]
            print(left)
            """) == "[]")
    }

    /// A seed user's stack as Pulumi wrote it for upstream's Python program
    /// (Tests/Fixtures/seed-iot-ref-arch: its legacy DIY store, checkpoint and Pulumi.dev.yaml),
    /// moved to this example: no resource is replaced, created or deleted; the only changes are
    /// the four functions' new handlers (their code and the environment they read their names
    /// from) and the stack outputs upstream's program does not export.
    @Test func aSeedUsersPulumiStackPreviewsWithNoReplacement() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let root = ProcessRunner.packageRoot
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-seed-\(UUID().uuidString.prefix(6))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fixture = root.appendingPathComponent("Tests/Fixtures/seed-iot-ref-arch").path
        #expect(try ProcessRunner.shell("cp -r \(root.appendingPathComponent("examples/iot-ref-arch").path) \(folder) && mkdir \(folder)/state"
                                        + " && cp -r \(fixture)/.pulumi \(folder)/state/ && cp \(fixture)/Pulumi.dev.yaml \(folder)/").status == 0)
        let inputs = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture + "/inputs.json"))) as? [String: String])
        // As the seed's workflow runs it: Pulumi's backend variable, the region from AWS_REGION.
        let environment = ProcessRunner.environment(["PULUMI_CONFIG_PASSPHRASE": inputs["passphrase"] ?? "", "PULUMI_BACKEND_URL": "file://\(folder)/state",
                                                     "AWS_REGION": "eu-central-1", "FLEETDECK_BACKEND_URL": nil])
        func fleetdeck(_ arguments: [String]) throws -> ProcessResult {
            try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", folder, "-s", "dev"], environment: environment, timeout: 300)
        }
        // The names upstream passes as environment variables become the stack's config.
        for key in ["certBucketName", "osBucketName", "claimCertificateArn"] {
            let set = try fleetdeck(["config", "set", key, inputs[key] ?? ""])
            #expect(set.status == 0, "\(set.stderr)")
        }
        let checkpoint = { try String(contentsOfFile: folder + "/state/.pulumi/stacks/iot-ref-arch/dev.json", encoding: .utf8) }
        let before = try checkpoint()
        let preview = try fleetdeck(["preview", "--json"])
        #expect(preview.status == 0, "\(preview.stderr)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(preview.stdout.utf8)) as? [String: Any], "\(preview.stdout)")
        let steps = plan["steps"] as? [[String: Any]] ?? []
        #expect(steps.count == 33, "\(preview.stdout)")
        let changed = steps.filter { $0["op"] as? String != "same" }
        #expect(changed.allSatisfy { $0["op"] as? String == "update" && $0["type"] as? String == "aws-native:lambda:Function" }, "\(changed)")
        #expect(Set(changed.compactMap { ($0["urn"] as? String)?.components(separatedBy: "::").last })
                == ["PreProvisioningHookFunctionID", "IoTDeviceDefenderAuditActionsFunctionID", "IoTDeviceDefenderRotateCertFunctionID", "IoTDeviceDefenderRevokeCertFunctionID"])
        let paths = Set(changed.flatMap { ($0["diffs"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String } })
        #expect(paths == ["code.zipFile", "environment"], "\(changed)")
        #expect(changed.allSatisfy { ($0["diffs"] as? [[String: Any]] ?? []).allSatisfy { $0["replaces"] == nil } })
        #expect(Set((plan["outputChanges"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String })
                == ["osBucket", "provisioningTemplate", "roleAliasArn", "thingGroupArn"])
        // The classic attachment keeps Pulumi's type token, and nothing was written.
        #expect(steps.contains { $0["urn"] as? String == "urn:pulumi:dev::iot-ref-arch::aws:iot/policyAttachment:PolicyAttachment::IotPolicyAttachmentID" && $0["op"] as? String == "same" })
        #expect(try checkpoint() == before)
    }
}
