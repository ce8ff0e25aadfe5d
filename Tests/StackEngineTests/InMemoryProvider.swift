import StackEngine
import StackModel
import StackSchemas
import Synchronization

/// A provider that keeps resources in memory, for tests of the engine's logic. Ids are the name
/// property when the type has one, else a counter.
public final class InMemoryProvider: ResourceProvider {
    public struct Record: Sendable, Equatable {
        public var type: String
        public var inputs: [String: PropertyValue]
    }

    private let state = Mutex<(resources: [String: Record], counter: Int, calls: [String], failing: Set<String>)>(([:], 0, [], []))

    public let types: [ResourceType]

    /// The types the engine tests use, named as the AWS providers name them.
    public static let testTypes: [ResourceType] = [
        ResourceType("aws-native:iot:Thing", naming: .init(property: "thingName")),
        ResourceType("aws-native:iot:ThingGroup", naming: .init(property: "thingGroupName")),
        ResourceType("aws-native:iot:ThingType", naming: .init(property: "thingTypeName")),
        ResourceType("aws-native:iot:Policy", naming: .init(property: "policyName")),
        ResourceType("aws-native:iot:TopicRule", naming: .init(property: "ruleName", separator: "_")),
        ResourceType("aws-native:s3:Bucket", naming: .init(property: "bucketName", lowercase: true)),
        ResourceType("aws:iot/policyAttachment:PolicyAttachment", identity: .pair("policy", "target")),
    ]

    public init(types: [ResourceType] = InMemoryProvider.testTypes) { self.types = types }

    public var resources: [String: Record] { state.withLock { $0.resources } }
    /// "create <id>", "update <id>", "delete <id>" in call order.
    public var calls: [String] { state.withLock { $0.calls } }

    /// Makes every call on a resource with this name property fail.
    public func fail(name: String) { state.withLock { _ = $0.failing.insert(name) } }

    func id(type: String, inputs: [String: PropertyValue]) -> String? {
        types.first { $0.token == type }?.id(inputs)
    }

    public func create(type: String, name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        try state.withLock { state in
            let id = self.id(type: type, inputs: inputs) ?? { state.counter += 1; return "\(name)-\(state.counter)" }()
            if state.failing.contains(id) { throw InMemoryError(message: "injected failure creating \(id)") }
            if state.resources[id] != nil { throw InMemoryError(message: "\(id) already exists") }
            state.resources[id] = Record(type: type, inputs: inputs)
            state.calls.append("create \(id)")
            var outputs = inputs
            outputs["arn"] = .string("arn:memory:\(type):\(id)")
            return (id, outputs)
        }
    }

    public func read(type: String, id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        state.withLock { state in
            guard let record = state.resources[id] else { return nil }
            var outputs = record.inputs
            outputs["arn"] = .string("arn:memory:\(type):\(id)")
            return outputs
        }
    }

    public func update(type: String, id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        try state.withLock { state in
            if state.failing.contains(id) { throw InMemoryError(message: "injected failure updating \(id)") }
            state.resources[id] = Record(type: type, inputs: inputs)
            state.calls.append("update \(id)")
            var outputs = inputs
            outputs["arn"] = .string("arn:memory:\(type):\(id)")
            return outputs
        }
    }

    public func delete(type: String, id: String, old: ResourceState) async throws {
        try state.withLock { state in
            if state.failing.contains(id) { throw InMemoryError(message: "injected failure deleting \(id)") }
            state.resources[id] = nil
            state.calls.append("delete \(id)")
        }
    }

    /// Changes a resource behind the engine's back (drift).
    public func tamper(id: String, inputs: [String: PropertyValue]) {
        state.withLock { $0.resources[id]?.inputs = inputs }
    }
}

public struct InMemoryError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
