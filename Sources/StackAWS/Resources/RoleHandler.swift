import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:iam:Role`: its declaration and its cloud calls.
struct RoleHandler: SupportingHandler {
    static let declaration = ResourceType("aws-native:iam:Role", naming: .init(property: "roleName"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let role = inputs["roleName"]?.stringValue ?? name
        var input: JSONObject = ["RoleName": .string(role), "AssumeRolePolicyDocument": Self.document(inputs["assumeRolePolicyDocument"])]
        if let value = inputs["description"] { input["Description"] = value.plainJSON }
        if let value = inputs["path"] { input["Path"] = value.plainJSON }
        if let value = inputs["maxSessionDuration"] { input["MaxSessionDuration"] = value.plainJSON }
        let answer = try await client.call(IAMOperations.service, IAMOperations.createRole, input)
        try await syncRolePolicies(role, old: nil, inputs: inputs)
        return (role, inputs.merging(["roleName": .string(role), "arn": .string(answer["Role"]?["Arn"]?.stringValue ?? ""),
                                      "roleId": .string(answer["Role"]?["RoleId"]?.stringValue ?? "")]) { _, new in new })
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        var live = LiveValues(inputs: inputs)
        guard let role = try await client.call(IAMOperations.service, IAMOperations.getRole, ["RoleName": .string(id)])["Role"] else { return nil }
        live.output("roleName", .string(id))
        live.output("arn", role["Arn"].map(PropertyValue.init(json:)))
        live.output("roleId", role["RoleId"].map(PropertyValue.init(json:)))
        live.set("assumeRolePolicyDocument", LiveValues.document(role["AssumeRolePolicyDocument"]?.stringValue, like: inputs["assumeRolePolicyDocument"]))
        live.set("description", role["Description"]?.stringValue.map(PropertyValue.string), default: nil)
        live.set("maxSessionDuration", LiveValues.number(role["MaxSessionDuration"]), default: .number(3600))
        live.set("path", role["Path"].map(PropertyValue.init(json:)), default: .string("/"))
        let attached = try await client.all(IAMOperations.service, IAMOperations.listAttachedRolePolicies, ["RoleName": .string(id)], key: "AttachedPolicies")
            .compactMap { $0["PolicyArn"]?.stringValue }.map(PropertyValue.string)
        live.set("managedPolicyArns", attached.isEmpty ? nil : LiveValues.list(attached, like: inputs["managedPolicyArns"]))
        var inline: [PropertyValue] = []
        let wantedPolicies = inputs["policies"]?.revealed
        for name in wantedPolicies == nil ? [] : try await client.all(IAMOperations.service, IAMOperations.listRolePolicies, ["RoleName": .string(id)], key: "PolicyNames").compactMap(\.stringValue) {
            let policy = try await client.call(IAMOperations.service, IAMOperations.getRolePolicy, ["RoleName": .string(id), "PolicyName": .string(name)])
            let like = wantedPolicies.flatMap { list -> PropertyValue? in
                guard case .array(let items) = list else { return nil }
                return items.first { $0["policyName"]?.stringValue == name }?["policyDocument"]
            }
            inline.append(.object(["policyName": .string(name),
                                   "policyDocument": LiveValues.document(policy["PolicyDocument"]?.stringValue, like: like) ?? .null]))
        }
        live.setIfManaged("policies", inline.isEmpty ? nil : LiveValues.list(inline, like: wantedPolicies))
        return live.values
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        if inputs["assumeRolePolicyDocument"] != old.inputs["assumeRolePolicyDocument"] {
            _ = try await client.call(IAMOperations.service, IAMOperations.updateAssumeRolePolicy, ["RoleName": .string(id),
                                                                                                   "PolicyDocument": Self.document(inputs["assumeRolePolicyDocument"])])
        }
        var input: JSONObject = ["RoleName": .string(id)]
        if let value = inputs["description"] { input["Description"] = value.plainJSON }
        if let value = inputs["maxSessionDuration"] { input["MaxSessionDuration"] = value.plainJSON }
        _ = try await client.call(IAMOperations.service, IAMOperations.updateRole, input)
        try await syncRolePolicies(id, old: old, inputs: inputs)
        return try await readAfterUpdate(id: id, inputs: inputs) ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        for arn in try await client.all(IAMOperations.service, IAMOperations.listAttachedRolePolicies, ["RoleName": .string(id)], key: "AttachedPolicies")
            .compactMap({ $0["PolicyArn"]?.stringValue }) {
            _ = try await client.call(IAMOperations.service, IAMOperations.detachRolePolicy, ["RoleName": .string(id), "PolicyArn": .string(arn)])
        }
        for name in try await client.all(IAMOperations.service, IAMOperations.listRolePolicies, ["RoleName": .string(id)], key: "PolicyNames")
            .compactMap(\.stringValue) {
            _ = try await client.call(IAMOperations.service, IAMOperations.deleteRolePolicy, ["RoleName": .string(id), "PolicyName": .string(name)])
        }
        _ = try await client.call(IAMOperations.service, IAMOperations.deleteRole, ["RoleName": .string(id)])
    }

    func syncRolePolicies(_ role: String, old: ResourceState?, inputs: [String: PropertyValue]) async throws {
        let wanted = Set((inputs["managedPolicyArns"]?.plainJSON.arrayValue ?? []).compactMap(\.stringValue))
        let had = Set((old?.inputs["managedPolicyArns"]?.plainJSON.arrayValue ?? []).compactMap(\.stringValue))
        for arn in wanted.subtracting(had).sorted() {
            _ = try await client.call(IAMOperations.service, IAMOperations.attachRolePolicy, ["RoleName": .string(role), "PolicyArn": .string(arn)])
        }
        for arn in had.subtracting(wanted).sorted() {
            _ = try await client.call(IAMOperations.service, IAMOperations.detachRolePolicy, ["RoleName": .string(role), "PolicyArn": .string(arn)])
        }
        for policy in inputs["policies"]?.plainJSON.arrayValue ?? [] {
            _ = try await client.call(IAMOperations.service, IAMOperations.putRolePolicy, [
                "RoleName": .string(role), "PolicyName": policy["policyName"] ?? .null,
                "PolicyDocument": policy["policyDocument"].map { $0.stringValue.map(JSONValue.string) ?? .string($0.serialized()) } ?? .null])
        }
    }
}
