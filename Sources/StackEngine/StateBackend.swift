import JSON
import StackModel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Who holds a stack's lock (Pulumi's lock-file content).
public struct LockHolder: Sendable, Equatable, CustomStringConvertible {
    /// The lock file's name in `.pulumi/locks/<org>/<project>/<stack>/`. Pulumi names its locks
    /// `<uuid>.json` and treats any `*.json` there as a lock; Fleetdeck's is a UUID too, but always
    /// the same one, so that two Fleetdeck runs race for one file created exclusively (O_EXCL, or
    /// S3's If-None-Match) and cannot both take it.
    public static let fileName = "f1ee7dec-0000-4000-8000-00000000f1ee.json"
    public var pid: Int
    public var username: String
    public var hostname: String
    public var timestamp: String

    public init(pid: Int, username: String, hostname: String, timestamp: String) {
        self.pid = pid
        self.username = username
        self.hostname = hostname
        self.timestamp = timestamp
    }

    public var description: String {
        "\(username)@\(hostname) (pid \(pid)) since \(timestamp)" + (LockHolder.age(of: timestamp).map { ", \($0) ago" } ?? "")
    }

    /// "3 minutes", "2 hours": how long ago an ISO 8601 time was (nil when it cannot be read).
    static func age(of timestamp: String) -> String? {
        guard let then = CivilTime.parseISO8601(timestamp) else { return nil }
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let seconds = max(0, Int(spec.tv_sec) - Int(then))
        switch seconds {
        case ..<120: return "\(seconds) seconds"
        case ..<7200: return "\(seconds / 60) minutes"
        case ..<172_800: return "\(seconds / 3600) hours"
        default: return "\(seconds / 86400) days"
        }
    }

    public var json: JSONValue {
        ["pid": .integer(Int64(pid)), "username": .string(username), "hostname": .string(hostname), "timestamp": .string(timestamp)]
    }

    public init?(json: JSONValue) {
        guard let pid = json["pid"]?.intValue else { return nil }
        self.init(pid: Int(pid), username: json["username"]?.stringValue ?? "?", hostname: json["hostname"]?.stringValue ?? "?",
                  timestamp: json["timestamp"]?.stringValue ?? "?")
    }

    public init?(bytes: [UInt8]) {
        guard let json = try? JSONValue.parse(bytes) else { return nil }
        self.init(json: json)
    }

    /// How long an empty or unreadable lock file is left alone (it may be being written).
    public static let unreadableLockAge = 60

    /// Whether a lock no living run holds may be taken over: its holder was a process on this host
    /// that is gone, or the file says nothing readable and is older than `unreadableLockAge`.
    /// A holder on another host is never judged from here.
    public static func isStale(_ bytes: [UInt8], age: Int, host: String) -> Bool {
        guard let holder = LockHolder(bytes: bytes) else { return age >= unreadableLockAge }
        return holder.hostname == host && !ProcessProbe.isRunning(holder.pid)
    }
}

/// Where stacks live, in Pulumi's DIY layout: `file://` folders or `s3://` buckets.
public protocol StateBackend: Sendable {
    var url: String { get }
    func stacks(project: String) async throws -> [String]
    func checkpoint(project: String, stack: String) async throws -> [UInt8]?
    func saveCheckpoint(_ bytes: [UInt8], project: String, stack: String) async throws
    func removeStack(project: String, stack: String) async throws
    /// Takes the stack's lock or throws `StateError.locked` naming the holder.
    func lock(project: String, stack: String, holder: LockHolder) async throws
    func unlock(project: String, stack: String) async throws
    func lockHolders(project: String, stack: String) async throws -> [LockHolder]
    /// Removes every lock of the stack (`stack unlock`).
    func forceUnlock(project: String, stack: String) async throws
    func appendJournal(_ record: [UInt8], project: String, stack: String) async throws
    /// Where the journal is kept, for messages (a file path or an object prefix).
    func journalLocation(project: String, stack: String) -> String
    /// Where the checkpoint is kept, for messages.
    func checkpointLocation(project: String, stack: String) -> String
    func journal(project: String, stack: String) async throws -> [UInt8]?
    func clearJournal(project: String, stack: String) async throws
    func saveHistory(_ record: [UInt8], checkpoint: [UInt8], project: String, stack: String, timestamp: Int64) async throws
    func history(project: String, stack: String) async throws -> [[UInt8]]
    /// How many history records the stack has (listed, not read).
    func historyCount(project: String, stack: String) async throws -> Int
}

