import AWSCore
import AWSServices
import JSON
import StackEngine

/// `s3://bucket[/prefix]`: Pulumi's DIY layout in a bucket. The lock is an object created with
/// `If-None-Match: *`, so two runs cannot both take it; journal records are one object each
/// (S3 cannot append), listed in order and deleted when the update ends.
public final class S3Backend: StateBackend, @unchecked Sendable {
    public let bucket: String
    public let prefix: String
    let client: () throws -> AWSClient
    let s3 = S3Operations.self
    private var journalSequence = 0

    public init(url: String, client: @escaping () throws -> AWSClient) throws {
        let rest = url.dropFirst("s3://".count)
        let parts = rest.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, !first.isEmpty else { throw StateError.unsupported("backend URL '\(url)' names no bucket") }
        bucket = String(first)
        prefix = parts.count > 1 ? String(parts[1]).trimmingSlashes() : ""
        self.client = client
    }

    public var url: String { "s3://\(bucket)\(prefix.isEmpty ? "" : "/" + prefix)" }

    func key(_ path: String) -> String { (prefix.isEmpty ? "" : prefix + "/") + ".pulumi/" + path }
    /// The store's layout (see `StoreLayout`), read once per run: a store never changes layout.
    private var knownLayout: StoreLayout?
    /// Whether meta.yaml is in the store (known with the layout; written once for a new store).
    private var hasMeta = false
    func layout() async throws -> StoreLayout {
        if let knownLayout { return knownLayout }
        let stacksPrefix = key("stacks/")
        let entries = try await client().all(s3.service, s3.listObjectsV2, ["Bucket": .string(bucket), "Prefix": .string(stacksPrefix), "Delimiter": "/"],
                                             key: "Contents").compactMap { $0["Key"]?.stringValue.map { String($0.dropFirst(stacksPrefix.count)) } }
        let meta = try await get(key("meta.yaml"))
        let found = try StoreLayout.detect(meta: meta, stackEntries: entries, location: url)
        knownLayout = found
        hasMeta = meta != nil
        return found
    }

    func exists(_ key: String) async throws -> Bool { try await client().s3ObjectExists(bucket: bucket, key: key) }

    var currentLayout: StoreLayout { knownLayout ?? .project }
    func stackKey(_ project: String, _ stack: String) -> String { key(currentLayout.stack(project, stack)) }
    func journalPrefix(_ project: String, _ stack: String) -> String { String(stackKey(project, stack).dropLast(5)) + ".journal/" }
    func lockPrefix(_ project: String, _ stack: String) -> String { key(currentLayout.locks(project, stack) + "/") }

    func get(_ key: String) async throws -> [UInt8]? {
        do {
            return try await client().call(s3.service, s3.getObject, ["Bucket": .string(bucket), "Key": .string(key)]).payload
        } catch let error as AWSError where error.code == "NoSuchKey" || error.code == "NotFound" {
            return nil
        }
    }

    func put(_ bytes: [UInt8], _ key: String, onlyIfAbsent: Bool = false) async throws {
        var input: JSONObject = ["Bucket": .string(bucket), "Key": .string(key)]
        if onlyIfAbsent { input["IfNoneMatch"] = "*" }
        _ = try await client().call(s3.service, s3.putObject, input, payload: bytes)
    }

    func keys(_ prefix: String) async throws -> [String] {
        try await client().all(s3.service, s3.listObjectsV2, ["Bucket": .string(bucket), "Prefix": .string(prefix)], key: "Contents")
            .compactMap { $0["Key"]?.stringValue }.sorted()
    }

    func delete(_ keys: [String]) async throws {
        for key in keys { _ = try await client().call(s3.service, s3.deleteObject, ["Bucket": .string(bucket), "Key": .string(key)]) }
    }

    public func stacks(project: String) async throws -> [String] {
        try StackName.validate(project, what: "project")
        let folder = key(try await layout().stacksFolder(project) + "/")
        return StoreLayout.stackNames(try await keys(folder).map { String($0.dropFirst(folder.count)) }.filter { !$0.contains("/") })
    }

