/// Writes YAML for the files Fleetdeck owns (stack configuration, themes): block mappings and
/// sequences, scalars quoted only when plain style would change their meaning.
public enum YAMLWriter {
    public indirect enum Value: Equatable, Sendable {
        case scalar(String)
        /// A scalar written exactly as given (numbers, booleans, null).
        case literal(String)
        case sequence([Value])
        case mapping([(String, Value)])

        public static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case let (.scalar(a), .scalar(b)), let (.literal(a), .literal(b)): return a == b
            case let (.sequence(a), .sequence(b)): return a == b
            case let (.mapping(a), .mapping(b)): return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            default: return false
            }
        }
    }

    public static func document(_ value: Value) -> String {
        var out = ""
        write(value, indent: 0, into: &out, inline: false)
        return out
    }

    static func write(_ value: Value, indent: Int, into out: inout String, inline: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .scalar(let text): out += quote(text) + "\n"
        case .literal(let text): out += text + "\n"
        case .sequence(let items):
            if items.isEmpty { out += "[]\n"; return }
            if inline { out += "\n" }
            for item in items {
                out += pad + "- "
                switch item {
                case .mapping(let entries) where !entries.isEmpty:
                    var first = true
                    for (key, entryValue) in entries {
                        if !first { out += pad + "  " }
                        first = false
                        writeEntry(key, entryValue, indent: indent + 2, into: &out)
                    }
                default:
                    write(item, indent: indent + 2, into: &out, inline: true)
                }
            }
        case .mapping(let entries):
            if entries.isEmpty { out += "{}\n"; return }
            if inline { out += "\n" }
            for (key, entryValue) in entries {
                out += pad
                writeEntry(key, entryValue, indent: indent, into: &out)
            }
        }
    }

    static func writeEntry(_ key: String, _ value: Value, indent: Int, into out: inout String) {
        out += quote(key) + ":"
        switch value {
        case .mapping(let entries) where !entries.isEmpty:
            write(value, indent: indent + 2, into: &out, inline: true)
        case .sequence(let items) where !items.isEmpty:
            write(value, indent: indent, into: &out, inline: true)
        default:
            out += " "
            write(value, indent: indent + 2, into: &out, inline: true)
        }
    }

    /// The scalar as plain text when that reads back as the same string, else double-quoted.
    public static func quote(_ text: String) -> String {
        if needsQuotes(text) {
            var escaped = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                case "\t": escaped += "\\t"
                case "\r": escaped += "\\r"
                default:
                    if scalar.value < 0x20 { escaped += "\\x" + String(scalar.value, radix: 16).leftPadded(2) } else { escaped.unicodeScalars.append(scalar) }
                }
            }
            return escaped + "\""
        }
        return text
    }

    static func needsQuotes(_ text: String) -> Bool {
        if text.isEmpty { return true }
        let node = YAMLNode.scalar(text, .plain, tag: nil, YAMLMark(line: 1, column: 1))
        if node.scalarValue != .string(text) { return true }  // would read as null/bool/number
        if let first = text.first, "-?:,[]{}#&*!|>'\"%@`~ ".contains(first) { return true }
        if text.last == " " || text.last == ":" { return true }
        if text.contains(": ") || text.contains(" #") || text.contains("\n") || text.contains("\t") { return true }
        return text.unicodeScalars.contains { $0.value < 0x20 }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
