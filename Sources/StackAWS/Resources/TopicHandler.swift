import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:sns:Topic`: its declaration and its cloud calls.
struct TopicHandler: SupportingHandler {
    static let declaration = ResourceType("aws-native:sns:Topic", naming: .init(property: "topicName"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let topic = inputs["topicName"]?.stringValue ?? name
        var attributes = JSONObject()
        if let display = inputs["displayName"]?.stringValue { attributes["DisplayName"] = .string(display) }
        let answer = try await client.call(SNSOperations.service, SNSOperations.createTopic, ["Name": .string(topic), "Attributes": .object(attributes)])
        let arn = answer["TopicArn"]?.stringValue ?? ""
        try await syncSubscriptions(arn, inputs: inputs)
        return (arn, inputs.merging(["topicName": .string(topic), "topicArn": .string(arn)]) { _, new in new })
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        var live = LiveValues(inputs: inputs)
        let attributes = try await client.call(SNSOperations.service, SNSOperations.getTopicAttributes, ["TopicArn": .string(id)])["Attributes"]
        live.output("topicArn", .string(id))
        live.set("displayName", attributes?["DisplayName"].flatMap { $0.stringValue?.isEmpty == false ? PropertyValue(json: $0) : nil }, default: nil)
        let subscriptions = try await client.all(SNSOperations.service, SNSOperations.listSubscriptionsByTopic, ["TopicArn": .string(id)], key: "Subscriptions")
            .map { PropertyValue.object(["protocol": PropertyValue(json: $0["Protocol"] ?? .null), "endpoint": PropertyValue(json: $0["Endpoint"] ?? .null)]) }
        live.set("subscription", subscriptions.isEmpty ? nil : LiveValues.list(subscriptions, like: inputs["subscription"]))
        return live.values
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        if let display = inputs["displayName"]?.stringValue {
            _ = try await client.call(SNSOperations.service, SNSOperations.setTopicAttributes, ["TopicArn": .string(id), "AttributeName": "DisplayName",
                                                                                               "AttributeValue": .string(display)])
        }
        try await syncSubscriptions(id, inputs: inputs)
        return try await readAfterUpdate(id: id, inputs: inputs) ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        _ = try await client.call(SNSOperations.service, SNSOperations.deleteTopic, ["TopicArn": .string(id)])
    }

    func syncSubscriptions(_ topic: String, inputs: [String: PropertyValue]) async throws {
        let existing = try await client.all(SNSOperations.service, SNSOperations.listSubscriptionsByTopic, ["TopicArn": .string(topic)], key: "Subscriptions")
        let have = Set(existing.map { "\($0["Protocol"]?.stringValue ?? "") \($0["Endpoint"]?.stringValue ?? "")" })
        for subscription in inputs["subscription"]?.plainJSON.arrayValue ?? [] {
            let key = "\(subscription["protocol"]?.stringValue ?? "") \(subscription["endpoint"]?.stringValue ?? "")"
            if have.contains(key) { continue }
            _ = try await client.call(SNSOperations.service, SNSOperations.subscribe, ["TopicArn": .string(topic), "Protocol": subscription["protocol"] ?? .null,
                                                                                      "Endpoint": subscription["endpoint"] ?? .null])
        }
    }
}
