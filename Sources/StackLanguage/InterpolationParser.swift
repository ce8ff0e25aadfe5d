import StackModel

/// Reads `${...}` interpolations and `$$` escapes inside a string.
enum InterpolationParser {
    /// The expression for a string scalar: plain text, an interpolation, or (exactly `${...}`) a symbol.
    static func parse(_ text: String, at location: SourceLocation) throws(Diagnostic) -> Expression {
        guard text.contains("$") else { return .string(text, location) }
        var parts: [InterpolationPart] = []
        var literal = ""
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "$", index + 1 < characters.count, characters[index + 1] == "$" {
                literal.append("$")
                index += 2
                continue
            }
            if character == "$", index + 1 < characters.count, characters[index + 1] == "{" {
                guard let close = characters[(index + 2)...].firstIndex(of: "}") else {
                    throw .error("unterminated '${' in \"\(text)\": add the closing '}'", at: location)
                }
                let inside = String(characters[(index + 2)..<close])
                let access = try parseAccess(inside, in: text, at: location)
                if !literal.isEmpty { parts.append(.text(literal)); literal = "" }
                parts.append(.access(access))
                index = close + 1
                continue
            }
            literal.append(character)
            index += 1
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        if parts.count == 1, case .access(let access) = parts[0] { return .symbol(access, location) }
        if parts.allSatisfy({ if case .text = $0 { return true }; return false }) {
            return .string(parts.map { if case .text(let t) = $0 { return t }; return "" }.joined(), location)
        }
        return .interpolation(parts, location)
    }

    /// `name(.name | [n] | ["key"])*`; names may hold letters, digits, `_`, `-` and `:`.
    static func parseAccess(_ text: String, in whole: String, at location: SourceLocation) throws(Diagnostic) -> PropertyAccess {
        let characters = Array(text.trimmingWhitespace())
        var index = 0
        func isNameCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" || c == ":" }
        func readName() -> String {
            let start = index
            while index < characters.count, isNameCharacter(characters[index]) { index += 1 }
            return String(characters[start..<index])
        }
        let root = readName()
        guard !root.isEmpty else { throw .error("'${\(text)}' in \"\(whole)\" does not start with a name", at: location) }
        var accessors: [Accessor] = []
        while index < characters.count {
            switch characters[index] {
            case ".":
                index += 1
                let name = readName()
                guard !name.isEmpty else { throw .error("expected a property name after '.' in '${\(text)}'", at: location) }
                accessors.append(.property(name))
            case "[":
                index += 1
                if index < characters.count, characters[index] == "\"" {
                    index += 1
                    let start = index
                    while index < characters.count, characters[index] != "\"" { index += 1 }
                    guard index + 1 < characters.count, characters[index + 1] == "]" else {
                        throw .error("expected '\"]' to close the key in '${\(text)}'", at: location)
                    }
                    accessors.append(.key(String(characters[start..<index])))
                    index += 2
                } else {
                    let start = index
                    while index < characters.count, characters[index].isNumber { index += 1 }
                    guard index > start, index < characters.count, characters[index] == "]", let value = Int(String(characters[start..<index])) else {
                        throw .error("expected a number and ']' after '[' in '${\(text)}'", at: location)
                    }
                    accessors.append(.index(value))
                    index += 1
                }
            default:
                throw .error("unexpected '\(characters[index])' in '${\(text)}'", at: location)
            }
        }
        return PropertyAccess(root: root, accessors: accessors)
    }
}

