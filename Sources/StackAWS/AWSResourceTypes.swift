import StackEngine

/// The AWS types Fleetdeck deploys: how each is named, found again and possibly blocked from
/// deletion. The providers declare these; the engine learns them from the registry.
enum AWSResourceTypes {
    static let iot: [ResourceType] = [
        ResourceType("aws-native:iot:Thing", naming: .init(property: "thingName")),
        ResourceType("aws-native:iot:ThingType", naming: .init(property: "thingTypeName")),
        ResourceType("aws-native:iot:ThingGroup", naming: .init(property: "thingGroupName")),
        ResourceType("aws-native:iot:Policy", naming: .init(property: "policyName"), deleteMayBeBlocked: true),
        ResourceType("aws-native:iot:RoleAlias", naming: .init(property: "roleAlias")),
        ResourceType("aws-native:iot:TopicRule", naming: .init(property: "ruleName", separator: "_")),
        ResourceType("aws-native:iot:Certificate", identity: .lookup),
        ResourceType("aws:iot/policyAttachment:PolicyAttachment", identity: .pair("policy", "target")),
        ResourceType("aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment", identity: .pair("thing", "principal")),
        ResourceType("aws-native:iot:ProvisioningTemplate", naming: .init(property: "templateName")),
        ResourceType("aws-native:iot:AccountAuditConfiguration", identity: .property("accountId")),
        ResourceType("aws-native:iot:ScheduledAudit", naming: .init(property: "scheduledAuditName")),
    ]

    static let supporting: [ResourceType] = [
        ResourceType("aws-native:iam:Role", naming: .init(property: "roleName")),
        ResourceType("aws-native:iam:RolePolicy", identity: .pair("policyName", "roleName")),
        ResourceType("aws-native:lambda:Function", naming: .init(property: "functionName")),
        ResourceType("aws-native:lambda:Permission", identity: .lookup),
        ResourceType("aws-native:sns:Topic", naming: .init(property: "topicName")),
        ResourceType("aws-native:s3:Bucket", naming: .init(property: "bucketName", lowercase: true), deleteMayBeBlocked: true),
    ]
}
