import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:iot:RoleAlias`: its declaration and its cloud calls.
struct RoleAliasHandler: IoTHandler {
    static let declaration = ResourceType("aws-native:iot:RoleAlias", naming: .init(property: "roleAlias"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let alias = inputs["roleAlias"]?.stringValue ?? name
        var input: JSONObject = ["roleAlias": .string(alias), "roleArn": Self.json(inputs["roleArn"])]
        if let duration = inputs["credentialDurationSeconds"] { input["credentialDurationSeconds"] = Self.json(duration) }
        let answer = try await call(iot.createRoleAlias, input)
        return (alias, outputs(inputs, ["roleAlias": .string(alias), "roleAliasArn": Self.string(answer["roleAliasArn"]) ?? .null]))
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        let answer = try await call(iot.describeRoleAlias, ["roleAlias": .string(id)])
        let description = answer["roleAliasDescription"]
        return outputs(inputs, ["roleAlias": .string(id), "roleAliasArn": Self.string(description?["roleAliasArn"]) ?? .null,
                                "roleArn": Self.string(description?["roleArn"]) ?? .null,
                                "credentialDurationSeconds": description?["credentialDurationSeconds"].map(PropertyValue.init(json:)) ?? .null])
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        var input: JSONObject = ["roleAlias": .string(id)]
        if let arn = inputs["roleArn"] { input["roleArn"] = Self.json(arn) }
        if let duration = inputs["credentialDurationSeconds"] { input["credentialDurationSeconds"] = Self.json(duration) }
        _ = try await call(iot.updateRoleAlias, input)
        return try await readAfterUpdate(id: id, inputs: inputs).map { outputs(inputs, $0) } ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        _ = try await call(iot.deleteRoleAlias, ["roleAlias": .string(id)])
    }
}
