"""Certificate rotation: on lambda/<thing>/csr_res (rule CsrTrigger), make a certificate from
the device's CSR, give it the thing policy, attach it to the thing, and send it to
device/<thing>/crt."""
import json
import os

import boto3

iot = boto3.client("iot")
data = boto3.client("iot-data")


def handler(event, context):
    thing = event["thingName"]
    created = iot.create_certificate_from_csr(certificateSigningRequest=event["csr"], setAsActive=True)
    iot.attach_policy(policyName=os.environ["THING_POLICY"], target=created["certificateArn"])
    iot.attach_thing_principal(thingName=thing, principal=created["certificateArn"])
    data.publish(topic=f"device/{thing}/crt", qos=1, payload=json.dumps({
        "certificateId": created["certificateId"], "certificatePem": created["certificatePem"],
        "oldCertificateId": event.get("oldCertificateId")}))
    return {"certificateId": created["certificateId"]}
