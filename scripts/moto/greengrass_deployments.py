"""AWS IoT Greengrass V2 deployments, which moto lacks: CreateDeployment, ListDeployments,
GetDeployment and CancelDeployment, as AWS answers them.

- A deployment targets a thing or a thing group of the registry (else ResourceNotFoundException);
  each component named must be a version in the account's catalogue (scripts/moto/greengrass_v2.py)
  or one of AWS's public components below; policies and the IoT job configuration are checked
  against their enums and ranges; nothing is kept from a request that is refused.
- One deployment is active per target: a new one is the target's next revision, and the one it
  replaces becomes INACTIVE, its IoT job canceled (devices that have it keep it).
- Each deployment is an IoT job in the `aws-gg-deployment` namespace (scripts/moto/jobs_state.py),
  CONTINUOUS for a thing group (devices joining later get it) and SNAPSHOT for a thing, with the
  deployment's rollout, abort and timeout configuration; its document is the configuration the
  nucleus reads (configurationArn, components, policies).
- deploymentStatus follows the job: ACTIVE while it runs, COMPLETED (or FAILED when an execution
  failed) once a thing's job has ended, CANCELED once canceled, INACTIVE once replaced.
"""
import datetime
import json
import re
import uuid

from moto.greengrass import urls as greengrass_urls
from moto.iot.models import iot_backends

import greengrass_v2
import jobs_rollout
import jobs_topics
from greengrass_v2 import ACCOUNT, PUBLIC, _error, _page, _region, _validation

NAMESPACE = "aws-gg-deployment"
DEPLOYMENTS = {}  # (account, region) -> {deployment ID: deployment}
TARGET = re.compile(r"^arn:aws:iot:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):(?P<kind>thing|thinggroup)/(?P<name>[a-zA-Z0-9:_-]+)$")


def _now():
    return datetime.datetime.now(datetime.timezone.utc).timestamp()


def _problem(body, region):
    """What AWS would refuse in a CreateDeployment request, or None (a (status, code, message))."""
    target = body.get("targetArn")
    if not isinstance(target, str) or not TARGET.match(target):
        return 400, "ValidationException", f"targetArn {target!r} is not a thing or thing group ARN"
    match = TARGET.match(target)
    iot = iot_backends[ACCOUNT][region]
    if match["kind"] == "thing" and not any(t.thing_name == match["name"] for t in iot.things.values()):
        return 404, "ResourceNotFoundException", f"Thing {match['name']} not found"
    if match["kind"] == "thinggroup" and not any(g.thing_group_name == match["name"] for g in iot.thing_groups.values()):
        return 404, "ResourceNotFoundException", f"Thing group {match['name']} not found"
    components = body.get("components") or {}
    if not isinstance(components, dict):
        return 400, "ValidationException", "components must be a map of component name to its specification"
    catalog = greengrass_v2.CATALOG.get((ACCOUNT, region), {})
    for name, spec in components.items():
        if not isinstance(spec, dict) or not spec.get("componentVersion"):
            return 400, "ValidationException", f"components.{name}.componentVersion is required"
        version = spec["componentVersion"]
        if version not in catalog.get(name, {}) and version not in PUBLIC.get(name, []):
            return 404, "ResourceNotFoundException", f"Component {name} version {version} not found"
        update = spec.get("configurationUpdate") or {}
        if "merge" in update:
            try:
                json.loads(update["merge"])
            except (TypeError, ValueError):
                return 400, "ValidationException", f"components.{name}.configurationUpdate.merge is not a JSON document"
        if not isinstance(update.get("reset", []), list):
            return 400, "ValidationException", f"components.{name}.configurationUpdate.reset must be a list of JSON pointers"
    policies = body.get("deploymentPolicies") or {}
    if policies.get("failureHandlingPolicy", "ROLLBACK") not in ("ROLLBACK", "DO_NOTHING"):
        return 400, "ValidationException", "deploymentPolicies.failureHandlingPolicy must be ROLLBACK or DO_NOTHING"
    if (policies.get("componentUpdatePolicy") or {}).get("action", "NOTIFY_COMPONENTS") not in ("NOTIFY_COMPONENTS", "SKIP_NOTIFY_COMPONENTS"):
        return 400, "ValidationException", "deploymentPolicies.componentUpdatePolicy.action must be NOTIFY_COMPONENTS or SKIP_NOTIFY_COMPONENTS"
    job = body.get("iotJobConfiguration") or {}
    problem = jobs_rollout.refused(job.get("jobExecutionsRolloutConfig"), job.get("abortConfig"), job.get("timeoutConfig"))
    if problem:
        return 400, "ValidationException", "iotJobConfiguration: " + problem
    return None


