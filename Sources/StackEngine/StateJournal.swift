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
        let base = try await backend.checkpoint(project: project, stack: stack).flatMap { try coder.decode($0) } ?? Deployment(time: now)
        let journal = StateJournal(backend: backend, project: project, stack: stack, coder: coder, deployment: base)
        if let bytes = try await backend.journal(project: project, stack: stack) {
            try journal.replay(bytes)
            journal.changed = true
        }
        return journal
    }

    func replay(_ bytes: [UInt8]) throws {
        var open: [URN: PendingOperation] = [:]
        for line in bytes.split(separator: 10) where !line.isEmpty {
            guard let record = try? JSONValue.parse(line) else { continue }  // a torn last line
            if let kind = record["begin"]?.stringValue, let resource = record["resource"] {
                let state = try coder.decodeResource(resource)
                open[state.urn] = PendingOperation(kind: PendingOperation.Kind(rawValue: kind) ?? .updating, resource: state)
            } else if let kind = record["end"]?.stringValue, let urnText = record["urn"]?.stringValue, let urn = URN(urnText) {
                open[urn] = nil
                switch kind {
                case "deleted": remove(urn)
                case "failed": break
                default: if let resource = record["resource"] { upsert(try coder.decodeResource(resource)) }
                }
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
    public func begin(_ kind: PendingOperation.Kind, _ resource: ResourceState) async throws {
        let record: JSONValue = ["begin": .string(kind.rawValue), "resource": try coder.encode(resource)]
        try await backend.appendJournal(Array(record.serialized().utf8), project: project, stack: stack)
    }

    /// Records the result of an operation and applies it to the state.
    public func end(_ outcome: String, urn: URN, resource: ResourceState?) async throws {
        var record: JSONObject = ["end": .string(outcome), "urn": .string(urn.description)]
        if let resource { record["resource"] = try coder.encode(resource) }
        try await backend.appendJournal(Array(JSONValue.object(record).serialized().utf8), project: project, stack: stack)
        changed = true
        switch outcome {
        case "deleted": remove(urn)
        case "failed": break
        default: if let resource { upsert(resource) }
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
