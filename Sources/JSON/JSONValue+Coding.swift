/// Why a JSON text could not be read: the byte offset, line and column, and what was wrong.
public struct JSONParseError: Error, Equatable, CustomStringConvertible, Sendable {
    public var line: Int
    public var column: Int
    public var reason: String
    public var description: String { "line \(line), column \(column): \(reason)" }

    public init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }
}

extension JSONValue {
    /// Parses UTF-8 JSON (RFC 8259). Numbers without fraction or exponent that fit in 64 bits
    /// become `.integer`.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: Array(bytes))
        return try parser.parseDocument()
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Compact JSON text.
    public func serialized(sortedKeys: Bool = false) -> String {
        var out = [UInt8]()
        write(to: &out, indent: nil, level: 0, sortedKeys: sortedKeys)
        return String(decoding: out, as: UTF8.self)
    }

    /// Indented JSON text (two spaces), for people.
    public func pretty(sortedKeys: Bool = false) -> String {
        var out = [UInt8]()
        write(to: &out, indent: 2, level: 0, sortedKeys: sortedKeys)
        return String(decoding: out, as: UTF8.self)
    }

    public var bytes: [UInt8] {
        var out = [UInt8]()
        write(to: &out, indent: nil, level: 0, sortedKeys: false)
        return out
    }

    static func format(_ value: Double) -> String {
        if value.isNaN || value.isInfinite { return "null" }
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    func write(to out: inout [UInt8], indent: Int?, level: Int, sortedKeys: Bool) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .integer(let value): out += Array(String(value).utf8)
        case .double(let value): out += Array(Self.format(value).utf8)
        case .string(let text): Self.writeString(text, to: &out)
        case .array(let items):
            if items.isEmpty { out += [91, 93]; return }
            out.append(91)
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(44) }
                Self.newline(&out, indent, level + 1)
                item.write(to: &out, indent: indent, level: level + 1, sortedKeys: sortedKeys)
            }
            Self.newline(&out, indent, level)
            out.append(93)
        case .object(let object):
            if object.isEmpty { out += [123, 125]; return }
            out.append(123)
            let keys = sortedKeys ? object.keys.sorted() : object.keys
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(44) }
                Self.newline(&out, indent, level + 1)
                Self.writeString(key, to: &out)
                out.append(58)
                if indent != nil { out.append(32) }
                object[key]!.write(to: &out, indent: indent, level: level + 1, sortedKeys: sortedKeys)
            }
            Self.newline(&out, indent, level)
            out.append(125)
        }
    }

    private static func newline(_ out: inout [UInt8], _ indent: Int?, _ level: Int) {
        guard let indent else { return }
        out.append(10)
        out += [UInt8](repeating: 32, count: indent * level)
    }

    /// Appends `text` as a JSON string literal (quoted, escaped).
    public static func writeString(_ text: String, to out: inout [UInt8]) {
        let hex = Hex.digits
        out.append(34)
        for byte in text.utf8 {
            switch byte {
            case 34: out += [92, 34]
            case 92: out += [92, 92]
            case 10: out += [92, 110]
            case 13: out += [92, 114]
            case 9: out += [92, 116]
            case 0..<32: out += [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(34)
    }
}

struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw error("unexpected text after the JSON value") }
        return value
    }

    func error(_ reason: String) -> JSONParseError {
        var line = 1, column = 1
        for byte in bytes[..<min(index, bytes.count)] {
            if byte == 10 { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return JSONParseError(line: line, column: column, reason: reason)
    }

    mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 32 || bytes[index] == 10 || bytes[index] == 13 || bytes[index] == 9 { index += 1 }
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case 123: return try parseObject()
        case 91: return try parseArray()
        case 34: return .string(try parseString())
        case 116: try literal("true"); return .bool(true)
        case 102: try literal("false"); return .bool(false)
        case 110: try literal("null"); return .null
        case 45, 48...57: return try parseNumber()
        default: throw error("unexpected character '\(String(decoding: [bytes[index]], as: UTF8.self))'")
        }
    }

    mutating func literal(_ word: String) throws(JSONParseError) {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw error("invalid literal")
        }
        index += expected.count
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        depth += 1
        guard depth < 512 else { throw error("nesting too deep") }
        defer { depth -= 1 }
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if index < bytes.count, bytes[index] == 125 { index += 1; return .object(object) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == 34 else { throw error("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == 58 else { throw error("expected ':' after key \(JSONValue.string(key.count > 60 ? String(key.prefix(60)) + "…" : key).serialized())") }
            index += 1
            skipWhitespace()
            object[key] = try parseValue()
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object") }
            if bytes[index] == 44 { index += 1; continue }
            if bytes[index] == 125 { index += 1; return .object(object) }
            throw error("expected ',' or '}' in an object")
        }
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        depth += 1
        guard depth < 512 else { throw error("nesting too deep") }
        defer { depth -= 1 }
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == 93 { index += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an array") }
            if bytes[index] == 44 { index += 1; continue }
            if bytes[index] == 93 { index += 1; return .array(items) }
            throw error("expected ',' or ']' in an array")
        }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count, bytes[index] != 34, bytes[index] != 92, bytes[index] >= 32 { index += 1 }
        if index < bytes.count, bytes[index] == 34 {
            defer { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        var out = Array(bytes[start..<index])
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let byte = bytes[index]
            if byte == 34 { index += 1; return String(decoding: out, as: UTF8.self) }
            if byte < 32 { throw error("control character in a string") }
            if byte != 92 { out.append(byte); index += 1; continue }
            index += 1
            guard index < bytes.count else { throw error("unterminated escape") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case 34: out.append(34)
            case 92: out.append(92)
            case 47: out.append(47)
            case 98: out.append(8)
            case 102: out.append(12)
            case 110: out.append(10)
            case 114: out.append(13)
            case 116: out.append(9)
            case 117:
                var scalar = try hex4()
                if scalar >= 0xD800, scalar < 0xDC00 {
                    guard index + 1 < bytes.count, bytes[index] == 92, bytes[index + 1] == 117 else { throw error("unpaired surrogate") }
                    index += 2
                    let low = try hex4()
                    guard low >= 0xDC00, low < 0xE000 else { throw error("invalid surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                out += Array(String(Character(unicode)).utf8)
            default: throw error("invalid escape")
            }
        }
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("short \\u escape") }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            let digit: UInt32
            switch byte {
            case 48...57: digit = UInt32(byte - 48)
            case 65...70: digit = UInt32(byte - 55)
            case 97...102: digit = UInt32(byte - 87)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == 45 { index += 1 }
        guard index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 else { throw error("invalid number") }
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 48 && byte <= 57 { index += 1; continue }
            if byte == 46 || byte == 101 || byte == 69 || byte == 43 || byte == 45 { isInteger = false; index += 1; continue }
            break
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let value = Int64(text) { return .integer(value) }
        guard let value = Double(text) else { throw error("invalid number '\(text)'") }
        return .double(value)
    }
}
