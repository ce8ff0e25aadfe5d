import JSON
import StackModel
import YAMLSyntax

/// `Pulumi.<stack>.yaml`: the stack's configuration, with secrets as `secure:` ciphertexts and
/// the passphrase provider's `encryptionsalt`. Keys are `namespace:key`; other top-level
/// settings in the file are kept as they are.
public struct StackConfigFile: Sendable {
    public enum Entry: Sendable, Equatable {
        case value(JSONValue)
        case secure(String)
    }

    public var path: String
    public var encryptionSalt: String?
    public var entries: [String: Entry]
    /// Top-level keys Fleetdeck does not interpret, kept on rewrite.
    var otherKeys: [(String, YAMLWriter.Value)]
    /// The file as read, so an edit changes only the entries that changed (comments, order and
    /// layout kept, as `pulumi config set` keeps them).
    var original: (text: String, entries: [String: Entry], salt: String?)?

    public init(path: String) {
        self.path = path
        entries = [:]
        otherKeys = []
    }

    /// Reads the file; a missing file is an empty configuration.
    public static func load(path: String) throws(Diagnostic) -> StackConfigFile {
        var file = StackConfigFile(path: path)
        guard let bytes = AtomicFile.read(path) else { return file }
        let root: YAMLNode?
        do {
            root = try YAMLNode.parse(try YAMLNode.text(bytes))
        } catch {
            throw .error("YAML syntax: \(error.problem)", at: SourceLocation(file: path, line: error.mark.line, column: error.mark.column))
        }
        let originalText = String(decoding: bytes, as: UTF8.self)
        guard let root else {
            file.original = (originalText, [:], nil)
            return file
        }
        guard case .mapping(let top, _) = root else {
            throw .error("expected a mapping with 'config:'", at: SourceLocation(file: path, line: root.mark.line, column: root.mark.column))
        }
        for (keyNode, value) in top {
            let key = keyNode.scalarText ?? ""
            switch key {
            case "encryptionsalt": file.encryptionSalt = value.scalarText
            case "config":
                guard case .mapping(let configEntries, _) = value else {
                    if value.scalarValue == .null { continue }
                    throw .error("'config' must be a mapping of keys to values", at: SourceLocation(file: path, line: value.mark.line, column: value.mark.column))
                }
                for (configKey, configValue) in configEntries {
                    guard let name = configKey.scalarText, !name.isEmpty else { continue }
                    if case .mapping(let fields, _) = configValue, fields.count == 1, fields[0].key.scalarText == "secure",
                       let ciphertext = fields[0].value.scalarText {
                        file.entries[name] = .secure(ciphertext)
                    } else {
                        file.entries[name] = .value(json(configValue))
                    }
                }
            default:
                file.otherKeys.append((key, writerValue(value)))
            }
        }
        file.original = (originalText, file.entries, file.encryptionSalt)
        return file
    }

    /// A config value as Pulumi holds it: a top-level scalar as a string ("3", "true"; typed
    /// reading happens later), values inside lists and objects with their YAML types.
    static func json(_ node: YAMLNode, nested: Bool = false) -> JSONValue {
        switch node {
        case .scalar:
            guard nested, let scalar = node.scalarValue else { return .string(node.scalarText ?? "") }
            switch scalar {
            case .null: return .null
            case .bool(let flag): return .bool(flag)
            case .integer(let number): return .integer(Int64(number))
            case .double(let number): return .double(number)
            case .string(let text): return .string(text)
            }
        case .sequence(let items, _): return .array(items.map { json($0, nested: true) })
        case .mapping(let entries, _):
            var object = JSONObject()
            for (key, value) in entries { object[key.scalarText ?? ""] = json(value, nested: true) }
            return .object(object)
        }
    }

    /// A value with its `{secure: ...}` parts decrypted; whether it had any.
    static func revealing(_ json: JSONValue, _ decrypt: (String) throws -> String) throws -> (PropertyValue, Bool) {
        switch json {
        case .object(let object):
            if object.count == 1, let ciphertext = object["secure"]?.stringValue { return (.string(try decrypt(ciphertext)), true) }
            var fields: [String: PropertyValue] = [:]
            var secret = false
            for (key, value) in object {
                let (revealed, had) = try revealing(value, decrypt)
                fields[key] = revealed
                secret = secret || had
            }
            return (.object(fields), secret)
        case .array(let items):
            var secret = false
            let revealed = try items.map { item in
                let (value, had) = try revealing(item, decrypt)
                secret = secret || had
                return value
            }
            return (.array(revealed), secret)
        default:
            return (PropertyValue(json: json), false)
        }
    }

    static func writerValue(_ node: YAMLNode) -> YAMLWriter.Value {
        switch node {
        case .scalar(let text, let style, _, _):
            return style == .plain && node.scalarValue != .string(text) ? .literal(text) : .scalar(text)
        case .sequence(let items, _): return .sequence(items.map(writerValue))
        case .mapping(let entries, _): return .mapping(entries.map { ($0.key.scalarText ?? "", writerValue($0.value)) })
        }
    }

    static func writerValue(_ json: JSONValue) -> YAMLWriter.Value {
        switch json {
        case .string(let text): return .scalar(text)
        case .array(let items): return .sequence(items.map(writerValue))
        case .object(let object): return .mapping(object.map { ($0.key, writerValue($0.value)) })
        default: return .literal(json.serialized())
        }
    }

