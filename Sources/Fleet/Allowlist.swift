/// The allowlist of serial numbers (thing names) that the pre-provisioning hook and
/// `fleet reconcile` both read. Its format, defined once here and in the hook
/// (`examples/iot-ref-arch/lambdas/pre_provisioning_hook.py`), with shared cases in
/// `examples/iot-ref-arch/allowlist-cases.json`:
///
/// - UTF-8 text, one serial number per line, matched exactly (`0001` is not `GG-0001`);
/// - whitespace around a line is ignored, as are blank lines and lines whose first character
///   (after that whitespace) is `#`;
/// - anything else on a line must be a thing name: 1 to 128 of `a-z A-Z 0-9 : _ -`. An inline
///   comment, a space inside a name or any other character is an error at its line and column,
///   never a name the hook and the reconciler would read differently.
public enum Allowlist {
    public struct Problem: Error, CustomStringConvertible, Equatable, Sendable {
        public var file: String
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "\(file):\(line):\(column): \(message)" }
    }

    public static let maximumNameLength = 128

    /// The serial numbers listed, or the first problem. A list naming nothing is refused: reconciling
    /// with it would remove every thing.
    public static func parse(_ bytes: [UInt8], file: String) throws(Problem) -> Set<String> {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            var line = 1, column = 1
            for byte in bytes.prefix(while: { $0 < 0x80 }) { if byte == 0x0A { line += 1; column = 1 } else { column += 1 } }
            throw Problem(file: file, line: line, column: column, message: "invalid UTF-8: the allowlist must be UTF-8 text")
        }
        var names = Set<String>()
        for (index, scalars) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(String.UnicodeScalarView(scalars.last == "\r" ? scalars.dropLast() : scalars[...]))
            let leading = line.prefix(while: { $0 == " " || $0 == "\t" }).count
            let name = line.dropFirst(leading).trimmingWhitespace()
            if name.isEmpty || name.hasPrefix("#") { continue }
            if let bad = name.firstIndex(where: { !isNameCharacter($0) }) {
                let column = leading + name.distance(from: name.startIndex, to: bad) + 1
                let what = name[bad] == " " || name[bad] == "\t" ? "whitespace" : name[bad] == "#" ? "'#' (comments take a line of their own)" : "'\(name[bad])'"
                throw Problem(file: file, line: index + 1, column: column,
                              message: "'\(name)' is not a thing name: \(what) is not allowed (letters, digits, ':', '_' and '-')")
            }
            guard name.count <= maximumNameLength else {
                throw Problem(file: file, line: index + 1, column: leading + 1, message: "'\(name.prefix(20))...' is longer than the \(maximumNameLength) characters a thing name may have")
            }
            names.insert(String(name))
        }
        guard !names.isEmpty else {
            throw Problem(file: file, line: 1, column: 1, message: "the allowlist lists no serial numbers (reconciling with it would remove every thing)")
        }
        return names
    }

    /// Whether `name` can be a thing name (1-128 of a-z A-Z 0-9 : _ -).
    public static func isThingName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= maximumNameLength && name.allSatisfy(isNameCharacter)
    }

    static func isNameCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return (ascii >= 0x30 && ascii <= 0x39) || (ascii >= 0x41 && ascii <= 0x5A) || (ascii >= 0x61 && ascii <= 0x7A)
            || ascii == UInt8(ascii: ":") || ascii == UInt8(ascii: "_") || ascii == UInt8(ascii: "-")
    }
}
