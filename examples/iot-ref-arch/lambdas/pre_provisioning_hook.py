"""Pre-provisioning hook: allow fleet provisioning only for serial numbers in allowlist.txt.

The allowlist format is Fleetdeck's (Sources/Fleet/Allowlist.swift), with the shared cases in
../allowlist-cases.json: one serial number per line, matched exactly; whitespace around a line,
blank lines and lines starting with '#' ignored; anything else must be a thing name (1-128 of
a-z A-Z 0-9 : _ -). A malformed allowlist admits no one (and says why in the log).
"""
import os
import re

import boto3

s3 = boto3.client("s3")

NAME = re.compile(r"[A-Za-z0-9:_-]{1,128}")


class AllowlistError(ValueError):
    def __init__(self, line, column, message):
        super().__init__(f"allowlist.txt:{line}:{column}: {message}")
        self.line, self.column = line, column


def parse_allowlist(text):
    """The set of serial numbers listed, or AllowlistError at the first line at fault."""
    names = set()
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw[:-1] if raw.endswith("\r") else raw
        leading = len(line) - len(line.lstrip(" \t"))
        name = line.strip(" \t")
        if not name or name.startswith("#"):
            continue
        if len(name) <= 128 and NAME.fullmatch(name):
            names.add(name)
            continue
        bad = next((i for i, c in enumerate(name) if not NAME.fullmatch(c)), None)
        if bad is None:
            raise AllowlistError(number, leading + 1, "longer than the 128 characters a thing name may have")
        raise AllowlistError(number, leading + bad + 1, f"'{name}' is not a thing name: {name[bad]!r} is not allowed")
    if not names:
        raise AllowlistError(1, 1, "the allowlist lists no serial numbers")
    return names


def lambda_handler(event, context):
    serial = (event.get("parameters") or {}).get("SerialNumber", "")
    body = s3.get_object(Bucket=os.environ["CERT_BUCKET"], Key="allowlist.txt")["Body"].read()
    try:
        allowed = parse_allowlist(body.decode("utf-8"))
    except (AllowlistError, UnicodeDecodeError) as error:
        print(f"refusing {serial!r}: {error}")
        return {"allowProvisioning": False}
    # Each answer said in the function's log (CloudWatch Logs), where operators look for it.
    if serial not in allowed:
        print(f"refusing {serial!r}: not on the allowlist")
        return {"allowProvisioning": False}
    print(f"admitting {serial!r}")
    return {"allowProvisioning": True}



