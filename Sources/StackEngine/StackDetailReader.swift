import JSON
import StackModel

/// Reads what the dashboard shows of a stack straight from its checkpoint, without decrypting
/// anything: secret outputs stay "[secret]".
public enum StackDetailReader {
    public struct Resource: Sendable, Equatable {
        public var name: String
        public var type: String
        public var id: String
        public var protect: Bool
    }

    public static func read(_ checkpoint: [UInt8]?) -> (resources: [Resource], outputs: [(String, String)], pending: [String]) {
        guard let checkpoint, let latest = (try? JSONValue.parse(checkpoint))?["checkpoint"]?["latest"] else { return ([], [], []) }
        var resources: [Resource] = []
        var outputs: [(String, String)] = []
        for item in latest["resources"]?.arrayValue ?? [] {
            guard let urn = item["urn"]?.stringValue.flatMap(URN.init) else { continue }
            if urn.type == "pulumi:pulumi:Stack" {
                for (key, value) in item["outputs"]?.objectValue ?? JSONObject() {
                    outputs.append((key, value[PropertyValue.signatureKey]?.stringValue == PropertyValue.secretSignature ? "[secret]" : value.stringValue ?? value.serialized()))
                }
                continue
            }
            guard item["custom"]?.boolValue == true, !urn.type.hasPrefix("pulumi:") else { continue }
            resources.append(Resource(name: urn.name, type: urn.type, id: item["id"]?.stringValue ?? "", protect: item["protect"]?.boolValue ?? false))
        }
        let pending = (latest["pending_operations"]?.arrayValue ?? []).compactMap { item -> String? in
            guard let urn = item["resource"]?["urn"]?.stringValue.flatMap(URN.init) else { return nil }
            return "\(urn.name) (\(item["type"]?.stringValue ?? "?"))"
        }
        return (resources, outputs.sorted { $0.0 < $1.0 }, pending)
    }
}
