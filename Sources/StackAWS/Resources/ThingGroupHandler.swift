import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:iot:ThingGroup`: its declaration and its cloud calls.
struct ThingGroupHandler: IoTHandler {
    static let declaration = ResourceType("aws-native:iot:ThingGroup", naming: .init(property: "thingGroupName"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let groupName = inputs["thingGroupName"]?.stringValue ?? name
        var input: JSONObject = ["thingGroupName": .string(groupName)]
        if let parent = inputs["parentGroupName"] { input["parentGroupName"] = Self.json(parent) }
        if let properties = inputs["thingGroupProperties"] { input["thingGroupProperties"] = Self.json(properties) }
        let answer = try await call(iot.createThingGroup, input)
        return (groupName, outputs(inputs, ["thingGroupName": .string(groupName), "arn": Self.string(answer["thingGroupArn"]) ?? .null,
                                            "id": Self.string(answer["thingGroupId"]) ?? .null]))
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        let answer = try await call(iot.describeThingGroup, ["thingGroupName": .string(id)])
        var live = LiveValues(inputs: inputs)
        live.output("thingGroupName", .string(id))
        live.output("arn", Self.string(answer["thingGroupArn"]))
        live.output("id", Self.string(answer["thingGroupId"]))
        var properties = answer["thingGroupProperties"]?.objectValue ?? [:]
        if properties["attributePayload"]?["attributes"]?.objectValue?.isEmpty ?? true { properties["attributePayload"] = nil }
        live.set("thingGroupProperties", properties.isEmpty ? nil : LiveValues.members(properties, like: inputs["thingGroupProperties"],
                                                                                        always: ["thingGroupDescription", "attributePayload"]))
        return live.values
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        _ = try await call(iot.updateThingGroup, ["thingGroupName": .string(id),
                                                  "thingGroupProperties": Self.json(inputs["thingGroupProperties"] ?? .object([:]))])
        return try await readAfterUpdate(id: id, inputs: inputs).map { outputs(inputs, $0) } ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        _ = try await call(iot.deleteThingGroup, ["thingGroupName": .string(id)])
    }
}
