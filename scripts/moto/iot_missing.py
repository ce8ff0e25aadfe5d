"""IoT operations moto lacks, added to moto in this process as AWS answers them.

Fleet provisioning templates and their versions, the account's Device Defender audit
configuration, scheduled audits and audit findings. Input is checked as AWS checks it: required
members, template names (1-36 of [0-9A-Za-z_-]), a template body that is JSON, a pre-provisioning
hook only on FLEET_PROVISIONING templates, at most 5 versions (VersionsLimitExceededException),
roles that exist in the account (IAM), audit check names AWS knows, checks enabled before a
scheduled audit uses them and not disabled while one does, a default version that cannot be
deleted, names that already exist. What the request says is checked first, what it refers to in
the account after, and nothing is stored by a request that is refused.
Findings have no create operation in AWS (audits make them); `add_findings` puts some where an
audit would, for tests that run moto in process.
"""
import datetime
import json
import uuid

from moto.core.responses import ActionResult, EmptyResult
from moto.iam.models import iam_backends
import re

from moto.iot.exceptions import (DeleteConflictException, InvalidRequestException, ResourceAlreadyExistsException,
                                 IoTClientError, ResourceNotFoundException)
from moto.iot.responses import IoTResponse

# The Device Defender audit checks (AWS IoT developer guide, "Audit checks").
AUDIT_CHECKS = {
    "AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK", "CA_CERTIFICATE_EXPIRING_CHECK", "CA_CERTIFICATE_KEY_QUALITY_CHECK",
    "CONFLICTING_CLIENT_IDS_CHECK", "DEVICE_CERTIFICATE_EXPIRING_CHECK", "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK",
    "DEVICE_CERTIFICATE_SHARED_CHECK", "IOT_POLICY_OVERLY_PERMISSIVE_CHECK", "IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK",
    "IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK", "LOGGING_DISABLED_CHECK", "REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK",
    "REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK", "UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK",
    "INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK", "IOT_POLICY_POTENTIAL_MIS_CONFIGURATION_CHECK",
    "DEVICE_CERTIFICATE_AGE_CHECK", "DEVICE_CERTIFICATE_EXPIRING_CHECK",
}
FREQUENCIES = {"DAILY", "WEEKLY", "BIWEEKLY", "MONTHLY"}
DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _store(response, name, default):
    return response.iot_backend.__dict__.setdefault("_sandbox_" + name, default)


def _required(response, *names):
    for name in names:
        if response._get_param(name) in (None, ""):
            raise InvalidRequestException(f"1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null")


def _role(response, arn, what):
    """AWS IoT refuses a role that does not exist (it must be able to assume it)."""
    if not arn or not arn.startswith("arn:aws:iam::") or ":role/" not in arn:
        raise InvalidRequestException(f"{what} '{arn}' is not a role ARN")
    try:
        iam_backends[response.current_account][response.partition].get_role_by_arn(arn)
    except Exception:
        raise InvalidRequestException(f"{what} {arn} does not exist or cannot be assumed by AWS IoT")


def _template(response, name):
    template = _store(response, "templates", {}).get(name)
    if template is None:
        raise ResourceNotFoundException(f"The provisioning template {name} does not exist")
    return template


def _body(text):
    try:
        parsed = json.loads(text)
    except (TypeError, ValueError):
        raise InvalidRequestException("The template body is not valid JSON")
    if not isinstance(parsed, dict) or "Resources" not in parsed:
        raise InvalidRequestException("The template body must be a JSON object with Resources")
    return text


def _hook(response, hook):
    if hook is None:
        return None
    if not hook.get("targetArn", "").startswith("arn:aws:lambda:"):
        raise InvalidRequestException("preProvisioningHook.targetArn must be a Lambda function ARN")
    return {"targetArn": hook["targetArn"], "payloadVersion": hook.get("payloadVersion", "2020-04-01")}


class VersionsLimitExceeded(IoTClientError):
    """AWS's answer to a sixth template version (HTTP 409), as botocore's model names it."""
    def __init__(self, message):
        self.code = 409
        super().__init__("VersionsLimitExceededException", message)


TEMPLATE_NAME = re.compile(r"^[0-9A-Za-z_-]{1,36}$")


