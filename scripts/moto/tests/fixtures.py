"""A fleet provisioning setup on the sandbox, as the reference architecture deploys it: the
example's own pre-provisioning hook (reading allowlist.txt in a certificate bucket), a template
putting each device in a group with a thing policy, and a claim certificate with the claim
policy. Used by the endpoint's tests and, from the command line, by Fleetdeck's:

  python3 scripts/moto/tests/fixtures.py provisioning FOLDER SERIAL...   (prints the template name;
  writes FOLDER/claim.pem.crt and FOLDER/claim.private.pem.key, 0600)
"""
import io
import json
import os
import sys
import uuid
import zipfile

import boto3

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "iot-ref-arch", "lambdas")


def clients():
    endpoint, region = os.environ["AWS_ENDPOINT_URL"], os.environ["AWS_REGION"]
    return {name: boto3.client(name, endpoint_url=endpoint, region_name=region) for name in ("iot", "iam", "s3", "lambda", "sts")}


def function(name, source, role, variables, invoked_by="iot.amazonaws.com"):
    """A function deployed as `up` deploys the example's: its source as index.py in a zip, with
    the permission that lets `invoked_by` invoke it from this account (as the example grants)."""
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.write(os.path.join(EXAMPLE, source), "index.py")
    lam = clients()["lambda"]
    arn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="index.lambda_handler",
                              Code={"ZipFile": code.getvalue()}, Environment={"Variables": variables})["FunctionArn"]
    lam.add_permission(FunctionName=name, StatementId="invoke", Action="lambda:InvokeFunction", Principal=invoked_by, SourceAccount=arn.split(":")[4])
    return arn


def eventually(read, timeout=15):
    """`read()`'s answer once it gives one without raising (polled every 50 ms for `timeout` s)."""
    import threading
    import time
    deadline, pause = time.monotonic() + timeout, threading.Event()
    while True:
        try:
            return read()
        except Exception:
            if time.monotonic() > deadline:
                raise
            pause.wait(0.05)


def claim_statements(prefix, template):
    """The example's claim policy (ARN prefix arn:aws:iot:REGION:ACCOUNT), with create-from-csr
    beside create: it can connect and provision through `template`, nothing else."""
    return [
        {"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"},
        {"Effect": "Allow", "Action": ["iot:Publish", "iot:Receive"], "Resource": [
            f"{prefix}:topic/$aws/certificates/create/*", f"{prefix}:topic/$aws/certificates/create-from-csr/*",
            f"{prefix}:topic/$aws/provisioning-templates/{template}/provision/*"]},
        {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": [
            f"{prefix}:topicfilter/$aws/certificates/create/*", f"{prefix}:topicfilter/$aws/certificates/create-from-csr/*",
            f"{prefix}:topicfilter/$aws/provisioning-templates/{template}/provision/*"]}]


def provisioning(listed):
    """(template, group, thing policy, claim certificate as CreateKeysAndCertificate answers it)."""
    c = clients()
    region = os.environ["AWS_REGION"]
    prefix = f"arn:aws:iot:{region}:{c['sts'].get_caller_identity()['Account']}"
    suffix = uuid.uuid4().hex[:8]
    role = c["iam"].create_role(RoleName=f"fp-{suffix}", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["iot.amazonaws.com", "lambda.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    bucket = f"fp-certs-{suffix}"
    c["s3"].create_bucket(Bucket=bucket, **({} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}))
    c["s3"].put_object(Bucket=bucket, Key="allowlist.txt", Body=("# devices\n" + "\n".join(listed) + "\n").encode())
    hook = function(f"fp-hook-{suffix}", "pre_provisioning_hook.py", role, {"CERT_BUCKET": bucket})
    group, thing_policy, template = f"fp-group-{suffix}", f"fp-thing-{suffix}", f"fp-template-{suffix}"
    c["iot"].create_policy(policyName=thing_policy, policyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}))
    c["iot"].create_thing_group(thingGroupName=group)
    c["iot"].create_provisioning_template(templateName=template, provisioningRoleArn=role, enabled=True, type="FLEET_PROVISIONING",
                                          preProvisioningHook={"targetArn": hook, "payloadVersion": "2020-04-01"}, templateBody=json.dumps({
                                              "Parameters": {"SerialNumber": {"Type": "String"}, "AWS::IoT::Certificate::Id": {"Type": "String"}},
                                              "Resources": {
                                                  "Thing": {"Type": "AWS::IoT::Thing", "OverrideSettings": {"AttributePayload": "REPLACE", "ThingGroups": "REPLACE"},
                                                            "Properties": {"AttributePayload": {}, "ThingGroups": [group], "ThingName": {"Ref": "SerialNumber"}}},
                                                  "Policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyName": thing_policy}},
                                                  "Certificate": {"Type": "AWS::IoT::Certificate",
                                                                  "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "Active"}}}}))
    claim_policy = f"fp-claim-{suffix}"
    c["iot"].create_policy(policyName=claim_policy, policyDocument=json.dumps({"Version": "2012-10-17", "Statement": claim_statements(prefix, template)}))
    claim = c["iot"].create_keys_and_certificate(setAsActive=True)
    c["iot"].attach_policy(policyName=claim_policy, target=claim["certificateArn"])
    return template, group, thing_policy, claim


def _write(path, text):
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__" and sys.argv[1:2] == ["provisioning"]:
    folder, serials = sys.argv[2], sys.argv[3:]
    template, group, thing_policy, claim = provisioning(serials)
    _write(os.path.join(folder, "claim.pem.crt"), claim["certificatePem"])
    _write(os.path.join(folder, "claim.private.pem.key"), claim["keyPair"]["PrivateKey"])
    print(json.dumps({"template": template, "group": group, "policy": thing_policy}))
