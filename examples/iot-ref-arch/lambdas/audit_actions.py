"""Device Defender audit actions: on an expiring-certificate finding (via SNS), ask the device
for a new CSR by publishing to device/<thing>/csr_req."""
import json

import boto3

iot = boto3.client("iot")
data = boto3.client("iot-data")


def handler(event, context):
    for record in event.get("Records", []):
        message = json.loads(record["Sns"]["Message"])
        if message.get("checkName") != "DEVICE_CERTIFICATE_EXPIRING_CHECK":
            continue
        for finding in message.get("nonCompliantResources", message.get("findings", [])):
            certificate_id = (finding.get("resourceIdentifier") or {}).get("deviceCertificateId")
            if not certificate_id:
                continue
            arn = iot.describe_certificate(certificateId=certificate_id)["certificateDescription"]["certificateArn"]
            for thing in iot.list_principal_things(principal=arn)["things"]:
                data.publish(topic=f"device/{thing}/csr_req", qos=1,
                             payload=json.dumps({"certificateId": certificate_id}))
    return {"ok": True}
