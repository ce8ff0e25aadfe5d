"""AWS IoT Greengrass V2 core devices, which moto lacks, added to the sandbox's moto server.

ListCoreDevices, GetCoreDevice and DeleteCoreDevice answer as AWS does (a missing device is a
404 ResourceNotFoundException). AWS makes a core device when a Greengrass nucleus first connects;
the sandbox's stand-in for that is `PUT /greengrass/v2/coreDevices/<thing>` (not an AWS
operation), which refuses a name that is not a thing in the account's IoT registry.
"""
import datetime
import json
import re

from moto.greengrass import urls as greengrass_urls
from moto.iot.models import iot_backends

DEVICES = {}  # (account, region) -> {thing name: device}
ACCOUNT = "123456789012"


def _region(headers, full_url):
    scope = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/", headers.get("Authorization", "") or "")
    if scope:
        return scope.group(1)
    host = re.search(r"greengrass\.([^.]+)\.", full_url)
    return host.group(1) if host else "us-east-1"


def _error(status, code, message):
    return status, {"x-amzn-ErrorType": code, "Content-Type": "application/json"}, json.dumps({"message": message})


def _now():
    return datetime.datetime.now(datetime.timezone.utc).timestamp()


def core_devices(request, full_url, headers):
    devices = DEVICES.setdefault((ACCOUNT, _region(headers, full_url)), {})
    if request.method != "GET":
        return _error(405, "ValidationException", f"{request.method} is not allowed here")
    query = getattr(request, "args", {}) or {}
    status = query.get("status")
    listed = [{"coreDeviceThingName": d["coreDeviceThingName"], "status": d["status"],
               "lastStatusUpdateTimestamp": d["lastStatusUpdateTimestamp"]}
              for d in sorted(devices.values(), key=lambda d: d["coreDeviceThingName"]) if status is None or d["status"] == status]
    return 200, {"Content-Type": "application/json"}, json.dumps({"coreDevices": listed})


def core_device(request, full_url, headers):
    region = _region(headers, full_url)
    devices = DEVICES.setdefault((ACCOUNT, region), {})
    name = full_url.split("?")[0].rstrip("/").split("/")[-1]
    if request.method == "GET":
        if name not in devices:
            return _error(404, "ResourceNotFoundException", f"Core device {name} not found")
        return 200, {"Content-Type": "application/json"}, json.dumps(devices[name])
    if request.method == "DELETE":
        if name not in devices:
            return _error(404, "ResourceNotFoundException", f"Core device {name} not found")
        del devices[name]
        return 204, {}, ""
    if request.method == "PUT":  # the sandbox's stand-in for a nucleus connecting
        things = iot_backends[ACCOUNT][region].things.values()
        if not any(t.thing_name == name for t in things):
            return _error(404, "ResourceNotFoundException", f"{name} is not a thing in the IoT registry")
        body = json.loads(request.data or b"{}")
        devices[name] = {"coreDeviceThingName": name, "coreVersion": body.get("coreVersion", "2.12.0"),
                         "platform": body.get("platform", "linux"), "architecture": body.get("architecture", "aarch64"),
                         "status": body.get("status", "HEALTHY"), "lastStatusUpdateTimestamp": _now(), "tags": {}}
        return 200, {"Content-Type": "application/json"}, json.dumps(devices[name])
    return _error(405, "ValidationException", f"{request.method} is not allowed here")


greengrass_urls.url_paths["{0}/greengrass/v2/coreDevices$"] = core_devices
greengrass_urls.url_paths["{0}/greengrass/v2/coreDevices/(?P<name>[^/]+)$"] = core_device
