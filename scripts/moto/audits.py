"""Device Defender audits that run, in the sandbox's moto (the account's audit configuration,
scheduled audits and findings storage are scripts/moto/iot_missing.py's):

- StartOnDemandAuditTask runs the named checks at once against the registry, as AWS defines them;
  built: DEVICE_CERTIFICATE_EXPIRING_CHECK (an ACTIVE certificate whose notAfter, read from the
  certificate itself, is within 30 days or past) and REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK
  is not: a check that is not built is refused by name, never reported compliant. Each check must
  be enabled in the account's audit configuration (as AWS requires).
- DescribeAuditTask and ListAuditTasks answer with the task, its statistics and each check's
  result; ListAuditFindings has the findings under the task.
- When the task completes, the account's SNS notification target gets AWS's audit message
  (accountId, taskId, taskStatus, taskType, counts, auditDetails), and SNS delivers it to the
  topic's Lambda subscribers by running the function's deployed code (lambda_runner.py) with the
  SNS event, as SNS invokes them (moto's own delivery needs Docker).
- A sandbox control, `POST /sandbox/scheduled-audits/run {"days": N}`, runs the scheduled audits
  as the next N days would (AWS runs them on their schedule; the sandbox cannot wait a day).
- A sandbox control, `POST /sandbox/short-lived-certificates {"count": N, "days": D}`, makes
  the next N certificates the account issues in the region valid for D days, so the check has something to
  find (AWS issues until 2049).
"""
import datetime
import json
import threading
import uuid

from moto.awslambda import models as lambda_models
from moto.core.responses import ActionResult
from moto.iot import models as iot_models
from moto.iot import urls as iot_urls
from moto.iot.exceptions import InvalidRequestException, ResourceNotFoundException
from moto.iot.responses import IoTResponse
from moto.sns import models as sns_models
from moto.sns.models import sns_backends
from cryptography import x509

import aws_rules
import iot_missing
import lambda_runner

BUILT = {"DEVICE_CERTIFICATE_EXPIRING_CHECK"}
EXPIRING_DAYS = 30


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _expiring(iot, now):
    """(total, non-compliant certificate IDs) of the device certificate expiring check."""
    total, found = 0, []
    for certificate in list(iot.certificates.values()):
        if certificate.status != "ACTIVE":
            continue
        total += 1
        try:
            not_after = x509.load_pem_x509_certificate(certificate.certificate_pem.encode()).not_valid_after_utc
        except ValueError:
            continue
        if not_after - now <= datetime.timedelta(days=EXPIRING_DAYS):
            found.append((certificate.certificate_id, not_after))
    return total, found


def start_on_demand_audit_task(self):
    names = self._get_param("targetCheckNames") or []
    iot_missing._checks(self, names)
    not_built = [name for name in names if name not in BUILT]
    if not_built:
        raise InvalidRequestException(f"The check {not_built[0]} is not run by the sandbox's Device Defender (built: {', '.join(sorted(BUILT))})")
    iot_missing._enabled(self, names)
    task = run_audit(self.iot_backend, names, "ON_DEMAND_AUDIT_TASK")
    return ActionResult({"taskId": task["taskId"]})


def run_audit(iot, names, task_type, scheduled=None):
    now = _now()
    task = {"taskId": uuid.uuid4().hex, "taskStatus": "COMPLETED", "taskType": task_type, "taskStartTime": now, "auditDetails": {}}
    if scheduled:
        task["scheduledAuditName"] = scheduled
    findings = []
    for name in names:
        total, found = _expiring(iot, now)
        task["auditDetails"][name] = {"checkRunStatus": "COMPLETED_NON_COMPLIANT" if found else "COMPLETED_COMPLIANT",
                                      "checkCompliant": not found, "totalResourcesCount": total, "nonCompliantResourcesCount": len(found)}
        for certificate_id, not_after in found:
            findings.append({"findingId": uuid.uuid4().hex, "taskId": task["taskId"], "checkName": name, "taskStartTime": now, "findingTime": now,
                             "severity": "MEDIUM", "isSuppressed": False,
                             "nonCompliantResource": {"resourceType": "DEVICE_CERTIFICATE", "resourceIdentifier": {"deviceCertificateId": certificate_id}},
                             "reasonForNonCompliance": f"Certificate expires on {not_after:%Y-%m-%d}", "reasonForNonComplianceCode": "CERTIFICATE_EXPIRING"})
    iot_missing.add_findings(iot, findings)
    iot.__dict__.setdefault("_sandbox_audit_tasks", {})[task["taskId"]] = task
    _notify(iot, task)
    return task


