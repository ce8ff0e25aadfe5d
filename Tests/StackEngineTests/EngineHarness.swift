import Foundation
import StackEngine
import StackLanguage
import StackModel

/// A project folder and a file backend in a temporary folder, with the in-memory provider.
final class EngineHarness {
    let folder: String
    let provider = InMemoryProvider()
    let backend: FileBackend
    var environment: [String: String] = ["PULUMI_CONFIG_PASSPHRASE": "test-passphrase"]
    let events = EventLog()

    init(_ program: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-engine-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        backend = FileBackend(root: folder + "/state")
        try write(program)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func write(_ program: String) throws {
        try program.write(toFile: folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
    }

    func session(stack: String = "dev") throws -> StackSession {
        try StackSession(project: ProjectFolder.load(directory: folder), stack: stack, backend: backend, environment: environment)
    }

    func engine(_ session: StackSession) async throws -> DeploymentEngine {
        let log = events
        return DeploymentEngine(program: session.project.program, evaluation: try session.evaluationContext(), providers: ProviderRegistry([provider]),
                                journal: try await session.openJournal(now: "2026-11-29T00:00:00Z"), parallel: 4,
                                now: { "2026-11-29T00:00:00Z" }, events: { log.append($0) })
    }

    func preview(stack: String = "dev") async throws -> Plan {
        let session = try session(stack: stack)
        return try await engine(session).preview(hashes: try await session.hashes())
    }

    @discardableResult
    func up(stack: String = "dev") async throws -> DeploymentEngine.Summary {
        let session = try session(stack: stack)
        let engine = try await engine(session)
        let plan = try await engine.preview(hashes: try await session.hashes())
        return try await engine.up(plan: plan)
    }

    func state(stack: String = "dev") async throws -> Deployment? {
        let session = try session(stack: stack)
        return try await session.openJournal(now: "").deployment
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [EngineEvent] = []
    func append(_ event: EngineEvent) { lock.lock(); items.append(event); lock.unlock() }
    var all: [EngineEvent] { lock.lock(); defer { lock.unlock() }; return items }
}

extension Plan {
    /// "kind name" for each step that changes something.
    var summary: [String] { steps.filter { $0.kind != .same }.map { "\($0.kind.rawValue) \($0.urn.name)" } }
}
