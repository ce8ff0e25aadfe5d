import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:iot:TopicRule`: its declaration and its cloud calls.
struct TopicRuleHandler: IoTHandler {
    static let declaration = ResourceType("aws-native:iot:TopicRule", naming: .init(property: "ruleName", separator: "_"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let ruleName = inputs["ruleName"]?.stringValue ?? name
        _ = try await call(iot.createTopicRule, ["ruleName": .string(ruleName), "topicRulePayload": Self.json(inputs["topicRulePayload"])])
        let described = try await call(iot.getTopicRule, ["ruleName": .string(ruleName)])
        return (ruleName, outputs(inputs, ["ruleName": .string(ruleName), "arn": Self.string(described["ruleArn"]) ?? .null]))
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        let answer = try await call(iot.getTopicRule, ["ruleName": .string(id)])
        var live = LiveValues(inputs: inputs)
        live.output("ruleName", .string(id))
        live.output("arn", Self.string(answer["ruleArn"]))
        live.set("topicRulePayload", answer["rule"]?.objectValue.map { LiveValues.members($0, like: inputs["topicRulePayload"], always: ["sql", "actions"]) })
        return live.values
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        _ = try await call(iot.replaceTopicRule, ["ruleName": .string(id), "topicRulePayload": Self.json(inputs["topicRulePayload"])])
        return try await readAfterUpdate(id: id, inputs: inputs).map { outputs(inputs, $0) } ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        _ = try await call(iot.deleteTopicRule, ["ruleName": .string(id)])
    }
}
