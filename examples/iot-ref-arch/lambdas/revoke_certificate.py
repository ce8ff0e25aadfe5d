"""Revocation: on lambda/<thing>/crt_ack (rule CrtAckTrigger), detach the old certificate from
its things and policies, revoke it and delete it."""
import boto3

iot = boto3.client("iot")


def handler(event, context):
    old = event["oldCertificateId"]
    arn = iot.describe_certificate(certificateId=old)["certificateDescription"]["certificateArn"]
    for thing in iot.list_principal_things(principal=arn)["things"]:
        iot.detach_thing_principal(thingName=thing, principal=arn)
    for policy in iot.list_attached_policies(target=arn)["policies"]:
        iot.detach_policy(policyName=policy["policyName"], target=arn)
    iot.update_certificate(certificateId=old, newStatus="REVOKED")
    iot.delete_certificate(certificateId=old)
    return {"revoked": old}
