"""AWS IoT Jobs' device MQTT API on the sandbox's device endpoint, over moto's jobs and job
executions (the same ones CreateJob, DescribeJobExecution and ListJobExecutionsForThing show),
with AWS's topics and payloads (developer guide, "Jobs device MQTT API operations"):

  $aws/things/THING/jobs/get                -> .../get/accepted {inProgressJobs, queuedJobs}
  $aws/things/THING/jobs/start-next         -> .../start-next/accepted {execution} (none: no execution)
  $aws/things/THING/jobs/JOB/get            -> .../JOB/get/accepted {execution}
  $aws/things/THING/jobs/JOB/update         -> .../JOB/update/accepted {executionState?, jobDocument?}
  and .../rejected {code, message, clientToken?, executionState?} (ResourceNotFound,
  InvalidRequest, InvalidStateTransition, VersionMismatch, InvalidJson)
  $aws/things/THING/jobs/notify-next        {execution}: the next execution changed (a job created
                                              over HTTP, an execution ended)

Status transitions are AWS's: QUEUED to IN_PROGRESS, SUCCEEDED, FAILED or REJECTED; IN_PROGRESS
to itself, SUCCEEDED, FAILED or REJECTED; nothing out of a terminal status. Each change adds one to
the execution's version; an update with another expectedVersion is a VersionMismatch.
`$next` names the next pending execution in JOB/get. Jobs created with a namespaceId (Greengrass
deployments are in `aws-gg-deployment`) are a thing's only in their namespace's topics, and the
plain ones do not show them:

  $aws/things/THING/jobs/JOB/namespace-NS/get      (JOB may be $next)
  $aws/things/THING/jobs/JOB/namespace-NS/update
  $aws/things/THING/jobs/notify-next-namespace-NS  {execution}
"""
import json
import re
import threading
import time

from moto.iot import models as iot_models
from moto.iot.responses import IoTResponse

TOPIC = re.compile(r"^\$aws/things/(?P<thing>[^/]+)/jobs/(?:(?P<list>get|start-next)|(?P<job>\$next|[^/$]+)(?:/namespace-(?P<namespace>[A-Za-z0-9_-]+))?/(?P<operation>get|update))$")
TERMINAL = {"SUCCEEDED", "FAILED", "REJECTED", "CANCELED", "TIMED_OUT", "REMOVED"}
ALLOWED = {"QUEUED": {"IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED"}, "IN_PROGRESS": {"IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED"}}
_announce = []  # set by the device endpoint: (account, region, topic, payload bytes)
_ended = []  # (execution) -> None for each execution that reaches a terminal status (its event)


def now():
    import datetime
    return datetime.datetime.now(datetime.timezone.utc)


def _now():
    return int(time.time())


def _seconds(value):
    return int(value.timestamp()) if hasattr(value, "timestamp") else int(value or 0)


def _namespace(iot, job_id):
    job = iot.jobs.get(job_id)
    return job.__dict__.get("_sandbox_namespace") if job is not None else None


def _executions(iot, thing, namespace=None):
    """The thing's executions in a namespace (None: the plain ones), oldest queued first."""
    found = [e for (job_id, name), e in list(iot.job_executions.items()) if name == thing and _namespace(iot, job_id) == namespace]
    return sorted(found, key=lambda e: _seconds(e.queued_at))


def notify_next_topic(thing, namespace):
    return f"$aws/things/{thing}/jobs/notify-next" + (f"-namespace-{namespace}" if namespace else "")


def _summary(execution):
    return {"jobId": execution.job_id, "queuedAt": _seconds(execution.queued_at), "lastUpdatedAt": _seconds(execution.last_updated_at),
            "versionNumber": _version(execution), "executionNumber": 1,
            **({"startedAt": _seconds(execution.started_at)} if execution.status != "QUEUED" else {})}


def _version(execution):
    return execution.__dict__.setdefault("_sandbox_version", 1)


def _data(iot, execution, thing, document=True):
    job = iot.jobs.get(execution.job_id)
    data = {"jobId": execution.job_id, "thingName": thing, "status": execution.status, "statusDetails": dict(execution.status_details_map or {}),
            "queuedAt": _seconds(execution.queued_at), "lastUpdatedAt": _seconds(execution.last_updated_at),
            "versionNumber": _version(execution), "executionNumber": 1}
    if execution.status != "QUEUED":
        data["startedAt"] = _seconds(execution.started_at)
    if document and job is not None and job.document:
        data["jobDocument"] = json.loads(job.document) if isinstance(job.document, str) else job.document
    return data


def _next(iot, thing, namespace=None):
    pending = [e for e in _executions(iot, thing, namespace) if e.status in ("QUEUED", "IN_PROGRESS")]
    in_progress = [e for e in pending if e.status == "IN_PROGRESS"]
    return (in_progress or pending or [None])[0]


def _reject(base, code, message, token, state=None):
    body = {"code": code, "message": message, "timestamp": _now()}
    if token is not None:
        body["clientToken"] = token
    if state is not None:
        body["executionState"] = state
    return [(base + "/rejected", body)]


