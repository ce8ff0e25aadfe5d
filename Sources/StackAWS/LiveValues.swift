import JSON
import StackModel

/// Resources read back as AWS has them, in the shape of the program's inputs, so that refresh
/// sees drift and an untouched resource shows none. A property the program sets is always
/// reported with AWS's value (absent when AWS has none); one it leaves out only when AWS holds
/// something other than the default (someone set it by hand).
struct LiveValues {
    let inputs: [String: PropertyValue]
    var values: [String: PropertyValue]

    /// Starts from the inputs: what a provider cannot read back (a Lambda's code, a bucket's
    /// canned ACL) keeps the program's value.
    init(inputs: [String: PropertyValue]) {
        self.inputs = inputs
        values = inputs.mapValues(\.revealed)
    }

    mutating func set(_ key: String, _ live: PropertyValue?, default fallback: PropertyValue? = nil) {
        if inputs[key] != nil {
            values[key] = live ?? fallback
        } else if let live, live != fallback {
            values[key] = live
        } else {
            values[key] = nil
        }
    }

    /// A property reported only when the program sets it (what another resource may manage, such
    /// as a role's inline policies that `RolePolicy` resources put there).
    mutating func setIfManaged(_ key: String, _ live: PropertyValue?) {
        if inputs[key] != nil { values[key] = live }
    }

    /// A number as the query APIs send it (text).
    static func number(_ json: JSONValue?) -> PropertyValue? {
        guard let json else { return nil }
        if let text = json.stringValue, let value = Double(text) { return .number(value) }
        return PropertyValue(json: json)
    }

    /// A computed output (an ARN, an id): always AWS's.
    mutating func output(_ key: String, _ live: PropertyValue?) {
        if let live, live != .null { values[key] = live }
    }

    /// A JSON document as AWS returns it (IAM percent-encodes them), shaped like the input: the
    /// text when the program gave text, else the parsed value.
    static func document(_ text: String?, like input: PropertyValue?) -> PropertyValue? {
        guard let text else { return nil }
        let decoded = text.hasPrefix("%") || text.contains("%22") ? percentDecoded(text) : text
        if case .string? = input?.revealed { return .string(decoded) }
        return (try? JSONValue.parse(Array(decoded.utf8))).map(PropertyValue.init(json:)) ?? .string(decoded)
    }

    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A list as AWS has it: in the program's order when both hold the same items (AWS does not
    /// keep the order), else AWS's items.
    static func list(_ live: [PropertyValue], like input: PropertyValue?) -> PropertyValue {
        if case .array(let wanted)? = input?.revealed, wanted.count == live.count, Set(wanted) == Set(live) { return .array(wanted) }
        return .array(live)
    }

    /// The object's members the input has, with AWS's values (a sub-object like a topic rule's
    /// payload, of which the program sets a few members).
    static func members(_ live: JSONObject, like input: PropertyValue?, always: [String] = []) -> PropertyValue {
        var result: [String: PropertyValue] = [:]
        let wanted = Set((input?.revealed.objectValue ?? [:]).keys).union(always)
        for key in wanted { if let value = live[key], value != .null { result[key] = PropertyValue(json: value) } }
        return .object(result)
    }
}

extension PropertyValue {
    var objectValue: [String: PropertyValue]? { if case .object(let fields) = self { return fields }; return nil }
}
