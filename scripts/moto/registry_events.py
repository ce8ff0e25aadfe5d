"""AWS IoT's registry events, which moto lacks: the account's event configurations
(UpdateEventConfigurations, DescribeEventConfigurations: every event type off until enabled, as
in a new account; an event type AWS does not know is refused) and, for the types enabled, the
messages AWS IoT publishes when the registry changes, on the device endpoint of the thing's
account and region:

- THING: `$aws/events/thing/NAME/created|updated|deleted` (eventType THING_EVENT, operation
  CREATED/UPDATED/DELETED, thingId, thingName, versionNumber, thingTypeName, attributes);
- THING_GROUP_MEMBERSHIP: `$aws/events/thingGroupMembership/thingGroup/GROUP/thing/NAME/added|removed`
  (eventType THING_GROUP_MEMBERSHIP_EVENT, operation ADDED/REMOVED, groupArn, groupId, thingArn,
  thingId, membershipId).

- JOB_EXECUTION: `$aws/events/jobExecution/JOB/succeeded|failed|rejected|canceled|timed_out|removed`
  as an execution ends (eventType JOB_EXECUTION, operation, jobId, thingArn, status, statusDetails);
- JOB: `$aws/events/job/JOB/completed|canceled` as a job ends (eventType JOB, operation, jobId,
  status, targetSelection, targets, comment, jobProcessDetails) (jobs_state.py says when).

A thing made by fleet provisioning (RegisterThing through a template) is a CREATED event like
any other, which is how an operator sees devices provision without reading the hook's logs.
The device endpoint (scripts/moto/device_endpoint.py) delivers what `_announce` is given.
"""
import json
import time
import uuid

from moto.core.responses import ActionResult, EmptyResult
from moto.iot import models as iot_models
from moto.iot.exceptions import InvalidRequestException
from moto.iot.responses import IoTResponse

EVENT_TYPES = ["THING", "THING_GROUP", "THING_TYPE", "THING_GROUP_MEMBERSHIP", "THING_GROUP_HIERARCHY", "THING_TYPE_ASSOCIATION",
               "JOB", "JOB_EXECUTION", "POLICY", "CERTIFICATE", "CA_CERTIFICATE"]

# (account, region, topic, payload bytes) -> None: the device endpoint's delivery, once it runs.
_announce = []


def _configuration(backend):
    return backend.__dict__.setdefault("_sandbox_event_configurations", {"types": {}, "created": time.time(), "modified": time.time()})


def update_event_configurations(self):
    asked = self._get_param("eventConfigurations") or {}
    if not isinstance(asked, dict):
        raise InvalidRequestException("eventConfigurations must be a map of event type to {\"Enabled\": true|false}")
    for name, value in asked.items():
        if name not in EVENT_TYPES:
            raise InvalidRequestException(f"1 validation error detected: Value '{name}' at 'eventConfigurations' failed to satisfy constraint: "
                                          f"Member must satisfy enum value set: [{', '.join(EVENT_TYPES)}]")
        if not isinstance(value, dict) or not isinstance(value.get("Enabled", False), bool):
            raise InvalidRequestException(f"eventConfigurations.{name} must be {{\"Enabled\": true|false}}")
    configuration = _configuration(self.iot_backend)
    for name, value in asked.items():
        configuration["types"][name] = value.get("Enabled", False)
    configuration["modified"] = time.time()
    return EmptyResult()


def describe_event_configurations(self):
    configuration = _configuration(self.iot_backend)
    return ActionResult({"eventConfigurations": {name: {"Enabled": configuration["types"].get(name, False)} for name in EVENT_TYPES},
                         "creationDate": configuration["created"], "lastModifiedDate": configuration["modified"]})


def _enabled(backend, kind):
    return _configuration(backend)["types"].get(kind, False)


def _publish(backend, topic, body):
    payload = json.dumps(body, separators=(",", ":")).encode()
    for announce in list(_announce):
        announce(backend.account_id, backend.region_name, topic, payload)