def create_provisioning_template(self):
    _required(self, "templateName", "templateBody", "provisioningRoleArn")
    name = self._get_param("templateName")
    if not TEMPLATE_NAME.match(name):
        raise InvalidRequestException(f"1 validation error detected: Value '{name}' at 'templateName' failed to satisfy constraint: "
                                      "Member must satisfy regular expression pattern: ^[0-9A-Za-z_-]+$ and have length 1-36")
    templates = _store(self, "templates", {})
    arn = f"arn:aws:iot:{self.region}:{self.current_account}:provisioningtemplate/{name}"
    template_type = self._get_param("type") or "FLEET_PROVISIONING"
    if template_type not in ("FLEET_PROVISIONING", "JITP"):
        raise InvalidRequestException(f"type {template_type} is not FLEET_PROVISIONING or JITP")
    if template_type != "FLEET_PROVISIONING" and self._get_param("preProvisioningHook") is not None:
        raise InvalidRequestException("A pre-provisioning hook can only be set on a FLEET_PROVISIONING template")
    body = _body(self._get_param("templateBody"))
    hook = _hook(self, self._get_param("preProvisioningHook"))
    if name in templates:
        raise ResourceAlreadyExistsException(f"The provisioning template {name} already exists", name, arn)
    _role(self, self._get_param("provisioningRoleArn"), "provisioningRoleArn")
    now = _now()
    templates[name] = {
        "templateArn": arn, "templateName": name, "description": self._get_param("description"),
        "creationDate": now, "lastModifiedDate": now, "defaultVersionId": 1, "enabled": bool(self._get_param("enabled")),
        "provisioningRoleArn": self._get_param("provisioningRoleArn"), "type": template_type,
        "preProvisioningHook": hook,
        "versions": {1: {"versionId": 1, "creationDate": now, "templateBody": body}},
    }
    return ActionResult({"templateArn": arn, "templateName": name, "defaultVersionId": 1})


def describe_provisioning_template(self):
    template = _template(self, self._get_param("templateName"))
    result = {key: value for key, value in template.items() if key != "versions" and value is not None}
    result["templateBody"] = template["versions"][template["defaultVersionId"]]["templateBody"]
    return ActionResult(result)


def update_provisioning_template(self):
    template = _template(self, self._get_param("templateName"))
    changes = {}
    if self._get_param("removePreProvisioningHook"):
        changes["preProvisioningHook"] = None
    elif self._get_param("preProvisioningHook") is not None:
        if template["type"] != "FLEET_PROVISIONING":
            raise InvalidRequestException("A pre-provisioning hook can only be set on a FLEET_PROVISIONING template")
        changes["preProvisioningHook"] = _hook(self, self._get_param("preProvisioningHook"))
    if self._get_param("defaultVersionId") is not None:
        version = int(self._get_param("defaultVersionId"))
        if version not in template["versions"]:
            raise ResourceNotFoundException(f"Version {version} of {template['templateName']} does not exist")
        changes["defaultVersionId"] = version
    if self._get_param("description") is not None:
        changes["description"] = self._get_param("description")
    if self._get_param("enabled") is not None:
        changes["enabled"] = bool(self._get_param("enabled"))
    if self._get_param("provisioningRoleArn") is not None:
        _role(self, self._get_param("provisioningRoleArn"), "provisioningRoleArn")
        changes["provisioningRoleArn"] = self._get_param("provisioningRoleArn")
    template.update(changes, lastModifiedDate=_now())
    return EmptyResult()


def delete_provisioning_template(self):
    name = self._get_param("templateName")
    _template(self, name)
    del _store(self, "templates", {})[name]
    return EmptyResult()


def list_provisioning_templates(self):
    templates = sorted(_store(self, "templates", {}).values(), key=lambda t: t["templateName"])
    return ActionResult({"templates": [{key: t[key] for key in ("templateArn", "templateName", "description", "creationDate",
                                                                 "lastModifiedDate", "enabled", "type") if t.get(key) is not None} for t in templates]})


def create_provisioning_template_version(self):
    _required(self, "templateName", "templateBody")
    template = _template(self, self._get_param("templateName"))
    body = _body(self._get_param("templateBody"))
    if len(template["versions"]) >= 5:
        raise VersionsLimitExceeded(f"The provisioning template {template['templateName']} already has the maximum number of versions (5): delete one first")
    version = max(template["versions"]) + 1
    template["versions"][version] = {"versionId": version, "creationDate": _now(), "templateBody": body}
    default = str(self._get_param("setAsDefault")).lower() == "true"
    if default:
        template["defaultVersionId"] = version
    return ActionResult({"templateArn": template["templateArn"], "templateName": template["templateName"], "versionId": version,
                         "isDefaultVersion": default})


