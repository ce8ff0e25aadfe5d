import JSON
import StackModel

/// One resource as state records it (Pulumi's checkpoint v3 `resources[]`).
public struct ResourceState: Sendable, Equatable {
    public var urn: URN
    public var custom: Bool
    public var id: String
    public var type: String
    public var inputs: [String: PropertyValue]
    public var outputs: [String: PropertyValue]
    public var dependencies: [URN]
    public var protect: Bool
    public var retainOnDelete: Bool
    public var importID: String?
    /// Fields Pulumi writes that Fleetdeck keeps as they are without acting on them (`parent`,
    /// `provider`, `aliases`, ...; see `CheckpointCoder.keptFields`), so a stack moved back to
    /// Pulumi has them.
    public var kept: JSONObject

    public init(urn: URN, custom: Bool = true, id: String, type: String, inputs: [String: PropertyValue], outputs: [String: PropertyValue],
                dependencies: [URN] = [], protect: Bool = false, retainOnDelete: Bool = false, importID: String? = nil, kept: JSONObject = [:]) {
        self.urn = urn
        self.custom = custom
        self.id = id
        self.type = type
        self.inputs = inputs
        self.outputs = outputs
        self.dependencies = dependencies
        self.protect = protect
        self.retainOnDelete = retainOnDelete
        self.importID = importID
        self.kept = kept
    }

    /// The `provider` reference Pulumi records (`<provider urn>::<id>`), if any.
    public var providerReference: String? { kept["provider"]?.stringValue }

    /// This state managed by the explicit provider `reference` names (unchanged when nil).
    public func providedBy(_ reference: String?) -> ResourceState {
        guard let reference else { return self }
        var copy = self
        copy.kept["provider"] = .string(reference)
        return copy
    }

    /// This new state of a resource with the Pulumi fields its old state kept.
    public func keeping(fieldsOf old: ResourceState?) -> ResourceState {
        guard let old, !old.kept.isEmpty else { return self }
        var copy = self
        copy.kept = old.kept
        return copy
    }

    /// With Pulumi's `propertyDependencies`: every input, and the resources its value refers to.
    public func dependingByProperty(_ map: [String: [URN]]) -> ResourceState {
        var copy = self
        var object = JSONObject()
        for key in inputs.keys.sorted() { object[key] = .array((map[key] ?? []).map { .string($0.description) }) }
        copy.kept["propertyDependencies"] = .object(object)
        return copy
    }
}

/// An operation that began and has not been recorded as finished: after a crash these are
/// settled by reading the resource back.
public struct PendingOperation: Sendable, Equatable {
    public enum Kind: String, Sendable { case creating, updating, deleting, reading, importing }
    public var kind: Kind
    /// What the operation was making: the new inputs (for a delete, the resource). Until it is
    /// settled, the state still holds what was there before (an update's or replace's old resource).
    public var resource: ResourceState
    /// When the run that began it could have sent its request, and when that request can last
    /// land (seconds since 1970; the journal records them for creates found only by lookup, so
    /// settling does not conclude "never created" while a dead run's request may still land).
    public var window: LandingWindow?

    public init(kind: Kind, resource: ResourceState, window: LandingWindow? = nil) {
        self.kind = kind
        self.resource = resource
        self.window = window
    }
}

/// The span in which a request sent for an operation can take effect in the cloud: from the
/// moment the operation began until the client's timeouts and retries have all run out.
public struct LandingWindow: Sendable, Equatable {
    public var from: Double
    public var until: Double

    public init(from: Double, until: Double) {
        self.from = from
        self.until = until
    }
}

/// The latest deployment of a stack.
public struct Deployment: Sendable, Equatable {
    public var time: String
    public var secretsSaltState: String?
    public var resources: [ResourceState]
    public var pendingOperations: [PendingOperation]
    /// Resources replaced create-before-delete whose delete has not happened yet: Pulumi's
    /// `"delete": true` entries. The next update deletes them first.
    public var pendingDeletes: [ResourceState]
    /// Pulumi's deployment `metadata` (integrity notes), kept as it is.
    public var metadata: JSONValue?

    public init(time: String, secretsSaltState: String? = nil, resources: [ResourceState] = [], pendingOperations: [PendingOperation] = [],
                pendingDeletes: [ResourceState] = [], metadata: JSONValue? = nil) {
        self.metadata = metadata
        self.time = time
        self.secretsSaltState = secretsSaltState
        self.resources = resources
        self.pendingOperations = pendingOperations
        self.pendingDeletes = pendingDeletes
    }

