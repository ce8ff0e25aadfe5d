import StackSchemas
import Testing

@Suite struct ResourceSchemaTests {
    @Test func iotTypesCarryTheirReplaceAndOutputRules() throws {
        let thing = try #require(ResourceSchema.named("aws-native:iot:Thing"))
        #expect(thing.createOnly == ["thingName"])
        #expect(Set(thing.readOnly) == ["arn", "id"])
        #expect(thing.properties["attributePayload"] == .object(["attributes": .map(.string)], required: []))
        #expect(thing.inputProperties.keys.sorted() == ["attributePayload", "thingName"])
        let rule = try #require(ResourceSchema.named("aws-native:iot:TopicRule"))
        guard case .object(let payload, let required)? = rule.properties["topicRulePayload"] else { Issue.record("no payload object"); return }
        #expect(payload["sql"] == .string)
        #expect(Set(required).isSuperset(of: ["sql", "actions"]))
        #expect(ResourceSchema.named("aws-native:iam:Role")?.createOnly.contains("roleName") == true)
        #expect(ResourceSchema.named("aws-native:lambda:Function")?.properties["code"] != nil)
    }

    @Test func everyTypeOfTheReferenceArchitectureIsKnown() {
        for token in ["aws-native:iot:ThingGroup", "aws-native:iot:RoleAlias", "aws-native:iot:Policy", "aws-native:iot:ProvisioningTemplate",
                      "aws-native:iot:AccountAuditConfiguration", "aws-native:iot:ScheduledAudit", "aws-native:iam:RolePolicy",
                      "aws-native:lambda:Permission", "aws-native:sns:Topic", "aws-native:s3:Bucket", "aws:iot:PolicyAttachment",
                      "aws-native:iot:ThingType", "aws-native:iot:Certificate", "aws:iot:ThingPrincipalAttachment"] {
            #expect(ResourceSchema.named(token) != nil, "\(token)")
        }
        #expect(ResourceSchema.named("aws-native:iot:Nonsense") == nil)
    }
}
