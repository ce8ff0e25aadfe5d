import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:lambda:Permission`: its declaration and its cloud calls.
struct PermissionHandler: SupportingHandler {
    static let declaration = ResourceType("aws-native:lambda:Permission", identity: .lookup)
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let statement = "fleetdeck-\(name)"
        var input: JSONObject = ["FunctionName": inputs["functionName"]?.plainJSON ?? .null, "StatementId": .string(statement),
                                 "Action": inputs["action"]?.plainJSON ?? .null, "Principal": inputs["principal"]?.plainJSON ?? .null]
        if let value = inputs["sourceAccount"] { input["SourceAccount"] = value.plainJSON }
        if let value = inputs["sourceArn"] { input["SourceArn"] = value.plainJSON }
        _ = try await client.call(LambdaOperations.service, LambdaOperations.addPermission, input)
        let id = "\(inputs["functionName"]?.stringValue ?? "")|\(statement)"
        return (id, inputs.merging(["id": .string(id)]) { _, new in new })
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        var live = LiveValues(inputs: inputs)
        let parts = id.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let policy = try await client.call(LambdaOperations.service, LambdaOperations.getPolicy, ["FunctionName": .string(parts[0])])
        let statements = (try? JSONValue.parse(policy["Policy"]?.stringValue ?? "{}"))?["Statement"]?.arrayValue ?? []
        guard let statement = statements.first(where: { $0["Sid"]?.stringValue == parts[1] }) else { return nil }
        live.set("action", statement["Action"].map(PropertyValue.init(json:)))
        live.set("principal", (statement["Principal"]?["Service"] ?? statement["Principal"]).map(PropertyValue.init(json:)))
        live.set("sourceArn", statement["Condition"]?["ArnLike"]?["AWS:SourceArn"].map(PropertyValue.init(json:)))
        live.set("sourceAccount", statement["Condition"]?["StringEquals"]?["AWS:SourceAccount"].map(PropertyValue.init(json:)))
        return live.values
    }

    func delete(id: String, old: ResourceState) async throws {
        let parts = id.split(separator: "|", maxSplits: 1).map(String.init)
        _ = try await client.call(LambdaOperations.service, LambdaOperations.removePermission, ["FunctionName": .string(parts.first ?? ""),
                                                                                               "StatementId": .string(parts.last ?? "")])
    }
}
