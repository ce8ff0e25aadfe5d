"""AWS IoT Greengrass V2 core devices, which moto lacks, added to the sandbox's moto server.

ListCoreDevices, GetCoreDevice and DeleteCoreDevice answer as AWS does (a missing device is a
404 ResourceNotFoundException; ListCoreDevices pages by maxResults 1-100 and checks its filters).
AWS makes a core device from its nucleus's status reports, published on the reserved topic
`$aws/things/THING/greengrassv2/health/json`: the sandbox's nucleus bridge
(scripts/moto/nucleus_bridge.py) hands each one to `POST /greengrass/v2/sandbox/reports`, which
makes or updates the device (status, nucleus version, platform, architecture, the time of the
report) and keeps its components. `PUT /greengrass/v2/coreDevices/<thing>` makes one directly.
Neither is an AWS operation; both refuse a name that is not a thing in the account's registry.
"""
import base64
import datetime
import json
import re

from moto.greengrass import urls as greengrass_urls
from moto.iot.models import iot_backends

DEVICES = {}  # (account, region) -> {thing name: device}
COMPONENTS = {}  # (account, region) -> {thing name: [component as its nucleus reported it]}
DEPLOYMENTS = {}  # (account, region) -> {thing name: {configuration ARN: effective deployment}}
STATUSES = ("HEALTHY", "UNHEALTHY")
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


def _validation(message):
    return _error(400, "ValidationException", message)


def core_devices(request, full_url, headers):
    devices = DEVICES.setdefault((ACCOUNT, _region(headers, full_url)), {})
    if request.method != "GET":
        return _error(405, "ValidationException", f"{request.method} is not allowed here")
    query = getattr(request, "args", {}) or {}
    status, runtime = query.get("status"), query.get("runtime")
    if status is not None and status not in STATUSES:
        return _validation(f"1 validation error detected: Value '{status}' at 'status' failed to satisfy constraint: "
                           f"Member must satisfy enum value set: [{', '.join(STATUSES)}]")
    group = query.get("thingGroupArn")
    if group is not None and not re.fullmatch(r"arn:aws[a-z-]*:iot:[a-z0-9-]+:\d{12}:thinggroup/[a-zA-Z0-9:_-]+", group):
        return _validation(f"1 validation error detected: Value '{group}' at 'thingGroupArn' failed to satisfy constraint: "
                           "Member must satisfy regular expression pattern: arn:[^:]*:iot:[^:]+:[0-9]+:thinggroup/.+")
    # As AWS: a group lists the devices that successfully deployed a deployment targeting it
    # (what their nuclei reported), and keeps them after they leave the group.
    took = {name for name, deployments in DEPLOYMENTS.get((ACCOUNT, _region(headers, full_url)), {}).items()
            if any(d["targetArn"] == group and d["coreDeviceExecutionStatus"] in ("SUCCEEDED", "COMPLETED") for d in deployments.values())}
    listed = [{key: d[key] for key in ("coreDeviceThingName", "status", "lastStatusUpdateTimestamp", "platform", "architecture", "runtime")}
              for d in sorted(devices.values(), key=lambda d: d["coreDeviceThingName"])
              if (status is None or d["status"] == status) and (runtime is None or d["runtime"] == runtime)
              and (group is None or d["coreDeviceThingName"] in took)]
    return _page(request, listed, "coreDevices", default=100)


def _thing_region(name):
    """The region whose registry has the thing (only regions in use are looked at)."""
    for region, backend in dict.items(iot_backends[ACCOUNT]):
        if any(t.thing_name == name for t in backend.things.values()):
            return region
    return None


def _device(region, name, report):
    devices = DEVICES.setdefault((ACCOUNT, region), {})
    before = devices.get(name, {})
    devices[name] = {"coreDeviceThingName": name, "coreVersion": report.get("ggcVersion", before.get("coreVersion", "2.12.0")),
                     "platform": report.get("platform", before.get("platform", "linux")),
                     "architecture": report.get("architecture", before.get("architecture", "aarch64")),
                     "runtime": report.get("runtime", before.get("runtime", "aws_nucleus_classic")),
                     "status": report.get("overallDeviceStatus", report.get("status", "HEALTHY")),
                     "lastStatusUpdateTimestamp": _now(), "tags": before.get("tags", {})}
    return devices[name]


