import Crypto
import JSON
import POSIXFiles
import StackLanguage
import StackModel
import Synchronization
import YAMLSyntax

/// A project folder: its `Pulumi.yaml`, parsed and checked.
public struct ProjectFolder: Sendable {
    public var directory: String
    public var text: String
    public var program: Program
    public var warnings: [Diagnostic]

    /// Reads and checks `DIR/Pulumi.yaml`; throws every error found (file:line:col).
    public static func load(directory: String, extraConfig: Set<String> = []) throws -> ProjectFolder {
        let path = directory + "/Pulumi.yaml"
        guard let bytes = AtomicFile.read(path) else {
            throw Diagnostic.error("no Pulumi.yaml in \(directory) (pass -C with the project folder)", at: nil)
        }
        let text: String
        do {
            text = try YAMLNode.text(bytes)
        } catch {
            throw Diagnostic.error(error.problem, at: SourceLocation(file: displayPath(path), line: error.mark.line, column: error.mark.column))
        }
        var (program, warnings) = try ProgramParser.parse(text, file: displayPath(path))
        var sources = text
        // The program itself, found as pulumi-yaml finds it: in the `main` folder (the project's
        // by default), Main.json, then Main.yaml, then that folder's Pulumi.yaml.
        if let (templatePath, templateBytes) = try templateFile(directory: directory, main: program.main) {
            let templateText: String
            do {
                templateText = try YAMLNode.text(templateBytes)
            } catch {
                throw Diagnostic.error(error.problem, at: SourceLocation(file: displayPath(templatePath), line: error.mark.line, column: error.mark.column))
            }
            let (template, templateWarnings) = try ProgramParser.parse(templateText, file: displayPath(templatePath), template: true)
            if program.declaresProgram {
                throw Diagnostic.error("the program is read from \(displayPath(templatePath)) (as pulumi-yaml reads it), so the variables, resources and outputs here would be ignored: move them there",
                                       at: SourceLocation(file: displayPath(path), line: 1, column: 1))
            }
            program.config += template.config
            program.variables = template.variables
            program.resources = template.resources
            program.outputs = template.outputs
            warnings += templateWarnings
            sources += "\u{0}" + templateText
        }
        let errors = ProgramChecker.check(program, extraConfig: extraConfig)
        if !errors.isEmpty { throw Diagnostics(errors) }
        return ProjectFolder(directory: directory, text: sources, program: program, warnings: warnings)
    }

    /// The file the program is read from when it is not Pulumi.yaml itself, with its bytes.
    static func templateFile(directory: String, main: String?) throws -> (String, [UInt8])? {
        let folder = main.map { directory + "/" + $0 } ?? directory
        for name in ["Main.json", "Main.yaml"] + (main == nil ? [] : ["Pulumi.yaml"]) {
            let path = folder + "/" + name
            guard AtomicFile.exists(path) else { continue }
            do {
                return (path, try AtomicFile.readRegular(path, limit: StackSession.readFileLimit))
            } catch {
                throw Diagnostic.error("\(error)", at: nil)
            }
        }
        if let main { throw Diagnostic.error("'main: \(main)' names a folder with no Main.yaml, Main.json or Pulumi.yaml in \(directory)", at: nil) }
        return nil
    }

    /// The files a project's program is made of (for watching them).
    public static func programFiles(directory: String) -> [String] {
        let project = directory + "/Pulumi.yaml"
        let main = (try? ProgramParser.parse(String(decoding: AtomicFile.read(project) ?? [], as: UTF8.self)))?.0.main
        return [project] + ((try? templateFile(directory: directory, main: main)).flatMap { $0.map { [$0.0] } } ?? [])
    }

    /// The folder the program runs in (`${pulumi.cwd}`, relative file paths): `main:`'s when it
    /// names one, as Pulumi runs the program there.
    public var programDirectory: String {
        guard let main = program.main else { return directory }
        let parts = main.split(separator: "/").filter { $0 != "." }
        return parts.isEmpty ? directory : directory + "/" + parts.joined(separator: "/")
    }

