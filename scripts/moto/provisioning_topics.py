"""AWS IoT fleet provisioning's MQTT API on the sandbox's device endpoint, as AWS IoT Core answers
it (developer guide, "Device provisioning MQTT API", "Provisioning templates", "Pre-provisioning
hooks"), JSON payloads:

  $aws/certificates/create/json           -> .../accepted {certificateId, certificatePem, privateKey,
                                             certificateOwnershipToken} (a new key pair)
  $aws/certificates/create-from-csr/json  -> .../accepted {certificateId, certificatePem,
                                             certificateOwnershipToken} (for the CSR's key)
  $aws/provisioning-templates/NAME/provision/json
                                          -> .../accepted {deviceConfiguration, thingName}

or `.../rejected` {statusCode, errorCode, errorMessage}. Certificates made here are
PENDING_ACTIVATION until RegisterThing applies the template: its parameters (each without a
Default must be given), the pre-provisioning hook (the function's deployed code, run by
lambda_runner.py with AWS's event; `allowProvisioning: false` is refused with 403), then its
resources (AWS::IoT::Thing with ThingName, ThingGroups, AttributePayload, ThingTypeName and
OverrideSettings; AWS::IoT::Certificate with CertificateId and Status; AWS::IoT::Policy by
PolicyName), attaching the policy to the certificate and the certificate to the thing. Everything
is checked before anything is made, so a refused request makes nothing. An ownership token is
good for one hour. Template intrinsics other than Ref and Fn::Join, and resources other than
those three, are refused by name.
"""
import json
import re
import secrets
import time

import lambda_runner

CREATE = "$aws/certificates/create/json"
CREATE_FROM_CSR = "$aws/certificates/create-from-csr/json"
PROVISION = re.compile(r"^\$aws/provisioning-templates/([^/]+)/provision/json$")
TOKEN_SECONDS = 3600
_tokens = {}  # token -> (account, region, certificateId, expiry)


