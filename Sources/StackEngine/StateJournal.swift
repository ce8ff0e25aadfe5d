import JSON
import StackModel

/// The state of a stack while an update runs: the checkpoint it started from plus every step
/// recorded since, durably, as it happens (a begin record before the cloud call, an end record
/// after). The journal is folded into the checkpoint when the update ends, so a deploy of n
/// resources writes O(n) bytes, and a crash at any moment leaves a journal that the next run
/// replays: begins without ends become pending operations.
public final class StateJournal: @unchecked Sendable {
    public let backend: any StateBackend
    public let project: String
    public let stack: String
    public let coder: CheckpointCoder
    public private(set) var deployment: Deployment
    /// Whether anything was recorded since the journal was opened (or one was left over).
    public private(set) var changed = false

    init(backend: any StateBackend, project: String, stack: String, coder: CheckpointCoder, deployment: Deployment) {
        self.backend = backend
        self.project = project
        self.stack = stack
        self.coder = coder
        self.deployment = deployment
    }

    /// Loads the checkpoint and replays a journal left by an interrupted run.
    public static func open(backend: any StateBackend, project: String, stack: String, coder: CheckpointCoder,
                            now: String) async throws -> StateJournal {
        let base: Deployment
        do {
            base = try await backend.checkpoint(project: project, stack: stack).flatMap { try coder.decode($0) } ?? Deployment(time: now)
        } catch let error as StateError {
            throw error
        } catch {
            // Where the broken state is, not only what is wrong with it.
            throw StateError.io("\(backend.checkpointLocation(project: project, stack: stack)): unreadable checkpoint (\(error)); nothing was changed")
        }
        let journal = StateJournal(backend: backend, project: project, stack: stack, coder: coder, deployment: base)
        if let bytes = try await backend.journal(project: project, stack: stack) {
            try journal.replay(bytes, source: backend.journalLocation(project: project, stack: stack))
            journal.changed = true
        }
        return journal
    }

    /// Folds a journal into the state. A last line without its newline is a write torn by a crash
    /// (never acknowledged) and is dropped; any other unreadable line stops with the file and line
    /// named: the journal is the only record of what happened.
    func replay(_ bytes: [UInt8], source: String) throws {
        var open: [URN: PendingOperation] = [:]
        let lines = bytes.split(separator: 10, omittingEmptySubsequences: false)
        let last = bytes.last == 10 ? nil : lines.indices.last
        for (index, line) in lines.enumerated() where !line.isEmpty {
            func unreadable(_ reason: String) -> StateError {
                StateError.io("\(source):\(index + 1): unreadable journal record (\(reason)); the state was not changed: repair or remove that line")
            }
            let record: JSONValue
            do {
                record = try JSONValue.parse(line)
            } catch {
                if index == last { break }  // a torn last line
                throw unreadable("\(error)")
            }
            do {
                if let kind = record["begin"]?.stringValue, let resource = record["resource"] {
                    guard let operation = PendingOperation.Kind(rawValue: kind) else { throw unreadable("unknown operation '\(kind)'") }
                    let state = try coder.decodeResource(resource)
                    let window = record["landing"].flatMap { landing -> LandingWindow? in
                        guard let from = landing["from"]?.doubleValue, let until = landing["until"]?.doubleValue else { return nil }
                        return LandingWindow(from: from, until: until)
                    }
                    open[state.urn] = PendingOperation(kind: operation, resource: state, window: window)
                } else if let kind = record["end"]?.stringValue, let urnText = record["urn"]?.stringValue, let urn = URN(urnText) {
                    open[urn] = nil
                    try apply(outcome: kind, urn: urn, resource: record["resource"].map(coder.decodeResource), record: record)
                } else {
                    throw unreadable("neither a begin nor an end record")
                }
            } catch let error as StateError {
                throw error
            } catch {
                throw unreadable("\(error)")
            }
        }
        deployment.pendingOperations += open.values.sorted { $0.resource.urn < $1.resource.urn }
    }

