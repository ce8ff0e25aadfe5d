import ArgumentParser
import JSON
import StackAWS
import StackEngine
import StackModel

/// `fleetdeck stack ...`: the project's stacks in the backend.
struct StackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stack", abstract: "List, create, remove, inspect and unlock stacks.",
                                                    subcommands: [List.self, Init.self, Select.self, Remove.self, History.self, Output.self, Export.self,
                                                                  Import.self, Unlock.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the project's stacks.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await StackCommandContext.run {
                let context = ProjectContext(directory: global.directory, environment: ProcessEnvironment.current)
                let project = try context.loadProject()
                let backend = try context.backend(global, program: project.program)
                let current = try? context.currentStack?.read()
                let rows = try await StackSummary.load(project: project.program.name, directory: context.directory,
                                                       configuredStacks: context.configuredStacks, backend: backend).map { summary in
                    var json = summary.json
                    if case .object(var object) = json { object["current"] = .bool(summary.name == current); json = .object(object) }
                    return json
                }
                if global.json { writeStandardOutput(JSONValue.array(rows).pretty() + "\n"); return }
                // As Pulumi marks it: the current stack's name ends with '*'.
                writeStandardOutput(textTable(["NAME", "LAST UPDATE", "RESOURCES", "ACCOUNT", "REGION", "LOCK"], widths: [14, 22, 11, 15, 12], rows.map { row in
                    [(row["name"]?.stringValue ?? "") + (row["current"]?.boolValue == true ? "*" : ""), row["lastUpdate"]?.stringValue ?? "never",
                     String(row["resourceCount"]?.intValue ?? 0), row["account"]?.stringValue ?? "-", row["region"]?.stringValue ?? "-", row["lockedBy"]?.stringValue ?? "-"]
                }))
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
                try await Self.create(name, context: context, global: global)
                try context.currentStack?.select(name)  // as `pulumi stack init` does
            }
        }

        /// Makes the stack: its config file (with the passphrase's salt when one is given) and
        /// its empty state in the backend.
        static func create(_ name: String, context: ProjectContext, global: GlobalOptions) async throws {
            let project = try context.loadProject()
            let backend = try context.backend(global, program: project.program)
            try await context.createStack(name, project: project, backend: backend)
            writeStandardOutput("Created stack '\(name)' in \(backend.url)\n")
        }
    }

    struct Select: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "select",
                                                        abstract: "Make a stack the current one (then -s is not needed); without a name, say which is.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The stack to select.") var name: String?
        @Flag(help: "Create the stack if it does not exist (as 'pulumi stack select --create').") var create = false

        func run() async throws {
            try await StackCommandContext.run {
                let context = ProjectContext(directory: global.directory, environment: ProcessEnvironment.current)
                guard let current = context.currentStack else { throw ValidationFailure(message: "no Pulumi.yaml in \(global.directory) (pass -C with the project folder)") }
                guard let name = name ?? global.stack else {
                    let selected = try current.read()
                    writeStandardOutput(selected.map { "The current stack is '\($0)'.\n" } ?? "No stack is selected: 'fleetdeck stack select NAME'.\n")
                    return
                }
                try StackName.validate(name)
                let project = try context.loadProject()
                let backend = try context.backend(global, program: project.program)
                do {
                    try await context.requireStack(name, project: project.program.name, backend: backend)
                } catch StateError.noSuchStack where create {
                    try await Init.create(name, context: context, global: global)
                }
                try current.select(name)
                writeStandardOutput("The current stack is now '\(name)'.\n")
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
                try await context.removeStack(name, project: project, backend: backend, force: force)
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
                    writeStandardOutput("\(entry.start.padded(22))\(entry.kind.padded(9))\(entry.result.padded(11))\(entry.changes)\(entry.planHash.map { "  plan \($0)" } ?? "")"
                                        + (entry.duration.isEmpty ? "" : "  took \(entry.duration)") + "\n")
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