    static func displayPath(_ path: String) -> String {
        path.hasPrefix("./") ? String(path.dropFirst(2)) : path
    }

    public func configPath(stack: String) -> String { "\(directory)/Pulumi.\(stack).yaml" }
}

/// Everything one command needs to work on a stack: the project, its configuration and
/// secrets, the state backend and the providers.
public final class StackSession: @unchecked Sendable {
    public let project: ProjectFolder
    public let stack: String
    public let backend: any StateBackend
    public let environment: [String: String]
    public var config: StackConfigFile
    let passphrase: String?

    public init(project: ProjectFolder, stack: String, backend: any StateBackend, environment: [String: String]) throws {
        self.project = project
        self.stack = stack
        self.backend = backend
        self.environment = environment
        config = try StackConfigFile.load(path: project.configPath(stack: stack))
        passphrase = PassphraseSource.passphrase(environment: environment) { path in AtomicFile.read(path).map { String(decoding: $0, as: UTF8.self) } }
    }

    public var projectName: String { project.program.name }

    private var cachedCrypter: PassphraseCrypter?

    /// The stack's crypter, opened from the config file's salt (created when asked and absent).
    public func crypter(create: Bool = false) throws -> PassphraseCrypter {
        if let cachedCrypter { return cachedCrypter }
        guard let passphrase else { throw SecretsError.noPassphrase(stack: stack) }
        let crypter: PassphraseCrypter
        if let salt = config.encryptionSalt {
            do {
                crypter = try PassphraseCrypter(passphrase: passphrase, saltState: salt, stack: stack)
            } catch .malformed(let what) {
                throw SecretsError.malformed("\(config.path): \(what)")  // name the file at fault
            }
        } else if create {
            // Like `pulumi stack init`: the new salt goes into the stack's config file at once.
            crypter = PassphraseCrypter(newPassphrase: passphrase)
            config.encryptionSalt = crypter.saltState
            try config.save()
        } else {
            throw SecretsError.malformed("stack '\(stack)' has no encryptionsalt in \(config.path)")
        }
        cachedCrypter = crypter
        return crypter
    }

    /// A crypter when one can be had (secrets present or a passphrase given), else nil.
    func optionalCrypter() throws -> PassphraseCrypter? {
        if config.encryptionSalt != nil { return passphrase == nil ? nil : try crypter() }
        return passphrase == nil ? nil : try crypter(create: true)
    }

    public func evaluationContext(invoke: @escaping @Sendable (String, PropertyValue) async throws -> PropertyValue = { name, _ in
        throw Diagnostic.error("fn::invoke of '\(name)' is not available", at: nil) }) throws -> EvaluationContext {
        let values = try config.values { try crypter() }
        return EvaluationContext(stack: stack, project: projectName, cwd: project.programDirectory, config: values,
                                 readFile: { [self] path in
                                     let bytes: [UInt8]
                                     do {
                                         bytes = try AtomicFile.readRegular(path, limit: Self.readFileLimit)
                                     } catch {
                                         throw Diagnostic.error("fn::readFile: \(error)", at: nil)
                                     }
                                     self.reads.withLock { $0[path] = Self.hex(SHA256.hash(data: bytes)) }
                                     return String(decoding: bytes, as: UTF8.self)
                                 }, fileHash: { path, archive in
                                     do {
                                         if !archive { return Self.hex(SHA256.hash(data: try AssetFiles.asset(path))) }
                                         let contents = try AssetFiles.archive(path)
                                         if let zip = contents.zip { return Self.hex(SHA256.hash(data: zip)) }
                                         var hasher = SHA256()
                                         for file in contents.files {
                                             hasher.update(data: Array(file.name.utf8) + [0])
                                             hasher.update(data: SHA256.hash(data: file.bytes).map { $0 })
                                         }
                                         return Self.hex(hasher.finalize())
                                     } catch {
                                         throw Diagnostic.error("\(archive ? "fn::fileArchive" : "fn::fileAsset"): \(error)", at: nil)
                                     }
                                 }, invoke: invoke)
    }