def _status(region, deployment):
    """The deployment's status, as its IoT job now says it."""
    if deployment["deploymentStatus"] in ("INACTIVE", "CANCELED"):
        return deployment["deploymentStatus"]
    job = iot_backends[ACCOUNT][region].jobs.get(deployment["iotJobId"])
    if job is None:
        return deployment["deploymentStatus"]
    status = iot_backends[ACCOUNT][region].describe_job(job.job_id).status
    if status == "CANCELED":
        return "CANCELED"
    if status == "COMPLETED":
        failed = any(e.status in ("FAILED", "REJECTED", "TIMED_OUT") for (j, _), e in iot_backends[ACCOUNT][region].job_executions.items() if j == job.job_id)
        return "FAILED" if failed else "COMPLETED"
    return "ACTIVE"


def _summary(region, deployment):
    deployment["deploymentStatus"] = _status(region, deployment)
    return {key: deployment[key] for key in ("targetArn", "revisionId", "deploymentId", "deploymentName", "creationTimestamp", "deploymentStatus",
                                              "isLatestForTarget") if key in deployment}


def create_deployment(request, full_url, headers, region):
    try:
        body = json.loads(request.data or b"{}")
    except ValueError:
        return _validation("the request body is not JSON")
    problem = _problem(body, region)
    if problem:
        return _error(*problem)
    iot = iot_backends[ACCOUNT][region]
    deployments = DEPLOYMENTS.setdefault((ACCOUNT, region), {})
    target = body["targetArn"]
    earlier = [d for d in deployments.values() if d["targetArn"] == target]
    # The deployment it replaces: inactive, its job canceled (devices that have it keep it).
    for previous in earlier:
        if previous["isLatestForTarget"]:
            previous["isLatestForTarget"] = False
            if _status(region, previous) == "ACTIVE":
                previous["deploymentStatus"] = "INACTIVE"
                if not iot.describe_job(previous["iotJobId"]).status in ("COMPLETED", "CANCELED"):
                    iot.cancel_job(previous["iotJobId"], "REPLACED", "replaced by a new revision", False)
    match = TARGET.match(target)
    revision = str(len(earlier) + 1)
    deployment_id, job_id = str(uuid.uuid4()), str(uuid.uuid4())
    configuration = f"arn:aws:greengrass:{region}:{ACCOUNT}:configuration:{match['kind']}/{match['name']}:{revision}"
    components = body.get("components") or {}
    policies = body.get("deploymentPolicies") or {}
    document = {"deploymentId": deployment_id, "configurationArn": configuration, "creationTimestamp": int(_now() * 1000),
                "components": {name: {"version": spec["componentVersion"], **({"configurationUpdate": spec["configurationUpdate"]} if "configurationUpdate" in spec else {}),
                                      **({"runWith": spec["runWith"]} if "runWith" in spec else {})} for name, spec in components.items()},
                "failureHandlingPolicy": policies.get("failureHandlingPolicy", "ROLLBACK"),
                "componentUpdatePolicy": policies.get("componentUpdatePolicy") or {"timeout": 60, "action": "NOTIFY_COMPONENTS"},
                "configurationValidationPolicy": policies.get("configurationValidationPolicy") or {"timeout": 60}}
    job = body.get("iotJobConfiguration") or {}
    jobs_topics._creating.namespace = NAMESPACE
    try:
        iot.create_job(job_id, [target], None, json.dumps(document), f"Greengrass deployment {deployment_id}", {},
                       "CONTINUOUS" if match["kind"] == "thinggroup" else "SNAPSHOT", job.get("jobExecutionsRolloutConfig") or {}, {},
                       job.get("abortConfig") or {}, None, None, job.get("timeoutConfig") or {})
    finally:
        jobs_topics._creating.namespace = None
    deployments[deployment_id] = {
        "targetArn": target, "revisionId": revision, "deploymentId": deployment_id, "deploymentName": body.get("deploymentName") or deployment_id,
        "deploymentStatus": "ACTIVE", "iotJobId": job_id, "iotJobArn": iot.jobs[job_id].job_arn, "components": components,
        "deploymentPolicies": policies, "iotJobConfiguration": job, "creationTimestamp": _now(), "isLatestForTarget": True,
        "tags": body.get("tags") or {}}
    return 201, {"Content-Type": "application/json"}, json.dumps({"deploymentId": deployment_id, "iotJobId": job_id, "iotJobArn": iot.jobs[job_id].job_arn})


