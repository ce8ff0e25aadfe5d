#!/usr/bin/env python3
"""Writes the seed user's stack as Pulumi keeps it: `Pulumi.dev.yaml` and the DIY backend's
checkpoint `.pulumi/stacks/iot-ref-arch/dev.json`, for upstream's Python program
(56kcloud/aws-iot-reference-architecture, cloud-infrastructure/__main__.py and iam.py at 9e0afd2)
run by its deploy-infra workflow with the workflow's names, in moto's account 123456789012.

Inputs are what the Python SDK sends for upstream's arguments (snake_case turned into the
schema's camelCase, dicts kept as given, the trust documents as upstream's JSON text); outputs are
what pulumi-aws-native 0.x and pulumi-aws 6.x record (the inputs plus what the cloud assigns);
`__defaults` is what the bridged provider adds to inputs. The handlers' source is upstream's code
and is not copied: the functions' `zipFile` is a stand-in text, so the functions show a code
change, as they must (Fleetdeck's handlers are new).

Run once; the files it writes are committed. python3 make_fixture.py OUTPUT_FOLDER
"""
import base64, hashlib, json, os, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PASSPHRASE = "seed-passphrase"
ACCOUNT, REGION, STACK, PROJECT = "123456789012", "eu-central-1", "dev", "iot-ref-arch"
CERT_BUCKET, IMAGE_BUCKET = "seed-greengrass-certificates", "seed-greengrass-os-images"
CLAIM_ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}:cert/" + hashlib.sha256(b"seed claim certificate").hexdigest()
N = dict(THING_GROUP_NAME="GreengrassGroup", TES_ROLE_NAME="GreengrassV2TokenExchangeRole",
         TES_POLICY_NAME="GreengrassV2TokenExchangeRoleAccess", TES_ROLE_ALIAS_NAME="GreengrassCoreTokenExchangeRoleAlias",
         THING_POLICY_NAME="GreengrassV2IoTThingPolicy", HOOK_ROLE_NAME="PreProvisioningHookRole",
         HOOK_POLICY_NAME="PreProvisioningHookPolicy", HOOK_FCT_NAME="PreProvisioningHookFunction",
         FLEET_ROLE_NAME="GreengrassFleetProvisioningRole", FLEET_TEMPLATE_NAME="GreengrassFleetProvisioningTemplate",
         CLAIM_POLICY_NAME="GreengrassProvisioningClaimPolicy", AUDIT_ACTION_ROLE_NAME="IoTDeviceDefenderAuditActionsRole",
         AUDIT_ACTION_POLICY_NAME="IoTDeviceDefenderAuditActionsPolicy", AUDIT_ACTION_FCT_NAME="IoTDeviceDefenderAuditActionsFunction",
         AUDIT_ROLE_NAME="IoTDeviceDefenderAuditRole", AUDIT_POLICY_NAME="IoTDeviceDefenderAuditPolicy",
         ROTATE_CERT_ROLE_NAME="IoTDeviceDefenderRotateCertRole", ROTATE_CERT_POLICY_NAME="IoTDeviceDefenderRotateCertPolicy",
         ROTATE_CERT_FCT_NAME="IoTDeviceDefenderRotateCert", CSR_TRIGGER_RULE_NAME="CsrTrigger",
         REVOKE_CERT_ROLE_NAME="IoTDeviceDefenderRevokeCertRole", REVOKE_CERT_POLICY_NAME="IoTDeviceDefenderRevokeCertPolicy",
         REVOKE_CERT_FCT_NAME="IoTDeviceDefenderRevokeCert", CRT_ACK_TRIGGER_RULE_NAME="CrtAckTrigger",
         SNS_TOPIC_NAME="device_certificate_expiring")
