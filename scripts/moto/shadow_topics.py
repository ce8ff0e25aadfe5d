"""The Device Shadow service's MQTT API on the sandbox's device endpoint, over moto's shadows (the
same documents GetThingShadow and UpdateThingShadow read and write over HTTP), with the topics and
payloads AWS IoT's Device Shadow service uses:

  $aws/things/THING/shadow[/name/NAME]/get     -> .../get/accepted (the document with its delta) or .../get/rejected
  $aws/things/THING/shadow[/name/NAME]/update  -> .../update/accepted, .../update/documents (previous and
                                                  current), .../update/delta (when desired differs from reported)
                                                  or .../update/rejected
  $aws/things/THING/shadow[/name/NAME]/delete  -> .../delete/accepted or .../delete/rejected

A rejection carries AWS's code and message (400 invalid JSON or a missing or invalid node, 404 no
such shadow, 409 version conflict) and the request's clientToken. A change made over HTTP (the
operator's UpdateThingShadow, DeleteThingShadow) is announced on the same topics, so a device
subscribed to its delta hears the desired state an operator sets.
"""
import json
import re
import threading
import time

from moto.iotdata import models as iotdata_models

TOPIC = re.compile(r"^\$aws/things/([^/]+)/shadow(/name/([^/]+))?/(get|update|delete)$")
_announce = []  # set by the device endpoint: where announcements go (account, region, topic, payload bytes)


def prefix(thing, shadow):
    return f"$aws/things/{thing}/shadow" + (f"/name/{shadow}" if shadow else "")


def _now():
    return int(time.time())


def _reject(base, operation, code, message, token):
    body = {"code": code, "message": message, "timestamp": _now()}
    if token is not None:
        body["clientToken"] = token
    return [(f"{base}/{operation}/rejected", body)]


def _with_token(body, token):
    if token is not None:
        body["clientToken"] = token
    return body


def _document(shadow):
    """The document as GetThingShadow answers it (with the delta), without moto's empty parts."""
    return shadow.to_dict(include_delta=True)


def handle(account, region, topic, payload):
    """Answers a device's request on a shadow topic: [(topic, body)] to publish."""
    _quiet.on = True
    try:
        return _handle(account, region, topic, payload)
    finally:
        _quiet.on = False


def _handle(account, region, topic, payload):
    match = TOPIC.match(topic)
    thing, shadow, operation = match.group(1), match.group(3), match.group(4)
    base = prefix(thing, shadow)
    backend = iotdata_models.iotdata_backends[account][region]
    token = None
    request = {}
    if payload:
        try:
            request = json.loads(payload)
        except ValueError:
            return _reject(base, operation, 400, "Payload contains invalid json", None)
        if not isinstance(request, dict):
            return _reject(base, operation, 400, "Payload contains invalid json", None)
        token = request.get("clientToken")
    try:
        if operation == "get":
            found = backend.get_thing_shadow(thing, shadow)
            return [(f"{base}/get/accepted", _with_token(_document(found), token))]
        if operation == "delete":
            deleted = backend.delete_thing_shadow(thing, shadow)
            return [(f"{base}/delete/accepted", _with_token({"version": deleted.version, "timestamp": deleted.timestamp}, token))]
        if "state" not in request:
            return _reject(base, operation, 400, "Missing required node: state", token)
        state = request["state"]
        if state is not None and (not isinstance(state, dict) or any(k not in ("desired", "reported") for k in state)):
            bad = next((k for k in state if k not in ("desired", "reported")), None) if isinstance(state, dict) else None
            return _reject(base, operation, 400, f"State contains an invalid node: '{bad}'" if bad else "State node must be an object", token)
        try:
            previous = backend.get_thing_shadow(thing, shadow)
        except Exception as error:
            if type(error).__name__ != "ResourceNotFoundException":
                raise
            previous = None
        updated = backend.update_thing_shadow(thing, json.dumps({k: v for k, v in request.items() if k != "clientToken"}), shadow)
        return update_messages(base, previous, updated, token)
    except Exception as error:  # moto's (iot's and iotdata's) ResourceNotFoundException, InvalidRequestException, ConflictException
        name = type(error).__name__
        if name == "ResourceNotFoundException":
            return _reject(base, operation, 404, f"No shadow exists with name: '{shadow or thing}'", token)
        if name == "ConflictException":
            return _reject(base, operation, 409, "Version conflict", token)
        if name == "InvalidRequestException":
            return _reject(base, operation, 400, getattr(error, "message", str(error)), token)
        raise


def update_messages(base, previous, updated, token):
    """What an accepted update publishes: accepted, documents, and the delta when there is one."""
    response = _with_token(updated.to_response_dict(), token)
    current = _document(updated)
    current_state = {k: v for k, v in current["state"].items() if k != "delta"}
    documents = {"previous": None if previous is None else {"state": {k: v for k, v in _document(previous)["state"].items() if k != "delta"},
                                                           "metadata": _document(previous)["metadata"], "version": previous.version},
                 "current": {"state": current_state, "metadata": current["metadata"], "version": updated.version},
                 "timestamp": updated.timestamp}
    messages = [(f"{base}/update/accepted", response), (f"{base}/update/documents", _with_token(documents, token))]
    delta = current["state"].get("delta")
    requested = (updated.requested_payload or {}).get("state") or {}
    if delta and "desired" in requested:
        messages.append((f"{base}/update/delta", _with_token({"version": updated.version, "timestamp": updated.timestamp, "state": delta,
                                                               "metadata": current["metadata"].get("desired", {})}, token)))
    return messages


# Changes made over HTTP are announced on the MQTT topics too.
_update = iotdata_models.IoTDataPlaneBackend.update_thing_shadow
_delete = iotdata_models.IoTDataPlaneBackend.delete_thing_shadow
_publish = iotdata_models.IoTDataPlaneBackend.publish
_quiet = threading.local()  # set while a device's own request is answered (its answers are published by handle's caller)


def _announced(backend, messages):
    for announce in _announce:
        for topic, body in messages:
            announce(backend.account_id, backend.region_name, topic, json.dumps(body, separators=(",", ":")).encode())


def update_thing_shadow(self, thing_name, payload, shadow_name):
    thing = self.iot_backend.describe_thing(thing_name)
    previous = thing.thing_shadows.get(shadow_name)
    previous = None if previous is None or previous.deleted else previous
    updated = _update(self, thing_name, payload, shadow_name)
    if not getattr(_quiet, "on", False):
        token = json.loads(payload).get("clientToken") if payload else None
        _announced(self, update_messages(prefix(thing_name, shadow_name), previous, updated, token))
    return updated


def delete_thing_shadow(self, thing_name, shadow_name):
    deleted = _delete(self, thing_name, shadow_name)
    if not getattr(_quiet, "on", False):
        _announced(self, [(f"{prefix(thing_name, shadow_name)}/delete/accepted", {"version": deleted.version, "timestamp": deleted.timestamp})])
    return deleted


def publish(self, topic, payload):
    """iot-data Publish (HTTP): delivered to the endpoint's subscribers, as AWS IoT delivers it."""
    _publish(self, topic, payload)
    for announce in _announce:
        announce(self.account_id, self.region_name, topic, payload if isinstance(payload, bytes) else str(payload).encode())


iotdata_models.IoTDataPlaneBackend.update_thing_shadow = update_thing_shadow
iotdata_models.IoTDataPlaneBackend.delete_thing_shadow = delete_thing_shadow
iotdata_models.IoTDataPlaneBackend.publish = publish
