import AWSCore
import JSON
import StackEngine
import StackLanguage
import StackModel
import Synchronization

/// Wires a stack command: project, stack, backend, providers over the AWS client, the lock and
/// the history record around an update.
public final class StackRunner: @unchecked Sendable {
    public let context: ProjectContext
    public let project: ProjectFolder
    public let backend: any StateBackend
    public let stack: String
    let makeClient: () throws -> AWSClient
    private var client: AWSClient?
    private let invokeCache = Mutex<[String: PropertyValue]>([:])

    public init(context: ProjectContext, stackFlag: String?, backendFlag: String?, makeClient: @escaping () throws -> AWSClient) throws {
        self.context = context
        let stack = try context.stackName(flag: stackFlag)
        let configKeys = Set((try? StackConfigFile.load(path: "\(context.directory)/Pulumi.\(stack).yaml"))?.entries.keys.map { key in
            key.split(separator: ":").last.map(String.init) ?? key } ?? [])
        project = try context.loadProject(extraConfig: configKeys)
        backend = try context.backend(flag: backendFlag, program: project.program)
        self.stack = stack
        self.makeClient = makeClient
    }

    public func session() throws -> StackSession {
        try StackSession(project: project, stack: stack, backend: backend, environment: context.environment)
    }

    public func awsClient() throws -> AWSClient {
        if let client { return client }
        let made = try makeClient()
        client = made
        return made
    }

    public func engine(_ session: StackSession, parallel: Int, events: @escaping @Sendable (EngineEvent) -> Void) async throws -> DeploymentEngine {
        let problems = try session.configurationDiagnostics()
        if !problems.isEmpty { throw Diagnostics(problems) }
        let providers = ProviderRegistry([LazyIoTProvider(runner: self)])
        let evaluation = try session.evaluationContext(invoke: { [self] function, arguments in
            // One answer per data source and arguments for the whole run: the plan and its
            // execution see the same values.
            let key = function + " " + arguments.plainJSON.serialized(sortedKeys: true)
            if let cached = invokeCache.withLock({ $0[key] }) { return cached }
            let value = try await Invokes.call(function, arguments, client: { try self.awsClient() })
            invokeCache.withLock { $0[key] = value }
            return value
        })
        return DeploymentEngine(program: project.program, evaluation: evaluation, providers: providers,
                                journal: try await session.openJournal(now: ProjectContext.timestamp()), parallel: parallel,
                                now: { ProjectContext.timestamp() }, events: events)
    }

    /// Runs `body` holding the stack's lock; the lock is released however it ends.
    public func locked<T>(_ body: () async throws -> T) async throws -> T {
        let holder = ProjectContext.lockHolder(environment: context.environment, now: ProjectContext.timestamp())
        try await backend.lock(project: project.program.name, stack: stack, holder: holder)
        do {
            let result = try await body()
            try await backend.unlock(project: project.program.name, stack: stack)
            return result
        } catch {
            try? await backend.unlock(project: project.program.name, stack: stack)
            throw error
        }
    }

    /// Appends an update to the stack's history (kind, times, result, counts, plan hash).
    public func recordHistory(kind: String, start: String, result: String, counts: [StepKind: Int], planHash: String?, checkpoint: [UInt8]?) async {
        var changes = JSONObject()
        for (step, count) in counts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) { changes[step.rawValue] = .integer(Int64(count)) }
        var record: JSONObject = ["kind": .string(kind), "startTime": .string(start), "endTime": .string(ProjectContext.timestamp()),
                                  "result": .string(result), "resourceChanges": .object(changes)]
        if let planHash { record["planHash"] = .string(planHash) }
        let holder = ProjectContext.lockHolder(environment: context.environment, now: "")
        record["environment"] = ["user": .string(holder.username), "host": .string(holder.hostname)]
        let current = try? await backend.checkpoint(project: project.program.name, stack: stack)
        try? await backend.saveHistory(Array(JSONValue.object(record).pretty().utf8), checkpoint: checkpoint ?? current ?? [],
                                       project: project.program.name, stack: stack, timestamp: Int64(AWSClient.wallClock()) * 1_000_000_000 + Int64.random(in: 0..<1_000_000))
    }
}

/// The IoT provider, with the AWS client made on first use (a preview needs no credentials).
struct LazyIoTProvider: ResourceProvider {
    let runner: StackRunner

    func supports(_ type: String) -> Bool { IoTResourceProvider.types.contains(type) }

    func provider() throws -> IoTResourceProvider { IoTResourceProvider(client: try runner.awsClient()) }

    func create(type: String, name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        try await provider().create(type: type, name: name, inputs: inputs)
    }

    func read(type: String, id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        try await provider().read(type: type, id: id, inputs: inputs)
    }

    func update(type: String, id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        try await provider().update(type: type, id: id, old: old, inputs: inputs)
    }

    func delete(type: String, id: String, old: ResourceState) async throws {
        try await provider().delete(type: type, id: id, old: old)
    }
}