def list_provisioning_template_versions(self):
    template = _template(self, self._get_param("templateName"))
    return ActionResult({"versions": [{"versionId": v["versionId"], "creationDate": v["creationDate"],
                                       "isDefaultVersion": v["versionId"] == template["defaultVersionId"]}
                                      for _, v in sorted(template["versions"].items())]})


def describe_provisioning_template_version(self):
    template = _template(self, self._get_param("templateName"))
    version = int(self._get_param("versionId"))
    if version not in template["versions"]:
        raise ResourceNotFoundException(f"Version {version} of {template['templateName']} does not exist")
    v = template["versions"][version]
    return ActionResult({**v, "isDefaultVersion": version == template["defaultVersionId"]})


def delete_provisioning_template_version(self):
    template = _template(self, self._get_param("templateName"))
    version = int(self._get_param("versionId"))
    if version not in template["versions"]:
        raise ResourceNotFoundException(f"Version {version} of {template['templateName']} does not exist")
    if version == template["defaultVersionId"]:
        raise DeleteConflictException("The default version of a provisioning template cannot be deleted")
    del template["versions"][version]
    return EmptyResult()


def _audit(self):
    return _store(self, "audit", {"roleArn": None, "auditNotificationTargetConfigurations": {}, "auditCheckConfigurations": {}})


def update_account_audit_configuration(self):
    """Everything is checked before anything is stored: a refused request changes nothing."""
    audit = _audit(self)
    role = self._get_param("roleArn")
    targets = self._get_param("auditNotificationTargetConfigurations") or {}
    checks = self._get_param("auditCheckConfigurations") or {}
    for kind, target in targets.items():
        if kind != "SNS":
            raise InvalidRequestException(f"Notification target {kind} is not SNS")
        if not str(target.get("targetArn", "")).startswith("arn:aws:sns:"):
            raise InvalidRequestException("auditNotificationTargetConfigurations.SNS.targetArn must be an SNS topic ARN")
    for check in checks:
        if check not in AUDIT_CHECKS:
            raise InvalidRequestException(f"The check {check} is not a Device Defender audit check")
    if role is None and audit["roleArn"] is None:
        raise InvalidRequestException("roleArn is required the first time the audit configuration is set")
    for check, config in checks.items():
        users = sorted(name for name, scheduled in _store(self, "scheduled", {}).items() if check in scheduled["targetCheckNames"])
        if not config.get("enabled") and users:
            raise InvalidRequestException(f"The check {check} cannot be disabled: the scheduled audit {users[0]} uses it")
    if role is not None:
        _role(self, role, "roleArn")
    for target in targets.values():
        if target.get("roleArn"):
            _role(self, target["roleArn"], "auditNotificationTargetConfigurations.SNS.roleArn")
    if role is not None:
        audit["roleArn"] = role
    audit["auditNotificationTargetConfigurations"].update(targets)
    for check, config in checks.items():
        audit["auditCheckConfigurations"][check] = {"enabled": bool(config.get("enabled"))}
    return EmptyResult()


def describe_account_audit_configuration(self):
    audit = _audit(self)
    result = {"auditNotificationTargetConfigurations": audit["auditNotificationTargetConfigurations"],
              "auditCheckConfigurations": {check: audit["auditCheckConfigurations"].get(check, {"enabled": False})
                                           for check in sorted(AUDIT_CHECKS)}}
    if audit["roleArn"]:
        result["roleArn"] = audit["roleArn"]
    return ActionResult(result)


def delete_account_audit_configuration(self):
    scheduled = _store(self, "scheduled", {})
    if scheduled and str(self._get_param("deleteScheduledAudits")).lower() != "true":
        raise InvalidRequestException("Scheduled audits exist: delete them first or pass deleteScheduledAudits")
    scheduled.clear()
    self.iot_backend.__dict__.pop("_sandbox_audit", None)
    return EmptyResult()


def _checks(self, names):
    if not names:
        raise InvalidRequestException("targetCheckNames must name at least one check")
    for name in names:
        if name not in AUDIT_CHECKS:
            raise InvalidRequestException(f"The check {name} is not a Device Defender audit check")
    return list(names)


def _enabled(self, names):
    """The account's side, checked after the request's own: every check enabled."""
    enabled = {c for c, v in _audit(self)["auditCheckConfigurations"].items() if v.get("enabled")}
    for name in names:
        if name not in enabled:
            raise InvalidRequestException(f"The check {name} is not enabled in the account's audit configuration")
    return names