/// A store's layout once known, shared by copies of a backend value.
final class LayoutCache: Sendable {
    let value = Mutex<StoreLayout?>(nil)
}

/// `file://PATH`: the DIY layout under `PATH/.pulumi`.
public struct FileBackend: StateBackend {
    public let root: String
    public var url: String { "file://\(root)" }
    static let lockName = LockHolder.fileName

    /// The store's layout, read once (a store never changes layout): path helpers run for every
    /// journal record.
    private let knownLayout = LayoutCache()

    public init(root: String) { self.root = root }

    var base: String { root + "/.pulumi" }
    /// The store's layout (see `StoreLayout`).
    func layout() throws -> StoreLayout {
        if let known = knownLayout.value.withLock({ $0 }) { return known }
        let found = try StoreLayout.detect(meta: AtomicFile.read("\(base)/meta.yaml"), stackEntries: AtomicFile.list("\(base)/stacks"), location: url)
        knownLayout.value.withLock { $0 = found }
        return found
    }
    /// Paths in the store's own layout (the project layout for a store that cannot be read; the
    /// operations themselves report why).
    func stackFile(_ project: String, _ stack: String) -> String { "\(base)/" + ((try? layout()) ?? .project).stack(project, stack) }
    func journalFile(_ project: String, _ stack: String) -> String { String(stackFile(project, stack).dropLast(5)) + ".journal" }
    func lockFolder(_ project: String, _ stack: String) -> String { "\(base)/" + ((try? layout()) ?? .project).locks(project, stack) }
    func historyFolder(_ project: String, _ stack: String) -> String { "\(base)/" + ((try? layout()) ?? .project).history(project, stack) }

    public func stacks(project: String) async throws -> [String] {
        try StackName.validate(project, what: "project")
        return StoreLayout.stackNames(AtomicFile.list("\(base)/" + (try layout()).stacksFolder(project)))
    }

    public func checkpoint(project: String, stack: String) async throws -> [UInt8]? {
        try StackName.check(project: project, stack: stack)
        let path = "\(base)/" + (try layout()).stack(project, stack)
        if AtomicFile.exists(path), AtomicFile.exists(path + ".gz") {
            throw StateError.unsupported("both \(path) and \(path).gz exist: keep the one Pulumi last wrote")
        }
        if let plain = AtomicFile.read(path) { return plain }
        return try AtomicFile.read(path + ".gz").map { try Gzip.decompress($0, name: path + ".gz") }
    }

    public func saveCheckpoint(_ bytes: [UInt8], project: String, stack: String) async throws {
        try StackName.check(project: project, stack: stack)
        let layout = try layout()
        // A new store is made in the project layout and says so; an existing one keeps its own.
        if layout == .project && !AtomicFile.exists("\(base)/meta.yaml") { try AtomicFile.write("version: 1\n", to: "\(base)/meta.yaml", mode: 0o644) }
        let path = "\(base)/" + layout.stack(project, stack)
        if AtomicFile.exists(path + ".gz") && !AtomicFile.exists(path) {
            try AtomicFile.write(Gzip.compress(bytes), to: path + ".gz", mode: 0o600)
        } else {
            try AtomicFile.write(bytes, to: path, mode: 0o600)
        }
    }

    public func removeStack(project: String, stack: String) async throws {
        try StackName.check(project: project, stack: stack)
        let path = "\(base)/" + (try layout()).stack(project, stack)
        AtomicFile.remove(path)
        AtomicFile.remove(path + ".gz")
        AtomicFile.remove(journalFile(project, stack))
    }

    /// Locks this process holds (the lock file's path and its flock()ed descriptor).
    static let held = Mutex<[String: Int32]>([:])