    public func checkpoint(project: String, stack: String) async throws -> [UInt8]? {
        _ = try await layout()
        let plain = stackKey(project, stack)
        let bytes = try await get(plain), zipped = try await get(plain + ".gz")
        if bytes != nil, zipped != nil {
            throw StateError.unsupported("both s3://\(bucket)/\(plain) and \(plain).gz exist: keep the one Pulumi last wrote")
        }
        return try bytes ?? zipped.map { try Gzip.decompress($0, name: "s3://\(bucket)/\(plain).gz") }
    }

    public func saveCheckpoint(_ bytes: [UInt8], project: String, stack: String) async throws {
        try StackName.check(project: project, stack: stack)
        let layout = try await layout()
        if layout == .project, !hasMeta {
            try await put(Array("version: 1\n".utf8), key("meta.yaml"))
            hasMeta = true
        }
        let plain = stackKey(project, stack)
        // A gzipped stack stays gzipped (the store's own form).
        if try await !exists(plain), try await exists(plain + ".gz") {
            try await put(Gzip.compress(bytes), plain + ".gz")
        } else {
            try await put(bytes, plain)
        }
    }

    public func removeStack(project: String, stack: String) async throws {
        try StackName.check(project: project, stack: stack)
        _ = try await layout()
        try await delete([stackKey(project, stack), stackKey(project, stack) + ".gz"] + keys(journalPrefix(project, stack)))
    }

    /// Takes the lock object with a conditional create. A lock left by a dead process on this host
    /// (or an unreadable one past its age) is removed with a delete conditional on its ETag, so two
    /// runs taking it over cannot both succeed; any other holder is named with its age.
    public func lock(project: String, stack: String, holder: LockHolder) async throws {
        try StackName.check(project: project, stack: stack)
        _ = try await layout()
        let ours = lockPrefix(project, stack) + LockHolder.fileName
        var seen: LockHolder?
        for _ in 0..<4 {
            if let other = try await lockKeys(project, stack).first(where: { $0 != ours }) {
                throw StateError.locked(stack: stack, holder: try await holderDescription(other))
            }
            do {
                try await put(Array(holder.json.serialized().utf8), ours, onlyIfAbsent: true)
                return
            } catch let error as AWSError where Self.isConflict(error) {}
            let existing: AWSResponse
            do {
                existing = try await client().call(s3.service, s3.getObject, ["Bucket": .string(bucket), "Key": .string(ours)])
            } catch let error as AWSError where error.code == "NoSuchKey" || error.code == "NotFound" {
                continue  // released meanwhile
            }
            seen = LockHolder(bytes: existing.payload)
            let age = existing["LastModified"].flatMap(Self.seconds).map { Int(AWSClient.wallClock()) - $0 } ?? 0
            guard LockHolder.isStale(existing.payload, age: age, host: holder.hostname), let etag = existing["ETag"]?.stringValue else { break }
            do {
                _ = try await client().call(s3.service, s3.deleteObject, ["Bucket": .string(bucket), "Key": .string(ours), "IfMatch": .string(etag)])
            } catch let error as AWSError where Self.isConflict(error) || error.code == "NoSuchKey" || error.code == "NotFound" {
                continue  // another run acted first: look again
            }
        }
        throw StateError.locked(stack: stack, holder: seen?.description ?? "another run")
    }

    static func isConflict(_ error: AWSError) -> Bool { error.code == "PreconditionFailed" || error.code == "ConditionalRequestConflict" }

    /// `Last-Modified` (an HTTP date header) as seconds since 1970.
    static func seconds(_ value: JSONValue) -> Int? {
        value.stringValue.flatMap { CivilTime.parseHTTPDate($0) ?? CivilTime.parseISO8601($0) }.map(Int.init)
    }

    func lockKeys(_ project: String, _ stack: String) async throws -> [String] {
        try await keys(lockPrefix(project, stack)).filter { $0.hasSuffix(".json") }
    }