def reports(request, full_url, headers):
    """A nucleus's status report as its health topic carried it: makes or updates the device."""
    if request.method != "POST":
        return _error(405, "ValidationException", f"{request.method} is not allowed here")
    body = json.loads(request.data or b"{}")
    device = record_report(body.get("thing", ""), body.get("report", ""))
    if isinstance(device, tuple):
        return _error(*device)
    return 200, {"Content-Type": "application/json"}, json.dumps(device)


def record_report(name, text):
    """Takes thing `name`'s report (its health topic's payload): the device as it now is, or the
    refusal (status, code, message). The sandbox's device endpoint calls it for the reports it
    carries; `reports` for those nucleus_bridge hands over."""
    try:
        report = json.loads(text)
    except ValueError as error:
        return 400, "ValidationException", f"the report of {name} is not JSON: {error}"
    if not isinstance(report, dict):
        return 400, "ValidationException", f"the report of {name} is not a JSON object"
    if report.get("thing", name) != name:
        return 400, "ValidationException", f"a report on {name}'s topic names {report.get('thing')}"
    if report.get("overallDeviceStatus") not in STATUSES:
        return 400, "ValidationException", f"the report of {name} has no overallDeviceStatus (HEALTHY or UNHEALTHY)"
    region = _thing_region(name)
    if region is None:
        return 404, "ResourceNotFoundException", f"{name} is not a thing in the IoT registry"
    device = _device(region, name, report)
    components = COMPONENTS.setdefault((ACCOUNT, region), {})
    reported = [c for c in report.get("components", []) if isinstance(c, dict) and c.get("componentName")]
    now = _now()
    for component in reported:
        component["_reported"] = now
    if report.get("messageType", "COMPLETE") == "COMPLETE":
        components[name] = reported
    else:
        kept = {c["componentName"]: c for c in components.get(name, [])}
        kept.update({c["componentName"]: c for c in reported})
        components[name] = list(kept.values())
    information = report.get("deploymentInformation")
    if isinstance(information, dict) and information.get("fleetConfigurationArnForStatus"):
        _deployment(region, name, information, now)
    return device


# The nucleus's deployment statuses as ListEffectiveDeployments names them.
EXECUTION = {"SUCCEEDED": "SUCCEEDED", "FAILED": "FAILED", "IN_PROGRESS": "IN_PROGRESS", "REJECTED": "REJECTED",
             "CANCELED": "CANCELED", "TIMED_OUT": "TIMED_OUT", "QUEUED": "QUEUED", "COMPLETED": "COMPLETED"}