    /// Configuration problems (missing or mistyped values), located in Pulumi.yaml.
    public func configurationDiagnostics() throws -> [Diagnostic] {
        Evaluator(program: project.program, context: try evaluationContext()).configurationDiagnostics()
    }

    public func openJournal(now: String) async throws -> StateJournal {
        let checkpoint = try await backend.checkpoint(project: projectName, stack: stack)
        return try await StateJournal.open(backend: backend, project: projectName, stack: stack,
                                           coder: CheckpointCoder(crypter: try stateCrypter(checkpoint: checkpoint)), now: now)
    }

    /// The crypter for the secrets in a checkpoint: the stack config's, or one for the salt the
    /// state was written with (a stack imported from Pulumi); nil when neither has secrets.
    public func stateCrypter(checkpoint: [UInt8]?) throws -> PassphraseCrypter? {
        // (Parsed only when the checkpoint names a secrets provider: a large state is read once.)
        if let checkpoint, let passphrase, checkpoint.firstRange(of: Array("\"secrets_providers\"".utf8)) != nil,
           let salt = (try? JSONValue.parse(checkpoint))?["checkpoint"]?["latest"]?["secrets_providers"]?["state"]?["salt"]?.stringValue,
           salt != config.encryptionSalt {
            return try PassphraseCrypter(passphrase: passphrase, saltState: salt, stack: stack)  // state written with another salt
        }
        if let crypter = try optionalCrypter() { return crypter }
        if let checkpoint, String(decoding: checkpoint, as: UTF8.self).contains(PropertyValue.secretSignature) { return try self.crypter() }
        return nil
    }

    /// The largest file `fn::readFile` reads (a Lambda's inline code is far smaller).
    public static let readFileLimit = 16 * 1_048_576

    /// Files the program read (`fn::readFile`), with the hash of what was read.
    private let reads = Mutex<[String: String]>([:])

    /// Fingerprints of what a plan was made from: the program text and every file it read, the
    /// config text, the stored state (checkpoint and journal).
    public func hashes() async throws -> (program: String, config: String, state: String) {
        let checkpoint = try await backend.checkpoint(project: projectName, stack: stack) ?? []
        let journal = try await backend.journal(project: projectName, stack: stack) ?? []
        let files = reads.withLock { $0 }.sorted { $0.key < $1.key }.map { "\n\($0.key) \($0.value)" }.joined()
        return (Self.hex(SHA256.hash(data: Array((project.text + files).utf8))), Self.hex(SHA256.hash(data: Array(config.text.utf8))),
                Self.hex(SHA256.hash(data: checkpoint + journal)))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String { Hex.encode(digest) }

    /// The plan's hash: the sources it came from and every step with its known inputs.
    public static func hash(_ plan: Plan) -> String {
        var text = "\(plan.programHash)\n\(plan.configHash)\n\(plan.stateHash)\n"
        for step in plan.steps {
            let inputs = JSONValue.object(JSONObject(step.inputs.keys.sorted().map { key in
                (key, step.inputs[key]!.containsUnknown ? JSONValue.string("<unknown>") : (step.inputs[key]!.isSecret ? "<secret>" : step.inputs[key]!.plainJSON))
            }))
            text += "\(step.kind.rawValue) \(step.urn) \(step.deleteFirst) \(step.pendingDelete) \(inputs.serialized(sortedKeys: true))\n"
        }
        for diff in plan.outputChanges { text += "output \(diff.path) \(PlanText.value(diff.new))\n" }
        return String(hex(SHA256.hash(data: Array(text.utf8))).prefix(16))
    }
}
