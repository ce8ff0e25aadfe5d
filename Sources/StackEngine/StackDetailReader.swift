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
        /// Names of the resources this one depends on (within the stack).
        public var dependencies: [String]
        /// Its outputs as the cloud reported them, secrets as "[secret]".
        public var properties: JSONValue
    }

    /// A checkpoint value with every secret replaced by "[secret]".
    public static func masked(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            if object[PropertyValue.signatureKey]?.stringValue == PropertyValue.secretSignature { return "[secret]" }
            return .object(JSONObject(object.map { ($0.key, masked($0.value)) }))
        case .array(let items): return .array(items.map(masked))
        default: return value
        }
    }

    public struct Output: Sendable, Equatable {
        public var name: String
        /// The value as text; "[secret]" for a secret.
        public var value: String
        public var secret: Bool

        public init(name: String, value: String, secret: Bool) {
            self.name = name
            self.value = value
            self.secret = secret
        }
    }

    /// One update of the stack's history.
    public struct HistoryEntry: Sendable, Equatable {
        public var kind: String
        public var start: String
        public var end: String
        public var result: String
        /// "create 3, update 1".
        public var changes: String
        public var planHash: String?
        public var user: String?
        /// "4s", "1m3s" (Pulumi's form); "" when the record has no times.
        public var duration: String
        /// The whole record (the config, the environment, the changes), for reading.
        public var record: JSONValue

        public init(kind: String, start: String, end: String, result: String, changes: String, planHash: String?, user: String?,
                    duration: String = "", record: JSONValue = .null) {
            self.kind = kind
            self.start = start
            self.end = end
            self.result = result
            self.changes = changes
            self.planHash = planHash
            self.user = user
            self.duration = duration
            self.record = record
        }
    }

    public static func read(_ checkpoint: [UInt8]?) -> (resources: [Resource], outputs: [Output], pending: [String]) {
        guard let checkpoint, let latest = (try? JSONValue.parse(checkpoint))?["checkpoint"]?["latest"] else { return ([], [], []) }
        var resources: [Resource] = []
        var outputs: [Output] = []
        for item in latest["resources"]?.arrayValue ?? [] {
            guard let urn = item["urn"]?.stringValue.flatMap(URN.init) else { continue }
            if urn.type == "pulumi:pulumi:Stack" {
                for (key, value) in item["outputs"]?.objectValue ?? JSONObject() {
                    let secret = value[PropertyValue.signatureKey]?.stringValue == PropertyValue.secretSignature
                    outputs.append(Output(name: key, value: secret ? "[secret]" : value.stringValue ?? value.serialized(), secret: secret))
                }
                continue
            }
            guard item["custom"]?.boolValue == true, !urn.type.hasPrefix("pulumi:") else { continue }
            let dependencies = (item["dependencies"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(URN.init)?.name }
            resources.append(Resource(name: urn.name, type: urn.type, id: item["id"]?.stringValue ?? "", protect: item["protect"]?.boolValue ?? false,
                                      dependencies: dependencies, properties: masked(item["outputs"] ?? .object(JSONObject()))))
        }
        let pending = (latest["pending_operations"]?.arrayValue ?? []).compactMap { item -> String? in
            guard let urn = item["resource"]?["urn"]?.stringValue.flatMap(URN.init) else { return nil }
            return "\(urn.name) (\(item["type"]?.stringValue ?? "?"))"
        }
        return (resources, outputs.sorted { $0.name < $1.name }, pending)
    }

    /// The history records a backend keeps, newest first: Pulumi's `UpdateInfo` (times in Unix
    /// seconds) or the ISO times earlier Fleetdeck versions wrote. A record that cannot be read is
    /// listed as such, not left out.
    public static func history(_ records: [[UInt8]]) -> [HistoryEntry] {
        records.reversed().map { bytes in
            guard let record = try? JSONValue.parse(bytes), record.objectValue != nil else {
                return HistoryEntry(kind: "?", start: "", end: "", result: "unreadable record", changes: "", planHash: nil, user: nil)
            }
            let changes = (record["resourceChanges"]?.objectValue ?? JSONObject()).map { "\($0.key) \($0.value.serialized())" }.joined(separator: ", ")
            func time(_ value: JSONValue?) -> String {
                if let seconds = value?.intValue { return CivilTime(secondsSince1970: Int64(seconds)).iso8601 }
                return value?.stringValue ?? ""
            }
            var duration = ""
            if let start = record["startTime"]?.intValue, let end = record["endTime"]?.intValue { duration = PlanText.duration(Double(end - start)) }
            return HistoryEntry(kind: record["kind"]?.stringValue ?? "", start: time(record["startTime"]),
                                end: time(record["endTime"]), result: record["result"]?.stringValue ?? "", changes: changes.isEmpty ? "none" : changes,
                                planHash: record["planHash"]?.stringValue, user: record["environment"]?["user"]?.stringValue, duration: duration, record: record)
        }
    }
}