TIME = "2026-10-14T09:12:31.482913Z"
STACK_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
NATIVE = (f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:aws-native::default_0_126_0", "2c1f4a8e-5b7d-4e0a-9c3b-7f6d1e2a4b58")
CLASSIC = (f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:aws::default_6_56_1", "8e4d2b1a-3c5f-4a7e-b9d0-1f2e3a4b5c6d")


def arn(service, resource, region=REGION):
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"


def trust(service):
    # upstream's text, byte for byte (iam.py's triple-quoted strings)
    return ('{\n        "Version": "2012-10-17",\n        "Statement": [\n            {\n                "Effect": "Allow",\n'
            '                "Principal": {\n                    "Service": "' + service + '"\n                },\n'
            '                "Action": "sts:AssumeRole"\n            }\n        ]\n    }')


resources, urns = [], {}


def add(type_, name, id_, inputs, outputs, deps=(), prop_deps=None, provider=NATIVE):
    urn = f"urn:pulumi:{STACK}::{PROJECT}::{type_}::{name}"
    urns[name] = urn
    deps = [urns[d] for d in deps]
    resources.append({
        "urn": urn, "custom": True, "id": id_, "type": type_, "inputs": inputs, "outputs": outputs, "parent": STACK_URN,
        "dependencies": deps, "provider": f"{provider[0]}::{provider[1]}",
        "propertyDependencies": {key: [urns[d] for d in value] for key, value in (prop_deps or {}).items()} | {key: [] for key in inputs if key not in (prop_deps or {})},
        "created": TIME, "modified": TIME})
    return outputs


def role(name, role_name, description, service, managed=None):
    inputs = {"assumeRolePolicyDocument": trust(service), "description": description, "roleName": role_name}
    if managed: inputs["managedPolicyArns"] = managed
    outputs = dict(inputs, arn=f"arn:aws:iam::{ACCOUNT}:role/{role_name}", roleId="AROA" + hashlib.sha1(role_name.encode()).hexdigest()[:17].upper(),
                   path="/", maxSessionDuration=3600)
    return add("aws-native:iam:Role", name, role_name, inputs, outputs)


def role_policy(name, policy_name, role_name, document, role_resource, role_by_reference):
    inputs = {"policyDocument": document, "policyName": policy_name, "roleName": role_name}
    return add("aws-native:iam:RolePolicy", name, f"{policy_name}|{role_name}", inputs, dict(inputs), deps=[role_resource],
               prop_deps={"roleName": [role_resource]} if role_by_reference else None)


def function(name, function_name, description, role_resource, role_arn):
    inputs = {"architectures": ["arm64"], "code": {"zipFile": f"# upstream's {function_name} handler (not copied)\n"},
              "description": description, "functionName": function_name, "handler": "index.lambda_handler", "role": role_arn,
              "runtime": "python3.12"}
    outputs = dict(inputs, arn=arn("lambda", f"function:{function_name}"), memorySize=128, timeout=3, packageType="Zip",
                   ephemeralStorage={"size": 512}, tracingConfig={"mode": "PassThrough"},
                   loggingConfig={"logFormat": "Text", "logGroup": f"/aws/lambda/{function_name}"},
                   snapStartResponse={"applyOn": "None", "optimizationStatus": "Off"}, runtimeManagementConfig={"updateRuntimeOn": "Auto"})
    return add("aws-native:lambda:Function", name, function_name, inputs, outputs, deps=[role_resource], prop_deps={"role": [role_resource]})


def permission(name, function_resource, function_name, principal, source_arn, source_account=None, deps=()):
    inputs = {"action": "lambda:InvokeFunction", "functionName": function_name, "principal": principal, "sourceArn": source_arn}
    if source_account: inputs["sourceAccount"] = source_account
    statement = "stmt-" + hashlib.sha1(name.encode()).hexdigest()[:12]
    return add("aws-native:lambda:Permission", name, f"{function_name}|{statement}", inputs, dict(inputs, id=statement),
               deps=[function_resource, *deps], prop_deps={"functionName": [function_resource]})


def statement(action, resource):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def policy_document(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


# iam.py, in its order
tes = role("TesRoleID", N["TES_ROLE_NAME"], "Greengrass core devices use an IAM service role, called the token exchange role, to authorize calls to AWS services.",
           "credentials.iot.amazonaws.com")
role_policy("TesPolicyID", N["TES_POLICY_NAME"], N["TES_ROLE_NAME"], policy_document(statement(
    ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "s3:GetBucketLocation", "s3:GetObject",
     "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "cloudwatch:PutMetricData"], "*")), "TesRoleID", False)
hook_role = role("PreProvisioningHookRoleID", N["HOOK_ROLE_NAME"], "Allow the Lambda pre-provisioning function to read from the S3 bucket to check the allowlist",
                 "lambda.amazonaws.com")
role_policy("PreProvisioningHookPolicyID", N["HOOK_POLICY_NAME"], N["HOOK_ROLE_NAME"],
            policy_document(statement(["s3:GetObject"], f"arn:aws:s3:::{CERT_BUCKET}/*")), "PreProvisioningHookRoleID", True)
fleet_role = role("FleetRoleID", N["FLEET_ROLE_NAME"], "Allows access to all permissions that AWS IoT might use when provisioning devices", "iot.amazonaws.com",
                  managed=["arn:aws:iam::aws:policy/service-role/AWSIoTThingsRegistration"])
audit_actions_role = role("IoTDeviceDefenderAuditActionsRoleID", N["AUDIT_ACTION_ROLE_NAME"],
                          "Allow to get description of expiring certificates, get things attached to these certificates and send a CSR request to these things via MQTT",
                          "lambda.amazonaws.com")
role_policy("IoTDeviceDefenderAuditActionsPolicyID", N["AUDIT_ACTION_POLICY_NAME"], N["AUDIT_ACTION_ROLE_NAME"], policy_document(
    statement("iot:Publish", arn("iot", "topic/device/*/csr_req")),
    statement(["iot:ListAuditFindings", "iot:ListPrincipalThings"], "*"),
    statement("iot:DescribeCertificate", arn("iot", "cert/*"))), "IoTDeviceDefenderAuditActionsRoleID", True)
audit_role = role("IoTDeviceDefenderAuditRoleID", N["AUDIT_ROLE_NAME"], "Allow access to iot certificates and the publication of notifications on Amazon SNS",
                  "iot.amazonaws.com")
role_policy("IoTDeviceDefenderAuditPolicyID", N["AUDIT_POLICY_NAME"], N["AUDIT_ROLE_NAME"], policy_document(
    statement("iot:ListCertificates", "*"), statement("iot:DescribeCertificate", arn("iot", "cert/*")),
    statement("sns:Publish", arn("sns", N["SNS_TOPIC_NAME"]))), "IoTDeviceDefenderAuditRoleID", True)
rotate_role = role("IoTDeviceDefenderRotateCertRoleID", N["ROTATE_CERT_ROLE_NAME"],
                   "Allow access to the creation of a new certificate with IoT Core and publish it in a topic via MQTT", "lambda.amazonaws.com")
role_policy("IoTDeviceDefenderRotateCertPolicyID", N["ROTATE_CERT_POLICY_NAME"], N["ROTATE_CERT_ROLE_NAME"], policy_document(
    statement("iot:Publish", arn("iot", "topic/device/*/crt")),
    statement(["iot:CreateCertificateFromCsr", "iot:AttachThingPrincipal"], "*"),
    statement("iot:AttachPolicy", arn("iot", "cert/*"))), "IoTDeviceDefenderRotateCertRoleID", True)
revoke_role = role("IoTDeviceDefenderRevokeCertRoleID", N["REVOKE_CERT_ROLE_NAME"], "Allow access to certificates for revocation and deletion", "lambda.amazonaws.com")
role_policy("IoTDeviceDefenderRevokeCertPolicyID", N["REVOKE_CERT_POLICY_NAME"], N["REVOKE_CERT_ROLE_NAME"], policy_document(
    statement(["iot:ListThingPrincipals", "iot:ListAttachedPolicies", "iot:DetachThingPrincipal"], "*"),
    statement(["iot:DescribeCertificate", "iot:UpdateCertificate", "iot:DetachPrincipalPolicy", "iot:DeleteCertificate"], arn("iot", "cert/*"))),
    "IoTDeviceDefenderRevokeCertRoleID", True)

# __main__.py, in its order
group_inputs = {"thingGroupName": N["THING_GROUP_NAME"]}
add("aws-native:iot:ThingGroup", "ThingGroupID", N["THING_GROUP_NAME"], group_inputs,
    dict(group_inputs, arn=arn("iot", f"thinggroup/{N['THING_GROUP_NAME']}"), awsId="6d1c8b0e-1a2b-4c3d-8e4f-5a6b7c8d9e0f"))
alias_inputs = {"credentialDurationSeconds": 3600, "roleAlias": N["TES_ROLE_ALIAS_NAME"], "roleArn": tes["arn"]}
alias = add("aws-native:iot:RoleAlias", "TesRoleAliasID", N["TES_ROLE_ALIAS_NAME"], alias_inputs,
            dict(alias_inputs, roleAliasArn=arn("iot", f"rolealias/{N['TES_ROLE_ALIAS_NAME']}")), deps=["TesRoleID"], prop_deps={"roleArn": ["TesRoleID"]})
thing_policy_inputs = {"policyDocument": policy_document(statement(["iot:Publish", "iot:Subscribe", "iot:Receive", "iot:Connect", "greengrass:*"], "*"),
                                                         statement("iot:AssumeRoleWithCertificate", alias["roleAliasArn"])),
                       "policyName": N["THING_POLICY_NAME"]}
add("aws-native:iot:Policy", "ThingPolicyID", N["THING_POLICY_NAME"], thing_policy_inputs,
    dict(thing_policy_inputs, arn=arn("iot", f"policy/{N['THING_POLICY_NAME']}"), awsId=N["THING_POLICY_NAME"]),
    deps=["TesRoleAliasID"], prop_deps={"policyDocument": ["TesRoleAliasID"]})
hook = function("PreProvisioningHookFunctionID", N["HOOK_FCT_NAME"], "Lambda pre-provisioning function that checks the allowlist",
                "PreProvisioningHookRoleID", hook_role["arn"])
permission("PreProvisioningHookFunctionPermissionID", "PreProvisioningHookFunctionID", N["HOOK_FCT_NAME"], "iot.amazonaws.com",
           arn("iot", "*"), source_account=ACCOUNT)
template = {"Parameters": {"SerialNumber": {"Type": "String"}, "AWS::IoT::Certificate::Id": {"Type": "String"}},
            "Resources": {"Thing": {"OverrideSettings": {"AttributePayload": "REPLACE", "ThingGroups": "REPLACE", "ThingTypeName": "REPLACE"},
                                    "Properties": {"AttributePayload": {}, "ThingGroups": [N["THING_GROUP_NAME"]], "ThingName": {"Ref": "SerialNumber"}},
                                    "Type": "AWS::IoT::Thing"},
                          "Policy": {"Properties": {"PolicyName": N["THING_POLICY_NAME"]}, "Type": "AWS::IoT::Policy"},
                          "Certificate": {"Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "Active"},
                                          "Type": "AWS::IoT::Certificate"}}}
template_inputs = {"description": "A provisioning template for Greengrass core devices.", "enabled": True,
                   "preProvisioningHook": {"payloadVersion": "2020-04-01", "targetArn": hook["arn"]}, "provisioningRoleArn": fleet_role["arn"],
                   "templateBody": json.dumps(template), "templateName": N["FLEET_TEMPLATE_NAME"], "templateType": "FLEET_PROVISIONING"}
add("aws-native:iot:ProvisioningTemplate", "FleetTemplateID", N["FLEET_TEMPLATE_NAME"], template_inputs,
    dict(template_inputs, templateArn=arn("iot", f"provisioningtemplate/{N['FLEET_TEMPLATE_NAME']}")),
    deps=["FleetRoleID", "PreProvisioningHookFunctionID"],
    prop_deps={"preProvisioningHook": ["PreProvisioningHookFunctionID"], "provisioningRoleArn": ["FleetRoleID"]})
claim_inputs = {"policyDocument": policy_document(
    statement("iot:Connect", "*"),
    statement(["iot:Publish", "iot:Receive"], [arn("iot", "topic/$aws/certificates/create/*"),
                                               arn("iot", f"topic/$aws/provisioning-templates/{N['FLEET_TEMPLATE_NAME']}/provision/*")]),
    statement("iot:Subscribe", [arn("iot", "topicfilter/$aws/certificates/create/*"),
                                arn("iot", f"topicfilter/$aws/provisioning-templates/{N['FLEET_TEMPLATE_NAME']}/provision/*")])),
    "policyName": N["CLAIM_POLICY_NAME"]}
add("aws-native:iot:Policy", "ClaimPolicyID", N["CLAIM_POLICY_NAME"], claim_inputs,
    dict(claim_inputs, arn=arn("iot", f"policy/{N['CLAIM_POLICY_NAME']}"), awsId=N["CLAIM_POLICY_NAME"]))
attachment_inputs = {"__defaults": [], "policy": N["CLAIM_POLICY_NAME"], "target": CLAIM_ARN}
add("aws:iot/policyAttachment:PolicyAttachment", "IotPolicyAttachmentID", f"{N['CLAIM_POLICY_NAME']}|{CLAIM_ARN}", attachment_inputs,
    {"id": f"{N['CLAIM_POLICY_NAME']}|{CLAIM_ARN}", "policy": N["CLAIM_POLICY_NAME"], "target": CLAIM_ARN}, deps=["ClaimPolicyID"], provider=CLASSIC)
actions = function("IoTDeviceDefenderAuditActionsFunctionID", N["AUDIT_ACTION_FCT_NAME"],
                   "Get description of expiring certificates, get things attached to these certificates and send a CSR request to these things via MQTT",
                   "IoTDeviceDefenderAuditActionsRoleID", audit_actions_role["arn"])
permission("IoTDeviceDefenderAuditActionsFunctionPermissionID", "IoTDeviceDefenderAuditActionsFunctionID", N["AUDIT_ACTION_FCT_NAME"],
           "sns.amazonaws.com", arn("sns", N["SNS_TOPIC_NAME"]))
topic_inputs = {"subscription": [{"endpoint": actions["arn"], "protocol": "lambda"}], "topicName": N["SNS_TOPIC_NAME"]}
topic = add("aws-native:sns:Topic", "DeviceCertificateExpiringTopicID", arn("sns", N["SNS_TOPIC_NAME"]), topic_inputs,
            dict(topic_inputs, topicArn=arn("sns", N["SNS_TOPIC_NAME"])), deps=["IoTDeviceDefenderAuditActionsFunctionID"],
            prop_deps={"subscription": ["IoTDeviceDefenderAuditActionsFunctionID"]})
audit_inputs = {"accountId": ACCOUNT, "auditCheckConfigurations": {"deviceCertificateExpiringCheck": {"enabled": True}},
                "auditNotificationTargetConfigurations": {"sns": {"enabled": True, "roleArn": audit_role["arn"], "targetArn": topic["topicArn"]}},
                "roleArn": audit_role["arn"]}
add("aws-native:iot:AccountAuditConfiguration", "IoTDeviceDefenderAuditID", ACCOUNT, audit_inputs, dict(audit_inputs),
    deps=["IoTDeviceDefenderAuditRoleID", "DeviceCertificateExpiringTopicID"],
    prop_deps={"auditNotificationTargetConfigurations": ["IoTDeviceDefenderAuditRoleID", "DeviceCertificateExpiringTopicID"],
               "roleArn": ["IoTDeviceDefenderAuditRoleID"]})
scheduled_inputs = {"frequency": "DAILY", "scheduledAuditName": "IoTDeviceDefenderDailyAudit", "targetCheckNames": ["DEVICE_CERTIFICATE_EXPIRING_CHECK"]}
add("aws-native:iot:ScheduledAudit", "ScheduledAuditID", "IoTDeviceDefenderDailyAudit", scheduled_inputs,
    dict(scheduled_inputs, scheduledAuditArn=arn("iot", "scheduledaudit/IoTDeviceDefenderDailyAudit")), deps=["IoTDeviceDefenderAuditID"])
rotate = function("IoTDeviceDefenderRotateCertFunctionID", N["ROTATE_CERT_FCT_NAME"],
                  "Get the CSR from the device whose certificate expires, create a new certificate from the CSR, publish the new certificate on the device",
                  "IoTDeviceDefenderRotateCertRoleID", rotate_role["arn"])
permission("IoTDeviceDefenderRotateCertFunctionPermissionID", "IoTDeviceDefenderRotateCertFunctionID", N["ROTATE_CERT_FCT_NAME"],
           "iot.amazonaws.com", arn("iot", f"rule/{N['CSR_TRIGGER_RULE_NAME']}"))


def rule(name, rule_name, sql, function_resource, function_arn, description):
    inputs = {"ruleName": rule_name, "topicRulePayload": {"actions": [{"lambda": {"functionArn": function_arn}}], "awsIotSqlVersion": "2016-03-23",
                                                          "description": description, "sql": sql}}
    add("aws-native:iot:TopicRule", name, rule_name, inputs, dict(inputs, arn=arn("iot", f"rule/{rule_name}")), deps=[function_resource],
        prop_deps={"topicRulePayload": [function_resource]})


rule("CsrTriggerIoTTopicRuleID", N["CSR_TRIGGER_RULE_NAME"], "SELECT * FROM 'lambda/+/csr_res'", "IoTDeviceDefenderRotateCertFunctionID", rotate["arn"],
     "Triggered when the CSR is sent by iot device")
revoke = function("IoTDeviceDefenderRevokeCertFunctionID", N["REVOKE_CERT_FCT_NAME"],
                  "Revoke and delete certificate associated with the thing except for the new one", "IoTDeviceDefenderRevokeCertRoleID", revoke_role["arn"])
permission("IoTDeviceDefenderRevokeCertFunctionPermissionID", "IoTDeviceDefenderRevokeCertFunctionID", N["REVOKE_CERT_FCT_NAME"],
           "iot.amazonaws.com", arn("iot", f"rule/{N['CRT_ACK_TRIGGER_RULE_NAME']}"))
rule("CrtAckTriggerIoTTopicRuleID", N["CRT_ACK_TRIGGER_RULE_NAME"], "SELECT * FROM 'lambda/+/crt_ack'", "IoTDeviceDefenderRevokeCertFunctionID", revoke["arn"],
     "Triggered when the certificate acknowledgement is sent by iot device")
bucket_inputs = {"accessControl": "Private", "bucketName": IMAGE_BUCKET}
add("aws-native:s3:Bucket", "OSBucketID", IMAGE_BUCKET, bucket_inputs,
    dict(bucket_inputs, arn=f"arn:aws:s3:::{IMAGE_BUCKET}", domainName=f"{IMAGE_BUCKET}.s3.amazonaws.com",
         regionalDomainName=f"{IMAGE_BUCKET}.s3.{REGION}.amazonaws.com"))

# The stack and the two default providers come first, as Pulumi writes them.
stack = {"urn": STACK_URN, "custom": False, "type": "pulumi:pulumi:Stack", "created": TIME, "modified": TIME}
providers = [{"urn": urn, "custom": True, "id": id_, "type": urn.split("::")[2], "inputs": inputs, "outputs": inputs, "parent": STACK_URN,
              "created": TIME, "modified": TIME}
             for (urn, id_), inputs in [(NATIVE, {"region": REGION, "version": "0.126.0"}),
                                        (CLASSIC, {"region": REGION, "skipCredentialsValidation": "false", "skipRegionValidation": "true", "version": "6.56.1"})]]

salt = bytes.fromhex("5e1d2c3b4a596877")
key = hashlib.pbkdf2_hmac("sha256", PASSPHRASE.encode(), salt, 1_000_000, 32)
nonce = bytes.fromhex("0f1e2d3c4b5a69788796a5b4")
check = "v1:" + base64.b64encode(nonce).decode() + ":" + base64.b64encode(AESGCM(key).encrypt(nonce, b"pulumi", None)).decode()
salt_state = "v1:" + base64.b64encode(salt).decode() + ":" + check

checkpoint = {"version": 3, "checkpoint": {"stack": f"organization/{PROJECT}/{STACK}", "latest": {
    "manifest": {"time": TIME, "magic": hashlib.sha256(b"v3.137.0").hexdigest(), "version": "v3.137.0"},
    "secrets_providers": {"type": "passphrase", "state": {"salt": salt_state}},
    "resources": [stack, *providers, *resources]}}}
out = sys.argv[1]
os.makedirs(f"{out}/.pulumi/stacks/{PROJECT}", exist_ok=True)
with open(f"{out}/.pulumi/stacks/{PROJECT}/{STACK}.json", "w") as f:
    json.dump(checkpoint, f, indent=4)
    f.write("\n")
with open(f"{out}/.pulumi/meta.yaml", "w") as f:
    f.write("version: 1\n")
with open(f"{out}/Pulumi.{STACK}.yaml", "w") as f:
    # upstream's Pulumi.dev.yaml (the account as a bare number), in moto's account, with the salt
    f.write(f"encryptionsalt: {salt_state}\nconfig:\n  iot-ref-arch:aws-account-id: {ACCOUNT}\n  iot-ref-arch:aws-region: {REGION}\n")
with open(f"{out}/inputs.json", "w") as f:
    json.dump({"certBucketName": CERT_BUCKET, "osBucketName": IMAGE_BUCKET, "claimCertificateArn": CLAIM_ARN, "passphrase": PASSPHRASE}, f, indent=2)
    f.write("\n")
