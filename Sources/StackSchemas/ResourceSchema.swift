import StackModel
/// The value type of a resource property, as the resource schema declares it.
public indirect enum PropertySchema: Sendable, Equatable {
    case any
    case string
    case integer
    case number
    case boolean
    case array(PropertySchema)
    /// A map with free keys (`patternProperties`), values of one schema.
    case map(PropertySchema)
    case object([String: PropertySchema], required: [String])

    /// A short name for messages: "a string", "a list", "an object".
    public var noun: String {
        switch self {
        case .any: return "any value"
        case .string: return "a string"
        case .integer: return "an integer"
        case .number: return "a number"
        case .boolean: return "a boolean"
        case .array: return "a list"
        case .map, .object: return "an object"
        }
    }
}

/// What Fleetdeck knows of one resource type: its properties under aws-native names, which are
/// required, which force a replacement when changed (create-only), which the cloud computes
/// (read-only, outputs) and which are never read back (write-only).
public struct ResourceSchema: Sendable, Equatable {
    public var token: String
    public var cloudFormationType: String?
    public var properties: [String: PropertySchema]
    public var required: [String]
    /// Property paths (dotted, aws-native names) whose change means replace.
    public var createOnly: [String]
    public var readOnly: [String]
    public var writeOnly: [String]
    public var primaryIdentifier: [String]

    public init(token: String, cloudFormationType: String?, properties: [String: PropertySchema], required: [String],
                createOnly: [String], readOnly: [String], writeOnly: [String], primaryIdentifier: [String]) {
        self.token = token
        self.cloudFormationType = cloudFormationType
        self.properties = properties
        self.required = required
        self.createOnly = createOnly
        self.readOnly = readOnly
        self.writeOnly = writeOnly
        self.primaryIdentifier = primaryIdentifier
    }

    /// Properties a program may set (everything but the read-only ones).
    public var inputProperties: [String: PropertySchema] {
        properties.filter { !readOnly.contains($0.key) }
    }

    /// The schema for a type token, including the classic `aws:iot:` attachment types.
    public static func named(_ token: String) -> ResourceSchema? {
        all[token] ?? classic[TypeToken.canonical(token)] ?? providers[token]
    }

    /// Every supported token, sorted (for "did you mean" and help).
    public static var tokens: [String] { (Array(all.keys) + Array(classic.keys) + Array(providers.keys)).sorted() }

    /// Explicit provider resources (`options.provider`): the settings Fleetdeck applies, the same
    /// as the stack config's (any other setting is an unknown property, never ignored). A change
    /// is an update of the provider's record; the engine refuses one that would move resources.
    static let providers: [String: ResourceSchema] = Dictionary(uniqueKeysWithValues: ["pulumi:providers:aws-native", "pulumi:providers:aws"].map { token in
        (token, ResourceSchema(token: token, cloudFormationType: nil, properties: ["region": .string, "profile": .string], required: [],
                               createOnly: [], readOnly: [], writeOnly: [], primaryIdentifier: []))
    })

    /// The two classic-provider types the reference architecture uses: attachments with no
    /// CloudFormation schema, both replaced on any change.
    static let classic: [String: ResourceSchema] = [
        "aws:iot/policyAttachment:PolicyAttachment": ResourceSchema(
            token: "aws:iot/policyAttachment:PolicyAttachment", cloudFormationType: nil,
            properties: ["policy": .string, "target": .string], required: ["policy", "target"],
            createOnly: ["policy", "target"], readOnly: [], writeOnly: [], primaryIdentifier: ["policy", "target"]),
        "aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment": ResourceSchema(
            token: "aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment", cloudFormationType: nil,
            properties: ["thing": .string, "principal": .string], required: ["thing", "principal"],
            createOnly: ["thing", "principal"], readOnly: [], writeOnly: [], primaryIdentifier: ["thing", "principal"]),
    ]
}
