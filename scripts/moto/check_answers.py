#!/usr/bin/env python3
"""Checks the sandbox's answers against botocore's model of each operation's output: every
required member present, every member one the model names, enums within their values, types as
the model says. Usage: check_answers.py SERVICE OPERATION JSON_INPUT (prints 'ok' or each fault;
exits 1 on a fault). The sandbox's environment (AWS_ENDPOINT_URL, credentials) is used."""
import json
import os
import sys

import boto3
import botocore.session


def check(shape, value, path, faults):
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            faults.append(f"{path}: a {type(value).__name__}, not a structure")
            return
        for name in shape.required_members:
            if name not in value:
                faults.append(f"{path}.{name}: required, missing")
        for name, member in value.items():
            if name == "ResponseMetadata":
                continue
            if name not in shape.members:
                faults.append(f"{path}.{name}: not in the model")
            else:
                check(shape.members[name], member, f"{path}.{name}", faults)
    elif kind == "list":
        if not isinstance(value, list):
            faults.append(f"{path}: not a list")
            return
        for index, item in enumerate(value):
            check(shape.member, item, f"{path}[{index}]", faults)
    elif kind == "map":
        if not isinstance(value, dict):
            faults.append(f"{path}: not a map")
            return
        for key, item in value.items():
            check(shape.value, item, f"{path}.{key}", faults)
    elif kind == "string":
        if not isinstance(value, str):
            faults.append(f"{path}: not a string")
        elif shape.enum and value not in shape.enum:
            faults.append(f"{path}: {value!r} is not one of {shape.enum}")
    elif kind == "boolean" and not isinstance(value, bool):
        faults.append(f"{path}: not a boolean")
    elif kind in ("integer", "long") and not isinstance(value, int):
        faults.append(f"{path}: not an integer")
    elif kind == "timestamp" and not hasattr(value, "isoformat"):
        faults.append(f"{path}: not a timestamp")


def main():
    service, operation, arguments = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    model = botocore.session.get_session().get_service_model(service).operation_model(operation)
    client = boto3.client(service, endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ.get("AWS_REGION", "us-east-1"))
    method = "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")
    answer = getattr(client, method)(**arguments)
    faults = []
    check(model.output_shape, answer, operation, faults)
    print("\n".join(faults) if faults else "ok")
    sys.exit(1 if faults else 0)


if __name__ == "__main__":
    main()