def _deployment(region, name, information, now):
    """What a report's deploymentInformation says of the deployment the device last took. The
    sandbox has no deployments of its own yet: the target and the name come from the configuration
    ARN (arn:aws:greengrass:REGION:ACCOUNT:configuration:thinggroup/GROUP:VERSION)."""
    arn = information["fleetConfigurationArnForStatus"]
    target_part = arn.split(":configuration:")[-1]
    target_name = target_part.rsplit(":", 1)[0]
    target_arn = f"arn:aws:iot:{region}:{ACCOUNT}:{target_name}"
    details = information.get("statusDetails") or {}
    deployments = DEPLOYMENTS.setdefault((ACCOUNT, region), {}).setdefault(name, {})
    before = deployments.get(arn, {})
    entry = {"deploymentId": before.get("deploymentId", base64.b32encode(arn.encode()).decode()[:36].lower()),
             "deploymentName": target_part, "targetArn": target_arn,
             "coreDeviceExecutionStatus": EXECUTION.get(information.get("status", ""), "IN_PROGRESS"),
             "creationTimestamp": before.get("creationTimestamp", now), "modifiedTimestamp": now}
    reason = details.get("failureCause") or details.get("detailedStatus")
    if reason:
        entry["reason"] = reason
    if details.get("errorStack") or details.get("errorTypes"):
        entry["statusDetails"] = {"errorStack": details.get("errorStack", []), "errorTypes": details.get("errorTypes", [])}
    deployments[arn] = entry


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
        COMPONENTS.get((ACCOUNT, region), {}).pop(name, None)
        DEPLOYMENTS.get((ACCOUNT, region), {}).pop(name, None)
        return 204, {}, ""
    if request.method == "PUT":  # the sandbox's stand-in for a nucleus connecting
        things = iot_backends[ACCOUNT][region].things.values()
        if not any(t.thing_name == name for t in things):
            return _error(404, "ResourceNotFoundException", f"{name} is not a thing in the IoT registry")
        body = json.loads(request.data or b"{}")
        if "coreVersion" in body:
            body["ggcVersion"] = body["coreVersion"]
        return 200, {"Content-Type": "application/json"}, json.dumps(_device(region, name, body))
    return _error(405, "ValidationException", f"{request.method} is not allowed here")


def _page(request, items, key, default=50):
    """A page of `items` by maxResults (1-100) and nextToken, as Greengrass V2 pages its lists."""
    query = getattr(request, "args", {}) or {}
    try:
        limit = int(query.get("maxResults", str(default)))
    except ValueError:
        return _validation("maxResults must be an integer")
    if not 1 <= limit <= 100:
        return _validation(f"1 validation error detected: Value '{limit}' at 'maxResults' failed to satisfy constraint: "
                           "Member must have value between 1 and 100")
    try:
        start = int(base64.b64decode(query["nextToken"]).decode()) if query.get("nextToken") else 0
    except ValueError:
        return _validation("invalid nextToken")
    page = {key: items[start:start + limit]}
    if start + limit < len(items):
        page["nextToken"] = base64.b64encode(str(start + limit).encode()).decode()
    return 200, {"Content-Type": "application/json"}, json.dumps(page)


def _core_device_path(request, full_url, headers):
    region = _region(headers, full_url)
    name = full_url.split("?")[0].rstrip("/").split("/")[-2]
    if request.method != "GET":
        return region, name, _error(405, "ValidationException", f"{request.method} is not allowed here")
    if name not in DEVICES.get((ACCOUNT, region), {}):
        return region, name, _error(404, "ResourceNotFoundException", f"Core device {name} not found")
    return region, name, None


def installed_components(request, full_url, headers):
    region, name, refused = _core_device_path(request, full_url, headers)
    if refused:
        return refused
    query = getattr(request, "args", {}) or {}
    topology = query.get("topologyFilter", "ROOT")
    if topology not in ("ALL", "ROOT"):
        return _validation(f"1 validation error detected: Value '{topology}' at 'topologyFilter' failed to satisfy constraint: "
                           "Member must satisfy enum value set: [ALL, ROOT]")
    listed = []
    for c in sorted(COMPONENTS.get((ACCOUNT, region), {}).get(name, []), key=lambda c: c["componentName"]):
        if topology == "ROOT" and not c.get("isRoot"):
            continue
        item = {"componentName": c["componentName"], "componentVersion": c.get("version", ""), "lifecycleState": c.get("status", "NEW"),
                "isRoot": bool(c.get("isRoot")), "lastStatusChangeTimestamp": c["_reported"], "lastReportedTimestamp": c["_reported"],
                "lastInstallationSource": (c.get("fleetConfigArns") or ["LOCAL"])[0]}
        details = c.get("componentStatusDetails") or {}
        if details.get("statusReason"):
            item["lifecycleStateDetails"] = details["statusReason"]
        if details.get("statusCode"):
            item["lifecycleStatusCodes"] = details["statusCode"]
        listed.append(item)
    return _page(request, listed, "installedComponents")


