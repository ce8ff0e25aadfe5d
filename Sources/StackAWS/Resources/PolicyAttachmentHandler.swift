import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws:iot/policyAttachment:PolicyAttachment`: its declaration and its cloud calls.
struct PolicyAttachmentHandler: IoTHandler {
    static let declaration = ResourceType("aws:iot/policyAttachment:PolicyAttachment", identity: .pair("policy", "target"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let (policy, target) = try pair(inputs, "policy", "target")
        _ = try await call(iot.attachPolicy, ["policyName": .string(policy), "target": .string(target)])
        return ("\(policy)|\(target)", inputs)
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        let parts = id.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let attached = try await client.all(iot.service, iot.listAttachedPolicies, ["target": .string(parts[1])])
        return attached.contains { $0["policyName"]?.stringValue == parts[0] } ? ["policy": .string(parts[0]), "target": .string(parts[1])] : nil
    }

    func delete(id: String, old: ResourceState) async throws {
        let (policy, target) = try pair(old.inputs, "policy", "target")
        _ = try await call(iot.detachPolicy, ["policyName": .string(policy), "target": .string(target)])
    }
}
