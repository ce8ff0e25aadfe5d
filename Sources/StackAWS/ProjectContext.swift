import AWSCore
import AWSSigning
import StackEngine
import StackLanguage
import StackModel
#if canImport(Glibc)
import Glibc
#endif

/// What the stack commands resolve from the command line and the environment: the project
/// folder, the backend (`--backend`, `FLEETDECK_BACKEND_URL`, `backend.url` in Pulumi.yaml,
/// `file://~/.fleetdeck`) and the stack (`-s`, `FLEETDECK_STACK`, the only stack config file).
public struct ProjectContext {
    public var directory: String
    public var environment: [String: String]

    public init(directory: String, environment: [String: String]) {
        self.directory = directory
        self.environment = environment
    }

    public func loadProject(extraConfig: Set<String> = []) throws -> ProjectFolder {
        try ProjectFolder.load(directory: directory, extraConfig: extraConfig)
    }

    public func backend(flag: String?, program: Program?, client: @escaping () throws -> AWSClient = {
        throw StateError.unsupported("the s3:// backend needs AWS settings") }) throws -> any StateBackend {
        let url = try flag ?? nonEmpty("FLEETDECK_BACKEND_URL") ?? nonEmpty("PULUMI_BACKEND_URL") ?? program?.backendURL ?? pulumiLogin() ?? "file://~/.fleetdeck"
        if url.hasPrefix("file://") {
            var path = String(url.dropFirst("file://".count))
            if path.hasPrefix("~") { path = (environment["HOME"] ?? "") + path.dropFirst() }
            if !path.hasPrefix("/") { path = directory + "/" + path }
            return FileBackend(root: path)
        }
        if url.hasPrefix("s3://") {
            return try S3Backend(url: url, client: client)
        }
        throw StateError.unsupported("backend URL '\(url)' (expected file://PATH or s3://bucket[/prefix])")
    }

    func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }

    /// Pulumi's current login (`pulumi login`), from `$PULUMI_HOME/credentials.json`
    /// (`~/.pulumi`), when it is a DIY backend; Pulumi Cloud is refused by name rather than
    /// replaced by another store.
    func pulumiLogin() throws -> String? {
        let home = nonEmpty("PULUMI_HOME") ?? (environment["HOME"] ?? "") + "/.pulumi"
        let path = home + "/credentials.json"
        guard AtomicFile.exists(path) else { return nil }
        let current: String?
        do {
            current = try JSONValue.parse(try AtomicFile.readRegular(path, limit: 1 << 20))["current"]?.stringValue
        } catch {
            throw StateError.io("\(path): \(error)")
        }
        guard let current, !current.isEmpty else { return nil }
        guard current.hasPrefix("file://") || current.hasPrefix("s3://") else {
            throw StateError.io("the current Pulumi login (\(path)) is \(current), which Fleetdeck does not use: pass --backend file://... or s3://..., or set PULUMI_BACKEND_URL")
        }
        return current
    }

    /// Stack config files present in the project folder.
    public var configuredStacks: [String] {
        AtomicFile.list(directory).filter { $0.hasPrefix("Pulumi.") && $0.hasSuffix(".yaml") && $0 != "Pulumi.yaml" }
            .map { String($0.dropFirst("Pulumi.".count).dropLast(".yaml".count)) }
    }

    /// The stack a command is about: `-s`, `FLEETDECK_STACK`, the current one (`stack select`,
    /// shared with Pulumi), or the project's only stack config file.
    public func stackName(flag: String?) throws -> String {
        if let name = flag ?? environment["FLEETDECK_STACK"], !name.isEmpty {
            try StackName.validate(name)
            return name
        }
        if let selected = try currentStack?.read() {
            try StackName.validate(selected)
            return selected
        }
        let stacks = configuredStacks
        if stacks.count == 1 { return stacks[0] }
        throw StateError.unsupported("no stack chosen: pass -s NAME or 'fleetdeck stack select NAME'"
                                     + (stacks.isEmpty ? "" : " (this project has: \(stacks.joined(separator: ", ")))"))
    }

    /// Where the project's current stack is kept (nil outside a project).
    public var currentStack: CurrentStack? {
        guard let project = CurrentStack.projectName(directory: directory) else { return nil }
        var buffer = [CChar](repeating: 0, count: 4096)
        let working = getcwd(&buffer, buffer.count) != nil ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "/"
        return CurrentStack(environment: environment, directory: directory, workingDirectory: working, project: project)
    }

    /// Refuses a stack that does not exist: one the backend holds no state for and the project
    /// folder has no `Pulumi.<stack>.yaml` for (a team's repository carries its stacks' config
    /// files). A mistyped `-s` is an error, never a new stack; `stack init` makes one.
    public func requireStack(_ name: String, project: String, backend: any StateBackend) async throws {
        let configured = configuredStacks
        if configured.contains(name) { return }
        let stored = try await backend.stacks(project: project)
        if stored.contains(name) { return }
        throw StateError.noSuchStack(name, known: Set(stored + configured).sorted())
    }

    public static func lockHolder(environment: [String: String], now: String) -> LockHolder {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, 255)
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return LockHolder(pid: Int(getpid()), username: environment["USER"] ?? environment["LOGNAME"] ?? Self.passwordDatabaseUser() ?? "unknown", hostname: host, timestamp: now)
    }

    /// The login name of this process's user from the password database (when $USER and
    /// $LOGNAME are unset, as in cron and some containers).
    static func passwordDatabaseUser() -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(getuid(), &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }

    /// Seconds since 1970, as Pulumi's history records times.
    public static func unixTime() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }

    /// Seconds on the monotonic clock since `start`.
    public static func seconds(since start: ContinuousClock.Instant) -> Double { DeploymentEngine.seconds(ContinuousClock.now - start) }

    public static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return SigningTime(secondsSince1970: Int64(spec.tv_sec)).iso8601
    }
}
