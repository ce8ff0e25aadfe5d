import ArgumentParser
import JSON
import StackAWS
import StackEngine
import StackModel

/// `fleetdeck stack ...`: the project's stacks in the backend.
struct StackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stack", abstract: "List, create, remove, inspect and unlock stacks.",
                                                    subcommands: [List.self, Init.self, Remove.self, History.self, Output.self, Export.self,
                                                                  Import.self, Unlock.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the project's stacks.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await StackCommandContext.run {
                let context = ProjectContext(directory: global.directory, environment: ProcessEnvironment.current)
                let project = try context.loadProject()
                let backend = try context.backend(global, program: project.program)
                let rows = try await StackSummary.load(project: project.program.name, directory: context.directory,
                                                       configuredStacks: context.configuredStacks, backend: backend).map(\.json)
                if global.json { writeStandardOutput(JSONValue.array(rows).pretty() + "\n"); return }
                var text = "NAME".padded(14) + "LAST UPDATE".padded(22) + "RESOURCES".padded(11) + "ACCOUNT".padded(15) + "REGION".padded(12) + "LOCK\n"
                for row in rows {
                    text += (row["name"]?.stringValue ?? "").padded(14) + (row["lastUpdate"]?.stringValue ?? "never").padded(22)
                        + String(row["resourceCount"]?.intValue ?? 0).padded(11) + (row["account"]?.stringValue ?? "-").padded(15)
                        + (row["region"]?.stringValue ?? "-").padded(12) + (row["lockedBy"]?.stringValue ?? "-") + "\n"
                }
                writeStandardOutput(text)
            }
        }
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a stack (its config file and empty state).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The new stack's name.") var name: String

        func run() async throws {
            try await StackCommandContext.run {
                let context = ProjectContext(directory: global.directory, environment: ProcessEnvironment.current)
                let project = try context.loadProject()
                let backend = try context.backend(global, program: project.program)
                try StackName.validate(name)
                if try await backend.checkpoint(project: project.program.name, stack: name) != nil { throw StateError.stackExists(name) }
                let session = try StackSession(project: project, stack: name, backend: backend, environment: context.environment)
                if context.environment["PULUMI_CONFIG_PASSPHRASE"] != nil || context.environment["PULUMI_CONFIG_PASSPHRASE_FILE"] != nil {
                    _ = try session.crypter(create: true)
                } else {
                    try session.config.save()
                }
                let coder = CheckpointCoder(crypter: nil)
                let empty = try coder.encode(stack: name, project: project.program.name, deployment: Deployment(time: ProjectContext.timestamp()))
                try await backend.saveCheckpoint(empty, project: project.program.name, stack: name)
                writeStandardOutput("Created stack '\(name)' in \(backend.url)\n")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a stack and its config file (it must have no resources).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The stack to remove.") var name: String
        @Flag(help: "Remove even if the stack still records resources (they are left in the cloud).") var force = false

        func run() async throws {
            try await StackCommandContext.run {
                let context = ProjectContext(directory: global.directory, environment: ProcessEnvironment.current)
                let project = try context.loadProject()
                let backend = try context.backend(global, program: project.program)
                guard let checkpoint = try await backend.checkpoint(project: project.program.name, stack: name) else { throw StateError.noSuchStack(name) }
                let resources = StackDetailReader.read(checkpoint).resources
                if !resources.isEmpty && !force { throw StateError.stackNotEmpty(name, count: resources.count) }
                try await backend.removeStack(project: project.program.name, stack: name)
                AtomicFile.remove("\(context.directory)/Pulumi.\(name).yaml")
                writeStandardOutput("Removed stack '\(name)'\n")
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "history", abstract: "The stack's updates: kind, times, result, changes.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await StackCommandContext.run {
                let runner = try await StackCommandContext.existing(global)
                let records = try await runner.backend.history(project: runner.project.program.name, stack: runner.stack)
                if global.json { writeStandardOutput(JSONValue.array(records.compactMap { try? JSONValue.parse($0) }.reversed()).pretty() + "\n"); return }
                for entry in StackDetailReader.history(records) {
                    writeStandardOutput("\(entry.start.padded(22))\(entry.kind.padded(9))\(entry.result.padded(11))\(entry.changes)\(entry.planHash.map { "  plan \($0)" } ?? "")\n")
                }
            }
        }
    }

    struct Output: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "output", abstract: "The stack's outputs (secrets masked unless --show-secrets).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "One output's name.") var name: String?
        @Flag(help: "Show secret outputs in clear.") var showSecrets = false

        func run() async throws {
            try await StackCommandContext.run {
                let runner = try await StackCommandContext.existing(global)
                let outputs = try await runner.outputs()
                func shown(_ value: PropertyValue) -> JSONValue { value.isSecret && !showSecrets ? "[secret]" : value.plainJSON }
                if let name {
                    guard let value = outputs[name] else { throw ValidationFailure(message: "stack '\(runner.stack)' has no output '\(name)'") }
                    writeStandardOutput((global.json ? shown(value).serialized() : shown(value).stringValue ?? shown(value).serialized()) + "\n")
                    return
                }
                var object = JSONObject()
                for key in outputs.keys.sorted() { object[key] = shown(outputs[key]!) }
                writeStandardOutput(global.json ? JSONValue.object(object).pretty() + "\n"
                                    : object.map { "\($0.key.padded(24))\($0.value.stringValue ?? $0.value.serialized())\n" }.joined())
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export",
                                                        abstract: "Print the stack's state as 'pulumi stack export' does (secrets encrypted unless --show-secrets).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Decrypt secrets into Pulumi's plaintext form (needs the passphrase).") var showSecrets = false

        func run() async throws {
            try await StackCommandContext.run {
                let runner = try await StackCommandContext.existing(global)
                guard let bytes = try await runner.backend.checkpoint(project: runner.project.program.name, stack: runner.stack) else {
                    throw StateError.noSuchStack(runner.stack)
                }
                var reveal: ((String) throws -> String)?
                if showSecrets {
                    let crypter = try runner.session().stateCrypter(checkpoint: bytes)
                    reveal = { ciphertext in
                        guard let crypter else { throw SecretsError.noPassphrase(stack: runner.stack) }
                        return try crypter.decrypt(ciphertext)
                    }
                }
                writeStandardOutput(String(decoding: try StateDocument.export(checkpoint: bytes, reveal: reveal), as: UTF8.self))
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import",
                                                        abstract: "Replace the stack's state with what 'pulumi stack export' or 'stack export' printed, or a checkpoint file.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The file ('-' or nothing: standard input).") var path: String?
        @Option(name: .long, help: "The file, as Pulumi spells it ('pulumi stack import --file F').") var file: String?

        func run() async throws {
            try await StackCommandContext.run {
                if path != nil && file != nil { throw ValidationFailure(message: "name the file once: as an argument or with --file, not both") }
                let file = self.file ?? path ?? "-"
                let runner = try await StackCommandContext.existing(global)
                let name = file == "-" ? "standard input" : file
                let bytes: [UInt8]
                do {
                    bytes = file == "-" ? try readStandardInput() : try AtomicFile.readRegular(file, limit: 1 << 30)
                } catch {
                    throw ValidationFailure(message: "\(error)")
                }
                let checkpoint: [UInt8]
                do {
                    checkpoint = try StateDocument.checkpoint(importing: bytes, project: runner.project.program.name, stack: runner.stack)
                } catch {
                    throw ValidationFailure(message: "\(name) cannot be imported: \(error); nothing was changed")
                }
                try await runner.locked {
                    try await runner.backend.saveCheckpoint(checkpoint, project: runner.project.program.name, stack: runner.stack)
                }
                let count = (try JSONValue.parse(checkpoint))["checkpoint"]?["latest"]?["resources"]?.arrayValue.count ?? 0
                writeStandardOutput("Imported \(name) into stack '\(runner.stack)' (\(count) resources)\n")
            }
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unlock", abstract: "Remove a stale lock (after a crashed run).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await StackCommandContext.run {
                let runner = try await StackCommandContext.existing(global)
                let holders = try await runner.backend.lockHolders(project: runner.project.program.name, stack: runner.stack)
                try await runner.backend.forceUnlock(project: runner.project.program.name, stack: runner.stack)
                writeStandardOutput(holders.isEmpty ? "Stack '\(runner.stack)' was not locked.\n"
                                    : "Removed the lock held by \(holders.map(\.description).joined(separator: ", ")).\n")
            }
        }
    }
}

/// `fleetdeck config get|set|rm`: the stack's configuration in `Pulumi.<stack>.yaml`.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Read and change stack configuration.",
                                                    subcommands: [Get.self, Set.self, Remove.self])

    static func file(_ global: GlobalOptions) async throws -> (StackSession, String) {
        let context = ProjectContext(directory: global.directory, environment: ProcessEnvironment.current)
        let project = try context.loadProject(extraConfig: [])
        let stack = try context.stackName(flag: global.stack)
        let backend = try context.backend(global, program: project.program)
        try await context.requireStack(stack, project: project.program.name, backend: backend)
        return (try StackSession(project: project, stack: stack, backend: backend, environment: context.environment), project.program.name)
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
