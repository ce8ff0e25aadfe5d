"""Certificate rotation (rule CsrTrigger, topic lambda/<thing>/csr_res).

The device contract of upstream's Greengrass certificate rotator component: the device sends
{"ThingName", "csr"}; a certificate is made from the CSR, attached to the thing with the thing
policy, and {certificateArn, certificateId, certificatePem} is published to device/<thing>/crt.
"""
import json
import os

import boto3

iot = boto3.client("iot")
data = boto3.client("iot-data")


def lambda_handler(event, context):
    thing = event["ThingName"]
    created = iot.create_certificate_from_csr(certificateSigningRequest=event["csr"], setAsActive=True)
    arn = created["certificateArn"]
    iot.attach_thing_principal(thingName=thing, principal=arn)
    iot.attach_policy(policyName=os.environ["THING_POLICY"], target=arn)
    data.publish(topic=f"device/{thing}/crt", qos=1, payload=json.dumps({
        "certificateArn": arn, "certificateId": created["certificateId"], "certificatePem": created["certificatePem"]}))
    return {"certificateArn": arn}
