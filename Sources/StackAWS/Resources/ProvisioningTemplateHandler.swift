import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:iot:ProvisioningTemplate`: its declaration and its cloud calls.
struct ProvisioningTemplateHandler: IoTHandler {
    static let declaration = ResourceType("aws-native:iot:ProvisioningTemplate", naming: .init(property: "templateName"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let template = inputs["templateName"]?.stringValue ?? name
        let answer = try await call(iot.createProvisioningTemplate, Self.templateInput(inputs, name: template))
        return (template, outputs(inputs, ["templateName": .string(template), "templateArn": Self.string(answer["templateArn"]) ?? .null]))
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        let answer = try await call(iot.describeProvisioningTemplate, ["templateName": .string(id)])
        var live = LiveValues(inputs: inputs)
        live.output("templateName", .string(id))
        live.output("templateArn", Self.string(answer["templateArn"]))
        live.set("templateBody", LiveValues.document(answer["templateBody"]?.stringValue, like: inputs["templateBody"]))
        live.set("enabled", answer["enabled"].map(PropertyValue.init(json:)), default: .bool(false))
        live.set("provisioningRoleArn", Self.string(answer["provisioningRoleArn"]))
        live.set("description", Self.string(answer["description"]))
        live.set("preProvisioningHook", answer["preProvisioningHook"]?.objectValue.map { LiveValues.members($0, like: inputs["preProvisioningHook"], always: ["targetArn"]) })
        return live.values
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        // The body is versioned: a new default version, then the template's own settings.
        if inputs["templateBody"] != old.inputs["templateBody"] {
            let versions = try await call(iot.listProvisioningTemplateVersions, ["templateName": .string(id)])["versions"]?.arrayValue ?? []
            let old = versions.filter { $0["isDefaultVersion"]?.boolValue != true }
            for version in old.prefix(max(0, versions.count - 4)) {
                _ = try await call(iot.deleteProvisioningTemplateVersion, ["templateName": .string(id), "versionId": version["versionId"] ?? .null])
            }
            _ = try await call(iot.createProvisioningTemplateVersion, ["templateName": .string(id), "templateBody": Self.document(inputs["templateBody"]),
                                                                       "setAsDefault": true])
        }
        var input: JSONObject = ["templateName": .string(id)]
        for key in ["description", "enabled", "provisioningRoleArn", "preProvisioningHook"] { if let value = inputs[key] { input[key] = value.plainJSON } }
        if old.inputs["preProvisioningHook"] != nil && inputs["preProvisioningHook"] == nil { input["removePreProvisioningHook"] = true }
        _ = try await call(iot.updateProvisioningTemplate, input)
        return try await readAfterUpdate(id: id, inputs: inputs).map { outputs(inputs, $0) } ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        _ = try await call(iot.deleteProvisioningTemplate, ["templateName": .string(id)])
    }

    static func templateInput(_ inputs: [String: PropertyValue], name: String) -> JSONObject {
        var input: JSONObject = ["templateName": .string(name), "templateBody": Self.document(inputs["templateBody"]),
                                 "provisioningRoleArn": inputs["provisioningRoleArn"]?.plainJSON ?? .null]
        for key in ["description", "enabled", "preProvisioningHook"] { if let value = inputs[key] { input[key] = value.plainJSON } }
        if let type = inputs["templateType"] { input["type"] = type.plainJSON }
        return input
    }
}
