import StackModel
import StackSchemas

/// What the engine knows of a resource type, declared by the provider that implements it: its
/// schema, how a program leaves its physical name to be generated, how an existing one is found
/// again (to adopt what a crashed or unanswered create made), and whether something outside the
/// stack can block its delete. The engine itself names no cloud type.
public struct ResourceType: Sendable {
    /// The property holding the physical name, and what generated names may contain.
    public struct Naming: Sendable, Equatable {
        public var property: String
        public var separator: String
        public var lowercase: Bool

        public init(property: String, separator: String = "-", lowercase: Bool = false) {
            self.property = property
            self.separator = separator
            self.lowercase = lowercase
        }
    }

    /// How the id of a resource these inputs describe is known before the cloud answers.
    public enum Identity: Sendable, Equatable {
        /// Its id is its name (the naming property).
        case name
        /// Its id is this input (an account-wide setting: the account id).
        case property(String)
        /// Its id joins two inputs with "|" (an attachment: the pair it joins).
        case pair(String, String)
        /// Only the provider can find it (`identify`: a certificate by its CSR's public key).
        case lookup
    }

    public var token: String
    public var naming: Naming?
    public var identity: Identity
    /// Things outside the stack can stop its delete (policies still attached, objects in a bucket).
    public var deleteMayBeBlocked: Bool

    public init(_ token: String, naming: Naming? = nil, identity: Identity = .lookup, deleteMayBeBlocked: Bool = false) {
        self.token = token
        self.naming = naming
        self.identity = naming != nil && identity == .lookup ? .name : identity
        self.deleteMayBeBlocked = deleteMayBeBlocked
    }

    public var schema: ResourceSchema? { ResourceSchema.named(token) }

    /// The id a resource with these inputs has, when the inputs say it.
    public func id(_ inputs: [String: PropertyValue]) -> String? {
        switch identity {
        case .name: return naming.flatMap { inputs[$0.property]?.stringValue }
        case .property(let key): return inputs[key]?.stringValue
        case .pair(let first, let second):
            guard let a = inputs[first]?.stringValue, let b = inputs[second]?.stringValue else { return nil }
            return "\(a)|\(b)"
        case .lookup: return nil
        }
    }
}
