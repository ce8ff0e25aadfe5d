import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:iot:Policy`: its declaration and its cloud calls.
struct IoTPolicyHandler: IoTHandler {
    static let declaration = ResourceType("aws-native:iot:Policy", naming: .init(property: "policyName"), deleteMayBeBlocked: true)
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let policyName = inputs["policyName"]?.stringValue ?? name
        let answer = try await call(iot.createPolicy, ["policyName": .string(policyName), "policyDocument": Self.document(inputs["policyDocument"])])
        return (policyName, outputs(inputs, ["policyName": .string(policyName), "arn": Self.string(answer["policyArn"]) ?? .null,
                                             "id": .string(policyName)]))
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        let answer = try await call(iot.getPolicy, ["policyName": .string(id)])
        var result = outputs(inputs, ["policyName": .string(id), "arn": Self.string(answer["policyArn"]) ?? .null, "id": .string(id)])
        if let text = answer["policyDocument"]?.stringValue, let parsed = try? JSONValue.parse(text) {
            result["policyDocument"] = inputs["policyDocument"].map { if case .string = $0.revealed { return .string(text) }; return PropertyValue(json: parsed) }
                ?? PropertyValue(json: parsed)
        }
        return result
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        try await pruneVersions(id)
        _ = try await call(iot.createPolicyVersion, ["policyName": .string(id), "policyDocument": Self.document(inputs["policyDocument"]),
                                                     "setAsDefault": true])
        return try await readAfterUpdate(id: id, inputs: inputs).map { outputs(inputs, $0) } ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        let versions = try await call(iot.listPolicyVersions, ["policyName": .string(id)])["policyVersions"]?.arrayValue ?? []
        for version in versions where version["isDefaultVersion"]?.boolValue != true {
            _ = try await call(iot.deletePolicyVersion, ["policyName": .string(id), "policyVersionId": version["versionId"] ?? .null])
        }
        _ = try await call(iot.deletePolicy, ["policyName": .string(id)])
    }

    /// IoT keeps at most 5 versions of a policy: delete the oldest non-default ones first.
    func pruneVersions(_ policy: String) async throws {
        let versions = try await call(iot.listPolicyVersions, ["policyName": .string(policy)])["policyVersions"]?.arrayValue ?? []
        let removable = versions.filter { $0["isDefaultVersion"]?.boolValue != true }
            .sorted { Int($0["versionId"]?.stringValue ?? "0") ?? 0 < Int($1["versionId"]?.stringValue ?? "0") ?? 0 }
        for version in removable.prefix(max(0, versions.count - 4)) {
            _ = try await call(iot.deletePolicyVersion, ["policyName": .string(policy), "policyVersionId": version["versionId"] ?? .null])
        }
    }
}
