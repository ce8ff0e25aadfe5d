import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:iot:Thing`: its declaration and its cloud calls.
struct ThingHandler: IoTHandler {
    static let declaration = ResourceType("aws-native:iot:Thing", naming: .init(property: "thingName"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let thingName = inputs["thingName"]?.stringValue ?? name
        var input: JSONObject = ["thingName": .string(thingName)]
        if let attributes = inputs["attributePayload"] { input["attributePayload"] = Self.json(attributes) }
        let answer = try await call(iot.createThing, input)
        return (thingName, ["thingName": .string(thingName), "arn": Self.string(answer["thingArn"]) ?? .null,
                            "id": Self.string(answer["thingId"]) ?? .null, "attributePayload": inputs["attributePayload"] ?? .null])
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        let answer = try await call(iot.describeThing, ["thingName": .string(id)])
        var result: [String: PropertyValue] = ["thingName": .string(id), "arn": Self.string(answer["thingArn"]) ?? .null,
                                               "id": Self.string(answer["thingId"]) ?? .null]
        let attributes = answer["attributes"].map(PropertyValue.init(json:)) ?? .object([:])
        if attributes != .object([:]) || inputs["attributePayload"] != nil { result["attributePayload"] = .object(["attributes": attributes]) }
        return result
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        var payload = Self.json(inputs["attributePayload"] ?? .object(["attributes": .object([:])]))
        if case .object(var object) = payload {
            // Attributes removed from the program are removed from the thing.
            var attributes = object["attributes"]?.objectValue ?? JSONObject()
            for key in (old.inputs["attributePayload"]?["attributes"]?.plainJSON.objectValue ?? JSONObject()).keys where attributes[key] == nil {
                attributes[key] = ""
            }
            object["attributes"] = .object(attributes)
            object["merge"] = true
            payload = .object(object)
        }
        _ = try await call(iot.updateThing, ["thingName": .string(id), "attributePayload": payload])
        return try await readAfterUpdate(id: id, inputs: inputs).map { outputs(inputs, $0) } ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        _ = try await call(iot.deleteThing, ["thingName": .string(id)])
    }
}
