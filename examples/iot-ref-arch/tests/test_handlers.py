"""The example's Lambda handlers against moto in process, on upstream's event shapes.

moto gets the sandbox's rules (a certificate from a CSR certifies the CSR's own key) and the IoT
operations it lacks (ListAuditFindings), from scripts/moto. Run: python3 -m pytest examples/iot-ref-arch/tests
"""
import importlib.util
import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts", "moto"))
for name in [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL")]:
    del os.environ[name]  # in process: a sandbox's endpoint would take the calls past the mock
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

import aws_rules  # noqa: E402,F401
import iot_missing  # noqa: E402
import boto3  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from moto import mock_aws  # noqa: E402
from moto.iot.models import iot_backends  # noqa: E402
from moto.iotdata.models import iotdata_backends  # noqa: E402

ACCOUNT, REGION = "123456789012", "us-east-1"
CHECK = "DEVICE_CERTIFICATE_EXPIRING_CHECK"


def handler(name):
    """A handler module loaded as Lambda loads index.py, fresh for each test."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, "..", "lambdas", name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def published():
    return [(topic, payload if isinstance(payload, str) else payload.decode()) for topic, payload in iotdata_backends[ACCOUNT][REGION].published_payloads]


@pytest.fixture
def aws():
    with mock_aws():
        os.environ["THING_POLICY"] = "GreengrassV2IoTThingPolicy"
        iot = boto3.client("iot", region_name=REGION)
        iot.create_policy(policyName="GreengrassV2IoTThingPolicy", policyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}))
        yield iot


def csr():
    key = ec.generate_private_key(ec.SECP256R1())
    request = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "GG-0001")])).sign(key, hashes.SHA256())
    return key, request.public_bytes(serialization.Encoding.PEM).decode()


def test_rotation_keeps_the_device_contract(aws):
    aws.create_thing(thingName="GG-0001")
    key, request = csr()
    result = handler("rotate_certificate").lambda_handler({"ThingName": "GG-0001", "csr": request}, None)
    arn = result["certificateArn"]
    assert arn in aws.list_thing_principals(thingName="GG-0001")["principals"]
    assert [p["policyName"] for p in aws.list_attached_policies(target=arn)["policies"]] == ["GreengrassV2IoTThingPolicy"]
    [(topic, payload)] = published()
    assert topic == "device/GG-0001/crt"
    message = json.loads(payload)
    assert sorted(message) == ["certificateArn", "certificateId", "certificatePem"] and message["certificateArn"] == arn
    issued = x509.load_pem_x509_certificate(message["certificatePem"].encode())
    assert issued.public_key().public_numbers() == key.public_key().public_numbers()  # the device's own key


def test_revocation_keeps_the_acknowledged_certificate_and_skips_revoked_ones(aws):
    aws.create_thing(thingName="GG-0001")
    made = [aws.create_keys_and_certificate(setAsActive=True) for _ in range(3)]
    for certificate in made:
        aws.attach_thing_principal(thingName="GG-0001", principal=certificate["certificateArn"])
        aws.attach_policy(policyName="GreengrassV2IoTThingPolicy", target=certificate["certificateArn"])
    new, old, already = made
    aws.update_certificate(certificateId=already["certificateId"], newStatus="REVOKED")
    result = handler("revoke_certificate").lambda_handler({"ThingName": "GG-0001", "certificateArn": new["certificateArn"]}, None)
    assert result["revoked"] == [old["certificateId"]]
    principals = aws.list_thing_principals(thingName="GG-0001")["principals"]
    assert new["certificateArn"] in principals and old["certificateArn"] not in principals
    with pytest.raises(aws.exceptions.ResourceNotFoundException):
        aws.describe_certificate(certificateId=old["certificateId"])
    assert aws.describe_certificate(certificateId=new["certificateId"])["certificateDescription"]["status"] == "ACTIVE"


def test_audit_actions_read_the_findings_of_the_sns_message_and_ask_for_csrs(aws):
    certificate = aws.create_keys_and_certificate(setAsActive=True)
    for thing in ["GG-0001", "GG-0002"]:
        aws.create_thing(thingName=thing)
        aws.attach_thing_principal(thingName=thing, principal=certificate["certificateArn"])
    other = aws.create_keys_and_certificate(setAsActive=True)
    iot_missing.add_findings(iot_backends[ACCOUNT][REGION], [
        {"taskId": "task-1", "checkName": CHECK, "nonCompliantResource": {"resourceType": "DEVICE_CERTIFICATE",
                                                                          "resourceIdentifier": {"deviceCertificateId": certificate["certificateId"]}}},
        {"taskId": "task-0", "checkName": CHECK, "nonCompliantResource": {"resourceType": "DEVICE_CERTIFICATE",
                                                                          "resourceIdentifier": {"deviceCertificateId": other["certificateId"]}}},
    ])
    # Device Defender's audit notification, as SNS delivers it to Lambda.
    message = {"accountId": ACCOUNT, "taskId": "task-1", "taskStatus": "COMPLETED", "taskType": "SCHEDULED_AUDIT_TASK",
               "scheduledAuditName": "IoTDeviceDefenderDailyAudit", "failedChecksCount": 0, "canceledChecksCount": 0,
               "nonCompliantChecksCount": 1, "compliantChecksCount": 0, "totalChecksCount": 1,
               "auditDetails": [{"checkName": CHECK, "checkRunStatus": "COMPLETED_NON_COMPLIANT", "nonCompliantResourcesCount": 1,
                                 "totalResourcesCount": 3}]}
    event = {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(message)}}]}
    result = handler("audit_actions").lambda_handler(event, None)
    assert sorted(result["asked"]) == ["GG-0001", "GG-0002"]
    assert sorted(published()) == [("device/GG-0001/csr_req", "{}"), ("device/GG-0002/csr_req", "{}")]


@pytest.mark.parametrize("serial,allowed", [("GG-0001", True), ("0001", False), ("GG-000", False), ("gg-0001", False)])
def test_the_hook_matches_whole_lines_exactly(aws, serial, allowed):
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="certs")
    s3.put_object(Bucket="certs", Key="allowlist.txt", Body=b"# serials\nGG-0001\n")
    os.environ["CERT_BUCKET"] = "certs"
    answer = handler("pre_provisioning_hook").lambda_handler({"parameters": {"SerialNumber": serial}}, None)
    assert answer == {"allowProvisioning": allowed}


def test_the_hook_admits_no_one_from_a_malformed_allowlist(aws):
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="certs")
    s3.put_object(Bucket="certs", Key="allowlist.txt", Body=b"GG-0001 # bench\n")
    os.environ["CERT_BUCKET"] = "certs"
    assert handler("pre_provisioning_hook").lambda_handler({"parameters": {"SerialNumber": "GG-0001"}}, None) == {"allowProvisioning": False}
