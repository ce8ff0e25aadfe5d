"""Revocation (rule CrtAckTrigger, topic lambda/<thing>/crt_ack).

The device acknowledges its new certificate with {"ThingName", "certificateArn"}; every other
certificate of the thing is revoked, loses its policies and the thing, and is deleted (ones
already REVOKED are skipped), as upstream's revocation does.
"""
import boto3

iot = boto3.client("iot")


def lambda_handler(event, context):
    thing, keep = event["ThingName"], event["certificateArn"]
    revoked = []
    for principal in iot.list_thing_principals(thingName=thing)["principals"]:
        if principal == keep or ":cert/" not in principal:
            continue
        certificate_id = principal.split("/")[-1]
        if iot.describe_certificate(certificateId=certificate_id)["certificateDescription"]["status"] == "REVOKED":
            continue
        iot.update_certificate(certificateId=certificate_id, newStatus="REVOKED")
        for policy in iot.list_attached_policies(target=principal)["policies"]:
            iot.detach_principal_policy(policyName=policy["policyName"], principal=principal)
        iot.detach_thing_principal(thingName=thing, principal=principal)
        iot.delete_certificate(certificateId=certificate_id)
        revoked.append(certificate_id)
    return {"revoked": revoked}