    /// Custom resources, without Pulumi's stack and provider resources.
    public var managed: [ResourceState] { resources.filter { $0.custom && !$0.type.hasPrefix("pulumi:") } }
    /// What a program that no longer declares it (or a destroy) deletes: the managed resources and
    /// the explicit provider resources (Pulumi's default providers stay with the stack).
    public var deletable: [ResourceState] {
        resources.filter { $0.custom && (!$0.type.hasPrefix("pulumi:") || (ExplicitProvider.isProvider($0.type) && !$0.urn.name.hasPrefix("default"))) }
    }

    public func resource(_ urn: URN) -> ResourceState? { resources.first { $0.urn == urn } }
}

/// Encodes and decodes checkpoints in Pulumi's JSON format, encrypting secrets with the
/// stack's passphrase crypter (a checkpoint with secrets cannot be written without one).
public struct CheckpointCoder: Sendable {
    public static let magic = "fleetdeck"
    public var crypter: PassphraseCrypter?

    public init(crypter: PassphraseCrypter?) { self.crypter = crypter }

    public func encode(stack: String, project: String, deployment: Deployment) throws -> [UInt8] {
        var latest = JSONObject()
        latest["manifest"] = ["time": .string(deployment.time), "magic": .string(Self.magic), "version": "fleetdeck/0.1.0"]
        if let salt = deployment.secretsSaltState ?? crypter?.saltState {
            latest["secrets_providers"] = ["type": "passphrase", "state": ["salt": .string(salt)]]
        }
        latest["resources"] = .array(try deployment.resources.map(encode) + deployment.pendingDeletes.map { old in
            guard case .object(var object) = try encode(old) else { return .null }
            object["delete"] = true
            return .object(object)
        })
        if !deployment.pendingOperations.isEmpty {
            latest["pending_operations"] = .array(try deployment.pendingOperations.map { operation in
                ["resource": try encode(operation.resource), "type": .string(operation.kind.rawValue)]
            })
        }
        if let metadata = deployment.metadata { latest["metadata"] = metadata }
        let document: JSONValue = ["version": 3, "checkpoint": ["stack": .string("organization/\(project)/\(stack)"), "latest": .object(latest)]]
        return Array(document.pretty().utf8) + [10]
    }

    public func encode(_ resource: ResourceState) throws -> JSONValue {
        var object = JSONObject()
        object["urn"] = .string(resource.urn.description)
        object["custom"] = .bool(resource.custom)
        if !resource.id.isEmpty { object["id"] = .string(resource.id) }
        object["type"] = .string(resource.type)
        object["inputs"] = try encode(properties: resource.inputs)
        object["outputs"] = try encode(properties: resource.outputs)
        if !resource.dependencies.isEmpty { object["dependencies"] = .array(resource.dependencies.map { .string($0.description) }) }
        if resource.protect { object["protect"] = true }
        if resource.retainOnDelete { object["retainOnDelete"] = true }
        if let importID = resource.importID { object["importID"] = .string(importID) }
        for (key, value) in resource.kept where object[key] == nil { object[key] = value }
        return .object(object)
    }

    /// A deployment's fields (Pulumi's DeploymentV3).
    static let deploymentFields: Set<String> = ["manifest", "secrets_providers", "resources", "pending_operations", "metadata"]

    /// Resource fields Fleetdeck reads and writes itself.
    static let ownFields: Set<String> = ["urn", "custom", "id", "type", "inputs", "outputs", "dependencies", "protect", "retainOnDelete",
                                         "importID", "delete"]
    /// Pulumi's resource fields that change nothing Fleetdeck does: kept as they are.
    public static let keptFields: Set<String> = ["parent", "provider", "propertyDependencies", "additionalSecretOutputs", "aliases",
                                                 "customTimeouts", "sourcePosition", "stackTrace", "initErrors", "created", "modified",
                                                 "ignoreChanges", "replaceOnChanges", "deleteBeforeReplace", "hideDiffs", "replacementTrigger",
                                                 "refreshBeforeUpdate", "resourceHooks"]
    /// Pulumi's resource fields that change what a deploy must do and that Fleetdeck does not
    /// implement: a resource with one set (not false or empty) is refused, never misread.
    public static let refusedFields: [String: String] = [
        "external": "is external (read with get, not managed by the stack)",
        "pendingReplacement": "is pending replacement (deleted before a replace that did not finish)",
        "taint": "is tainted (marked for replacement)",
        "deletedWith": "is deleted with another resource (deletedWith)",
        "viewOf": "is a view of another resource",
    ]