    /// The file's text: the file as read with only the changed entries edited in place; a new
    /// file (or one whose `config` is not a block mapping) written whole.
    public var text: String {
        guard let original else { return generated }
        var text = original.text
        if encryptionSalt != original.salt {
            guard original.salt == nil, let encryptionSalt else { return generated }
            text = "encryptionsalt: \(YAMLWriter.quote(encryptionSalt))\n" + text
        }
        for key in Set(entries.keys).union(original.entries.keys).sorted() where entries[key] != original.entries[key] {
            guard let edited = Self.edited(text, key: key, to: entries[key].map(Self.writerValue)) else { return generated }
            text = edited
        }
        return text
    }

    static func writerValue(_ entry: Entry) -> YAMLWriter.Value {
        switch entry {
        case .value(let json): return writerValue(json)
        case .secure(let ciphertext): return .mapping([("secure", .scalar(ciphertext))])
        }
    }

    /// `text` with the `config:` entry `key` replaced by `value`, added at the end of the block
    /// (nil `value`: removed); every other line as it was. Nil when `config` is not a block mapping.
    static func edited(_ text: String, key: String, to value: YAMLWriter.Value?) -> String? {
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        func indentation(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        func isContent(_ line: String) -> Bool {
            let trimmed = line.trimmingWhitespace()
            return !trimmed.isEmpty && !trimmed.hasPrefix("#")
        }
        func entryKey(_ line: String) -> String? {
            guard let node = try? YAMLNode.parse(line.trimmingWhitespace()), case .mapping(let entries, _) = node, entries.count == 1 else { return nil }
            return entries[0].key.scalarText
        }
        guard let header = lines.firstIndex(where: { $0.hasPrefix("config:") }) else {
            guard let value else { return text }
            return text + (text.isEmpty || text.hasSuffix("\n") ? "" : "\n") + "config:\n" + indented(key, value, by: 2)
        }
        let rest = lines[header].dropFirst("config:".count).trimmingWhitespace()
        guard rest.isEmpty || rest.hasPrefix("#") else { return nil }  // flow style: written whole
        var end = header + 1
        while end < lines.count, !isContent(lines[end]) || indentation(lines[end]) > 0 { end += 1 }
        while end > header + 1, !isContent(lines[end - 1]) { end -= 1 }  // trailing comments belong after
        let body = (header + 1)..<end
        let childIndent = body.first { isContent(lines[$0]) }.map { indentation(lines[$0]) } ?? 2
        let starts = body.filter { isContent(lines[$0]) && indentation(lines[$0]) == childIndent }
        if let startIndex = starts.firstIndex(where: { entryKey(lines[$0]) == key }) {
            let start = starts[startIndex]
            var stop = startIndex + 1 < starts.count ? starts[startIndex + 1] : end
            while stop > start + 1, !isContent(lines[stop - 1]) { stop -= 1 }  // comments above the next key stay with it
            let replacement = value.map { indented(key, $0, by: childIndent).components(separatedBy: "\n").dropLast() } ?? []
            lines.replaceSubrange(start..<stop, with: replacement)
        } else if let value {
            lines.insert(contentsOf: indented(key, value, by: childIndent).components(separatedBy: "\n").dropLast(), at: end)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func indented(_ key: String, _ value: YAMLWriter.Value, by indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        return YAMLWriter.document(.mapping([(key, value)])).components(separatedBy: "\n").map { $0.isEmpty ? $0 : pad + $0 }.joined(separator: "\n")
    }

    /// The whole file written anew: `encryptionsalt`, then `config` sorted by key, then other settings.
    var generated: String {
        var top: [(String, YAMLWriter.Value)] = []
        if let encryptionSalt { top.append(("encryptionsalt", .scalar(encryptionSalt))) }
        var config: [(String, YAMLWriter.Value)] = []
        for key in entries.keys.sorted() {
            switch entries[key]! {
            case .value(let json): config.append((key, Self.writerValue(json)))
            case .secure(let ciphertext): config.append((key, .mapping([("secure", .scalar(ciphertext))])))
            }
        }
        if !config.isEmpty { top.append(("config", .mapping(config))) }
        top += otherKeys
        return top.isEmpty ? "" : YAMLWriter.document(.mapping(top))
    }

    public func save() throws(AtomicFile.WriteError) {
        try AtomicFile.write(text, to: path, mode: 0o644)
    }

    /// `key` in the project's namespace unless it names one (`aws:region`).
    public static func fullKey(_ key: String, project: String) -> String {
        key.contains(":") ? key : "\(project):\(key)"
    }

    /// The configuration as evaluation reads it, secrets decrypted and marked secret.
    public func values(crypter: () throws -> PassphraseCrypter) throws -> [String: PropertyValue] {
        var values: [String: PropertyValue] = [:]
        var opened: PassphraseCrypter?
        for (key, entry) in entries {
            switch entry {
            case .value(let json):
                // Secrets inside objects (`pulumi config set --path --secret`) are decrypted, and
                // the whole value is secret from then on, as Pulumi marks it.
                let (value, secret) = try Self.revealing(json) { ciphertext in
                    if opened == nil { opened = try crypter() }
                    return try opened!.decrypt(ciphertext)
                }
                values[key] = secret ? .secret(value) : value
            case .secure(let ciphertext):
                if opened == nil { opened = try crypter() }
                values[key] = .secret(.string(try opened!.decrypt(ciphertext)))
            }
        }
        return values
    }
}
