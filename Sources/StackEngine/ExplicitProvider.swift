import StackModel

/// Explicit provider resources (`type: pulumi:providers:aws-native` with `options.provider` on
/// the resources it manages), as Pulumi records them: a state-only resource with a generated id,
/// and a `provider` reference (`<provider urn>::<id>`) on each resource it manages. A resource's
/// cloud calls run with its provider's settings in `ExplicitProvider.settings`, which the AWS
/// providers read to choose their client; resources without one use the stack's settings.
public enum ExplicitProvider {
    @TaskLocal public static var settings: [String: String]?

    public static func isProvider(_ type: String) -> Bool { type.hasPrefix("pulumi:providers:") }

    /// The provider a `provider` reference names, unless it is one of Pulumi's default providers
    /// (`default_1_20_0`: the stack's settings, as Fleetdeck's default).
    public static func explicitURN(ofReference reference: String) -> URN? {
        let parts = reference.components(separatedBy: "::")
        guard parts.count > 1, let urn = URN(parts.dropLast().joined(separator: "::")), isProvider(urn.type), !urn.name.hasPrefix("default") else { return nil }
        return urn
    }

    /// The settings a provider resource's inputs give.
    public static func settings(of inputs: [String: PropertyValue]) -> [String: String] {
        inputs.compactMapValues { $0.revealed.stringValue }
    }
}

/// The engine's provider for explicit provider resources: nothing in the cloud, an id made once.
public struct ProviderResources: ResourceProvider {
    public init() {}

    public var types: [ResourceType] { ["pulumi:providers:aws-native", "pulumi:providers:aws"].map { ResourceType($0) } }

    public func create(type: String, name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        (Self.newID(), inputs)
    }

    public func read(type: String, id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? { inputs }

    public func update(type: String, id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] { inputs }

    public func delete(type: String, id: String, old: ResourceState) async throws {}

    /// A random UUID (version 4), the form of Pulumi's provider ids.
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = bytes[6] & 0x0f | 0x40
        bytes[8] = bytes[8] & 0x3f | 0x80
        let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(hex[hex.index(hex.startIndex, offsetBy: range.lowerBound)..<hex.index(hex.startIndex, offsetBy: range.upperBound)])
        }
        return parts.joined(separator: "-")
    }
}

/// A provider whose every call runs with an explicit provider's settings.
struct SettingsBoundProvider: ResourceProvider {
    let inner: any ResourceProvider
    let settings: [String: String]

    var types: [ResourceType] { inner.types }

    func create(type: String, name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        try await ExplicitProvider.$settings.withValue(settings) { try await inner.create(type: type, name: name, inputs: inputs) }
    }

    func read(type: String, id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        try await ExplicitProvider.$settings.withValue(settings) { try await inner.read(type: type, id: id, inputs: inputs) }
    }

    func update(type: String, id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        try await ExplicitProvider.$settings.withValue(settings) { try await inner.update(type: type, id: id, old: old, inputs: inputs) }
    }

    func delete(type: String, id: String, old: ResourceState) async throws {
        try await ExplicitProvider.$settings.withValue(settings) { try await inner.delete(type: type, id: id, old: old) }
    }

    func identify(type: String, inputs: [String: PropertyValue], createdSince: Double?) async throws -> [String] {
        try await ExplicitProvider.$settings.withValue(settings) { try await inner.identify(type: type, inputs: inputs, createdSince: createdSince) }
    }
}