def effective_deployments(request, full_url, headers):
    region, name, refused = _core_device_path(request, full_url, headers)
    if refused:
        return refused
    deployments = DEPLOYMENTS.get((ACCOUNT, region), {}).get(name, {}).values()
    return _page(request, sorted(deployments, key=lambda d: -d["modifiedTimestamp"]), "effectiveDeployments")


greengrass_urls.url_paths["{0}/greengrass/v2/coreDevices$"] = core_devices
greengrass_urls.url_paths["{0}/greengrass/v2/coreDevices/(?P<name>[^/]+)$"] = core_device
greengrass_urls.url_paths["{0}/greengrass/v2/sandbox/reports$"] = reports
greengrass_urls.url_paths["{0}/greengrass/v2/coreDevices/(?P<name>[^/]+)/installedComponents$"] = installed_components
greengrass_urls.url_paths["{0}/greengrass/v2/coreDevices/(?P<name>[^/]+)/effectiveDeployments$"] = effective_deployments


# ---- The component catalogue: CreateComponentVersion from a recipe, validated as AWS validates
# it; ListComponents, ListComponentVersions, GetComponent (the recipe, as JSON or YAML),
# DescribeComponent and DeleteComponent.
import urllib.parse  # noqa: E402

import yaml  # noqa: E402  (moto depends on PyYAML)

CATALOG = {}  # (account, region) -> {component name: {version: entry}}
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
REQUIREMENT = re.compile(r"^\s*(\*|([<>]=?|=|\^|~)?\s*\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?)(\s+([<>]=?|=|\^|~)?\s*\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?)*\s*$")


def _recipe_problem(recipe):
    """What AWS would refuse in a recipe, or None."""
    if not isinstance(recipe, dict):
        return "the recipe is not a JSON or YAML object"
    if recipe.get("RecipeFormatVersion") != "2020-01-25":
        return f"RecipeFormatVersion must be 2020-01-25, not {recipe.get('RecipeFormatVersion')!r}"
    name, version = recipe.get("ComponentName"), recipe.get("ComponentVersion")
    if not isinstance(name, str) or not re.fullmatch(r"[a-zA-Z0-9._-]{1,128}", name):
        return f"ComponentName {name!r} is not a component name (1-128 letters, digits, '.', '_' or '-')"
    if name.startswith("aws.greengrass."):
        return f"ComponentName {name} is reserved: names that start with aws.greengrass. are AWS's"
    if not isinstance(version, str) or not SEMVER.match(version):
        return f"ComponentVersion {version!r} is not a semantic version (MAJOR.MINOR.PATCH)"
    manifests = recipe.get("Manifests", [])
    if not isinstance(manifests, list):
        return "Manifests must be a list"
    for index, manifest in enumerate(manifests):
        if not isinstance(manifest, dict):
            return f"Manifests[{index}] must be an object"
        platform = manifest.get("Platform", {})
        if not isinstance(platform, dict) or not all(isinstance(v, str) for v in platform.values()):
            return f"Manifests[{index}].Platform must map attributes (os, architecture) to strings"
    dependencies = recipe.get("ComponentDependencies", {})
    if not isinstance(dependencies, dict):
        return "ComponentDependencies must be an object"
    for dependency, spec in dependencies.items():
        if not isinstance(spec, dict):
            return f"ComponentDependencies.{dependency} must be an object"
        requirement = spec.get("VersionRequirement", "*")
        if not isinstance(requirement, str) or not REQUIREMENT.match(requirement):
            return f"ComponentDependencies.{dependency}.VersionRequirement {requirement!r} is not a version requirement"
        if spec.get("DependencyType", "HARD") not in ("HARD", "SOFT"):
            return f"ComponentDependencies.{dependency}.DependencyType must be HARD or SOFT"
    return None


def _component_arn(region, name, version=None):
    return f"arn:aws:greengrass:{region}:{ACCOUNT}:components:{name}" + (f":versions:{version}" if version else "")