def _thing_event(backend, thing, operation):
    if not _enabled(backend, "THING"):
        return
    _publish(backend, f"$aws/events/thing/{thing.thing_name}/{operation.lower()}", {
        "eventType": "THING_EVENT", "eventId": uuid.uuid4().hex, "timestamp": int(time.time() * 1000), "operation": operation,
        "accountId": backend.account_id, "thingId": thing.thing_id, "thingName": thing.thing_name, "versionNumber": thing.version,
        "thingTypeName": thing.thing_type.thing_type_name if thing.thing_type else None, "attributes": dict(thing.attributes or {})})


def _membership_event(backend, group, thing, operation):
    if not _enabled(backend, "THING_GROUP_MEMBERSHIP"):
        return
    _publish(backend, f"$aws/events/thingGroupMembership/thingGroup/{group.thing_group_name}/thing/{thing.thing_name}/{operation.lower()}", {
        "eventType": "THING_GROUP_MEMBERSHIP_EVENT", "eventId": uuid.uuid4().hex, "timestamp": int(time.time() * 1000), "operation": operation,
        "accountId": backend.account_id, "groupArn": group.arn, "groupId": group.thing_group_id, "thingArn": thing.arn, "thingId": thing.thing_id,
        "membershipId": uuid.uuid4().hex[:10]})


def execution_ended(account, region, job_id, execution):
    """An execution reached a terminal status: its JOB_EXECUTION event, if the account enables them."""
    backend = iot_models.iot_backends[account][region]
    if not _enabled(backend, "JOB_EXECUTION"):
        return
    _publish(backend, f"$aws/events/jobExecution/{job_id}/{execution.status.lower()}", {
        "eventType": "JOB_EXECUTION", "eventId": uuid.uuid4().hex, "timestamp": int(time.time() * 1000), "operation": execution.status.lower(),
        "jobId": job_id, "thingArn": execution.thing_arn, "status": execution.status, "statusDetails": dict(execution.status_details_map or {})})


def job_ended(backend, job):
    """A job completed or was canceled: its JOB event, if the account enables them."""
    if not _enabled(backend, "JOB"):
        return
    _publish(backend, f"$aws/events/job/{job.job_id}/{job.status.lower()}", {
        "eventType": "JOB", "eventId": uuid.uuid4().hex, "timestamp": int(time.time() * 1000), "operation": job.status.lower(),
        "jobId": job.job_id, "status": job.status, "targetSelection": job.target_selection, "targets": list(job.targets),
        **({"comment": job.comment} if job.comment else {}), **({"reasonCode": job.reason_code} if job.reason_code else {}),
        "jobProcessDetails": dict(job.job_process_details or {})})


def _patch():
    backend = iot_models.IoTBackend
    create, update, delete = backend.create_thing, backend.update_thing, backend.delete_thing
    add, remove = backend.add_thing_to_thing_group, backend.remove_thing_from_thing_group

    def create_thing(self, thing_name, *args, **kwargs):
        thing = create(self, thing_name, *args, **kwargs)
        _thing_event(self, thing, "CREATED")
        return thing

    def update_thing(self, thing_name, *args, **kwargs):
        result = update(self, thing_name, *args, **kwargs)
        _thing_event(self, self.describe_thing(thing_name), "UPDATED")
        return result

    def delete_thing(self, thing_name):
        thing = self.describe_thing(thing_name)
        result = delete(self, thing_name)
        _thing_event(self, thing, "DELETED")
        return result

    def membership(change, operation):
        def changed(self, thing_group_name, thing_group_arn, thing_name, thing_arn):
            group = self._identify_thing_group(thing_group_name, thing_group_arn)
            thing = self._identify_thing(thing_name, thing_arn)
            members = set(group.things)
            result = change(self, thing_group_name, thing_group_arn, thing_name, thing_arn)
            # Only a change is an event (adding a member again is not).
            if (thing.arn in group.things) != (thing.arn in members):
                _membership_event(self, group, thing, operation)
            return result
        return changed

    backend.create_thing, backend.update_thing, backend.delete_thing = create_thing, update_thing, delete_thing
    backend.add_thing_to_thing_group = membership(add, "ADDED")
    backend.remove_thing_from_thing_group = membership(remove, "REMOVED")


_patch()
for _function in [update_event_configurations, describe_event_configurations]:
    setattr(IoTResponse, _function.__name__, _function)
