/// Standard base64 (RFC 4648, with padding), FoundationEssentials-free.
public enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let n = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            index += 3
        }
        let rest = input.count - index
        if rest == 1 {
            let n = UInt32(input[index]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], 61, 61]
        } else if rest == 2 {
            let n = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], 61]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base64 (whitespace ignored); nil when malformed.
    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for byte in text.utf8 where byte != 10 && byte != 13 && byte != 32 && byte != 9 {
            if byte == 61 { values.append(64); continue }
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt8(value))
        }
        guard values.count % 4 == 0 else { return nil }
        var out = [UInt8]()
        var index = 0
        while index < values.count {
            let chunk = values[index..<index + 4]
            let a = chunk[index], b = chunk[index + 1], c = chunk[index + 2], d = chunk[index + 3]
            guard a < 64, b < 64 else { return nil }
            out.append(a << 2 | b >> 4)
            if c < 64 { out.append((b & 15) << 4 | c >> 2) } else if index + 4 != values.count || d < 64 { return nil }
            if d < 64 { out.append((c & 3) << 6 | d) } else if index + 4 != values.count { return nil }
            index += 4
        }
        return out
    }
}

/// Lower-case hexadecimal (base 16), FoundationEssentials-free.
public enum Hex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
