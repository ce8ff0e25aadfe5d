import JSON

/// A resource property value as Pulumi models it: JSON plus secrets, values not known until
/// a resource exists, assets and archives, and references to other resources.
public indirect enum PropertyValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([PropertyValue])
    case object([String: PropertyValue])
    /// A value that must stay encrypted in state and masked on screens.
    case secret(PropertyValue)
    /// Computed by the cloud when the resource is created or updated; unknown in a preview.
    case unknown
    case asset(Asset)
    case archive(Archive)

    public var isSecret: Bool { if case .secret = self { return true }; return false }

    /// Whether the value holds a secret anywhere inside.
    public var containsSecret: Bool {
        switch self {
        case .secret: return true
        case .array(let items): return items.contains { $0.containsSecret }
        case .object(let fields): return fields.values.contains { $0.containsSecret }
        default: return false
        }
    }

    /// Whether the value holds an unknown anywhere inside.
    public var containsUnknown: Bool {
        switch self {
        case .unknown: return true
        case .secret(let inner): return inner.containsUnknown
        case .array(let items): return items.contains { $0.containsUnknown }
        case .object(let fields): return fields.values.contains { $0.containsUnknown }
        default: return false
        }
    }

    /// The value with secrets unwrapped (for providers, which need the plain value).
    public var revealed: PropertyValue {
        switch self {
        case .secret(let inner): return inner.revealed
        case .array(let items): return .array(items.map(\.revealed))
        case .object(let fields): return .object(fields.mapValues(\.revealed))
        default: return self
        }
    }

    public var stringValue: String? {
        switch self {
        case .string(let text): return text
        case .secret(let inner): return inner.stringValue
        case .number(let value): return Self.format(value)
        case .bool(let value): return value ? "true" : "false"
        default: return nil
        }
    }

    public subscript(key: String) -> PropertyValue? {
        switch self {
        case .object(let fields): return fields[key]
        case .secret(let inner): return inner[key].map { .secret($0) }
        default: return nil
        }
    }

    public static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

/// A file's contents for a resource: inline text, a local path, or a URI.
public struct Asset: Sendable, Hashable {
    public var text: String?
    public var path: String?
    public var uri: String?
    /// SHA-256 of the contents (hex), filled when the contents are known.
    public var hash: String?

    public init(text: String? = nil, path: String? = nil, uri: String? = nil, hash: String? = nil) {
        self.text = text
        self.path = path
        self.uri = uri
        self.hash = hash
    }
}

/// A set of files for a resource (a Lambda zip): a path to a folder or archive, or named assets.
public struct Archive: Sendable, Hashable {
    public var path: String?
    public var assets: [String: PropertyValue]?
    public var hash: String?

    public init(path: String? = nil, assets: [String: PropertyValue]? = nil, hash: String? = nil) {
        self.path = path
        self.assets = assets
        self.hash = hash
    }
}

extension PropertyValue {
    /// Pulumi's signature key and values in serialized property maps.
    public static let signatureKey = "4dabf18193072939515e22adb298388d"
    public static let secretSignature = "1b47061264138c4ac30d75fd1eb44270"
    public static let assetSignature = "c44067f5952c0a294b673a41bacd8c17"
    public static let archiveSignature = "0def7320c3a5731c473e5ecbe6d01bc7"
    public static let unknownSentinel = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

    /// Plain JSON to a property value (no signatures interpreted).
    public init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .integer(let value): self = .number(Double(value))
        case .double(let value): self = .number(value)
        case .string(let text): self = .string(text)
        case .array(let items): self = .array(items.map(PropertyValue.init(json:)))
        case .object(let object):
            var fields: [String: PropertyValue] = [:]
            for (key, value) in object { fields[key] = PropertyValue(json: value) }
            self = .object(fields)
        }
    }

    /// Plain JSON for a provider or a display: secrets revealed, unknowns as null.
    public var plainJSON: JSONValue {
        switch self {
        case .null, .unknown: return .null
        case .bool(let value): return .bool(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 9e15 { return .integer(Int64(value)) }
            return .double(value)
        case .string(let text): return .string(text)
        case .array(let items): return .array(items.map(\.plainJSON))
        case .object(let fields):
            var object = JSONObject()
            for key in fields.keys.sorted() { object[key] = fields[key]!.plainJSON }
            return .object(object)
        case .secret(let inner): return inner.plainJSON
        case .asset(let asset): return asset.text.map(JSONValue.string) ?? asset.path.map(JSONValue.string) ?? .null
        case .archive(let archive): return archive.path.map(JSONValue.string) ?? .null
        }
    }
}
