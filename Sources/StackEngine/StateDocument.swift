import JSON
import StackModel

/// The two forms Pulumi stores and moves a stack's state in: the checkpoint file of a DIY backend
/// (`{"version": 3, "checkpoint": {"stack", "latest"}}`) and what `pulumi stack export` prints and
/// `pulumi stack import` reads (`{"version": 3, "deployment": ...}`). Versions 1 and 2 are
/// migrated as Pulumi migrates them; version 4 is read when it lists no feature Fleetdeck lacks.
public enum StateDocument {
    /// The checkpoint (version 3) for `stack import` of `bytes`: either form, any version Pulumi
    /// reads. Resources must belong to `project`/`stack`. Refused with the reason otherwise.
    public static func checkpoint(importing bytes: [UInt8], project: String, stack: String) throws -> [UInt8] {
        let document: JSONValue
        do { document = try JSONValue.parse(bytes) } catch { throw StateError.unsupported("not JSON: \(error)") }
        guard case .object(let top) = document else { throw StateError.unsupported("not a JSON object") }
        guard let version = top["version"]?.intValue else { throw StateError.unsupported("no \"version\" (a checkpoint or a stack export has one)") }
        guard (1...4).contains(version) else { throw StateError.unsupported("version \(version): Fleetdeck reads versions 1 to 4") }
        let features = (top["features"]?.arrayValue ?? []) + (top["checkpoint"]?["features"]?.arrayValue ?? [])
        if !features.isEmpty {
            throw StateError.unsupported("it needs the Pulumi features \(features.map { $0.stringValue ?? $0.serialized() }.joined(separator: ", ")), which Fleetdeck does not support")
        }
        var latest: JSONValue
        if let deployment = top["deployment"] {
            latest = deployment
        } else if let checkpoint = top["checkpoint"] {
            latest = checkpoint["latest"] ?? .null
        } else {
            throw StateError.unsupported("neither a checkpoint ({\"version\", \"checkpoint\"}) nor a stack export ({\"version\", \"deployment\"})")
        }
        if case .object(var fields) = latest {
            if fields["resources"] == .null { fields["resources"] = nil }
            if version < 3 {
                // The oldest deployments carry their time where later ones have a manifest.
                if let time = fields["time"] {
                    fields["time"] = nil
                    if fields["manifest"] == nil { fields["manifest"] = ["time": time, "magic": "", "version": ""] }
                }
                fields["resources"] = try fields["resources"].map { .array(try migrated(resources: $0)) }
                fields["pending_operations"] = try fields["pending_operations"].map { operations in
                    .array(try operations.arrayValue.map { operation in
                        guard case .object(var item) = operation, let resource = item["resource"] else { throw StateError.unsupported("a pending operation without a resource") }
                        item["resource"] = try migrated(resource: resource)
                        return .object(item)
                    })
                }
            }
            for resource in fields["resources"]?.arrayValue ?? [] {
                guard let text = resource["urn"]?.stringValue, let urn = URN(text) else { continue }  // the decoder names it
                guard urn.project == project, urn.stack == stack else {
                    throw StateError.unsupported("\(urn) belongs to stack '\(urn.stack)' of project '\(urn.project)', not '\(stack)' of '\(project)'")
                }
            }
            latest = .object(fields)
        } else if latest != .null {
            throw StateError.unsupported("the deployment is not an object")
        }
        let result: JSONValue = ["version": 3, "checkpoint": ["stack": .string("organization/\(project)/\(stack)"), "latest": latest]]
        let out = Array(result.pretty().utf8) + [10]
        do {
            _ = try CheckpointCoder(crypter: nil).decode(out)
        } catch let error as SecretsError where error == .noPassphrase(stack: "this") {
            // Secrets stay encrypted: their ciphertexts are stored as they are.
        }
        return out
    }

    /// What `stack export` prints: Pulumi's export form of a checkpoint (an empty deployment for a
    /// stack never deployed). `reveal` turns each secret's ciphertext into Pulumi's plaintext form.
    public static func export(checkpoint bytes: [UInt8], reveal: ((String) throws -> String)? = nil) throws -> [UInt8] {
        let document = try JSONValue.parse(bytes)
        guard document["version"]?.intValue == 3 else { throw StateError.unsupported("checkpoint version \(document["version"]?.serialized() ?? "missing") (expected 3)") }
        var deployment = document["checkpoint"]?["latest"] ?? .null
        if deployment == .null { deployment = ["manifest": ["time": "0001-01-01T00:00:00Z", "magic": "", "version": ""]] }
        if let reveal { deployment = try revealing(deployment, reveal) }
        let result: JSONValue = ["version": 3, "deployment": deployment]
        return Array(result.pretty().utf8) + [10]
    }

    static func revealing(_ value: JSONValue, _ reveal: (String) throws -> String) throws -> JSONValue {
        switch value {
        case .array(let items): return .array(try items.map { try revealing($0, reveal) })
        case .object(var object):
            if object[PropertyValue.signatureKey]?.stringValue == PropertyValue.secretSignature, let ciphertext = object["ciphertext"]?.stringValue {
                object["ciphertext"] = nil
                object["plaintext"] = .string(try reveal(ciphertext))
                return .object(object)
            }
            for key in object.keys { object[key] = try revealing(object[key]!, reveal) }
            return .object(object)
        default: return value
        }
    }

    static func migrated(resources: JSONValue) throws -> [JSONValue] {
        guard case .array(let items) = resources else { throw StateError.unsupported("\"resources\" is not a list") }
        return try items.map(migrated(resource:))
    }

    /// ResourceV1/V2 to V3, as Pulumi's `migrate` does: `defaults` dropped (deprecated and empty),
    /// every input taken to depend on every dependency.
    static func migrated(resource: JSONValue) throws -> JSONValue {
        guard case .object(var fields) = resource else { throw StateError.unsupported("a resource that is not an object") }
        fields["defaults"] = nil
        if fields["propertyDependencies"] == nil, let dependencies = fields["dependencies"], !dependencies.arrayValue.isEmpty {
            var map = JSONObject()
            for key in (fields["inputs"]?.objectValue?.keys).map(Array.init) ?? [] { map[key] = dependencies }
            if !map.isEmpty { fields["propertyDependencies"] = .object(map) }
        }
        return .object(fields)
    }
}
