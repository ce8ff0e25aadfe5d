"""Pre-provisioning hook: allow fleet provisioning only for serial numbers in allowlist.txt."""
import os

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    serial = (event.get("parameters") or {}).get("SerialNumber", "")
    body = s3.get_object(Bucket=os.environ["CERT_BUCKET"], Key="allowlist.txt")["Body"].read().decode()
    allowed = {line.strip() for line in body.splitlines() if line.strip() and not line.startswith("#")}
    return {"allowProvisioning": serial in allowed}