def handle(account, region, topic, payload):
    """Answers a device's jobs request: [(topic, body)] to publish."""
    iot = iot_models.iot_backends[account][region]
    match = TOPIC.match(topic)
    thing, namespace = match.group("thing"), match.group("namespace")
    try:
        request = json.loads(payload or b"{}")
        if not isinstance(request, dict):
            raise ValueError
    except ValueError:
        return _reject(topic, "InvalidJson", "The payload is not a JSON object", None)
    token = request.get("clientToken")
    stamp = {"timestamp": _now(), **({"clientToken": token} if token is not None else {})}
    if match.group("list") == "get":
        executions = _executions(iot, thing)
        return [(topic + "/accepted", {"inProgressJobs": [_summary(e) for e in executions if e.status == "IN_PROGRESS"],
                                       "queuedJobs": [_summary(e) for e in executions if e.status == "QUEUED"], **stamp})]
    if match.group("list") == "start-next":
        execution = _next(iot, thing)
        if execution is None:
            return [(topic + "/accepted", stamp)]
        if execution.status == "QUEUED":
            _change(execution, "IN_PROGRESS", request.get("statusDetails"))
        return [(topic + "/accepted", {"execution": _data(iot, execution, thing), **stamp})]
    job_id, operation = match.group("job"), match.group("operation")
    if job_id == "$next":
        if operation != "get":
            return _reject(topic, "InvalidRequest", "$next names an execution to get, not to update", token)
        execution = _next(iot, thing, namespace)
        if execution is None:
            return [(topic + "/accepted", stamp)]
        job_id = execution.job_id
    execution = iot.job_executions.get((job_id, thing))
    if execution is not None and _namespace(iot, job_id) != namespace:
        execution = None  # another namespace's job is not seen here
    if execution is None:
        return _reject(topic, "ResourceNotFound", f"Job execution {job_id} of {thing} does not exist", token)
    if operation == "get":
        return [(topic + "/accepted", {"execution": _data(iot, execution, thing, request.get("includeJobDocument", True)), **stamp})]
    status = request.get("status")
    if not isinstance(status, str) or status not in ("IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED"):
        return _reject(topic, "InvalidRequest", f"status must be IN_PROGRESS, SUCCEEDED, FAILED or REJECTED, not {status!r}", token)
    state = {"status": execution.status, "statusDetails": dict(execution.status_details_map or {}), "versionNumber": _version(execution)}
    if "expectedVersion" in request and request["expectedVersion"] != _version(execution):
        return _reject(topic, "VersionMismatch", f"The expected version {request['expectedVersion']} is not the execution's ({_version(execution)})", token, state)
    if status not in ALLOWED.get(execution.status, set()):
        return _reject(topic, "InvalidStateTransition", f"The execution cannot go from {execution.status} to {status}", token, state)
    step = request.get("stepTimeoutInMinutes")
    if step is not None and (not isinstance(step, int) or isinstance(step, bool) or not (step == -1 or 1 <= step <= 10080)):
        return _reject(topic, "InvalidRequest", f"stepTimeoutInMinutes must be from 1 to 10080, or -1 to cancel the step timer, not {step!r}", token, state)
    _change(execution, status, request.get("statusDetails"), step if step not in (None, -1) else None)
    accepted = dict(stamp)
    if request.get("includeJobExecutionState"):
        accepted["executionState"] = {"status": execution.status, "statusDetails": dict(execution.status_details_map or {}), "versionNumber": _version(execution)}
    if request.get("includeJobDocument"):
        accepted["jobDocument"] = _data(iot, execution, thing).get("jobDocument")
    answers = [(topic + "/accepted", accepted)]
    if status in TERMINAL:
        following = _next(iot, thing, namespace)
        answers.append((notify_next_topic(thing, namespace), {"timestamp": _now(), **({"execution": _data(iot, following, thing)} if following else {})}))
    return answers


def _change(execution, status, details, step_timeout=None):
    execution.status = status
    if details is not None:
        execution.status_details_map = {str(k): str(v) for k, v in details.items()}
    changed = now()
    # A device's stepTimeoutInMinutes: the execution times out that long after this update.
    execution.__dict__["_sandbox_step_timeout"] = (changed, step_timeout) if step_timeout is not None else None
    if status == "IN_PROGRESS" and execution.__dict__.get("_sandbox_started") is None:
        execution.started_at = changed
        execution.__dict__["_sandbox_started"] = True
    execution.last_updated_at = changed
    execution.__dict__["_sandbox_version"] = _version(execution) + 1
    if status in TERMINAL:
        for ended in _ended:
            ended(execution)


# A job created over HTTP keeps its namespace (moto drops CreateJob's namespaceId, which the
# response layer hands over); jobs_state.py makes its executions as its rollout allows and
# announces each to its thing, as AWS IoT Jobs notifies them.
_create_job = iot_models.IoTBackend.create_job
_creating = threading.local()


def create_job(self, *args, **kwargs):
    created = _create_job(self, *args, **kwargs)
    namespace = getattr(_creating, "namespace", None)
    self.jobs[created[1]].__dict__["_sandbox_namespace"] = namespace
    return created


iot_models.IoTBackend.create_job = create_job


_respond_create_job = IoTResponse.create_job


def respond_create_job(self):
    namespace = self._get_param("namespaceId")
    if namespace is not None and not re.fullmatch(r"[a-zA-Z0-9_-]+", str(namespace)):
        from moto.iot.exceptions import InvalidRequestException
        raise InvalidRequestException(f"namespaceId {namespace!r} does not match [a-zA-Z0-9_-]+")
    _creating.namespace = namespace
    try:
        return _respond_create_job(self)
    finally:
        _creating.namespace = None


IoTResponse.create_job = respond_create_job
