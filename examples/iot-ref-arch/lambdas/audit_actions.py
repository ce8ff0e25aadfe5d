"""Device Defender audit actions (SNS topic device_certificate_expiring).

The audit's SNS message names its task and, in auditDetails, each check; for the expiring
certificate check the task's findings are listed, and every thing holding a flagged certificate
is asked for a new CSR on device/<thing>/csr_req (payload "{}", qos 1), which starts rotation.
"""
import json

import boto3

iot = boto3.client("iot")
data = boto3.client("iot-data")

CHECK = "DEVICE_CERTIFICATE_EXPIRING_CHECK"


def findings(task_id, check):
    token = None
    while True:
        page = iot.list_audit_findings(taskId=task_id, checkName=check, **({"nextToken": token} if token else {}))
        yield from page.get("findings", [])
        token = page.get("nextToken")
        if not token:
            return


def lambda_handler(event, context):
    asked = []
    for record in event.get("Records", []):
        message = json.loads(record["Sns"]["Message"])
        for detail in message.get("auditDetails", []):
            if detail.get("checkName") != CHECK:
                continue
            for finding in findings(message["taskId"], CHECK):
                certificate_id = finding.get("nonCompliantResource", {}).get("resourceIdentifier", {}).get("deviceCertificateId")
                if not certificate_id:
                    continue
                arn = iot.describe_certificate(certificateId=certificate_id)["certificateDescription"]["certificateArn"]
                for thing in iot.list_principal_things(principal=arn)["things"]:
                    data.publish(topic=f"device/{thing}/csr_req", qos=1, payload="{}")
                    asked.append(thing)
    return {"asked": asked}