class Rejected(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.body = {"statusCode": status, "errorCode": code, "errorMessage": message}


def handles(topic):
    return topic in (CREATE, CREATE_FROM_CSR) or PROVISION.match(topic) is not None


def _iot(account, region):
    from moto.iot.models import iot_backends
    return iot_backends[account][region]


def _token(account, region, certificate_id):
    token = secrets.token_urlsafe(48)
    _tokens[token] = (account, region, certificate_id, time.time() + TOKEN_SECONDS)
    return token


def handle(account, region, topic, payload, claim_certificate_id, client_id):
    """[(topic, body)] to publish: the accepted answer or the rejection."""
    try:
        try:
            request = json.loads(payload or b"{}")
        except ValueError:
            raise Rejected(400, "InvalidPayload", "The payload is not valid JSON")
        if not isinstance(request, dict):
            raise Rejected(400, "InvalidPayload", "The payload must be a JSON object")
        if topic == CREATE:
            return [(topic + "/accepted", create_keys(account, region))]
        if topic == CREATE_FROM_CSR:
            return [(topic + "/accepted", create_from_csr(account, region, request))]
        template = PROVISION.match(topic).group(1)
        return [(topic + "/accepted", register_thing(account, region, template, request, claim_certificate_id, client_id))]
    except Rejected as rejected:
        return [(topic + "/rejected", rejected.body)]


def create_keys(account, region):
    certificate, keys = _iot(account, region).create_keys_and_certificate(set_as_active=False)
    certificate.status = "PENDING_ACTIVATION"
    return {"certificateId": certificate.certificate_id, "certificatePem": certificate.certificate_pem, "privateKey": keys["PrivateKey"],
            "certificateOwnershipToken": _token(account, region, certificate.certificate_id)}


def create_from_csr(account, region, request):
    csr = request.get("certificateSigningRequest")
    if not isinstance(csr, str) or not csr:
        raise Rejected(400, "InvalidPayload", "Missing required field: certificateSigningRequest")
    try:
        certificate = _iot(account, region).create_certificate_from_csr(csr, set_as_active=False)
    except Exception as error:
        raise Rejected(400, "InvalidCsr", getattr(error, "message", None) or "The certificate signing request is not valid")
    certificate.status = "PENDING_ACTIVATION"
    return {"certificateId": certificate.certificate_id, "certificatePem": certificate.certificate_pem,
            "certificateOwnershipToken": _token(account, region, certificate.certificate_id)}


def _resolve(value, parameters, where):
    """A template value with Ref and Fn::Join resolved."""
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            name = value["Ref"]
            if name not in parameters:
                raise Rejected(400, "InvalidParameters", f"{where}: Ref to {name}, which is not a parameter of the template")
            return parameters[name]
        if set(value) == {"Fn::Join"}:
            separator, items = value["Fn::Join"]
            return separator.join(str(_resolve(item, parameters, where)) for item in items)
        intrinsic = next((key for key in value if key.startswith("Fn::")), None)
        if intrinsic:
            raise Rejected(400, "InvalidTemplate", f"{where}: {intrinsic} is not applied by the sandbox (Ref and Fn::Join are)")
        return {key: _resolve(item, parameters, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, parameters, where) for item in value]
    return value


def register_thing(account, region, template_name, request, claim_certificate_id, client_id):
    iot = _iot(account, region)
    template = iot.__dict__.get("_sandbox_templates", {}).get(template_name)
    if template is None:
        raise Rejected(404, "ResourceNotFound", f"The provisioning template {template_name} does not exist")
    if not template.get("enabled"):
        raise Rejected(400, "InvalidRequest", f"The provisioning template {template_name} is disabled")
    token = request.get("certificateOwnershipToken")
    owned = _tokens.get(token) if isinstance(token, str) else None
    if owned is None or owned[:2] != (account, region) or owned[3] < time.time():
        raise Rejected(400, "InvalidCertificateOwnershipToken", "The certificate ownership token is not valid (or has expired)")
    certificate_id = owned[2]
    certificate = iot.certificates.get(certificate_id)
    if certificate is None:
        raise Rejected(400, "InvalidCertificateOwnershipToken", "The certificate of the ownership token no longer exists")
    given = request.get("parameters") or {}
    if not isinstance(given, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in given.items()):
        raise Rejected(400, "InvalidParameters", "parameters must be an object of strings")
    body = json.loads(template["versions"][template["defaultVersionId"]]["templateBody"])
    parameters = {}
    for name, spec in (body.get("Parameters") or {}).items():
        if name == "AWS::IoT::Certificate::Id":
            parameters[name] = certificate_id
        elif name in given:
            parameters[name] = given[name]
        elif "Default" in (spec or {}):
            parameters[name] = spec["Default"]
        else:
            raise Rejected(400, "InvalidParameters", f"Missing required parameter: {name}")
    hook = template.get("preProvisioningHook")
    if hook:
        event = {"claimCertificateId": claim_certificate_id, "certificateId": certificate_id, "certificatePem": certificate.certificate_pem,
                 "templateArn": template["templateArn"], "clientId": client_id, "parameters": dict(given)}
        try:
            answer = lambda_runner.invoke(account, region, hook["targetArn"], event, caller=("iot.amazonaws.com", template["templateArn"]))
        except lambda_runner.Refused as error:
            raise Rejected(500, "InternalFailure", f"The pre-provisioning hook failed: {error}")
        if not isinstance(answer, dict) or answer.get("allowProvisioning") is not True:
            raise Rejected(403, "AccessDenied", "The pre-provisioning hook did not allow provisioning")
        for name, value in (answer.get("parameterOverrides") or {}).items():
            if name in parameters and name != "AWS::IoT::Certificate::Id":
                parameters[name] = str(value)
    plan = _plan(iot, body, parameters, certificate_id)
    return _apply(iot, plan, certificate, _resolve(body.get("DeviceConfiguration") or {}, parameters, "DeviceConfiguration"))


def _plan(iot, body, parameters, certificate_id):
    """What the template makes, checked against the account before anything is made."""
    plan = {"thing": None, "policies": [], "status": None}
    for logical, resource in (body.get("Resources") or {}).items():
        kind = resource.get("Type")
        properties = _resolve(resource.get("Properties") or {}, parameters, f"Resources.{logical}.Properties")
        if kind == "AWS::IoT::Thing":
            name = properties.get("ThingName")
            if not isinstance(name, str) or not re.fullmatch(r"[a-zA-Z0-9:_-]{1,128}", name):
                raise Rejected(400, "InvalidParameters", f"Resources.{logical}: ThingName {name!r} is not a thing name")
            groups = properties.get("ThingGroups") or []
            for group in groups:
                if not any(g.thing_group_name == group for g in iot.thing_groups.values()):
                    raise Rejected(400, "ResourceRegistrationFailure", f"Resources.{logical}: the thing group {group} does not exist")
            thing_type = properties.get("ThingTypeName")
            if thing_type and not any(t.thing_type_name == thing_type for t in iot.thing_types.values()):
                raise Rejected(400, "ResourceRegistrationFailure", f"Resources.{logical}: the thing type {thing_type} does not exist")
            overrides = resource.get("OverrideSettings") or {}
            existing = next((t for t in iot.things.values() if t.thing_name == name), None)
            if existing is not None and "FAIL" in overrides.values():
                raise Rejected(400, "ResourceRegistrationFailure", f"Resources.{logical}: the thing {name} exists and an override setting is FAIL")
            plan["thing"] = {"name": name, "groups": groups, "type": thing_type, "attributes": (properties.get("AttributePayload") or {}),
                             "overrides": overrides, "existing": existing}
        elif kind == "AWS::IoT::Certificate":
            if properties.get("CertificateId") != certificate_id:
                raise Rejected(400, "InvalidTemplate", f"Resources.{logical}: CertificateId must be the certificate of the ownership token")
            status = str(properties.get("Status", "ACTIVE")).upper()
            if status not in ("ACTIVE", "INACTIVE"):
                raise Rejected(400, "InvalidTemplate", f"Resources.{logical}: Status {status} is not Active or Inactive")
            plan["status"] = status
        elif kind == "AWS::IoT::Policy":
            name = properties.get("PolicyName")
            if "PolicyDocument" in properties:
                raise Rejected(400, "InvalidTemplate", f"Resources.{logical}: a PolicyDocument in a template is not applied by the sandbox (PolicyName is)")
            if name not in iot.policies:
                raise Rejected(400, "ResourceRegistrationFailure", f"Resources.{logical}: the policy {name} does not exist")
            plan["policies"].append(name)
        else:
            raise Rejected(400, "InvalidTemplate", f"Resources.{logical}: {kind} is not applied by the sandbox")
    return plan


def _apply(iot, plan, certificate, configuration):
    certificate.status = plan["status"] or "ACTIVE"
    for policy in plan["policies"]:
        iot.attach_policy(policy, certificate.arn)
    thing = plan["thing"]
    if thing is None:
        return {"deviceConfiguration": configuration}
    attributes = {"attributes": {k: str(v) for k, v in thing["attributes"].items()}} if thing["attributes"] else None
    if thing["existing"] is None:
        iot.create_thing(thing["name"], thing["type"], attributes)
    elif thing["overrides"].get("AttributePayload") in ("REPLACE", "MERGE") and attributes:
        iot.update_thing(thing["name"], thing["type"] if thing["overrides"].get("ThingTypeName") == "REPLACE" else None,
                         dict(attributes, merge=thing["overrides"]["AttributePayload"] == "MERGE"), False)
    for group in thing["groups"]:
        iot.add_thing_to_thing_group(thing_group_name=group, thing_group_arn=None, thing_name=thing["name"], thing_arn=None)
    iot.attach_thing_principal(thing["name"], certificate.arn)
    return {"deviceConfiguration": configuration, "thingName": thing["name"]}