    public func lock(project: String, stack: String, holder: LockHolder) async throws {
        try StackName.check(project: project, stack: stack)
        let folder = lockFolder(project, stack)
        let path = "\(folder)/\(Self.lockName)"
        // Another tool's lock (Pulumi's <uuid>.json) stops the run; ours is taken atomically.
        if let other = try await otherHolders(folder) { throw StateError.locked(stack: stack, holder: other.description) }
        let outcome = try LockFile.acquire(path, content: Array(holder.json.serialized().utf8)) { bytes, age in
            LockHolder.isStale(bytes, age: age, host: holder.hostname)
        }
        switch outcome {
        case .held(let content):
            throw StateError.locked(stack: stack, holder: content.flatMap(LockHolder.init(bytes:))?.description ?? "another run (an unreadable lock file)")
        case .acquired(let descriptor):
            // A Pulumi lock made meanwhile: it was there first or at the same time; give way.
            if let other = try await otherHolders(folder) {
                LockFile.release(path, descriptor: descriptor)
                throw StateError.locked(stack: stack, holder: other.description)
            }
            Self.held.withLock { $0[path] = descriptor }
        }
    }

    func otherHolders(_ folder: String) async throws -> LockHolder? {
        AtomicFile.list(folder).filter { $0.hasSuffix(".json") && $0 != Self.lockName }.first.map { name in
            AtomicFile.read("\(folder)/\(name)").flatMap(LockHolder.init(bytes:)) ?? LockHolder(pid: 0, username: "unknown", hostname: "unknown", timestamp: name)
        }
    }

    public func unlock(project: String, stack: String) async throws {
        try StackName.check(project: project, stack: stack)
        let path = "\(lockFolder(project, stack))/\(Self.lockName)"
        if let descriptor = Self.held.withLock({ $0.removeValue(forKey: path) }) {
            LockFile.release(path, descriptor: descriptor)
        } else {
            AtomicFile.remove(path)
        }
    }

    public func lockHolders(project: String, stack: String) async throws -> [LockHolder] {
        try StackName.check(project: project, stack: stack)
        let folder = lockFolder(project, stack)
        return AtomicFile.list(folder).filter { $0.hasSuffix(".json") }.compactMap { name in
            AtomicFile.read("\(folder)/\(name)").flatMap { try? JSONValue.parse($0) }.flatMap(LockHolder.init(json:))
                ?? LockHolder(pid: 0, username: "unknown", hostname: "unknown", timestamp: name)
        }
    }

    public func forceUnlock(project: String, stack: String) async throws {
        try StackName.check(project: project, stack: stack)
        let folder = lockFolder(project, stack)
        for name in AtomicFile.list(folder) where name.hasSuffix(".json") { AtomicFile.remove("\(folder)/\(name)") }
    }

    public func appendJournal(_ record: [UInt8], project: String, stack: String) async throws {
        try StackName.check(project: project, stack: stack)
        try JournalFile.append(record, to: journalFile(project, stack))
    }

    public func journal(project: String, stack: String) async throws -> [UInt8]? {
        try StackName.check(project: project, stack: stack)
        return AtomicFile.read(journalFile(project, stack))
    }

    public func journalLocation(project: String, stack: String) -> String { journalFile(project, stack) }
    public func checkpointLocation(project: String, stack: String) -> String { stackFile(project, stack) }

    public func clearJournal(project: String, stack: String) async throws {
        try StackName.check(project: project, stack: stack)
        AtomicFile.remove(journalFile(project, stack))
    }

    public func saveHistory(_ record: [UInt8], checkpoint: [UInt8], project: String, stack: String, timestamp: Int64) async throws {
        try StackName.check(project: project, stack: stack)
        let prefix = "\(historyFolder(project, stack))/\(stack)-\(timestamp)"
        try AtomicFile.write(checkpoint, to: prefix + ".checkpoint.json", mode: 0o600)
        try AtomicFile.write(record, to: prefix + ".history.json", mode: 0o600)
    }

    public func historyCount(project: String, stack: String) async throws -> Int {
        try StackName.check(project: project, stack: stack)
        return AtomicFile.list(historyFolder(project, stack)).filter { $0.hasSuffix(".history.json") || $0.hasSuffix(".history.json.gz") }.count
    }

    public func history(project: String, stack: String) async throws -> [[UInt8]] {
        try StackName.check(project: project, stack: stack)
        let folder = historyFolder(project, stack)
        return try AtomicFile.list(folder).filter { $0.hasSuffix(".history.json") || $0.hasSuffix(".history.json.gz") }.compactMap { name in
            try AtomicFile.read("\(folder)/\(name)").map { name.hasSuffix(".gz") ? try Gzip.decompress($0, name: "\(folder)/\(name)") : $0 }
        }
    }
}