    func encode(properties: [String: PropertyValue]) throws -> JSONValue {
        var object = JSONObject()
        for key in properties.keys.sorted() { object[key] = try encode(properties[key]!) }
        return .object(object)
    }

    public func encode(_ value: PropertyValue) throws -> JSONValue {
        switch value {
        case .null, .unknown: return .null
        case .bool(let flag): return .bool(flag)
        case .number: return value.plainJSON
        case .string(let text): return .string(text)
        case .array(let items): return .array(try items.map(encode))
        case .object(let fields): return try encode(properties: fields)
        case .secret(let inner):
            guard let crypter else { throw SecretsError.noPassphrase(stack: "this") }
            let plaintext = try encode(inner).serialized(sortedKeys: true)
            return [PropertyValue.signatureKey: .string(PropertyValue.secretSignature), "ciphertext": .string(try crypter.encrypt(plaintext))]
        case .asset(let asset):
            var object: JSONObject = [PropertyValue.signatureKey: .string(PropertyValue.assetSignature)]
            if let hash = asset.hash { object["hash"] = .string(hash) }
            if let text = asset.text { object["text"] = .string(text) }
            if let path = asset.path { object["path"] = .string(path) }
            if let uri = asset.uri { object["uri"] = .string(uri) }
            return .object(object)
        case .archive(let archive):
            var object: JSONObject = [PropertyValue.signatureKey: .string(PropertyValue.archiveSignature)]
            if let hash = archive.hash { object["hash"] = .string(hash) }
            if let path = archive.path { object["path"] = .string(path) }
            if let assets = archive.assets { object["assets"] = try encode(properties: assets) }
            return .object(object)
        }
    }

    /// Reads a checkpoint; `nil` deployment for a stack that was never deployed.
    public func decode(_ bytes: [UInt8]) throws -> Deployment? {
        let document = try JSONValue.parse(bytes)
        guard document["version"]?.intValue == 3 else {
            throw StateError.unsupported("checkpoint version \(document["version"]?.serialized() ?? "missing") (expected 3)")
        }
        guard let latest = document["checkpoint"]?["latest"], latest != .null else { return nil }
        for key in latest.objectValue?.keys ?? [] where !Self.deploymentFields.contains(key) {
            throw StateError.unsupported("the deployment has the field '\(key)', which Fleetdeck does not know (state written by a newer Pulumi?)")
        }
        if let provider = latest["secrets_providers"]?["type"]?.stringValue, provider != "passphrase" {
            throw StateError.unsupported("its secrets provider is '\(provider)', and Fleetdeck reads and writes passphrase secrets only "
                                         + "(first: pulumi stack change-secrets-provider passphrase)")
        }
        var deployment = Deployment(time: latest["manifest"]?["time"]?.stringValue ?? "", metadata: latest["metadata"])
        deployment.secretsSaltState = latest["secrets_providers"]?["state"]?["salt"]?.stringValue
        for item in latest["resources"]?.arrayValue ?? [] {
            let resource = try decodeResource(item)
            if item["delete"]?.boolValue == true { deployment.pendingDeletes.append(resource) } else { deployment.resources.append(resource) }
        }
        deployment.pendingOperations = try (latest["pending_operations"]?.arrayValue ?? []).map { item in
            PendingOperation(kind: PendingOperation.Kind(rawValue: item["type"]?.stringValue ?? "") ?? .updating,
                             resource: try decodeResource(item["resource"] ?? .null))
        }
        return deployment
    }

