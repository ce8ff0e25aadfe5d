import ArgumentParser
import JSON
import StackAWS
import StackEngine
import StackModel

/// `fleetdeck config get|set|rm`: the stack's configuration in `Pulumi.<stack>.yaml`.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Read and change stack configuration.",
                                                    subcommands: [List.self, Get.self, Set.self, Remove.self], defaultSubcommand: List.self)

    static func file(_ global: GlobalOptions) async throws -> (StackSession, String) {
        let context = ProjectContext(directory: global.directory, environment: ProcessEnvironment.current)
        let project = try context.loadProject(extraConfig: [])
        let stack = try context.stackName(flag: global.stack)
        let backend = try context.backend(global, program: project.program)
        try await context.requireStack(stack, project: project.program.name, backend: backend)
        return (try StackSession(project: project, stack: stack, backend: backend, environment: context.environment), project.program.name)
    }

    /// `fleetdeck config`: every key of the stack, secrets masked, as `pulumi config` lists them.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the stack's configuration (secrets masked).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Show secrets in clear (needs the passphrase).") var showSecrets = false

        func run() async throws {
            try await StackCommandContext.run {
                let (session, project) = try await ConfigCommand.file(global)
                var rows: [(key: String, value: JSONValue, secret: Bool)] = []
                for key in session.config.entries.keys.sorted() {
                    // Keys of the project's namespace are shown bare, as Pulumi shows them.
                    let shown = key.hasPrefix(project + ":") ? String(key.dropFirst(project.count + 1)) : key
                    var secret = false
                    var value: JSONValue
                    switch session.config.entries[key]! {
                    case .secure(let ciphertext):
                        secret = true
                        value = showSecrets ? .string(try session.crypter().decrypt(ciphertext)) : "[secret]"
                    case .value(let json):
                        value = try ConfigPath.revealing(json, found: &secret) { ciphertext in
                            showSecrets ? try session.crypter().decrypt(ciphertext) : "[secret]"
                        }
                    }
                    rows.append((shown, value, secret))
                }
                if global.json {
                    var object = JSONObject()
                    for row in rows { object[row.key] = ["value": row.value, "secret": .bool(row.secret)] }
                    writeStandardOutput(JSONValue.object(object).pretty() + "\n")
                    return
                }
                let width = max(3, rows.map(\.key.count).max() ?? 0) + 2
                writeStandardOutput("KEY".padded(width) + "VALUE\n" + rows.map { $0.key.padded(width) + ($0.value.stringValue ?? $0.value.serialized()) + "\n" }.joined())
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Print a value (secrets decrypted, at any depth).")
        @OptionGroup var global: GlobalOptions
        @Argument var key: String
        @Flag(help: "The key is a path into an object or list value: 'db.hosts[0]', 'tags[\"a.b\"]'.") var path = false

        func run() async throws {
            try await StackCommandContext.run {
                let (session, project) = try await ConfigCommand.file(global)
                let segments = path ? try ConfigPath.parse(key) : [.key(key)]
                guard case .key(let first) = segments[0] else { throw ValidationFailure(message: "--path '\(key)' must start with a key name") }
                let full = StackConfigFile.fullKey(first, project: project)
                guard let entry = session.config.entries[full] else { throw ValidationFailure(message: "configuration key '\(full)' is not set for stack '\(session.stack)'") }
                var (value, secret): (JSONValue, Bool)
                switch entry {
                case .value(let json):
                    // Secrets set with --path sit inside the object as {"secure": ...}: shown
                    // decrypted, as Pulumi shows them.
                    var nested = false
                    value = try ConfigPath.revealing(json, found: &nested) { try session.crypter().decrypt($0) }
                    secret = nested
                case .secure(let ciphertext): (value, secret) = (.string(try session.crypter().decrypt(ciphertext)), true)
                }
                guard let found = ConfigPath.value(at: Array(segments.dropFirst()), in: value) else {
                    throw ValidationFailure(message: "configuration key '\(key)' is not set for stack '\(session.stack)' (the path leads nowhere)")
                }
                value = found
                writeStandardOutput(global.json ? JSONValue.object(["value": value, "secret": .bool(secret)]).serialized() + "\n"
                                    : (value.stringValue ?? value.serialized()) + "\n")
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Set a value (--secret: encrypted with the passphrase).")
        @OptionGroup var global: GlobalOptions
        @Argument var key: String
        @Argument var value: String
        @Flag(help: "Encrypt the value.") var secret = false
        @Flag(help: "The key is a path into an object or list value: 'db.hosts[0]', 'tags[\"a.b\"]'.") var path = false
        @Option(help: "With --path, the value's type: string, int, bool or float.") var type = "string"

        func run() async throws {
            try await StackCommandContext.run {
                let (session, project) = try await ConfigCommand.file(global)
                guard path else {
                    guard type == "string" else { throw ValidationFailure(message: "--type applies to --path values (a top-level value is a string, as Pulumi keeps it)") }
                    let full = StackConfigFile.fullKey(key, project: project)
                    session.config.entries[full] = secret ? .secure(try session.crypter(create: true).encrypt(value)) : .value(.string(value))
                    try session.config.save()
                    return
                }
                let segments = try ConfigPath.parse(key)
                guard case .key(let first) = segments[0] else { throw ValidationFailure(message: "--path '\(key)' must start with a key name") }
                let full = StackConfigFile.fullKey(first, project: project)
                let leaf: JSONValue
                if secret {
                    leaf = ["secure": .string(try session.crypter(create: true).encrypt(value))]
                } else {
                    leaf = try ConfigPath.typed(value, type)
                }
                var root: JSONValue?
                switch session.config.entries[full] {
                case .value(let json)?: root = json
                case .secure?: throw ValidationFailure(message: "'\(full)' is a secret string, not an object: set it whole, without --path")
                case nil: root = nil
                }
                session.config.entries[full] = .value(try ConfigPath.setting(Array(segments.dropFirst()), in: root, to: leaf, whole: key))
                try session.config.save()
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a value.")
        @OptionGroup var global: GlobalOptions
        @Argument var key: String

        func run() async throws {
            try await StackCommandContext.run {
                let (session, project) = try await ConfigCommand.file(global)
                let full = StackConfigFile.fullKey(key, project: project)
                guard session.config.entries.removeValue(forKey: full) != nil else {
                    throw ValidationFailure(message: "configuration key '\(full)' is not set for stack '\(session.stack)'")
                }
                try session.config.save()
            }
        }
    }
}

/// Pulumi's config paths (`pulumi config set --path`): `a.b[0].c`, `a["key.with.dots"]`.
enum ConfigPath {
    enum Segment: Equatable { case key(String), index(Int) }

    static func parse(_ text: String) throws -> [Segment] {
        var segments: [Segment] = []
        var current = ""
        var characters = Array(text)[...]
        func flush() { if !current.isEmpty { segments.append(.key(current)); current = "" } }
        while let character = characters.popFirst() {
            switch character {
            case ".":
                guard !current.isEmpty || segments.last.map({ if case .index = $0 { return true } else { return false } }) == true else {
                    throw ValidationFailure(message: "--path '\(text)': an empty key")
                }
                flush()
            case "[":
                flush()
                guard let close = characters.firstIndex(of: "]") else { throw ValidationFailure(message: "--path '\(text)': '[' without ']'") }
                let inside = String(characters[characters.startIndex..<close])
                characters = characters[(close + 1)...]
                if inside.hasPrefix("\""), inside.hasSuffix("\""), inside.count >= 2 {
                    segments.append(.key(String(inside.dropFirst().dropLast())))
                } else if let index = Int(inside), index >= 0 {
                    segments.append(.index(index))
                } else {
                    throw ValidationFailure(message: "--path '\(text)': [\(inside)] is neither an index nor a quoted key")
                }
                if let next = characters.first, next != ".", next != "[" {
                    throw ValidationFailure(message: "--path '\(text)': expected '.' or '[' after ']'")
                }
                if characters.first == "." { characters = characters.dropFirst() }
            default: current.append(character)
            }
        }
        flush()
        guard !segments.isEmpty else { throw ValidationFailure(message: "--path '\(text)': no key") }
        return segments
    }

    /// `value` with every `{"secure": ciphertext}` inside it decrypted; `found` says whether any was.
    static func revealing(_ value: JSONValue, found: inout Bool, decrypt: (String) throws -> String) throws -> JSONValue {
        switch value {
        case .object(let object):
            if object.count == 1, let ciphertext = object["secure"]?.stringValue {
                found = true
                return .string(try decrypt(ciphertext))
            }
            var revealed = JSONObject()
            for (key, item) in object { revealed[key] = try revealing(item, found: &found, decrypt: decrypt) }
            return .object(revealed)
        case .array(let items): return .array(try items.map { try revealing($0, found: &found, decrypt: decrypt) })
        default: return value
        }
    }

    /// The value at `path` inside `root` (nil: there is none).
    static func value(at path: [Segment], in root: JSONValue) -> JSONValue? {
        guard let segment = path.first else { return root }
        switch segment {
        case .key(let name): return root[name].flatMap { value(at: Array(path.dropFirst()), in: $0) }
        case .index(let index): return root[index].flatMap { value(at: Array(path.dropFirst()), in: $0) }
        }
    }

    static func typed(_ value: String, _ type: String) throws -> JSONValue {
        switch type {
        case "string": return .string(value)
        case "int":
            guard let number = Int64(value) else { throw ValidationFailure(message: "--type int: '\(value)' is not a whole number") }
            return .integer(number)
        case "bool":
            guard value == "true" || value == "false" else { throw ValidationFailure(message: "--type bool: '\(value)' is not true or false") }
            return .bool(value == "true")
        case "float":
            guard let number = Double(value), number.isFinite else { throw ValidationFailure(message: "--type float: '\(value)' is not a number") }
            return .double(number)
        default: throw ValidationFailure(message: "--type must be string, int, bool or float, not \(type)")
        }
    }

    /// `root` with the value at `path` set to `leaf`, objects and lists made where missing (a list
    /// index may be one past the end, to append). A path through a value of another kind is refused.
    static func setting(_ path: [Segment], in root: JSONValue?, to leaf: JSONValue, whole: String) throws -> JSONValue {
        guard let segment = path.first else { return leaf }
        let rest = Array(path.dropFirst())
        switch segment {
        case .key(let name):
            var object: JSONObject
            switch root {
            case .object(let existing)?: object = existing
            case nil, .null?: object = [:]
            default: throw ValidationFailure(message: "--path '\(whole)': '\(name)' is inside a value that is not an object")
            }
            object[name] = try setting(rest, in: object[name], to: leaf, whole: whole)
            return .object(object)
        case .index(let index):
            var items: [JSONValue]
            switch root {
            case .array(let existing)?: items = existing
            case nil, .null?: items = []
            default: throw ValidationFailure(message: "--path '\(whole)': [\(index)] is inside a value that is not a list")
            }
            guard index <= items.count else { throw ValidationFailure(message: "--path '\(whole)': index \(index) is past the end of a list of \(items.count)") }
            if index == items.count { items.append(try setting(rest, in: nil, to: leaf, whole: whole)) } else { items[index] = try setting(rest, in: items[index], to: leaf, whole: whole) }
            return .array(items)
        }
    }
}