    /// Position of each resource in `deployment.resources`.
    private lazy var positions: [URN: Int] = Dictionary(deployment.resources.enumerated().map { ($1.urn, $0) }, uniquingKeysWith: { a, _ in a })

    func upsert(_ resource: ResourceState) {
        if let index = positions[resource.urn] {
            deployment.resources[index] = resource
        } else {
            positions[resource.urn] = deployment.resources.count
            deployment.resources.append(resource)
        }
    }

    func remove(_ urn: URN) {
        guard let index = positions.removeValue(forKey: urn) else { return }
        deployment.resources.remove(at: index)
        for position in index..<deployment.resources.count { positions[deployment.resources[position].urn] = position }
    }

    /// Records that an operation is about to call the cloud.
    public func begin(_ kind: PendingOperation.Kind, _ resource: ResourceState, landing: LandingWindow? = nil) async throws {
        var record: JSONObject = ["begin": .string(kind.rawValue), "resource": try coder.encode(resource)]
        if let landing { record["landing"] = ["from": .double(landing.from), "until": .double(landing.until)] }
        try await backend.appendJournal(Array(JSONValue.object(record).serialized().utf8), project: project, stack: stack)
    }

    /// Records the result of an operation and applies it to the state. `replaced` is the old
    /// resource of a create-before-delete replace (kept durably as a pending delete).
    public func end(_ outcome: Outcome, urn: URN, resource: ResourceState?, replaced: ResourceState? = nil) async throws {
        var record: JSONObject = ["end": .string(outcome.rawValue), "urn": .string(urn.description)]
        if let resource { record["resource"] = try coder.encode(resource) }
        if let replaced { record["old"] = try coder.encode(replaced) }
        try await backend.appendJournal(Array(JSONValue.object(record).serialized().utf8), project: project, stack: stack)
        changed = true
        try apply(outcome: outcome.rawValue, urn: urn, resource: resource, record: .object(record))
    }

    /// How an operation ended, as the journal records it.
    public enum Outcome: String, Sendable {
        case done, imported, adopted, refreshed, failed, deleted
        /// A create-before-delete replace created the new resource; the old one waits to be deleted.
        case replaced
        /// The old resource of a replace was deleted (the record names it by id).
        case replacedDeleted
    }

    func apply(outcome: String, urn: URN, resource: ResourceState?, record: JSONValue) throws {
        guard let outcome = Outcome(rawValue: outcome) else { throw StateError.unsupported("journal outcome '\(outcome)'") }
        switch outcome {
        case .deleted: remove(urn)
        case .failed: break
        case .replacedDeleted:
            let id = record["id"]?.stringValue ?? resource?.id
            deployment.pendingDeletes.removeAll { $0.urn == urn && $0.id == id }
        case .replaced:
            if let old = try record["old"].map(coder.decodeResource), !deployment.pendingDeletes.contains(where: { $0.urn == old.urn && $0.id == old.id }) {
                deployment.pendingDeletes.append(old)
            }
            if let resource { upsert(resource) }
        case .done, .imported, .adopted, .refreshed:
            if let resource { upsert(resource) }
        }
    }

    /// Settles pending operations (after they were resolved by reading the cloud).
    public func clearPending(_ urn: URN) {
        deployment.pendingOperations.removeAll { $0.resource.urn == urn }
    }

    /// Writes the folded checkpoint (resources in `resourceOrder`) and removes the journal.
    public func compact(time: String, resourceOrder: [URN]? = nil) async throws -> [UInt8] {
        deployment.time = time
        if let resourceOrder {
            let rank = Dictionary(resourceOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            deployment.resources.sort { (rank[$0.urn] ?? Int.max, $0.urn) < (rank[$1.urn] ?? Int.max, $1.urn) }
            positions = Dictionary(deployment.resources.enumerated().map { ($1.urn, $0) }, uniquingKeysWith: { a, _ in a })
        }
        let bytes = try coder.encode(stack: stack, project: project, deployment: deployment)
        try await backend.saveCheckpoint(bytes, project: project, stack: stack)
        try await backend.clearJournal(project: project, stack: stack)
        return bytes
    }
}