def _statistics(task):
    details = task["auditDetails"].values()
    return {"totalChecks": len(details), "inProgressChecks": 0, "waitingForDataCollectionChecks": 0,
            "compliantChecks": sum(1 for d in details if d["checkCompliant"]), "nonCompliantChecks": sum(1 for d in details if not d["checkCompliant"]),
            "failedChecks": 0, "canceledChecks": 0}


def _notify(iot, task):
    """AWS's audit notification to the account's SNS target (when one is enabled)."""
    target = (iot.__dict__.get("_sandbox_audit") or {}).get("auditNotificationTargetConfigurations", {}).get("SNS")
    if not target or not target.get("enabled", True):
        return
    statistics = _statistics(task)
    message = {"accountId": iot.account_id, "taskId": task["taskId"], "taskStatus": task["taskStatus"], "taskType": task["taskType"],
               "failedChecksCount": 0, "canceledChecksCount": 0, "nonCompliantChecksCount": statistics["nonCompliantChecks"],
               "compliantChecksCount": statistics["compliantChecks"], "totalChecksCount": statistics["totalChecks"],
               "taskStartTime": int(task["taskStartTime"].timestamp() * 1000),
               "auditDetails": [{"checkName": name, "checkRunStatus": d["checkRunStatus"], "nonCompliantResourcesCount": d["nonCompliantResourcesCount"],
                                 "totalResourcesCount": d["totalResourcesCount"]} for name, d in task["auditDetails"].items()]}
    arn = target["targetArn"]
    region = arn.split(":")[3]
    sns_backends[iot.account_id][region].publish(json.dumps(message), arn=arn)


def describe_audit_task(self):
    task = self.iot_backend.__dict__.get("_sandbox_audit_tasks", {}).get(self.path.rstrip("/").split("/")[-1])
    if task is None:
        raise ResourceNotFoundException("The audit task does not exist")
    result = {"taskStatus": task["taskStatus"], "taskType": task["taskType"], "taskStartTime": task["taskStartTime"].timestamp(),
              "taskStatistics": _statistics(task), "auditDetails": task["auditDetails"]}
    if task.get("scheduledAuditName"):
        result["scheduledAuditName"] = task["scheduledAuditName"]
    return ActionResult(result)


def _time(value, name):
    """A query's timestamp as AWS takes it (ISO 8601 or seconds since 1970)."""
    if value is None:
        raise InvalidRequestException(f"{name} is required")
    try:
        return datetime.datetime.fromtimestamp(float(value), datetime.timezone.utc)
    except ValueError:
        try:
            return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise InvalidRequestException(f"{name} is not a timestamp: {value}")


def list_audit_tasks(self):
    start, end = _time(self._get_param("startTime"), "startTime"), _time(self._get_param("endTime"), "endTime")
    task_type, status = self._get_param("taskType"), self._get_param("taskStatus")
    tasks = [t for t in self.iot_backend.__dict__.get("_sandbox_audit_tasks", {}).values()
             if start <= t["taskStartTime"] <= end
             and (task_type is None or t["taskType"] == task_type) and (status is None or t["taskStatus"] == status)]
    return ActionResult({"tasks": [{"taskId": t["taskId"], "taskStatus": t["taskStatus"], "taskType": t["taskType"]} for t in tasks]})


for _function in (start_on_demand_audit_task, describe_audit_task, list_audit_tasks):
    setattr(IoTResponse, _function.__name__, _function)


_delivering = threading.local()
_subscription_publish = sns_models.Subscription.publish


