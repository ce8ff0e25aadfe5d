"""The sandbox's AWS IoT policy evaluation (scripts/moto/iot_policy.py) on the reference
architecture's own policies and on the rules AWS IoT Core documents."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import iot_policy  # noqa: E402
from iot_policy import Unsupported, allowed, connection_context, resource_arn  # noqa: E402

REGION, ACCOUNT = "us-west-2", "123456789012"
PREFIX = f"arn:aws:iot:{REGION}:{ACCOUNT}"
# The example's GreengrassProvisioningClaimPolicy (examples/iot-ref-arch/Pulumi.yaml), template "GreengrassFleetProvisioningTemplate".
CLAIM = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"},
    {"Effect": "Allow", "Action": ["iot:Publish", "iot:Receive"], "Resource": [
        f"{PREFIX}:topic/$aws/certificates/create/*", f"{PREFIX}:topic/$aws/provisioning-templates/GreengrassFleetProvisioningTemplate/provision/*"]},
    {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": [
        f"{PREFIX}:topicfilter/$aws/certificates/create/*", f"{PREFIX}:topicfilter/$aws/provisioning-templates/GreengrassFleetProvisioningTemplate/provision/*"]}]}
THING_SCOPED = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iot:Connect", "Resource": f"{PREFIX}:client/${{iot:Connection.Thing.ThingName}}"},
    {"Effect": "Allow", "Action": ["iot:Publish", "iot:Receive"], "Resource": f"{PREFIX}:topic/device/${{iot:Connection.Thing.ThingName}}/*"},
    {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": f"{PREFIX}:topicfilter/device/${{iot:Connection.Thing.ThingName}}/*"}]}


def check(documents, action, name, context):
    return allowed(documents, action, resource_arn(action, name, REGION, ACCOUNT), context)


def test_the_claim_certificate_can_only_provision():
    context = connection_context("GG-0001")
    assert check([CLAIM], "iot:Connect", "GG-0001", context)
    assert check([CLAIM], "iot:Publish", "$aws/certificates/create/json", context)
    assert check([CLAIM], "iot:Subscribe", "$aws/certificates/create/json/accepted", context)
    assert check([CLAIM], "iot:Publish", "$aws/provisioning-templates/GreengrassFleetProvisioningTemplate/provision/json", context)
    assert not check([CLAIM], "iot:Publish", "$aws/provisioning-templates/OtherTemplate/provision/json", context)
    assert not check([CLAIM], "iot:Publish", "device/GG-0001/telemetry", context)
    assert not check([CLAIM], "iot:Subscribe", "#", context)
    # Retained publishes need iot:RetainPublish, which the claim policy does not give.
    assert not check([CLAIM], "iot:RetainPublish", "$aws/certificates/create/json", context)


def test_mqtt_wildcards_in_a_policy_are_literal_characters():
    policy = {"Statement": [{"Effect": "Allow", "Action": "iot:Subscribe", "Resource": f"{PREFIX}:topicfilter/device/+/telemetry"}]}
    context = connection_context("c")
    assert check([policy], "iot:Subscribe", "device/+/telemetry", context)
    assert not check([policy], "iot:Subscribe", "device/GG-1/telemetry", context)
    # ? is one character, * any number (slashes included)
    question = {"Statement": [{"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{PREFIX}:topic/a/?/c*"}]}
    assert check([question], "iot:Publish", "a/b/c/d/e", context)
    assert not check([question], "iot:Publish", "a/bb/c", context)


def test_thing_variables_resolve_only_for_the_attached_thing_named_as_the_client():
    mine = connection_context("GG-0001", {"thingName": "GG-0001", "attributes": {"site": "lab"}})
    assert check([THING_SCOPED], "iot:Connect", "GG-0001", mine)
    assert check([THING_SCOPED], "iot:Publish", "device/GG-0001/telemetry", mine)
    assert not check([THING_SCOPED], "iot:Publish", "device/GG-0002/telemetry", mine)
    assert not check([THING_SCOPED], "iot:Subscribe", "device/+/telemetry", mine)
    # A client ID that names no thing attached to the certificate: the variable does not resolve.
    stranger = connection_context("GG-0002")
    assert not check([THING_SCOPED], "iot:Connect", "GG-0002", stranger)
    assert not check([THING_SCOPED], "iot:Publish", "device/GG-0002/telemetry", stranger)
    site = {"Statement": [{"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{PREFIX}:topic/site/${{iot:Connection.Thing.Attributes[site]}}"}]}
    assert check([site], "iot:Publish", "site/lab", mine)
    assert not check([site], "iot:Publish", "site/lab", stranger)


def test_an_explicit_deny_wins_and_nothing_is_allowed_by_default():
    allow_all = {"Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
    deny = {"Statement": [{"Effect": "Deny", "Action": "iot:Publish", "Resource": f"{PREFIX}:topic/admin/*"}]}
    context = connection_context("c")
    assert check([allow_all, deny], "iot:Publish", "device/x", context)
    assert not check([allow_all, deny], "iot:Publish", "admin/reboot", context)
    assert not check([], "iot:Connect", "c", context)
    # Actions are case-insensitive, as IAM's are.
    assert check([{"Statement": [{"Effect": "Allow", "Action": "IOT:CONNECT", "Resource": "*"}]}], "iot:Connect", "c", context)


def test_special_character_variables_are_literal():
    policy = {"Statement": [{"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{PREFIX}:topic/odd/${{*}}"}]}
    context = connection_context("c")
    assert check([policy], "iot:Publish", "odd/*", context)
    assert not check([policy], "iot:Publish", "odd/x", context)


def test_what_is_not_built_is_refused_by_name():
    context = connection_context("c")
    with pytest.raises(Unsupported, match="Condition"):
        check([{"Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*", "Condition": {}}]}], "iot:Connect", "c", context)
    with pytest.raises(Unsupported, match="NotResource"):
        check([{"Statement": [{"Effect": "Allow", "Action": "iot:Connect", "NotResource": "x"}]}], "iot:Connect", "c", context)
    with pytest.raises(Unsupported, match="iot:Certificate.Subject.CommonName"):
        check([{"Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": f"{PREFIX}:client/${{iot:Certificate.Subject.CommonName}}"}]}],
              "iot:Connect", "c", context)
    with pytest.raises(Unsupported, match="iot:GetRetainedMessage"):
        resource_arn("iot:GetRetainedMessage", "t", REGION, ACCOUNT)
