"""The sandbox's device endpoint (scripts/moto/device_endpoint.py) driven by AWS's own device SDK
(awsiotsdk / awscrt, mTLS as devices connect to AWS IoT Core), with certificates, things and
policies made through the sandbox's AWS API by boto3. Runs inside the sandbox (scripts/sandbox
exports FLEETDECK_DEVICE_ENDPOINT_URL and the CA of its server certificate)."""
import json
import os
import threading
import urllib.parse
import uuid

import boto3
import pytest

import fixtures
from awscrt import exceptions, mqtt
from awsiot import mqtt_connection_builder

URL = urllib.parse.urlsplit(os.environ["FLEETDECK_DEVICE_ENDPOINT_URL"])
CA = open(os.environ["FLEETDECK_MQTT_CA"], "rb").read()
IOT = boto3.client("iot", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])
ACCOUNT = boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"]).get_caller_identity()["Account"]
PREFIX = f"arn:aws:iot:{os.environ['AWS_REGION']}:{ACCOUNT}"
TIMEOUT = 15


def policy(statements):
    name = f"endpoint-test-{uuid.uuid4().hex[:8]}"
    IOT.create_policy(policyName=name, policyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    return name


THING_SCOPED = [
    {"Effect": "Allow", "Action": "iot:Connect", "Resource": f"{PREFIX}:client/${{iot:Connection.Thing.ThingName}}"},
    {"Effect": "Allow", "Action": ["iot:Publish", "iot:Receive"], "Resource": f"{PREFIX}:topic/device/${{iot:Connection.Thing.ThingName}}/*"},
    {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": f"{PREFIX}:topicfilter/device/${{iot:Connection.Thing.ThingName}}/*"}]


def device(policy_name, thing=True, active=True):
    """A thing with its own certificate (CreateKeysAndCertificate) and the policy on it."""
    made = IOT.create_keys_and_certificate(setAsActive=active)
    IOT.attach_policy(policyName=policy_name, target=made["certificateArn"])
    name = f"dev-{uuid.uuid4().hex[:8]}"
    if thing:
        IOT.create_thing(thingName=name)
        IOT.attach_thing_principal(thingName=name, principal=made["certificateArn"])
    return name, made


class Client:
    def __init__(self, made, client_id):
        self.interrupted = threading.Event()
        self.messages = []
        self.arrived = threading.Condition()
        self.connection = mqtt_connection_builder.mtls_from_bytes(
            endpoint=URL.hostname, port=URL.port, cert_bytes=made["certificatePem"].encode(), pri_key_bytes=made["keyPair"]["PrivateKey"].encode(),
            ca_bytes=CA, client_id=client_id, clean_session=True, keep_alive_secs=30,
            on_connection_interrupted=lambda **_: self.interrupted.set())

    def connect(self):
        self.connection.connect().result(TIMEOUT)
        return self

    def on_message(self, topic, payload, **_):
        with self.arrived:
            self.messages.append((topic, payload))
            self.arrived.notify_all()

    def wait_for(self, count):
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.messages) >= count, TIMEOUT)

    def close(self):
        try:
            self.connection.disconnect().result(TIMEOUT)
        except Exception:
            pass


def refused_there(client, topic_filter, topic):
    """The subscription to `topic_filter` is refused (SUBACK 0x80) and a publish on `topic`
    closes the connection."""
    refused, _ = client.connection.subscribe(topic_filter, mqtt.QoS.AT_LEAST_ONCE, client.on_message)
    with pytest.raises(mqtt.SubscribeError):
        refused.result(TIMEOUT)
    client.connection.publish(topic, b"{}", mqtt.QoS.AT_LEAST_ONCE)
    assert client.interrupted.wait(TIMEOUT)


def test_a_device_publishes_and_receives_on_its_own_topics_only():
    scoped = policy(THING_SCOPED)
    name, made = device(scoped)
    client = Client(made, name).connect()
    try:
        subscribed, _ = client.connection.subscribe(f"device/{name}/#", mqtt.QoS.AT_LEAST_ONCE, client.on_message)
        assert subscribed.result(TIMEOUT)["qos"] == mqtt.QoS.AT_LEAST_ONCE
        published, _ = client.connection.publish(f"device/{name}/telemetry", b'{"t":1}', mqtt.QoS.AT_LEAST_ONCE)
        published.result(TIMEOUT)
        assert client.wait_for(1) and client.messages[0] == (f"device/{name}/telemetry", b'{"t":1}')
        # Another thing's topics: the subscription is refused (SUBACK 0x80), and a publish there
        # closes the connection, as AWS IoT does.
        refused_there(client, "device/someone-else/#", "device/someone-else/telemetry")
    finally:
        client.close()


def test_the_thing_policy_variable_needs_the_client_id_of_an_attached_thing():
    scoped = policy(THING_SCOPED)
    name, made = device(scoped)
    with pytest.raises(exceptions.AwsCrtError):
        Client(made, name + "-not-me").connect()


def test_inactive_revoked_and_unregistered_certificates_cannot_connect():
    anything = policy([{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}])
    name, inactive = device(anything, active=False)
    with pytest.raises(exceptions.AwsCrtError):
        Client(inactive, name).connect()
    name, revoked = device(anything)
    Client(revoked, name).connect().close()
    IOT.update_certificate(certificateId=revoked["certificateId"], newStatus="REVOKED")
    with pytest.raises(exceptions.AwsCrtError):
        Client(revoked, name).connect()
    # A certificate of the account deleted: unknown to the endpoint.
    name, deleted = device(anything, thing=False)
    IOT.detach_policy(policyName=anything, target=deleted["certificateArn"])
    IOT.update_certificate(certificateId=deleted["certificateId"], newStatus="INACTIVE")
    IOT.delete_certificate(certificateId=deleted["certificateId"])
    with pytest.raises(exceptions.AwsCrtError):
        Client(deleted, name).connect()


def test_the_claim_certificate_can_only_provision():
    template = "GreengrassFleetProvisioningTemplate"
    claim = policy(fixtures.claim_statements(PREFIX, template))
    _, made = device(claim, thing=False)
    client = Client(made, "GG-0001").connect()
    try:
        allowed, _ = client.connection.subscribe("$aws/certificates/create/json/accepted", mqtt.QoS.AT_LEAST_ONCE, client.on_message)
        allowed.result(TIMEOUT)
        refused_there(client, "device/GG-0001/#", "device/GG-0001/telemetry")
    finally:
        client.close()


def test_a_certificate_from_a_csr_is_the_devices_own_key():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP256R1())
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "csr-device")])).sign(key, hashes.SHA256())
    made = IOT.create_certificate_from_csr(certificateSigningRequest=csr.public_bytes(serialization.Encoding.PEM).decode(), setAsActive=True)
    anything = policy([{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}])
    IOT.attach_policy(policyName=anything, target=made["certificateArn"])
    made["keyPair"] = {"PrivateKey": key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()}
    Client(made, "csr-device").connect().close()


def test_a_payload_over_128_kb_closes_the_connection():
    anything = policy([{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}])
    name, made = device(anything)
    client = Client(made, name).connect()
    try:
        client.connection.publish(f"device/{name}/big", b"x" * (128 * 1024 + 1), mqtt.QoS.AT_LEAST_ONCE)
        assert client.interrupted.wait(TIMEOUT)
    finally:
        client.close()


def test_a_core_devices_health_report_reaches_greengrass_and_only_its_own():
    """A nucleus reports on $aws/things/THING/greengrassv2/health/json: the Greengrass service
    takes it (GetCoreDevice answers it); a report on another thing's topic closes the connection."""
    anything = policy([{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}])
    name, made = device(anything)
    other, _ = device(anything)
    report = {"ggcVersion": "2.12.6", "platform": "linux", "architecture": "aarch64", "thing": name, "overallDeviceStatus": "HEALTHY",
              "sequenceNumber": 0, "timestamp": 0, "messageType": "COMPLETE", "trigger": "NUCLEUS_LAUNCH", "components": []}
    client = Client(made, name).connect()
    gg = boto3.client("greengrassv2", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])
    try:
        client.connection.publish(f"$aws/things/{name}/greengrassv2/health/json", json.dumps(report).encode(), mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
        core = fixtures.eventually(lambda: gg.get_core_device(coreDeviceThingName=name))
        assert (core["status"], core["coreVersion"]) == ("HEALTHY", "2.12.6")
        client.connection.publish(f"$aws/things/{other}/greengrassv2/health/json", json.dumps(dict(report, thing=other)).encode(), mqtt.QoS.AT_LEAST_ONCE)
        assert client.interrupted.wait(TIMEOUT)
        with pytest.raises(gg.exceptions.ResourceNotFoundException):
            gg.get_core_device(coreDeviceThingName=other)
    finally:
        client.close()


SHADOW_SCOPED = [
    {"Effect": "Allow", "Action": "iot:Connect", "Resource": f"{PREFIX}:client/${{iot:Connection.Thing.ThingName}}"},
    {"Effect": "Allow", "Action": ["iot:Publish", "iot:Receive"], "Resource": f"{PREFIX}:topic/$aws/things/${{iot:Connection.Thing.ThingName}}/shadow/*"},
    {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": f"{PREFIX}:topicfilter/$aws/things/${{iot:Connection.Thing.ThingName}}/shadow/*"}]


class Inbox:
    """What an SDK callback received, waited for."""
    def __init__(self):
        self.items, self.arrived = [], threading.Condition()

    def __call__(self, item):
        with self.arrived:
            self.items.append(item)
            self.arrived.notify_all()

    def wait_for(self, count):
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.items) >= count, TIMEOUT), f"{len(self.items)} of {count}"
        return self.items


def test_a_shadow_update_with_its_delta_through_the_device_sdk():
    from awsiot import iotshadow
    name, made = device(policy(SHADOW_SCOPED))
    client = Client(made, name).connect()
    try:
        shadow = iotshadow.IotShadowClient(client.connection)
        accepted, rejected, deltas, got, missing = Inbox(), Inbox(), Inbox(), Inbox(), Inbox()
        for future in [shadow.subscribe_to_update_shadow_accepted(iotshadow.UpdateShadowSubscriptionRequest(thing_name=name), mqtt.QoS.AT_LEAST_ONCE, accepted)[0],
                       shadow.subscribe_to_update_shadow_rejected(iotshadow.UpdateShadowSubscriptionRequest(thing_name=name), mqtt.QoS.AT_LEAST_ONCE, rejected)[0],
                       shadow.subscribe_to_shadow_delta_updated_events(iotshadow.ShadowDeltaUpdatedSubscriptionRequest(thing_name=name), mqtt.QoS.AT_LEAST_ONCE, deltas)[0],
                       shadow.subscribe_to_get_shadow_accepted(iotshadow.GetShadowSubscriptionRequest(thing_name=name), mqtt.QoS.AT_LEAST_ONCE, got)[0],
                       shadow.subscribe_to_get_shadow_rejected(iotshadow.GetShadowSubscriptionRequest(thing_name=name), mqtt.QoS.AT_LEAST_ONCE, missing)[0]]:
            future.result(TIMEOUT)
        # No shadow yet: get is rejected with AWS's 404.
        shadow.publish_get_shadow(iotshadow.GetShadowRequest(thing_name=name, client_token="g0"), mqtt.QoS.AT_LEAST_ONCE).result(TIMEOUT)
        error = missing.wait_for(1)[0]
        assert (error.code, error.client_token) == (404, "g0") and name in error.message
        # The device reports; the update is accepted with its client token and version 1.
        shadow.publish_update_shadow(iotshadow.UpdateShadowRequest(thing_name=name, state=iotshadow.ShadowState(reported={"led": "off"}), client_token="u1"),
                                     mqtt.QoS.AT_LEAST_ONCE).result(TIMEOUT)
        first = accepted.wait_for(1)[0]
        assert (first.state.reported, first.client_token, first.version) == ({"led": "off"}, "u1", 1)
        # An operator sets the desired state over HTTP: the device hears the delta.
        data = boto3.client("iot-data", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])
        data.update_thing_shadow(thingName=name, payload=json.dumps({"state": {"desired": {"led": "on"}}}).encode())
        delta = deltas.wait_for(1)[0]
        assert (delta.state, delta.version) == ({"led": "on"}, 2)
        # A stale version is rejected with 409, and nothing changes.
        shadow.publish_update_shadow(iotshadow.UpdateShadowRequest(thing_name=name, state=iotshadow.ShadowState(reported={"led": "on"}), version=1,
                                                                   client_token="u2"), mqtt.QoS.AT_LEAST_ONCE).result(TIMEOUT)
        conflict = rejected.wait_for(1)[0]
        assert (conflict.code, conflict.client_token) == (409, "u2")
        shadow.publish_get_shadow(iotshadow.GetShadowRequest(thing_name=name, client_token="g1"), mqtt.QoS.AT_LEAST_ONCE).result(TIMEOUT)
        document = got.wait_for(1)[0]
        assert (document.state.desired, document.state.reported, document.state.delta, document.version) == ({"led": "on"}, {"led": "off"}, {"led": "on"}, 2)
        assert json.loads(data.get_thing_shadow(thingName=name)["payload"].read())["version"] == 2
    finally:
        client.close()


def test_a_malformed_shadow_request_is_rejected_as_aws_rejects_it():
    name, made = device(policy(SHADOW_SCOPED))
    client = Client(made, name).connect()
    try:
        subscribed, _ = client.connection.subscribe(f"$aws/things/{name}/shadow/update/rejected", mqtt.QoS.AT_LEAST_ONCE, client.on_message)
        subscribed.result(TIMEOUT)
        for payload in (b"{not json", b'{"clientToken":"x"}', b'{"state":{"wanted":{}}}'):
            client.connection.publish(f"$aws/things/{name}/shadow/update", payload, mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
        assert client.wait_for(3)
        answers = [json.loads(payload) for _, payload in client.messages]
        assert [(a["code"], a["message"]) for a in answers] == [
            (400, "Payload contains invalid json"), (400, "Missing required node: state"), (400, "State contains an invalid node: 'wanted'")]
        assert answers[1]["clientToken"] == "x"
    finally:
        client.close()


def test_fleet_provisioning_by_claim_runs_the_stacks_hook_through_the_device_sdk():
    """The reference architecture's loop, first step: a device with the claim certificate makes
    its own certificate and registers through the template; the template's pre-provisioning hook
    (the example's own code, examples/iot-ref-arch/lambdas/pre_provisioning_hook.py) admits only
    the serial numbers of the allowlist in the certificate bucket."""
    from awsiot import iotidentity
    suffix = uuid.uuid4().hex[:8]
    listed = [f"GG-{suffix}-1", f"GG-{suffix}-2"]
    template, group, thing_policy, claim_certificate = fixtures.provisioning(listed)

    def provision(serial, parameters):
        client = Client(claim_certificate, serial).connect()
        try:
            identity = iotidentity.IotIdentityClient(client.connection)
            created, refused_create, registered, refused = Inbox(), Inbox(), Inbox(), Inbox()
            qos = mqtt.QoS.AT_LEAST_ONCE
            for future in [identity.subscribe_to_create_keys_and_certificate_accepted(iotidentity.CreateKeysAndCertificateSubscriptionRequest(), qos, created)[0],
                           identity.subscribe_to_create_keys_and_certificate_rejected(iotidentity.CreateKeysAndCertificateSubscriptionRequest(), qos, refused_create)[0],
                           identity.subscribe_to_register_thing_accepted(iotidentity.RegisterThingSubscriptionRequest(template_name=template), qos, registered)[0],
                           identity.subscribe_to_register_thing_rejected(iotidentity.RegisterThingSubscriptionRequest(template_name=template), qos, refused)[0]]:
                future.result(TIMEOUT)
            identity.publish_create_keys_and_certificate(iotidentity.CreateKeysAndCertificateRequest(), qos).result(TIMEOUT)
            made = created.wait_for(1)[0]
            assert IOT.describe_certificate(certificateId=made.certificate_id)["certificateDescription"]["status"] == "PENDING_ACTIVATION"
            identity.publish_register_thing(iotidentity.RegisterThingRequest(template_name=template, certificate_ownership_token=made.certificate_ownership_token,
                                                                             parameters=parameters), qos).result(TIMEOUT)
            with registered.arrived:
                registered.arrived.wait_for(lambda: registered.items or refused.items, TIMEOUT)
            return made, (registered.items or [None])[0], (refused.items or [None])[0]
        finally:
            client.close()

    made, accepted, _ = provision(listed[0], {"SerialNumber": listed[0]})
    assert accepted is not None and accepted.thing_name == listed[0]
    assert IOT.describe_certificate(certificateId=made.certificate_id)["certificateDescription"]["status"] == "ACTIVE"
    assert IOT.list_thing_principals(thingName=listed[0])["principals"] == [f"{PREFIX}:cert/{made.certificate_id}"]
    assert [p["policyName"] for p in IOT.list_attached_policies(target=f"{PREFIX}:cert/{made.certificate_id}")["policies"]] == [thing_policy]
    assert group in IOT.list_thing_groups_for_thing(thingName=listed[0])["thingGroups"][0]["groupName"]
    # The device then connects with its own certificate.
    Client({"certificatePem": made.certificate_pem, "keyPair": {"PrivateKey": made.private_key}}, listed[0]).connect().close()

    # A serial number off the allowlist: the hook refuses it, and no thing is made.
    unlisted = f"GG-{suffix}-9"
    made, accepted, refused = provision(unlisted, {"SerialNumber": unlisted})
    assert accepted is None and (refused.status_code, refused.error_code) == (403, "AccessDenied")
    assert not any(t["thingName"] == unlisted for t in IOT.list_things(maxResults=250)["things"])
    assert IOT.describe_certificate(certificateId=made.certificate_id)["certificateDescription"]["status"] == "PENDING_ACTIVATION"
    # A forged ownership token: refused, nothing made.
    forged = Client(claim_certificate, "forger").connect()
    try:
        forged.connection.subscribe(f"$aws/provisioning-templates/{template}/provision/json/rejected", mqtt.QoS.AT_LEAST_ONCE, forged.on_message)[0].result(TIMEOUT)
        forged.connection.publish(f"$aws/provisioning-templates/{template}/provision/json",
                                  json.dumps({"certificateOwnershipToken": "forged", "parameters": {"SerialNumber": listed[1]}}).encode(),
                                  mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
        assert forged.wait_for(1)
        assert json.loads(forged.messages[0][1])["errorCode"] == "InvalidCertificateOwnershipToken"
    finally:
        forged.close()
    # A template parameter missing: refused before the hook, as AWS refuses it.
    _, accepted, refused = provision(listed[1], {})
    assert accepted is None and refused.status_code == 400 and "SerialNumber" in refused.error_message
    assert not any(t["thingName"] == listed[1] for t in IOT.list_things(maxResults=250)["things"])


def test_hostile_provisioning_payloads_are_refused_and_make_nothing():
    template = "GreengrassFleetProvisioningTemplate"
    claim = policy(fixtures.claim_statements(PREFIX, template))
    _, made = device(claim, thing=False)
    before = len(IOT.list_certificates(pageSize=250)["certificates"])
    client = Client(made, "hostile").connect()
    try:
        for topic in ("$aws/certificates/create-from-csr/json/rejected", f"$aws/provisioning-templates/{template}/provision/json/rejected"):
            client.connection.subscribe(topic, mqtt.QoS.AT_LEAST_ONCE, client.on_message)[0].result(TIMEOUT)
        client.connection.publish("$aws/certificates/create-from-csr/json", b'{"certificateSigningRequest":"not a CSR"}', mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
        client.connection.publish("$aws/certificates/create-from-csr/json", b"{malformed", mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
        client.connection.publish(f"$aws/provisioning-templates/{template}/provision/json", b'{"certificateOwnershipToken":"forged","parameters":{}}',
                                  mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
        assert client.wait_for(3)
        answers = [(topic.rsplit("/", 3)[0], json.loads(payload)) for topic, payload in client.messages]
        # (this account has no template of that name: refused as AWS refuses an unknown template)
        assert [(a["statusCode"], a["errorCode"]) for _, a in answers] == [(400, "InvalidCsr"), (400, "InvalidPayload"), (404, "ResourceNotFound")]
    finally:
        client.close()
    assert len(IOT.list_certificates(pageSize=250)["certificates"]) == before


def until(condition, what):
    """Polls `condition` (an AWS read) until it holds or TIMEOUT passes."""
    import time
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {TIMEOUT} s")


def acknowledge(name, new, key):
    """The device's last step of a rotation: connected with its new certificate (and the key of
    its CSR), it acknowledges on lambda/<thing>/crt_ack; the revocation leaves the new one alone."""
    from cryptography.hazmat.primitives import serialization
    rotated = Client({"certificatePem": new["certificatePem"], "keyPair": {"PrivateKey": key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()}}, name).connect()
    try:
        rotated.connection.publish(f"lambda/{name}/crt_ack", json.dumps({"ThingName": name, "certificateArn": new["certificateArn"]}).encode(),
                                   mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
        until(lambda: IOT.list_thing_principals(thingName=name)["principals"] == [new["certificateArn"]], "the old certificate detached")
    finally:
        rotated.close()


def test_the_rotation_contract_runs_through_the_stacks_rules_and_functions():
    """The loop's last step: the device answers a CSR request on lambda/<thing>/csr_res; the rule
    CsrTrigger runs the rotation function (the example's own code), which publishes the new
    certificate on device/<thing>/crt; the device connects with it and acknowledges on
    lambda/<thing>/crt_ack; the rule CrtAckTrigger runs the revocation function, which revokes the
    old certificate (and, as upstream's does, removes it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    suffix = uuid.uuid4().hex[:8]
    endpoint, region = os.environ["AWS_ENDPOINT_URL"], os.environ["AWS_REGION"]
    iam = boto3.client("iam", endpoint_url=endpoint, region_name=region)
    role = iam.create_role(RoleName=f"rot-{suffix}", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    thing_policy = policy([{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}])
    rotate = fixtures.function(f"rotate-{suffix}", "rotate_certificate.py", role, {"THING_POLICY": thing_policy})
    revoke = fixtures.function(f"revoke-{suffix}", "revoke_certificate.py", role, {})
    for name, topic, function in ((f"CsrTrigger_{suffix}", "lambda/+/csr_res", rotate), (f"CrtAckTrigger_{suffix}", "lambda/+/crt_ack", revoke)):
        IOT.create_topic_rule(ruleName=name, topicRulePayload={"sql": f"SELECT * FROM '{topic}'", "awsIotSqlVersion": "2016-03-23",
                                                               "actions": [{"lambda": {"functionArn": function}}]})
    name, old = device(thing_policy)
    client = Client(old, name).connect()
    try:
        client.connection.subscribe(f"device/{name}/crt", mqtt.QoS.AT_LEAST_ONCE, client.on_message)[0].result(TIMEOUT)
        key = ec.generate_private_key(ec.SECP256R1())
        csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, name)])).sign(key, hashes.SHA256())
        client.connection.publish(f"lambda/{name}/csr_res", json.dumps({"ThingName": name, "csr": csr.public_bytes(serialization.Encoding.PEM).decode()}).encode(),
                                  mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
        assert client.wait_for(1)
        new = json.loads(client.messages[0][1])
    finally:
        client.close()
    issued = x509.load_pem_x509_certificate(new["certificatePem"].encode())
    assert issued.public_key().public_numbers() == key.public_key().public_numbers()
    assert sorted(IOT.list_thing_principals(thingName=name)["principals"]) == sorted([old["certificateArn"], new["certificateArn"]])
    acknowledge(name, new, key)
    assert not any(c["certificateId"] == old["certificateId"] for c in IOT.list_certificates(pageSize=250)["certificates"])
    with pytest.raises(exceptions.AwsCrtError):
        Client(old, name).connect()


def test_a_rule_runs_a_function_only_with_its_permission_and_publishes_to_sns():
    """AWS checks a function's resource policy before a rule invokes it: without a permission
    for iot.amazonaws.com the rule's Lambda action does not run (said in the sandbox's log). The
    sns action publishes the selected message to the topic, which delivers to its subscribers."""
    suffix = uuid.uuid4().hex[:8]
    endpoint, region = os.environ["AWS_ENDPOINT_URL"], os.environ["AWS_REGION"]
    lam = boto3.client("lambda", endpoint_url=endpoint, region_name=region)
    iam = boto3.client("iam", endpoint_url=endpoint, region_name=region)
    role = iam.create_role(RoleName=f"perm-{suffix}", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    rotate = fixtures.function(f"unpermitted-{suffix}", "rotate_certificate.py", role, {"THING_POLICY": "none"})
    lam.remove_permission(FunctionName=f"unpermitted-{suffix}", StatementId="invoke")
    sns = boto3.client("sns", endpoint_url=endpoint, region_name=region)
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=region)
    topic = sns.create_topic(Name=f"rule-{suffix}")["TopicArn"]
    queue = sqs.create_queue(QueueName=f"rule-{suffix}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    IOT.create_topic_rule(ruleName=f"Unpermitted_{suffix}", topicRulePayload={"sql": f"SELECT * FROM 'perm/{suffix}/+'", "awsIotSqlVersion": "2016-03-23",
                                                                           "actions": [{"lambda": {"functionArn": rotate}}]})
    IOT.create_topic_rule(ruleName=f"ToSns_{suffix}", topicRulePayload={"sql": f"SELECT topic(3) AS name, v FROM 'perm/{suffix}/+'", "awsIotSqlVersion": "2016-03-23",
                                                                     "actions": [{"sns": {"targetArn": topic, "roleArn": role, "messageFormat": "RAW"}}]})
    anything = policy([{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}])
    name, made = device(anything)
    client = Client(made, name).connect()
    try:
        client.connection.publish(f"perm/{suffix}/{name}", b'{"ThingName":"x","csr":"y","v":7}', mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
    finally:
        client.close()
    # The rules run in order: once the sns rule's message is in the queue, the function's turn is over.
    received = fixtures.eventually(lambda: sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"][0]["Body"])
    assert json.loads(received) == {"name": name, "v": 7}
    log = open(os.path.join(os.environ["FLEETDECK_SANDBOX_DIR"], "moto.log"), encoding="utf-8", errors="replace").read()
    assert f"the function unpermitted-{suffix} has no resource policy: iot.amazonaws.com may not invoke it" in log \
        or f"the function unpermitted-{suffix}'s resource policy does not let iot.amazonaws.com invoke it" in log


def test_a_job_execution_through_the_device_sdk():
    from awsiot import iotjobs
    thing_scoped_jobs = [
        {"Effect": "Allow", "Action": "iot:Connect", "Resource": f"{PREFIX}:client/${{iot:Connection.Thing.ThingName}}"},
        {"Effect": "Allow", "Action": ["iot:Publish", "iot:Receive"], "Resource": f"{PREFIX}:topic/$aws/things/${{iot:Connection.Thing.ThingName}}/jobs/*"},
        {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": f"{PREFIX}:topicfilter/$aws/things/${{iot:Connection.Thing.ThingName}}/jobs/*"}]
    name, made = device(policy(thing_scoped_jobs))
    thing_arn = IOT.describe_thing(thingName=name)["thingArn"]
    client = Client(made, name).connect()
    try:
        jobs = iotjobs.IotJobsClient(client.connection)
        qos = mqtt.QoS.AT_LEAST_ONCE
        notified, started, updated, refused = Inbox(), Inbox(), Inbox(), Inbox()
        for future in [jobs.subscribe_to_next_job_execution_changed_events(iotjobs.NextJobExecutionChangedSubscriptionRequest(thing_name=name), qos, notified)[0],
                       jobs.subscribe_to_start_next_pending_job_execution_accepted(iotjobs.StartNextPendingJobExecutionSubscriptionRequest(thing_name=name), qos, started)[0],
                       jobs.subscribe_to_update_job_execution_accepted(iotjobs.UpdateJobExecutionSubscriptionRequest(thing_name=name, job_id="+"), qos, updated)[0],
                       jobs.subscribe_to_update_job_execution_rejected(iotjobs.UpdateJobExecutionSubscriptionRequest(thing_name=name, job_id="+"), qos, refused)[0]]:
            future.result(TIMEOUT)
        job = f"job-{uuid.uuid4().hex[:8]}"
        IOT.create_job(jobId=job, targets=[thing_arn], document=json.dumps({"operation": "reboot"}))
        # The device hears of it, starts it and gets its document ...
        assert notified.wait_for(1)[0].execution.job_id == job
        jobs.publish_start_next_pending_job_execution(iotjobs.StartNextPendingJobExecutionRequest(thing_name=name, client_token="s1"), qos).result(TIMEOUT)
        execution = started.wait_for(1)[0].execution
        assert (execution.job_id, execution.status, execution.job_document, execution.version_number) == (job, "IN_PROGRESS", {"operation": "reboot"}, 2)
        # ... and reports success: the operator sees it over HTTP.
        jobs.publish_update_job_execution(iotjobs.UpdateJobExecutionRequest(thing_name=name, job_id=job, status="SUCCEEDED", expected_version=2,
                                                                            status_details={"rebooted": "yes"}, include_job_execution_state=True),
                                          qos).result(TIMEOUT)
        state = updated.wait_for(1)[0].execution_state
        assert (state.status, state.status_details, state.version_number) == ("SUCCEEDED", {"rebooted": "yes"}, 3)
        described = IOT.describe_job_execution(jobId=job, thingName=name)["execution"]
        assert described["status"] == "SUCCEEDED" and described["statusDetails"]["detailsMap"] == {"rebooted": "yes"}
        # A terminal execution cannot change again.
        jobs.publish_update_job_execution(iotjobs.UpdateJobExecutionRequest(thing_name=name, job_id=job, status="IN_PROGRESS"), qos).result(TIMEOUT)
        assert refused.wait_for(1)[0].code == "InvalidStateTransition"
    finally:
        client.close()


def test_greengrass_deployment_jobs_live_in_their_namespace():
    """A job created in the aws-gg-deployment namespace (as Greengrass deployments are) is
    announced on notify-next-namespace-aws-gg-deployment, got with $next and updated on the
    namespace's topics; the plain jobs topics do not show it."""
    anything = policy([{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}])
    name, made = device(anything)
    client = Client(made, name).connect()
    base = f"$aws/things/{name}/jobs"
    try:
        for topic_filter in (f"{base}/notify-next", f"{base}/notify-next-namespace-aws-gg-deployment", f"{base}/get/accepted", f"{base}/+/namespace-aws-gg-deployment/+/+"):
            client.connection.subscribe(topic_filter, mqtt.QoS.AT_LEAST_ONCE, client.on_message)[0].result(TIMEOUT)
        job = f"gg-{uuid.uuid4().hex[:8]}"
        IOT.create_job(jobId=job, targets=[IOT.describe_thing(thingName=name)["thingArn"]], document=json.dumps({"components": {}}),
                       namespaceId="aws-gg-deployment")
        assert client.wait_for(1)
        topic, body = client.messages[0]
        assert topic == f"{base}/notify-next-namespace-aws-gg-deployment" and json.loads(body)["execution"]["jobId"] == job
        client.connection.publish(f"{base}/get", b"{}", mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
        assert client.wait_for(2)
        assert client.messages[1][0] == f"{base}/get/accepted" and json.loads(client.messages[1][1])["queuedJobs"] == []
        client.connection.publish(f"{base}/$next/namespace-aws-gg-deployment/get", b"{}", mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
        assert client.wait_for(3)
        assert client.messages[2][0] == f"{base}/$next/namespace-aws-gg-deployment/get/accepted"
        assert json.loads(client.messages[2][1])["execution"]["jobDocument"] == {"components": {}}
        client.connection.publish(f"{base}/{job}/namespace-aws-gg-deployment/update", json.dumps({"status": "SUCCEEDED"}).encode(), mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
        assert client.wait_for(5)
        assert {t for t, _ in client.messages[3:5]} == {f"{base}/{job}/namespace-aws-gg-deployment/update/accepted", f"{base}/notify-next-namespace-aws-gg-deployment"}
        assert IOT.describe_job_execution(jobId=job, thingName=name)["execution"]["status"] == "SUCCEEDED"
        assert not any(t == f"{base}/notify-next" for t, _ in client.messages)
    finally:
        client.close()


def test_an_on_demand_audit_rotates_a_short_lived_certificate_through_the_stacks_functions():
    """The whole loop after provisioning: the audit finds a certificate that expires soon and tells
    the account's SNS target; SNS runs the audit-actions function, which asks the device for a CSR
    on device/<thing>/csr_req; the device answers, gets its new certificate, acknowledges, and the
    old one is revoked. Every function is the example's own code."""
    import urllib.request
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    suffix = uuid.uuid4().hex[:8]
    endpoint, region = os.environ["AWS_ENDPOINT_URL"], os.environ["AWS_REGION"]
    iam = boto3.client("iam", endpoint_url=endpoint, region_name=region)
    sns = boto3.client("sns", endpoint_url=endpoint, region_name=region)
    role = iam.create_role(RoleName=f"audit-{suffix}", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "iot.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    thing_policy = policy([{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}])
    topic = sns.create_topic(Name=f"device_certificate_expiring_{suffix}")["TopicArn"]
    actions = fixtures.function(f"audit-actions-{suffix}", "audit_actions.py", role, {}, invoked_by="sns.amazonaws.com")
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=actions)
    rotate = fixtures.function(f"rotate-{suffix}", "rotate_certificate.py", role, {"THING_POLICY": thing_policy})
    revoke = fixtures.function(f"revoke-{suffix}", "revoke_certificate.py", role, {})
    for name, filter_, function in ((f"CsrTrigger_{suffix}", "lambda/+/csr_res", rotate), (f"CrtAckTrigger_{suffix}", "lambda/+/crt_ack", revoke)):
        IOT.create_topic_rule(ruleName=name, topicRulePayload={"sql": f"SELECT * FROM '{filter_}'", "awsIotSqlVersion": "2016-03-23",
                                                               "actions": [{"lambda": {"functionArn": function}}]})
    IOT.update_account_audit_configuration(roleArn=role, auditCheckConfigurations={"DEVICE_CERTIFICATE_EXPIRING_CHECK": {"enabled": True}},
                                           auditNotificationTargetConfigurations={"SNS": {"targetArn": topic, "roleArn": role, "enabled": True}})
    # The next certificate the account issues lives 10 days.
    control = urllib.request.Request(endpoint + "/sandbox/short-lived-certificates", data=json.dumps({"count": 1, "days": 10}).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization":
                                              f"AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/iot/aws4_request, SignedHeaders=host, Signature=0"})
    assert json.loads(urllib.request.urlopen(control, timeout=10).read()) == {"count": 1, "days": 10}
    name, old = device(thing_policy)
    assert x509.load_pem_x509_certificate(old["certificatePem"].encode()).not_valid_after_utc.year < 2049
    client = Client(old, name).connect()
    try:
        client.connection.subscribe(f"device/{name}/+", mqtt.QoS.AT_LEAST_ONCE, client.on_message)[0].result(TIMEOUT)
        task = IOT.start_on_demand_audit_task(targetCheckNames=["DEVICE_CERTIFICATE_EXPIRING_CHECK"])["taskId"]
        described = IOT.describe_audit_task(taskId=task)
        assert described["taskStatus"] == "COMPLETED" and described["auditDetails"]["DEVICE_CERTIFICATE_EXPIRING_CHECK"]["nonCompliantResourcesCount"] >= 1
        flagged = [f["nonCompliantResource"]["resourceIdentifier"]["deviceCertificateId"] for f in IOT.list_audit_findings(taskId=task)["findings"]]
        assert old["certificateId"] in flagged
        # The audit-actions function asked the device for a CSR.
        assert client.wait_for(1) and client.messages[0][0] == f"device/{name}/csr_req"
        key = ec.generate_private_key(ec.SECP256R1())
        csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, name)])).sign(key, hashes.SHA256())
        client.connection.publish(f"lambda/{name}/csr_res", json.dumps({"ThingName": name, "csr": csr.public_bytes(serialization.Encoding.PEM).decode()}).encode(),
                                  mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
        assert client.wait_for(2) and client.messages[1][0] == f"device/{name}/crt"
        new = json.loads(client.messages[1][1])
    finally:
        client.close()
    assert x509.load_pem_x509_certificate(new["certificatePem"].encode()).not_valid_after_utc.year == 2049
    acknowledge(name, new, key)
    # A check that is not built is refused by name, not reported compliant.
    with pytest.raises(IOT.exceptions.InvalidRequestException, match="CA_CERTIFICATE_EXPIRING_CHECK"):
        IOT.start_on_demand_audit_task(targetCheckNames=["CA_CERTIFICATE_EXPIRING_CHECK"])


def test_lifecycle_events_say_who_connected_and_why_they_left():
    watcher_policy = policy([{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"},
                             {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": f"{PREFIX}:topicfilter/$aws/events/presence/*"},
                             {"Effect": "Allow", "Action": "iot:Receive", "Resource": f"{PREFIX}:topic/$aws/events/presence/*"}])
    _, watcher_certificate = device(watcher_policy, thing=False)
    name, made = device(policy(THING_SCOPED))
    watcher = Client(watcher_certificate, f"watcher-{uuid.uuid4().hex[:6]}").connect()
    try:
        watcher.connection.subscribe(f"$aws/events/presence/+/{name}", mqtt.QoS.AT_LEAST_ONCE, watcher.on_message)[0].result(TIMEOUT)
        Client(made, name).connect().close()
        # A publish the policy does not allow: AWS IoT closes the connection, FORBIDDEN_ACCESS.
        second = Client(made, name).connect()
        second.connection.publish("device/someone-else/telemetry", b"{}", mqtt.QoS.AT_LEAST_ONCE)
        assert second.interrupted.wait(TIMEOUT)
        second.close()
        assert watcher.wait_for(4)
        events = [(topic, json.loads(payload)) for topic, payload in watcher.messages[:4]]
        assert [topic for topic, _ in events] == [f"$aws/events/presence/{kind}/{name}" for kind in ("connected", "disconnected", "connected", "disconnected")]
        first, left, again, forbidden = (body for _, body in events)
        assert (first["eventType"], first["clientId"], first["principalIdentifier"], first["versionNumber"]) == ("connected", name, made["certificateId"], 1)
        assert (left["clientInitiatedDisconnect"], left["disconnectReason"], left["sessionIdentifier"]) == (True, "CLIENT_INITIATED_DISCONNECT", first["sessionIdentifier"])
        assert again["versionNumber"] == 2 and again["sessionIdentifier"] != first["sessionIdentifier"]
        assert (forbidden["clientInitiatedDisconnect"], forbidden["disconnectReason"]) == (False, "FORBIDDEN_ACCESS")
    finally:
        watcher.close()


def test_scheduled_audits_run_as_their_schedule_says():
    """The sandbox control runs the scheduled audits as the next days would: a DAILY one every
    day, a WEEKLY one once a week, a MONTHLY one on its day; each a SCHEDULED_AUDIT_TASK named after
    it, listed by ListAuditTasks within its time window (which AWS requires)."""
    import datetime
    import urllib.request
    region = "ca-central-1"
    iot = boto3.client("iot", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=region)
    suffix = uuid.uuid4().hex[:6]
    role = boto3.client("iam", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=region).create_role(
        RoleName=f"audit-schedule-{suffix}", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "iot.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    iot.update_account_audit_configuration(roleArn=role, auditCheckConfigurations={"DEVICE_CERTIFICATE_EXPIRING_CHECK": {"enabled": True}})
    today = datetime.datetime.now(datetime.timezone.utc).date()
    weekday = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"][(today + datetime.timedelta(days=3)).weekday()]
    for name, schedule in ((f"daily-{suffix}", {"frequency": "DAILY"}), (f"weekly-{suffix}", {"frequency": "WEEKLY", "dayOfWeek": weekday}),
                           (f"monthly-{suffix}", {"frequency": "MONTHLY", "dayOfMonth": str((today + datetime.timedelta(days=40)).day)})):
        iot.create_scheduled_audit(scheduledAuditName=name, targetCheckNames=["DEVICE_CERTIFICATE_EXPIRING_CHECK"], **schedule)
    control = urllib.request.Request(os.environ["AWS_ENDPOINT_URL"] + "/sandbox/scheduled-audits/run", data=b'{"days":7}', method="POST",
                                     headers={"Content-Type": "application/json", "Authorization":
                                              f"AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/iot/aws4_request, SignedHeaders=host, Signature=0"})
    ran = json.loads(urllib.request.urlopen(control, timeout=30).read())["taskIds"]
    # (another run's scheduled audits in this sandbox run too)
    names = [name for name in (iot.describe_audit_task(taskId=task).get("scheduledAuditName") for task in ran) if name.endswith(suffix)]
    assert sorted(set(names)) == [f"daily-{suffix}", f"weekly-{suffix}"] and names.count(f"daily-{suffix}") == 7
    now = datetime.datetime.now(datetime.timezone.utc)
    listed = iot.list_audit_tasks(startTime=now - datetime.timedelta(hours=1), endTime=now + datetime.timedelta(hours=1), taskType="SCHEDULED_AUDIT_TASK")
    assert set(ran) <= {task["taskId"] for task in listed["tasks"]}
    earlier = iot.list_audit_tasks(startTime=now - datetime.timedelta(days=2), endTime=now - datetime.timedelta(days=1))
    assert not set(ran) & {task["taskId"] for task in earlier["tasks"]}


def test_the_endpoint_is_where_describe_endpoint_says_at_aws_iots_ports():
    """DescribeEndpoint (iot:Data-ATS) names the endpoint's host; a device that looks it up, as
    the device SDK does, connects on port 8883 (its default)."""
    host = IOT.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
    assert host == os.environ["FLEETDECK_DEVICE_ENDPOINT_HOST"]
    anything = policy([{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}])
    name, made = device(anything)
    connection = mqtt_connection_builder.mtls_from_bytes(endpoint=host, cert_bytes=made["certificatePem"].encode(),
                                                         pri_key_bytes=made["keyPair"]["PrivateKey"].encode(), ca_bytes=CA, client_id=name)
    assert connection.connect().result(TIMEOUT)["session_present"] is False
    connection.disconnect().result(TIMEOUT)


def websocket(secret, client_id):
    """A WebSocket connection signed with SigV4 by the device SDK (as operators' tools connect)."""
    from awscrt import auth
    wss = urllib.parse.urlsplit(os.environ["FLEETDECK_DEVICE_ENDPOINT_WSS_URL"])
    return mqtt_connection_builder.websockets_with_default_aws_signing(
        endpoint=wss.hostname, port=wss.port, region=os.environ["AWS_REGION"], ca_bytes=CA, client_id=client_id,
        credentials_provider=auth.AwsCredentialsProvider.new_static("testing", secret), clean_session=True)


def test_websocket_clients_signed_with_sigv4_are_admitted_and_others_are_not():
    """The device SDK's WebSocket mode with SigV4: the sandbox's credentials connect (as the
    account's administrator) and hear what is published; a wrong secret is refused (403)."""
    listener = websocket("testing", f"ops-{uuid.uuid4().hex[:8]}")
    listener.connect().result(TIMEOUT)
    try:
        arrived, heard = threading.Event(), []
        topic = f"ops/{uuid.uuid4().hex[:8]}"
        listener.subscribe(topic, mqtt.QoS.AT_LEAST_ONCE, lambda topic, payload, **_: (heard.append((topic, payload)), arrived.set()))[0].result(TIMEOUT)
        boto3.client("iot-data", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"]).publish(topic=topic, qos=1, payload=b'{"x":1}')
        assert arrived.wait(TIMEOUT) and heard == [(topic, b'{"x":1}')]
    finally:
        listener.disconnect().result(TIMEOUT)
    with pytest.raises(exceptions.AwsCrtError):
        websocket("not-the-secret", f"ops-{uuid.uuid4().hex[:8]}").connect().result(TIMEOUT)


def events_watcher():
    """A connected client allowed to subscribe to the account's events ($aws/events/*) only."""
    watcher_policy = policy([{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"},
                             {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": f"{PREFIX}:topicfilter/$aws/events/*"},
                             {"Effect": "Allow", "Action": "iot:Receive", "Resource": f"{PREFIX}:topic/$aws/events/*"}])
    _, watcher_certificate = device(watcher_policy, thing=False)
    return Client(watcher_certificate, f"watcher-{uuid.uuid4().hex[:6]}").connect()


def test_registry_events_the_account_enables_reach_subscribers():
    described = IOT.describe_event_configurations()["eventConfigurations"]
    assert set(described) >= {"THING", "THING_GROUP_MEMBERSHIP", "CERTIFICATE"}
    with pytest.raises(IOT.exceptions.InvalidRequestException, match="THINGS"):
        IOT.update_event_configurations(eventConfigurations={"THINGS": {"Enabled": True}})
    watcher = events_watcher()
    name, group = f"registry-{uuid.uuid4().hex[:8]}", f"registry-group-{uuid.uuid4().hex[:6]}"
    try:
        for topic in (f"$aws/events/thing/{name}/+", f"$aws/events/thingGroupMembership/thingGroup/+/thing/{name}/+"):
            watcher.connection.subscribe(topic, mqtt.QoS.AT_LEAST_ONCE, watcher.on_message)[0].result(TIMEOUT)
        # Off (as in a new account): a thing made now is no event.
        IOT.update_event_configurations(eventConfigurations={"THING": {"Enabled": False}, "THING_GROUP_MEMBERSHIP": {"Enabled": False}})
        IOT.create_thing(thingName=name + "-quiet")
        IOT.update_event_configurations(eventConfigurations={"THING": {"Enabled": True}, "THING_GROUP_MEMBERSHIP": {"Enabled": True}})
        assert IOT.describe_event_configurations()["eventConfigurations"]["THING"] == {"Enabled": True}
        IOT.create_thing_group(thingGroupName=group)
        IOT.create_thing(thingName=name, attributePayload={"attributes": {"SerialNumber": name}})
        IOT.add_thing_to_thing_group(thingGroupName=group, thingName=name)
        IOT.add_thing_to_thing_group(thingGroupName=group, thingName=name)  # (a member already: no event)
        IOT.delete_thing(thingName=name)
        assert watcher.wait_for(3)
        events = [(topic, json.loads(payload)) for topic, payload in watcher.messages]
        assert [topic for topic, _ in events] == [f"$aws/events/thing/{name}/created",
                                                  f"$aws/events/thingGroupMembership/thingGroup/{group}/thing/{name}/added",
                                                  f"$aws/events/thing/{name}/deleted"]
        created, added, deleted = (body for _, body in events)
        assert (created["eventType"], created["operation"], created["thingName"], created["attributes"]) == ("THING_EVENT", "CREATED", name, {"SerialNumber": name})
        assert (added["eventType"], added["operation"], added["thingId"]) == ("THING_GROUP_MEMBERSHIP_EVENT", "ADDED", created["thingId"])
        assert added["groupArn"].endswith(f":thinggroup/{group}") and deleted["operation"] == "DELETED"
    finally:
        IOT.update_event_configurations(eventConfigurations={"THING": {"Enabled": False}, "THING_GROUP_MEMBERSHIP": {"Enabled": False}})
        watcher.close()
        IOT.delete_thing(thingName=name + "-quiet")
        IOT.delete_thing_group(thingGroupName=group)


def group_of_devices(prefix, count):
    """A thing group of `count` devices that may do anything (their certificates with them)."""
    anything = policy([{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}])
    group = f"{prefix}-{uuid.uuid4().hex[:6]}"
    group_arn = IOT.create_thing_group(thingGroupName=group)["thingGroupArn"]
    devices = []
    for _ in range(count):
        name, made = device(anything)
        IOT.add_thing_to_thing_group(thingGroupName=group, thingName=name)
        devices.append((name, made))
    return group, group_arn, devices


def report_execution(name, made, job, status, **request):
    """The device says how its execution of `job` goes, over the jobs topics (with the update
    request's other members)."""
    client = Client(made, name).connect()
    try:
        client.connection.subscribe(f"$aws/things/{name}/jobs/{job}/update/accepted", mqtt.QoS.AT_LEAST_ONCE, client.on_message)[0].result(TIMEOUT)
        client.connection.publish(f"$aws/things/{name}/jobs/{job}/update", json.dumps({"status": status, **request}).encode(), mqtt.QoS.AT_LEAST_ONCE)[0].result(TIMEOUT)
        assert client.wait_for(1)
    finally:
        client.close()


def test_jobs_target_groups_count_their_executions_and_cancel_as_aws_does():
    """A job to a thing group reaches its members (and, continuous, those joining later); its
    counters follow the executions; cancelling leaves an in-progress execution alone unless
    forced, and what ended cannot be canceled."""
    anything = policy([{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}])
    group, group_arn, names = group_of_devices("jobs-group", 3)
    job = f"job-{uuid.uuid4().hex[:8]}"
    IOT.create_job(jobId=job, targets=[group_arn], document=json.dumps({"operation": "update"}), targetSelection="CONTINUOUS")
    listed = {e["thingArn"].split("/")[-1]: e["jobExecutionSummary"]["status"] for e in IOT.list_job_executions_for_job(jobId=job)["executionSummaries"]}
    assert listed == {name: "QUEUED" for name, _ in names}
    # One device takes it (IN_PROGRESS), one finishes it (SUCCEEDED), over the jobs topics.
    for (name, made), status in zip(names[:2], ("IN_PROGRESS", "SUCCEEDED")):
        report_execution(name, made, job, status)
    # A thing joining the group later gets the continuous job.
    late, _ = device(anything)
    IOT.add_thing_to_thing_group(thingGroupName=group, thingName=late)
    details = IOT.describe_job(jobId=job)["job"]["jobProcessDetails"]
    assert (details["numberOfQueuedThings"], details["numberOfInProgressThings"], details["numberOfSucceededThings"]) == (2, 1, 1)
    assert job in [j["jobId"] for j in IOT.list_jobs(status="IN_PROGRESS", targetSelection="CONTINUOUS", thingGroupName=group)["jobs"]]
    assert job not in [j["jobId"] for j in IOT.list_jobs(status="COMPLETED")["jobs"]]
    # What ended cannot be canceled; an in-progress execution only with force.
    with pytest.raises(IOT.exceptions.InvalidStateTransitionException):
        IOT.cancel_job_execution(jobId=job, thingName=names[1][0])
    with pytest.raises(IOT.exceptions.InvalidStateTransitionException):
        IOT.cancel_job_execution(jobId=job, thingName=names[0][0])
    # Cancelling the job cancels the queued executions; the one in progress carries on.
    IOT.cancel_job(jobId=job, comment="wrong image")
    described = IOT.describe_job(jobId=job)["job"]
    statuses = {e["thingArn"].split("/")[-1]: e["jobExecutionSummary"]["status"] for e in IOT.list_job_executions_for_job(jobId=job)["executionSummaries"]}
    assert described["status"] == "CANCELED" and described["comment"] == "wrong image" and described["forceCanceled"] is False
    assert statuses == {names[0][0]: "IN_PROGRESS", names[1][0]: "SUCCEEDED", names[2][0]: "CANCELED", late: "CANCELED"}
    assert described["jobProcessDetails"]["numberOfCanceledThings"] == 2
    with pytest.raises(IOT.exceptions.InvalidStateTransitionException):
        IOT.cancel_job(jobId=job)
    # Force-cancelling the execution still running stops it.
    IOT.cancel_job_execution(jobId=job, thingName=names[0][0], force=True)
    execution = IOT.describe_job_execution(jobId=job, thingName=names[0][0])["execution"]
    assert execution["status"] == "CANCELED" and execution["forceCanceled"] is True
    # A snapshot job completes once every execution has ended.
    snapshot = f"job-{uuid.uuid4().hex[:8]}"
    IOT.create_job(jobId=snapshot, targets=[IOT.describe_thing(thingName=names[2][0])["thingArn"]], document="{}")
    IOT.cancel_job_execution(jobId=snapshot, thingName=names[2][0])
    assert IOT.describe_job(jobId=snapshot)["job"]["status"] == "COMPLETED"


def test_greengrass_deployments_are_revisions_and_jobs():
    """A deployment to a thing group is an IoT job in aws-gg-deployment reaching the group's
    devices; a new one for the target is its next revision and the one it replaces is inactive,
    its job canceled; what does not exist is refused; cancelling cancels the job."""
    gg = boto3.client("greengrassv2", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])
    suffix = uuid.uuid4().hex[:6]
    group = f"gg-group-{suffix}"
    group_arn = IOT.create_thing_group(thingGroupName=group)["thingGroupArn"]
    for n in range(2):
        IOT.create_thing(thingName=f"{group}-{n}")
        IOT.add_thing_to_thing_group(thingGroupName=group, thingName=f"{group}-{n}")
    component = f"com.example.app{suffix}"
    recipe = {"RecipeFormatVersion": "2020-01-25", "ComponentName": component, "ComponentVersion": "1.0.0",
              "Manifests": [{"Platform": {"os": "linux"}, "Lifecycle": {"run": "echo hi"}}]}
    gg.create_component_version(inlineRecipe=json.dumps(recipe).encode())
    components = {component: {"componentVersion": "1.0.0", "configurationUpdate": {"reset": [""]}}, "aws.greengrass.Cli": {"componentVersion": "2.12.6"}}
    policies = {"failureHandlingPolicy": "ROLLBACK", "componentUpdatePolicy": {"timeoutInSeconds": 60, "action": "NOTIFY_COMPONENTS"}}
    first = gg.create_deployment(targetArn=group_arn, deploymentName="Deployment from CI/CD pipeline", components=components,
                                 deploymentPolicies=policies, iotJobConfiguration={})
    job = IOT.describe_job(jobId=first["iotJobId"])["job"]
    assert job["targetSelection"] == "CONTINUOUS" and job["jobProcessDetails"]["numberOfQueuedThings"] == 2
    assert first["iotJobId"] in [j["jobId"] for j in IOT.list_jobs(namespaceId="aws-gg-deployment")["jobs"]]
    document = json.loads(IOT.get_job_document(jobId=first["iotJobId"])["document"])
    assert document["components"][component]["version"] == "1.0.0" and document["configurationArn"].endswith(f":configuration:thinggroup/{group}:1")
    described = gg.get_deployment(deploymentId=first["deploymentId"])
    assert (described["deploymentStatus"], described["revisionId"], described["isLatestForTarget"]) == ("ACTIVE", "1", True)
    # The next revision replaces it: the first is inactive and its job canceled.
    second = gg.create_deployment(targetArn=group_arn, components={component: {"componentVersion": "1.0.0"}})
    assert gg.get_deployment(deploymentId=first["deploymentId"])["deploymentStatus"] == "INACTIVE"
    assert IOT.describe_job(jobId=first["iotJobId"])["job"]["status"] == "CANCELED"
    latest = gg.list_deployments(targetArn=group_arn)["deployments"]
    assert [(d["deploymentId"], d["revisionId"]) for d in latest] == [(second["deploymentId"], "2")]
    assert len(gg.list_deployments(targetArn=group_arn, historyFilter="ALL")["deployments"]) == 2
    # What does not exist is refused, and nothing is kept.
    with pytest.raises(gg.exceptions.ResourceNotFoundException, match="version 9.9.9"):
        gg.create_deployment(targetArn=group_arn, components={component: {"componentVersion": "9.9.9"}})
    with pytest.raises(gg.exceptions.ResourceNotFoundException, match="no-such-group"):
        gg.create_deployment(targetArn=group_arn.replace(group, "no-such-group"), components={})
    assert len(gg.list_deployments(targetArn=group_arn, historyFilter="ALL")["deployments"]) == 2
    # Cancelling cancels its job; a canceled deployment cannot be canceled again.
    gg.cancel_deployment(deploymentId=second["deploymentId"])
    assert gg.get_deployment(deploymentId=second["deploymentId"])["deploymentStatus"] == "CANCELED"
    assert IOT.describe_job(jobId=second["iotJobId"])["job"]["status"] == "CANCELED"
    with pytest.raises(gg.exceptions.ConflictException):
        gg.cancel_deployment(deploymentId=second["deploymentId"])
    with pytest.raises(gg.exceptions.ResourceNotFoundException):
        gg.get_deployment(deploymentId="no-such-deployment")


def test_a_rollout_aborts_at_its_threshold():
    """abortConfig as AWS applies it: once enough executions ended and the failed share reaches
    the threshold, the job is canceled and so are the executions still queued."""
    _, group_arn, devices = group_of_devices("abort", 4)
    job = f"job-{uuid.uuid4().hex[:8]}"
    IOT.create_job(jobId=job, targets=[group_arn], document="{}", abortConfig={"criteriaList": [
        {"failureType": "FAILED", "action": "CANCEL", "thresholdPercentage": 50, "minNumberOfExecutedThings": 2}]})
    for name, made in devices[:2]:
        report_execution(name, made, job, "FAILED")
    described = IOT.describe_job(jobId=job)["job"]
    assert described["status"] == "CANCELED" and described["reasonCode"] == "FAILED_THRESHOLD_REACHED", described
    statuses = sorted(e["jobExecutionSummary"]["status"] for e in IOT.list_job_executions_for_job(jobId=job)["executionSummaries"])
    assert statuses == ["CANCELED", "CANCELED", "FAILED", "FAILED"]