def _platforms(recipe):
    return [{"name": m.get("Name") or "/".join(str(v) for v in (m.get("Platform") or {}).values()) or "any",
             "attributes": {k: str(v) for k, v in (m.get("Platform") or {}).items()}} for m in recipe.get("Manifests", [])]


def _version_key(version):
    match = SEMVER.match(version)
    return tuple(int(match.group(i)) for i in (1, 2, 3)) + ((0,) if match.group(4) else (1,))


def create_component_version(request, full_url, headers):
    if request.method != "POST":
        return _error(405, "ValidationException", f"{request.method} is not allowed here")
    region = _region(headers, full_url)
    body = json.loads(request.data or b"{}")
    if "lambdaFunction" in body:
        return _validation("the sandbox makes components from recipes only (inlineRecipe), not from Lambda functions")
    if "inlineRecipe" not in body:
        return _validation("You must specify either inlineRecipe or lambdaFunction.")
    try:
        text = base64.b64decode(body["inlineRecipe"]).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return _validation("inlineRecipe is not base64-encoded UTF-8 text")
    try:
        recipe = json.loads(text)
    except ValueError:
        try:
            recipe = yaml.safe_load(text)
        except yaml.YAMLError as error:
            return _validation(f"The recipe is neither JSON nor YAML: {str(error).splitlines()[0]}")
    problem = _recipe_problem(recipe)
    if problem:
        return _validation(f"The recipe is not valid: {problem}")
    name, version = recipe["ComponentName"], recipe["ComponentVersion"]
    versions = CATALOG.setdefault((ACCOUNT, region), {}).setdefault(name, {})
    if version in versions:
        return _error(409, "ConflictException", f"Component {name} version {version} already exists")
    now = _now()
    versions[version] = {"recipe": recipe, "created": now, "description": recipe.get("ComponentDescription", ""),
                         "publisher": recipe.get("ComponentPublisher", ""), "platforms": _platforms(recipe), "tags": body.get("tags") or {}}
    answer = {"arn": _component_arn(region, name, version), "componentName": name, "componentVersion": version, "creationTimestamp": now,
              "status": {"componentState": "DEPLOYABLE", "message": "NONE", "errors": {}, "vendorGuidance": "ACTIVE"}}
    return 201, {"Content-Type": "application/json"}, json.dumps(answer)


# AWS's public components (arn:aws:greengrass:REGION:aws:components:NAME): a deployment may name
# them without publishing them (name -> versions).
PUBLIC = {"aws.greengrass.Cli": ["2.12.6", "2.13.0"], "aws.greengrass.Nucleus": ["2.12.6", "2.13.0"],
          "aws.greengrass.DockerApplicationManager": ["2.0.11", "2.0.12"], "aws.greengrass.TokenExchangeService": ["2.0.3"],
          "aws.greengrass.LogManager": ["2.3.7"]}


def _parse_arn(full_url, region, suffix=""):
    """The component name and version (None: none given) of the ARN in the path."""
    path = urllib.parse.urlparse(full_url).path
    arn = urllib.parse.unquote(path.split("/components/", 1)[1])
    if suffix:
        arn = arn[: -len(suffix)]
    match = re.fullmatch(r"arn:aws[a-z-]*:greengrass:([^:]*):(aws|\d+):components:([^:]+)(?::versions:([^:]+))?", arn)
    if not match:
        return None, None, _validation(f"{arn!r} is not a component ARN")
    return match.group(3), match.group(4), None


def list_components(request, full_url, headers):
    region = _region(headers, full_url)
    query = getattr(request, "args", {}) or {}
    scope = query.get("scope", "PRIVATE")
    if scope not in ("PRIVATE", "PUBLIC"):
        return _validation(f"1 validation error detected: Value '{scope}' at 'scope' failed to satisfy constraint: "
                           "Member must satisfy enum value set: [PRIVATE, PUBLIC]")
    listed = []
    for name, versions in sorted(CATALOG.get((ACCOUNT, region), {}).items()) if scope == "PRIVATE" else []:
        if not versions:
            continue
        latest = max(versions, key=_version_key)
        entry = versions[latest]
        listed.append({"arn": _component_arn(region, name), "componentName": name,
                       "latestVersion": {"arn": _component_arn(region, name, latest), "componentVersion": latest, "creationTimestamp": entry["created"],
                                         "description": entry["description"], "publisher": entry["publisher"], "platforms": entry["platforms"]}})
    return _page(request, listed, "components")