def deployments(request, full_url, headers):
    region = _region(headers, full_url)
    if request.method == "POST":
        return create_deployment(request, full_url, headers, region)
    if request.method != "GET":
        return _error(405, "ValidationException", f"{request.method} is not allowed here")
    query = getattr(request, "args", {}) or {}
    history = query.get("historyFilter", "LATEST_ONLY")
    if history not in ("ALL", "LATEST_ONLY"):
        return _validation(f"historyFilter must be ALL or LATEST_ONLY, not {history!r}")
    listed = [d for d in DEPLOYMENTS.get((ACCOUNT, region), {}).values()
              if (not query.get("targetArn") or d["targetArn"] == query["targetArn"]) and (history == "ALL" or d["isLatestForTarget"])]
    return _page(request, [_summary(region, d) for d in sorted(listed, key=lambda d: -d["creationTimestamp"])], "deployments")


def deployment(request, full_url, headers):
    region = _region(headers, full_url)
    path = full_url.split("?")[0].rstrip("/").split("/")
    cancel = path[-1] == "cancel"
    deployment_id = path[-2] if cancel else path[-1]
    found = DEPLOYMENTS.get((ACCOUNT, region), {}).get(deployment_id)
    if found is None:
        return _error(404, "ResourceNotFoundException", f"Deployment {deployment_id} not found")
    if cancel:
        if request.method != "POST":
            return _error(405, "ValidationException", f"{request.method} is not allowed here")
        status = _status(region, found)
        if status != "ACTIVE":
            return _error(409, "ConflictException", f"Deployment {deployment_id} is {status}: only an active deployment can be canceled")
        # Devices that have it keep it; those that have not received it will not.
        iot_backends[ACCOUNT][region].cancel_job(found["iotJobId"], "CANCELED_BY_USER", None, False)
        found["deploymentStatus"] = "CANCELED"
        return 200, {"Content-Type": "application/json"}, json.dumps({"message": f"Deployment {deployment_id} canceled"})
    if request.method != "GET":
        return _error(405, "ValidationException", f"{request.method} is not allowed here")
    _summary(region, found)
    return 200, {"Content-Type": "application/json"}, json.dumps(found)


greengrass_urls.url_paths["{0}/greengrass/v2/deployments$"] = deployments
greengrass_urls.url_paths["{0}/greengrass/v2/deployments/(?P<deployment>[^/]+)$"] = deployment
greengrass_urls.url_paths["{0}/greengrass/v2/deployments/(?P<deployment>[^/]+)/cancel$"] = deployment
