import StackModel

/// Creates, reads, updates and deletes resources of some types in the cloud. Inputs arrive
/// with secrets revealed; outputs include the inputs as the cloud sees them.
public protocol ResourceProvider: Sendable {
    /// The types this provider implements, with their naming, identity and delete rules.
    var types: [ResourceType] { get }
    func create(type: String, name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue])
    /// The resource as it is now, or nil when it no longer exists.
    func read(type: String, id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]?
    func update(type: String, id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]
    func delete(type: String, id: String, old: ResourceState) async throws
    /// The ids of existing resources that these inputs would have created (newest first), made
    /// at or after `createdSince` (seconds since 1970) when it is given, for types whose id the
    /// inputs do not name (a certificate: those with the CSR's public key). Used to settle a
    /// create that happened but was not recorded, and to find one that happened twice (a dead
    /// run's request that landed late). Empty: none found, or the type cannot tell.
    func identify(type: String, inputs: [String: PropertyValue], createdSince: Double?) async throws -> [String]
}

extension ResourceProvider {
    public func identify(type: String, inputs: [String: PropertyValue], createdSince: Double?) async throws -> [String] { [] }
}

/// How long a request the engine sends can take to land in the cloud (the client's timeout for
/// every attempt it may make, and the waits between them), and the wall clock it is counted on.
public struct RequestLifetime: Sendable {
    public var seconds: Double
    public var now: @Sendable () -> Double

    public init(seconds: Double, now: @escaping @Sendable () -> Double) {
        self.seconds = seconds
        self.now = now
    }
}

/// Every type the providers implement, and the provider of each: the one place the engine learns
/// what a type token means.
public struct ProviderRegistry: Sendable {
    public let providers: [any ResourceProvider]
    private let byToken: [String: (type: ResourceType, provider: Int)]

    public init(_ providers: [any ResourceProvider]) {
        self.providers = providers
        var byToken: [String: (type: ResourceType, provider: Int)] = [:]
        for (index, provider) in providers.enumerated() {
            for type in provider.types where byToken[type.token] == nil { byToken[type.token] = (type, index) }
        }
        self.byToken = byToken
    }

    public func provider(for type: String) -> (any ResourceProvider)? { byToken[type].map { providers[$0.provider] } }
    public func type(_ token: String) -> ResourceType? { byToken[token]?.type }
    public var tokens: [String] { byToken.keys.sorted() }
}

/// What the engine reports as it works, for the command line and the dashboard.
public enum EngineEvent: Sendable {
    case planned(Plan)
    case stepStarted(Step)
    case stepFinished(Step, seconds: Double)
    case stepFailed(Step, error: String, seconds: Double)
    case message(String)
}

/// A failure of one resource's step: the resource and the cloud's error.
public struct StepFailure: Error, CustomStringConvertible, Sendable {
    public var urn: URN
    public var kind: StepKind
    public var reason: String
    public var description: String { "\(kind.rawValue) of \(urn.name) (\(urn.type)) failed: \(reason)" }
}

/// A create refused because a resource with that identity already exists (thrown by providers
/// for the cloud's "already exists" errors). When it is the resource the step was creating (its
/// earlier answer was lost), the engine adopts it.
public struct AlreadyExists: Error, CustomStringConvertible, Sendable {
    public var underlying: String
    public init(underlying: String) { self.underlying = underlying }
    public var description: String { underlying }
}