def component_versions(request, full_url, headers):
    region = _region(headers, full_url)
    name, version, refused = _parse_arn(full_url, region, "/versions")
    if refused:
        return refused
    public = ":aws:components:" in urllib.parse.unquote(full_url)
    versions = {v: {} for v in PUBLIC.get(name, [])} if public else CATALOG.get((ACCOUNT, region), {}).get(name)
    if not versions:
        return _error(404, "ResourceNotFoundException", f"Component {name} not found")
    listed = [{"componentName": name, "componentVersion": v,
               "arn": f"arn:aws:greengrass:{region}:aws:components:{name}:versions:{v}" if public else _component_arn(region, name, v)}
              for v in sorted(versions, key=_version_key, reverse=True)]
    return _page(request, listed, "componentVersions")


def _version(full_url, headers, suffix=""):
    region = _region(headers, full_url)
    name, version, refused = _parse_arn(full_url, region, suffix)
    if refused:
        return None, None, None, refused
    if version is None:
        return None, None, None, _validation("the ARN must name a version (...:components:NAME:versions:VERSION)")
    entry = CATALOG.get((ACCOUNT, region), {}).get(name, {}).get(version)
    if entry is None:
        return None, None, None, _error(404, "ResourceNotFoundException", f"Component {name} version {version} not found")
    return region, name, version, entry


def component(request, full_url, headers):
    region, name, version, entry = _version(full_url, headers)
    if region is None:
        return entry
    if request.method == "DELETE":
        del CATALOG[(ACCOUNT, region)][name][version]
        return 204, {}, ""
    if request.method != "GET":
        return _error(405, "ValidationException", f"{request.method} is not allowed here")
    query = getattr(request, "args", {}) or {}
    output = query.get("recipeOutputFormat", "YAML")
    if output not in ("JSON", "YAML"):
        return _validation(f"1 validation error detected: Value '{output}' at 'recipeOutputFormat' failed to satisfy constraint: "
                           "Member must satisfy enum value set: [JSON, YAML]")
    text = json.dumps(entry["recipe"], indent=2) if output == "JSON" else yaml.safe_dump(entry["recipe"], sort_keys=False)
    return 200, {"Content-Type": "application/json"}, json.dumps({"recipeOutputFormat": output, "recipe": base64.b64encode(text.encode()).decode(),
                                                                   "tags": entry["tags"]})


def component_metadata(request, full_url, headers):
    region, name, version, entry = _version(full_url, headers, "/metadata")
    if region is None:
        return entry
    return 200, {"Content-Type": "application/json"}, json.dumps({
        "arn": _component_arn(region, name, version), "componentName": name, "componentVersion": version, "creationTimestamp": entry["created"],
        "publisher": entry["publisher"], "description": entry["description"], "platforms": entry["platforms"], "tags": entry["tags"],
        "status": {"componentState": "DEPLOYABLE", "message": "NONE", "errors": {}, "vendorGuidance": "ACTIVE"}})


greengrass_urls.url_paths["{0}/greengrass/v2/createComponentVersion$"] = create_component_version
greengrass_urls.url_paths["{0}/greengrass/v2/components$"] = list_components
greengrass_urls.url_paths["{0}/greengrass/v2/components/(?P<arn>[^/]+)/versions$"] = component_versions
greengrass_urls.url_paths["{0}/greengrass/v2/components/(?P<arn>[^/]+)/metadata$"] = component_metadata
greengrass_urls.url_paths["{0}/greengrass/v2/components/(?P<arn>[^/]+)$"] = component