    func holderDescription(_ key: String) async throws -> String {
        (try await get(key)).flatMap(LockHolder.init(bytes:))?.description ?? "another run (\(key))"
    }

    public func unlock(project: String, stack: String) async throws {
        try StackName.check(project: project, stack: stack)
        _ = try await layout()
        try await delete([lockPrefix(project, stack) + LockHolder.fileName])
    }

    public func lockHolders(project: String, stack: String) async throws -> [LockHolder] {
        try StackName.check(project: project, stack: stack)
        _ = try await layout()
        var holders: [LockHolder] = []
        for key in try await keys(lockPrefix(project, stack)) where key.hasSuffix(".json") {
            let json = try await get(key).flatMap { try? JSONValue.parse($0) }
            holders.append(json.flatMap(LockHolder.init(json:)) ?? LockHolder(pid: 0, username: "unknown", hostname: "unknown", timestamp: key))
        }
        return holders
    }

    public func forceUnlock(project: String, stack: String) async throws {
        try StackName.check(project: project, stack: stack)
        _ = try await layout()
        try await delete(keys(lockPrefix(project, stack)))
    }

    public func appendJournal(_ record: [UInt8], project: String, stack: String) async throws {
        try StackName.check(project: project, stack: stack)
        _ = try await layout()
        journalSequence += 1
        let number = String(journalSequence)
        let name = String(repeating: "0", count: max(0, 12 - number.count)) + number
        try await put(record, journalPrefix(project, stack) + "\(LockHolder.processStamp)-\(name)")
    }

    public func journal(project: String, stack: String) async throws -> [UInt8]? {
        try StackName.check(project: project, stack: stack)
        _ = try await layout()
        let keys = try await keys(journalPrefix(project, stack))
        guard !keys.isEmpty else { return nil }
        var bytes: [UInt8] = []
        for key in keys { bytes += (try await get(key) ?? []) + [10] }
        return bytes
    }

    public func journalLocation(project: String, stack: String) -> String { "s3://\(bucket)/\(journalPrefix(project, stack))" }
    public func checkpointLocation(project: String, stack: String) -> String { "s3://\(bucket)/\(stackKey(project, stack))" }

    public func clearJournal(project: String, stack: String) async throws {
        try StackName.check(project: project, stack: stack)
        _ = try await layout()
        try await delete(keys(journalPrefix(project, stack)))
    }

    public func saveHistory(_ record: [UInt8], checkpoint: [UInt8], project: String, stack: String, timestamp: Int64) async throws {
        try StackName.check(project: project, stack: stack)
        _ = try await layout()
        let base = key(try await layout().history(project, stack) + "/\(stack)-\(timestamp)")
        try await put(checkpoint, base + ".checkpoint.json")
        try await put(record, base + ".history.json")
    }

    public func historyCount(project: String, stack: String) async throws -> Int {
        try StackName.check(project: project, stack: stack)
        return try await keys(key(try await layout().history(project, stack) + "/"))
            .filter { $0.hasSuffix(".history.json") || $0.hasSuffix(".history.json.gz") }.count
    }

    public func history(project: String, stack: String) async throws -> [[UInt8]] {
        try StackName.check(project: project, stack: stack)
        _ = try await layout()
        var records: [[UInt8]] = []
        for key in try await keys(key(try await layout().history(project, stack) + "/")) where key.hasSuffix(".history.json") || key.hasSuffix(".history.json.gz") {
            if let bytes = try await get(key) { records.append(key.hasSuffix(".gz") ? try Gzip.decompress(bytes, name: key) : bytes) }
        }
        return records
    }
}

extension LockHolder {
    /// Orders journal objects of one run (a time stamp taken once per process).
    static let processStamp: String = {
        let seconds = String(AWSClient.wallClock())
        return String(repeating: "0", count: max(0, 12 - seconds.count)) + seconds
    }()
}

extension String {
    func trimmingSlashes() -> String {
        var text = Substring(self)
        while text.first == "/" { text.removeFirst() }
        while text.last == "/" { text.removeLast() }
        return String(text)
    }
}
