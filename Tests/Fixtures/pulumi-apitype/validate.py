#!/usr/bin/env python3
"""Validates stack exports (files given, or stdin) against Pulumi's JSON schemas for deployments
(deployments.json -> resources.json -> property-values.json, draft 2020-12), resolving their
github.com $ids to the copies beside this script. Prints 'valid' or each error with its path;
exits 1 when any export is invalid."""
import json, os, sys
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

here = os.path.dirname(os.path.abspath(__file__))
schemas = {name: json.load(open(os.path.join(here, name))) for name in ["deployments.json", "resources.json", "property-values.json"]}
registry = Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in schemas.values())
validator = Draft202012Validator(schemas["deployments.json"], registry=registry)
documents = [open(path).read() for path in sys.argv[1:]] or [sys.stdin.read()]


def deepest(error):
    # a oneOf failure says little; the branch that came closest names the field at fault
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message[:300]}"


errors = [deepest(error) for text in documents for error in validator.iter_errors(json.loads(text))]
print("\n".join(errors) if errors else "valid")
sys.exit(1 if errors else 0)
