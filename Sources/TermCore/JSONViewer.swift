import JSON

/// A JSON document as foldable, coloured lines (objects and arrays fold at their opening line).
/// Values are shown whole: a string that holds a JSON object or list (a policy document, a
/// template body) is shown as its structure, and a string of several lines (code, YAML) as its
/// lines, each marked as such; nothing is escaped into one long line.
public enum JSONViewer {
    public struct Line: Sendable, Equatable {
        /// The path of the value that starts here ("" for the root), the fold key.
        public var path: String
        public var text: String
        /// "key", "string", "number", "literal", "punctuation": the colour role of `value`.
        public var key: String?
        public var value: String
        public var role: String
        public var indent: Int
        public var foldable: Bool
    }

    public static func lines(_ value: JSONValue, folded: Set<String>) -> [Line] {
        var lines: [Line] = []
        func scalar(_ value: JSONValue) -> (String, String) {
            switch value {
            case .string: return (value.serialized(), "string")
            case .integer, .double: return (value.serialized(), "number")
            default: return (value.serialized(), "literal")
            }
        }
        func opening(_ text: String, label: String?, path: String, indent: Int, marker: String) {
            lines.append(Line(path: path, text: "", key: label, value: marker + text, role: "punctuation", indent: indent, foldable: true))
        }
        func walk(_ value: JSONValue, key: String?, path: String, indent: Int, comma: Bool, marker: String = "") {
            let tail = comma ? "," : ""
            let label = key.map { JSONValue.string($0).serialized() + ": " }
            switch value {
            case .object(let object) where !object.isEmpty:
                if folded.contains(path) {
                    opening("{…} \(object.count) key\(object.count == 1 ? "" : "s")" + tail, label: label, path: path, indent: indent, marker: marker)
                    return
                }
                opening("{", label: label, path: path, indent: indent, marker: marker)
                for (index, (name, member)) in object.enumerated() {
                    walk(member, key: name, path: path + "." + name, indent: indent + 1, comma: index < object.count - 1)
                }
                lines.append(Line(path: path + "}", text: "", key: nil, value: "}" + tail, role: "punctuation", indent: indent, foldable: false))
            case .array(let items) where !items.isEmpty:
                if folded.contains(path) {
                    opening("[…] \(items.count) item\(items.count == 1 ? "" : "s")" + tail, label: label, path: path, indent: indent, marker: marker)
                    return
                }
                opening("[", label: label, path: path, indent: indent, marker: marker)
                for (index, item) in items.enumerated() {
                    walk(item, key: nil, path: path + "[\(index)]", indent: indent + 1, comma: index < items.count - 1)
                }
                lines.append(Line(path: path + "]", text: "", key: nil, value: "]" + tail, role: "punctuation", indent: indent, foldable: false))
            case .string(let text) where marker.isEmpty && embedded(text) != nil:
                walk(embedded(text)!, key: key, path: path, indent: indent, comma: comma, marker: "(JSON text) ")
            case .string(let text) where text.contains("\n"):
                let parts = text.split(separator: "\n", omittingEmptySubsequences: false)
                opening("(text, \(parts.count) lines)" + tail, label: label, path: path, indent: indent, marker: "")
                if folded.contains(path) { return }
                for (index, part) in parts.enumerated() {
                    lines.append(Line(path: path + "#\(index)", text: "", key: nil, value: "│ " + part, role: "string", indent: indent + 1, foldable: false))
                }
            default:
                let (text, role) = scalar(value)
                lines.append(Line(path: path, text: "", key: label, value: marker + text + tail, role: role, indent: indent, foldable: false))
            }
        }
        walk(value, key: nil, path: "", indent: 0, comma: false)
        for index in lines.indices {
            lines[index].text = String(repeating: "  ", count: lines[index].indent) + (lines[index].key ?? "") + lines[index].value
        }
        return lines
    }

    /// The JSON object or list a string holds, if it holds one.
    static func embedded(_ text: String) -> JSONValue? {
        guard let first = text.first(where: { !$0.isWhitespace }), first == "{" || first == "[",
              let parsed = try? JSONValue.parse(Array(text.utf8)) else { return nil }
        switch parsed {
        case .object(let object) where !object.isEmpty: return parsed
        case .array(let items) where !items.isEmpty: return parsed
        default: return nil
        }
    }
}
