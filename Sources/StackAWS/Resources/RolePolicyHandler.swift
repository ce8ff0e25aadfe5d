import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:iam:RolePolicy`: its declaration and its cloud calls.
struct RolePolicyHandler: SupportingHandler {
    static let declaration = ResourceType("aws-native:iam:RolePolicy", identity: .pair("policyName", "roleName"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let (role, policy) = (inputs["roleName"]?.stringValue ?? "", inputs["policyName"]?.stringValue ?? name)
        _ = try await client.call(IAMOperations.service, IAMOperations.putRolePolicy, ["RoleName": .string(role), "PolicyName": .string(policy),
                                                                                      "PolicyDocument": Self.document(inputs["policyDocument"])])
        return ("\(policy)|\(role)", inputs)
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        var live = LiveValues(inputs: inputs)
        let parts = id.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let policy = try await client.call(IAMOperations.service, IAMOperations.getRolePolicy, ["RoleName": .string(parts[1]), "PolicyName": .string(parts[0])])
        live.set("policyDocument", LiveValues.document(policy["PolicyDocument"]?.stringValue, like: inputs["policyDocument"]))
        return live.values
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        _ = try await client.call(IAMOperations.service, IAMOperations.putRolePolicy, ["RoleName": inputs["roleName"]?.plainJSON ?? .null,
                                                                                      "PolicyName": inputs["policyName"]?.plainJSON ?? .null,
                                                                                      "PolicyDocument": Self.document(inputs["policyDocument"])])
        return try await readAfterUpdate(id: id, inputs: inputs) ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        let parts = id.split(separator: "|", maxSplits: 1).map(String.init)
        _ = try await client.call(IAMOperations.service, IAMOperations.deleteRolePolicy, ["RoleName": .string(parts.last ?? ""), "PolicyName": .string(parts.first ?? "")])
    }
}
