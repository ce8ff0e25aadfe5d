"""Runs a Lambda function's deployed code as AWS Lambda runs it, for what the sandbox's AWS IoT
invokes (a fleet provisioning template's pre-provisioning hook, later rules' Lambda actions):
the same bytes `up` uploaded (moto keeps the function's zip), unpacked, its handler
(`module.function`) called with the event in a Python process of its own, with the function's
environment variables and the sandbox's AWS endpoint and credentials, as a function in the
account would reach AWS. moto's own Invoke needs Docker; this needs nothing but Python.

Only Python runtimes are run; anything else is refused by name (`Refused`).
"""
import fnmatch
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

BOOTSTRAP = r"""
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
module, function = sys.argv[2].rsplit(".", 1)
event = json.loads(sys.stdin.read())
result = getattr(importlib.import_module(module), function)(event, None)
sys.stdout.write("\n@@result@@" + json.dumps(result))
"""
_unpacked = {}


def log(text):
    sys.stderr.write(f"lambda: {text}\n")
    sys.stderr.flush()


class Refused(Exception):
    """The function cannot be run here, or it failed: the reason, for the caller's answer."""


def _cloudwatch(account, region, function, lines):
    """One invocation's log in /aws/lambda/FUNCTION (a stream per invocation): START, what the
    function printed, END, as Lambda writes them."""
    import datetime
    import time
    import uuid
    from moto.logs.models import logs_backends
    backend, group, request = logs_backends[account][region], f"/aws/lambda/{function}", str(uuid.uuid4())
    if group not in backend.groups:
        backend.create_log_group(group, {})
    stream = f"{datetime.datetime.now(datetime.timezone.utc):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
    backend.create_log_stream(group, stream)
    now = int(time.time() * 1000)
    messages = [f"START RequestId: {request} Version: $LATEST"] + list(lines) + [f"END RequestId: {request}"]
    backend.put_log_events(group, stream, [{"timestamp": now, "message": message} for message in messages])


def permitted(backend, fn, service, source_arn, account):
    """Whether the function's resource policy lets `service` invoke it for `source_arn` (AWS
    checks it before every invocation by a service); a condition not built is refused by name."""
    try:
        policy = json.loads(backend.get_policy(fn.function_name))
        # (moto's wire format: GetPolicy's answer, the policy as a string in it)
        policy = json.loads(policy["Policy"]) if isinstance(policy.get("Policy"), str) else policy
    except Exception:
        raise Refused(f"the function {fn.function_name} has no resource policy: {service} may not invoke it (lambda add-permission)")
    for statement in policy.get("Statement", []):
        principal = statement.get("Principal")
        services = principal.get("Service") if isinstance(principal, dict) else principal
        services = services if isinstance(services, list) else [services]
        actions = statement.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        if statement.get("Effect") != "Allow" or not {service, "*"} & set(services) or not {"lambda:InvokeFunction", "lambda:*", "*"} & set(actions):
            continue
        matches = True
        for operator, conditions in (statement.get("Condition") or {}).items():
            for key, wanted in conditions.items():
                wanted = wanted if isinstance(wanted, list) else [wanted]
                value = {"aws:sourcearn": source_arn, "aws:sourceaccount": account}.get(key.lower())
                if value is None or operator not in ("ArnLike", "ArnEquals", "StringLike", "StringEquals"):
                    raise Refused(f"the function {fn.function_name}'s resource policy has a condition the sandbox does not evaluate: {operator} {key}")
                like = operator.endswith("Like")
                matches = matches and any(fnmatch.fnmatchcase(value, w) if like else value == w for w in wanted)
        if matches:
            return
    raise Refused(f"the function {fn.function_name}'s resource policy does not let {service} invoke it for {source_arn}: AWS does not invoke it")


def invoke(account, region, function, event, timeout=30, caller=None):
    """The function's answer to `event` (JSON), or Refused with why. `caller` is the invoking
    service and source ARN (`("iot.amazonaws.com", rule ARN)`): its resource policy must allow it."""
    from moto.awslambda.models import lambda_backends
    try:
        fn = lambda_backends[account][region].get_function(function)
    except Exception as error:
        raise Refused(f"the function {function} does not exist ({type(error).__name__})")
    if caller:
        permitted(lambda_backends[account][region], fn, caller[0], caller[1], account)
    runtime = getattr(fn, "run_time", None) or getattr(fn, "runtime", "")
    if not str(runtime).startswith("python"):
        raise Refused(f"the function {fn.function_name} runs {runtime}: the sandbox runs Python functions only")
    code = fn.code_bytes or b""
    digest = hashlib.sha256(code).hexdigest()
    folder = _unpacked.get(digest)
    if folder is None:
        # (in the sandbox's folder, removed with it)
        folder = tempfile.mkdtemp(prefix="lambda-", dir=os.environ.get("FLEETDECK_SANDBOX_DIR"))
        try:
            zipfile.ZipFile(io.BytesIO(code)).extractall(folder)
        except zipfile.BadZipFile:
            raise Refused(f"the function {fn.function_name}'s code is not a zip archive")
        _unpacked[digest] = folder
    endpoint = os.environ.get("FLEETDECK_SANDBOX_AWS_URL")
    if not endpoint:
        raise Refused("this moto process does not know the sandbox's AWS endpoint (FLEETDECK_SANDBOX_AWS_URL): its functions would reach real AWS")
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    env.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_REGION=region, AWS_DEFAULT_REGION=region, AWS_LAMBDA_FUNCTION_NAME=fn.function_name)
    env.update({key: str(value) for key, value in (fn.environment_vars or {}).items()})
    try:
        process = subprocess.run([sys.executable, "-c", BOOTSTRAP, folder, fn.handler], input=json.dumps(event).encode(),
                                 capture_output=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Refused(f"the function {fn.function_name} timed out after {timeout} s")
    output = process.stdout.decode("utf-8", "replace")
    failed = process.returncode != 0 or "\n@@result@@" not in output
    printed, _, result = output.rpartition("\n@@result@@") if not failed else (output, "", "")
    # What the function printed (and its traceback) goes to its CloudWatch Logs group, as Lambda's runtime sends it.
    _cloudwatch(account, region, fn.function_name, printed.strip().splitlines() + (process.stderr.decode("utf-8", "replace").strip().splitlines() if failed else []))
    if failed:
        last = process.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise Refused(f"the function {fn.function_name} failed: {last[0]}")
    log = printed
    if log.strip():
        sys.stderr.write("".join(f"lambda {fn.function_name}: {line}\n" for line in log.strip().splitlines()))
    return json.loads(result)
