import YAMLSyntax

/// A theme: a style for each role the screens use. Built-in themes are embedded in the binary
/// (`themes/*.yaml`); a file of the same name in `~/.config/fleetdeck/themes/` overrides one.
public struct Theme: Equatable, Sendable {
    /// What a style is for; a theme file names them.
    public enum Role: String, CaseIterable, Sendable {
        case title, status, keys, header, text, dim, selected, create, update, replace, delete, error, production
    }
    static let colorNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    public var name: String
    public var styles: [Role: TerminalStyle]

    public subscript(role: Role) -> TerminalStyle { styles[role] ?? TerminalStyle() }

    public init(name: String, styles: [Role: TerminalStyle]) {
        self.name = name
        self.styles = styles
    }

    /// A theme problem, `file:line:col: message`.
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var column: Int
        public var message: String
        /// `file:line:column: message`; just `file: message` when the problem has no position (line 0).
        public var description: String { line == 0 ? "\(file): \(message)" : "\(file):\(line):\(column): \(message)" }

        public init(file: String, line: Int, column: Int, message: String) {
            self.file = file
            self.line = line
            self.column = column
            self.message = message
        }
    }

    /// Parses a theme file; every role must be known and every colour valid.
    public static func parse(_ text: String, file: String) throws(Problem) -> Theme {
        func problem(_ message: String, _ mark: YAMLMark) -> Problem { Problem(file: file, line: mark.line, column: mark.column, message: message) }
        let root: YAMLNode
        do {
            guard let parsed = try YAMLNode.parse(text) else { throw Problem(file: file, line: 1, column: 1, message: "the theme is empty") }
            root = parsed
        } catch let error as YAMLSyntaxError {
            throw problem("YAML syntax: \(error.problem)", error.mark)
        } catch let error as Problem {
            throw error
        } catch {
            throw Problem(file: file, line: 1, column: 1, message: "\(error)")
        }
        guard case .mapping = root, let name = root["name"]?.scalarText else { throw problem("a theme needs 'name' and 'roles'", root.mark) }
        guard case .mapping(let entries, _)? = root["roles"] else { throw problem("'roles' must map role names to styles", root.entry("roles")?.key.mark ?? root.mark) }
        var styles: [Role: TerminalStyle] = [:]
        for (key, value) in entries {
            guard let role = Role(rawValue: key.scalarText ?? "") else {
                throw problem("unknown role '\(key.scalarText ?? "")' (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))", key.mark)
            }
            var style = TerminalStyle()
            if case .mapping(let fields, _) = value {
                for (fieldKey, fieldValue) in fields {
                    let field = fieldKey.scalarText ?? ""
                    switch field {
                    case "fg", "bg":
                        guard let number = color(fieldValue.scalarText ?? "") else {
                            throw problem("unknown colour '\(fieldValue.scalarText ?? "")' (black...white, bright-NAME, colorN, default)", fieldValue.mark)
                        }
                        if field == "fg" { style.foreground = number } else { style.background = number }
                    case "bold", "dim", "underline", "reverse":
                        guard case .bool(let flag)? = fieldValue.scalarValue else { throw problem("'\(field)' must be true or false", fieldValue.mark) }
                        switch field {
                        case "bold": style.bold = flag
                        case "dim": style.dim = flag
                        case "underline": style.underline = flag
                        default: style.reverse = flag
                        }
                    default:
                        throw problem("unknown style setting '\(field)' (fg, bg, bold, dim, underline, reverse)", fieldKey.mark)
                    }
                }
            } else if value.scalarValue != .null {
                throw problem("the style of '\(role.rawValue)' must be a mapping like {fg: red, bold: true}", value.mark)
            }
            styles[role] = style
        }
        return Theme(name: name, styles: styles)
    }

    static func color(_ name: String) -> Int16? {
        if name == "default" { return -1 }
        if let index = colorNames.firstIndex(of: name) { return Int16(index) }
        if name.hasPrefix("bright-"), let index = colorNames.firstIndex(of: String(name.dropFirst(7))) { return Int16(index + 8) }
        if name.hasPrefix("color"), let number = Int16(name.dropFirst(5)), (0...255).contains(number) { return number }
        return nil
    }

    /// Without colour: only the attributes (NO_COLOR, or a terminal without colours).
    /// The theme with its colours taken out (NO_COLOR, or a terminal without colours). A role
    /// that stood out by its background (the selected row, the title and status bars) is shown in
    /// reverse video instead, as the monochrome theme does, so it does not vanish.
    public var withoutColors: Theme {
        Theme(name: name, styles: styles.mapValues { style in
            var plain = style
            if style.background >= 0 { plain.reverse = true }
            plain.foreground = -1
            plain.background = -1
            return plain
        })
    }

    /// Where the user's theme called `name` is (`home` "~" gives the form messages show).
    public static func userFile(_ name: String, home: String) -> String { "\(home)/.config/fleetdeck/themes/\(name).yaml" }

    /// The theme called `name`: the user's file if there is one, else the built-in one; a
    /// broken user file is reported and the built-in (or default) theme used instead.
    public static func load(named name: String, userFile: (String) -> String?, environment: [String: String]) -> (Theme, Problem?) {
        var problem: Problem?
        var theme: Theme?
        if let text = userFile(name) {
            do { theme = try parse(text, file: Theme.userFile(name, home: "~")) } catch { problem = error }
        }
        if theme == nil, let text = embedded[name] { theme = try? parse(text, file: "themes/\(name).yaml") }
        if theme == nil, problem == nil {
            problem = Problem(file: "themes", line: 0, column: 0, message: "no theme named '\(name)' (built in: \(embedded.keys.sorted().joined(separator: ", ")))")
        }
        let chosen = theme ?? (try? parse(embedded["default"]!, file: "themes/default.yaml")) ?? Theme(name: "plain", styles: [:])
        return (environment["NO_COLOR"].map { !$0.isEmpty } == true ? chosen.withoutColors : chosen, problem)
    }
}