    public func decodeResource(_ json: JSONValue) throws -> ResourceState {
        guard let text = json["urn"]?.stringValue, let urn = URN(text) else { throw StateError.unsupported("a resource without a valid urn") }
        // Components (and their children, whose URNs carry the parent's type: `a$b`) are
        // program-side groupings Fleetdeck's programs never make; state holding them is refused.
        if text.components(separatedBy: "::").dropFirst(2).first?.contains("$") == true {
            throw StateError.unsupported("\(text) is the child of a component resource, which Fleetdeck does not support")
        }
        if json["custom"]?.boolValue != true, urn.type != "pulumi:pulumi:Stack" {
            throw StateError.unsupported("\(text) is a component resource (\(json["type"]?.stringValue ?? urn.type)), which Fleetdeck does not support")
        }
        var kept = JSONObject()
        for (key, value) in json.objectValue ?? [:] where !Self.ownFields.contains(key) {
            if let why = Self.refusedFields[key] {
                if value == .null || value == false || value == "" || value == .array([]) { continue }
                throw StateError.unsupported("\(urn) \(why), which Fleetdeck does not support")
            }
            guard Self.keptFields.contains(key) else {
                throw StateError.unsupported("\(urn) has the field '\(key)', which Fleetdeck does not know (state written by a newer Pulumi?)")
            }
            kept[key] = value
        }
        var dependencies: [URN] = []
        for item in json["dependencies"]?.arrayValue ?? [] {
            guard let text = item.stringValue, let dependency = URN(text) else {
                throw StateError.unsupported("\(urn) has a dependency that is not a URN: \(item.serialized())")
            }
            dependencies.append(dependency)
        }
        return ResourceState(urn: urn, custom: json["custom"]?.boolValue ?? false, id: json["id"]?.stringValue ?? "",
                             type: json["type"]?.stringValue.map(TypeToken.canonical) ?? urn.type,
                             inputs: try decode(properties: json["inputs"]), outputs: try decode(properties: json["outputs"]),
                             dependencies: dependencies,
                             protect: json["protect"]?.boolValue ?? false, retainOnDelete: json["retainOnDelete"]?.boolValue ?? false,
                             importID: json["importID"]?.stringValue, kept: kept)
    }

    func decode(properties json: JSONValue?) throws -> [String: PropertyValue] {
        var values: [String: PropertyValue] = [:]
        for (key, value) in json?.objectValue ?? JSONObject() { values[key] = try decode(value) }
        return values
    }

    public func decode(_ json: JSONValue) throws -> PropertyValue {
        switch json {
        case .array(let items): return .array(try items.map(decode))
        case .object(let object):
            switch object[PropertyValue.signatureKey]?.stringValue {
            case PropertyValue.secretSignature?:
                if let plaintext = object["plaintext"]?.stringValue { return .secret(try decode(JSONValue.parse(plaintext))) }
                guard let ciphertext = object["ciphertext"]?.stringValue else { throw StateError.unsupported("a secret without ciphertext") }
                guard let crypter else { throw SecretsError.noPassphrase(stack: "this") }
                return .secret(try decode(JSONValue.parse(try crypter.decrypt(ciphertext))))
            case PropertyValue.assetSignature?:
                return .asset(Asset(text: object["text"]?.stringValue, path: object["path"]?.stringValue, uri: object["uri"]?.stringValue,
                                    hash: object["hash"]?.stringValue))
            case PropertyValue.archiveSignature?:
                return .archive(Archive(path: object["path"]?.stringValue, assets: try object["assets"].map { try decode(properties: $0) },
                                        hash: object["hash"]?.stringValue))
            default:
                var fields: [String: PropertyValue] = [:]
                for (key, value) in object { fields[key] = try decode(value) }
                return .object(fields)
            }
        default:
            if json.stringValue == PropertyValue.unknownSentinel { return .unknown }
            return PropertyValue(json: json)
        }
    }
}

/// Problems with stored state, each naming what is wrong.
public enum StateError: Error, Equatable, CustomStringConvertible, Sendable {
    case unsupported(String)
    case locked(stack: String, holder: String)
    case stackExists(String)
    /// A stack neither the backend nor the project folder (its `Pulumi.<stack>.yaml`) knows; `known` are the ones there are.
    case noSuchStack(String, known: [String] = [])
    case stackNotEmpty(String, count: Int)
    case io(String)
    case wrongAccount(stack: String, expected: String, actual: String, arn: String)
    case planOutdated(hash: String)

    public var description: String {
        switch self {
        case .unsupported(let what): return "unsupported state: \(what)"
        case let .locked(stack, holder): return "stack '\(stack)' is locked by \(holder); if that run is gone, 'fleetdeck stack unlock -s \(stack)'"
        case .stackExists(let stack): return "stack '\(stack)' already exists"
        case let .noSuchStack(stack, known):
            return "no stack named '\(stack)'" + (known.isEmpty ? "" : " (this project has: \(known.joined(separator: ", ")))")
                + "; 'fleetdeck stack init \(stack)' creates it"
        case let .stackNotEmpty(stack, count): return "stack '\(stack)' still has \(count) resources: 'fleetdeck destroy -s \(stack)' first, or 'stack rm --force'"
        case .io(let message): return message
        case .planOutdated(let hash):
            return "the program, config or state changed since plan \(hash) was approved: nothing was changed; preview again"
        case let .wrongAccount(stack, expected, actual, arn):
            return "stack '\(stack)' belongs to AWS account \(expected), but the credentials are for account \(actual) (\(arn)): nothing was changed"
        }
    }
}