def _publish(self, *args, **kwargs):
    """Which topic a delivery comes from (for the function's resource policy and its event)."""
    _delivering.topic, _delivering.subscription = self.topic.arn, self.arn
    try:
        return _subscription_publish(self, *args, **kwargs)
    finally:
        _delivering.topic = _delivering.subscription = None


sns_models.Subscription.publish = _publish


def send_sns_message(self, function_name, message, subject=None, qualifier=None):
    """SNS's delivery to a Lambda subscriber: the function's deployed code, with SNS's event,
    once its resource policy lets sns.amazonaws.com invoke it for the topic."""
    topic = getattr(_delivering, "topic", None) or ""
    event = {"Records": [{"EventVersion": "1.0", "EventSource": "aws:sns", "EventSubscriptionArn": getattr(_delivering, "subscription", None) or "",
                          "Sns": {"Type": "Notification", "MessageId": str(uuid.uuid4()), "TopicArn": topic, "Subject": subject, "Message": message,
                                  "Timestamp": _now().strftime("%Y-%m-%dT%H:%M:%S.000Z"), "SignatureVersion": "1", "MessageAttributes": {}}}]}
    try:
        lambda_runner.invoke(self.account_id, self.region_name, function_name, event, caller=("sns.amazonaws.com", topic))
    except lambda_runner.Refused as error:
        lambda_runner.log(f"SNS delivery to {function_name}: {error}")


lambda_models.LambdaBackend.send_sns_message = send_sns_message


def short_lived_certificates(request, full_url, headers):
    """The sandbox control: the next `count` certificates issued in the request's region are valid for `days`."""
    body = json.loads(request.data or b"{}")
    count, days = body.get("count"), body.get("days")
    if not isinstance(count, int) or not isinstance(days, int) or count < 0 or not 0 < days <= 3650:
        return 400, {}, json.dumps({"message": "count (0 or more) and days (1-3650) must be integers"})
    aws_rules.short_lived[aws_rules.control_region(headers)] = {"count": count, "days": days}
    return 200, {}, json.dumps({"count": count, "days": days})


def _occurrences(audit, days, today):
    """The days among the next `days` (after `today`) a scheduled audit runs on."""
    weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
    dates = [today + datetime.timedelta(days=n) for n in range(1, days + 1)]
    frequency = audit["frequency"]
    if frequency == "DAILY":
        return dates
    if frequency in ("WEEKLY", "BIWEEKLY"):
        on = [d for d in dates if weekdays[d.weekday()] == audit["dayOfWeek"]]
        return on if frequency == "WEEKLY" else on[::2]
    last = lambda d: (d + datetime.timedelta(days=1)).month != d.month  # noqa: E731
    return [d for d in dates if (audit["dayOfMonth"] == "LAST" and last(d)) or str(d.day) == str(audit["dayOfMonth"])]


def run_scheduled_audits(request, full_url, headers):
    """The sandbox control `POST /sandbox/scheduled-audits/run {"days": N}`: the account's
    scheduled audits (in the request's region) run as they would over the next N days (1-31), each
    occurrence a SCHEDULED_AUDIT_TASK with its findings and notification; answers the task IDs."""
    from moto.iot.models import iot_backends
    body = json.loads(request.data or b"{}")
    days = body.get("days")
    if not isinstance(days, int) or not 1 <= days <= 31:
        return 400, {}, json.dumps({"message": "days must be an integer from 1 to 31"})
    # (moto's one account)
    iot = iot_backends["123456789012"][aws_rules.control_region(headers)]
    today, tasks = _now().date(), []
    for name, audit in sorted(iot.__dict__.get("_sandbox_scheduled", {}).items()):
        for _ in _occurrences(audit, days, today):
            tasks.append(run_audit(iot, audit["targetCheckNames"], "SCHEDULED_AUDIT_TASK", scheduled=name)["taskId"])
    return 200, {}, json.dumps({"taskIds": tasks})


iot_urls.url_paths["{0}/sandbox/short-lived-certificates$"] = short_lived_certificates
iot_urls.url_paths["{0}/sandbox/scheduled-audits/run$"] = run_scheduled_audits