def _schedule(self, audit):
    frequency = self._get_param("frequency") or (audit or {}).get("frequency")
    if frequency not in FREQUENCIES:
        raise InvalidRequestException(f"frequency {frequency} is not DAILY, WEEKLY, BIWEEKLY or MONTHLY")
    day_of_week = self._get_param("dayOfWeek") if self._get_param("dayOfWeek") is not None else (audit or {}).get("dayOfWeek")
    day_of_month = self._get_param("dayOfMonth") if self._get_param("dayOfMonth") is not None else (audit or {}).get("dayOfMonth")
    if frequency in ("WEEKLY", "BIWEEKLY") and day_of_week not in DAYS:
        raise InvalidRequestException(f"A {frequency} audit needs dayOfWeek")
    if frequency == "MONTHLY" and not (day_of_month == "LAST" or (str(day_of_month).isdigit() and 1 <= int(day_of_month) <= 31)):
        raise InvalidRequestException("A MONTHLY audit needs dayOfMonth (1-31 or LAST)")
    return {"frequency": frequency, "dayOfWeek": day_of_week, "dayOfMonth": day_of_month}


def create_scheduled_audit(self):
    _required(self, "scheduledAuditName", "frequency", "targetCheckNames")
    name = self._get_param("scheduledAuditName")
    scheduled = _store(self, "scheduled", {})
    arn = f"arn:aws:iot:{self.region}:{self.current_account}:scheduledaudit/{name}"
    if name in scheduled:
        raise ResourceAlreadyExistsException(f"The scheduled audit {name} already exists", name, arn)
    schedule = _schedule(self, None)
    checks = _enabled(self, _checks(self, self._get_param("targetCheckNames")))
    scheduled[name] = {"scheduledAuditName": name, "scheduledAuditArn": arn, **schedule, "targetCheckNames": checks}
    return ActionResult({"scheduledAuditArn": arn})


def _scheduled(self):
    audit = _store(self, "scheduled", {}).get(self._get_param("scheduledAuditName"))
    if audit is None:
        raise ResourceNotFoundException(f"The scheduled audit {self._get_param('scheduledAuditName')} does not exist")
    return audit


def describe_scheduled_audit(self):
    return ActionResult({key: value for key, value in _scheduled(self).items() if value is not None})


def update_scheduled_audit(self):
    audit = _scheduled(self)
    schedule = _schedule(self, audit)
    names = self._get_param("targetCheckNames")
    checks = _enabled(self, _checks(self, names)) if names is not None else audit["targetCheckNames"]
    audit.update(schedule, targetCheckNames=checks)
    return ActionResult({"scheduledAuditArn": audit["scheduledAuditArn"]})


def delete_scheduled_audit(self):
    _scheduled(self)
    del _store(self, "scheduled", {})[self._get_param("scheduledAuditName")]
    return EmptyResult()


def list_scheduled_audits(self):
    return ActionResult({"scheduledAudits": [{key: a[key] for key in ("scheduledAuditName", "scheduledAuditArn", "frequency", "dayOfMonth", "dayOfWeek")
                                              if a.get(key) is not None} for a in _store(self, "scheduled", {}).values()]})


def list_audit_findings(self):
    findings = _store(self, "findings", [])
    task, check = self._get_param("taskId"), self._get_param("checkName")
    chosen = [f for f in findings if (task is None or f.get("taskId") == task) and (check is None or f.get("checkName") == check)]
    return ActionResult({"findings": chosen})


for _function in [create_provisioning_template, describe_provisioning_template, update_provisioning_template,
                  delete_provisioning_template, list_provisioning_templates, create_provisioning_template_version,
                  list_provisioning_template_versions, describe_provisioning_template_version,
                  delete_provisioning_template_version, update_account_audit_configuration,
                  describe_account_audit_configuration, delete_account_audit_configuration, create_scheduled_audit,
                  describe_scheduled_audit, update_scheduled_audit, delete_scheduled_audit, list_scheduled_audits,
                  list_audit_findings]:
    setattr(IoTResponse, _function.__name__, _function)


def add_findings(backend, findings):
    """The sandbox's way to put findings where an audit would (no AWS operation makes them)."""
    stored = backend.__dict__.setdefault("_sandbox_findings", [])
    for finding in findings:
        finding.setdefault("findingId", str(uuid.uuid4()))
        finding.setdefault("findingTime", _now())
        stored.append(finding)
