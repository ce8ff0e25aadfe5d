import AWSCore
import AWSServices
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
    /// The stack config's keys (config the program may read without declaring it).
    let configKeys: Set<String>
    let clients: ClientBox
    /// Clients for explicit provider resources' settings (region, profile), made on first use.
    let makeClient: (String?, String?) throws -> AWSClient
    private let explicitClients = Mutex<[String: AWSClient]>([:])
    private let invokeCache = Mutex<[String: PropertyValue]>([:])

    /// `makeClient(profile, region)` builds the AWS client; the arguments are the stack's own
    /// `aws:profile` and `aws:region` (or `<project>:aws-region`), which command-line flags override.
    public init(context: ProjectContext, stackFlag: String?, backendFlag: String?,
                makeClient: @escaping (String?, String?) throws -> AWSClient) throws {
        self.context = context
        let stack = try context.stackName(flag: stackFlag)
        let config = try StackConfigFile.load(path: "\(context.directory)/Pulumi.\(stack).yaml")
        configKeys = Set(config.entries.keys.map { key in key.split(separator: ":").last.map(String.init) ?? key })
        project = try context.loadProject(extraConfig: configKeys)
        let (profile, region) = try Self.providerSettings(config, project: project.program.name)
        let clients = ClientBox { try makeClient(profile, region) }
        self.clients = clients
        self.makeClient = makeClient
        backend = try context.backend(flag: backendFlag, program: project.program, client: { try clients.get() })
        self.stack = stack
    }

    /// Throws "no stack named" unless the stack exists (`ProjectContext.requireStack`).
    public func requireStack() async throws {
        try await context.requireStack(stack, project: project.program.name, backend: backend)
    }

    public func session() throws -> StackSession {
        try StackSession(project: project, stack: stack, backend: backend, environment: context.environment)
    }

    public func awsClient() throws -> AWSClient { try clients.get() }

    /// The client for a resource's cloud calls: its explicit provider's settings
    /// (`ExplicitProvider.settings`), else the stack's.
    func resourceClient() throws -> AWSClient {
        guard let settings = ExplicitProvider.settings else { return try clients.get() }
        let key = "\(settings["profile"] ?? "")|\(settings["region"] ?? "")"
        return try explicitClients.withLock { made in
            if let client = made[key] { return client }
            let client = try makeClient(settings["profile"], settings["region"])
            made[key] = client
            return client
        }
    }

    /// The stack's state as recorded (secrets decrypted where the passphrase allows).
    public func deployment() async throws -> Deployment { try await session().openJournal(now: "").deployment }

    /// The stack's outputs, from its state.
    public func outputs() async throws -> [String: PropertyValue] {
        try await deployment().resource(URN.stackResource(stack: stack, project: project.program.name))?.outputs ?? [:]
    }

    /// The safety rule: a stack that names its account (`<project>:aws-account-id`) is only
    /// changed with credentials of that account.
    public func guardAccount(_ session: StackSession) async throws {
        let key = "\(project.program.name):aws-account-id"
        guard case .value(let value)? = session.config.entries[key], let expected = value.stringValue else { return }
        let client = try awsClient()
        let identity = try await client.callerIdentity()
        guard identity.account == expected else {
            throw StateError.wrongAccount(stack: stack, expected: expected, actual: identity.account, arn: identity.arn)
        }
    }

    public func engine(_ session: StackSession, parallel: Int, events: @escaping @Sendable (EngineEvent) -> Void) async throws -> DeploymentEngine {
        let problems = try session.configurationDiagnostics()
        if !problems.isEmpty { throw Diagnostics(problems) }
        let providers = ProviderRegistry([AWSProvider(runner: self), ProviderResources()])
        let evaluation = try session.evaluationContext(invoke: { [self] function, arguments in
            // One answer per data source and arguments for the whole run: the plan and its
            // execution see the same values.
            let key = function + " " + arguments.plainJSON.serialized(sortedKeys: true)
            if let cached = invokeCache.withLock({ $0[key] }) { return cached }
            let value = try await Invokes.call(function, arguments, client: { try self.awsClient() })
            invokeCache.withLock { $0[key] = value }
            return value
        })
        return DeploymentEngine(program: session.project.program, evaluation: evaluation, providers: providers,
                                journal: try await session.openJournal(now: ProjectContext.timestamp()), parallel: parallel,
                                now: { ProjectContext.timestamp() }, lifetime: requestLifetime, events: events)
    }

    /// How long a request this run sends can take to land: the AWS client's timeouts and retries,
    /// or `FLEETDECK_REQUEST_LIFETIME_SECONDS` (the sandbox's, whose server answers at once).
    var requestLifetime: RequestLifetime {
        let environment = context.environment
        let seconds = environment["FLEETDECK_REQUEST_LIFETIME_SECONDS"].flatMap(Double.init)
            ?? AWSClient.requestLifetime(RetryPolicy(environment: environment))
        return RequestLifetime(seconds: max(0, seconds), now: { Double(AWSClient.wallClock()) })
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

    /// Appends an update to the stack's history in Pulumi's `UpdateInfo` shape (times in Unix
    /// seconds, the stack config as it was, a version counting the stack's updates), with the
    /// plan's hash beside it.
    public func recordHistory(kind: String, start: Int64, result: String, counts: [StepKind: Int], planHash: String?, checkpoint: [UInt8]?) async throws {
        var changes = JSONObject()
        for (step, count) in counts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where count > 0 { changes[step.rawValue] = .integer(Int64(count)) }
        let holder = ProjectContext.lockHolder(environment: context.environment, now: "")
        let previous = try await backend.historyCount(project: project.program.name, stack: stack)
        var config = JSONObject()
        if let file = try? StackConfigFile.load(path: project.configPath(stack: stack)) {
            for key in file.entries.keys.sorted() {
                switch file.entries[key]! {
                case .secure(let ciphertext): config[key] = ["string": .string(ciphertext), "secret": true, "object": false]
                case .value(let value):
                    var isObject = false
                    switch value { case .object, .array: isObject = true; default: break }
                    config[key] = ["string": .string(value.stringValue ?? value.serialized(sortedKeys: true)), "secret": false, "object": .bool(isObject)]
                }
            }
        }
        var record: JSONObject = ["kind": .string(kind), "startTime": .integer(start), "message": "",
                                  "environment": ["user": .string(holder.username), "host": .string(holder.hostname), "exec.kind": "fleetdeck"],
                                  "config": .object(config), "result": .string(result), "endTime": .integer(ProjectContext.unixTime()),
                                  "version": .integer(Int64(previous + 1)), "resourceChanges": .object(changes)]
        if let planHash { record["planHash"] = .string(planHash) }
        let current = try await backend.checkpoint(project: project.program.name, stack: stack)
        try await backend.saveHistory(Array(JSONValue.object(record).pretty().utf8), checkpoint: checkpoint ?? current ?? [],
                                       project: project.program.name, stack: stack, timestamp: Int64(AWSClient.wallClock()) * 1_000_000_000 + Int64.random(in: 0..<1_000_000))
    }
}

/// The AWS types: each routed to its handler (`ResourceHandlers`), with the AWS client made on
/// first use (a preview needs no credentials). A read of a resource AWS no longer has is nil and
/// its delete is done, by the handler's own "not found" answers; a create AWS refuses as already
/// existing is said so, for the engine to adopt it when it is the one the step was creating.
struct AWSProvider: ResourceProvider {
    let runner: StackRunner

    var types: [ResourceType] { ResourceHandlers.types }

    func handler(_ type: String) throws -> any ResourceHandler {
        guard let handler = ResourceHandlers.byToken[type] else {
            throw AWSError.invalidInput(operation: "deploy", reason: "\(type) is not a type Fleetdeck deploys")
        }
        return handler.init(context: HandlerContext(client: try runner.resourceClient(), environment: runner.context.environment,
                                                    directory: runner.project.programDirectory))
    }

    func create(type: String, name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        do {
            return try await handler(type).create(name: name, inputs: inputs)
        } catch let error as AWSError where Self.alreadyExistsCodes.contains(error.code ?? "") {
            throw AlreadyExists(underlying: "\(error)")
        }
    }

    /// The services' "already exists" answers to a create (IoT, IAM, Lambda, S3).
    static let alreadyExistsCodes: Set<String> = ["ResourceAlreadyExistsException", "EntityAlreadyExists", "ResourceConflictException",
                                                  "BucketAlreadyOwnedByYou"]

    func read(type: String, id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        let handler = try handler(type)
        do {
            return try await handler.read(id: id, inputs: inputs)
        } catch where Swift.type(of: handler).gone(error) {
            return nil
        }
    }

    func update(type: String, id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        try await handler(type).update(id: id, old: old, inputs: inputs)
    }

    func delete(type: String, id: String, old: ResourceState) async throws {
        let handler = try handler(type)
        do {
            try await handler.delete(id: id, old: old)
        } catch where Swift.type(of: handler).gone(error) {
            return  // already gone
        }
    }

    func identify(type: String, inputs: [String: PropertyValue], createdSince: Double?) async throws -> [String] {
        try await handler(type).identify(inputs: inputs, createdSince: createdSince)
    }
}

/// Makes the AWS client once, on first use.
public final class ClientBox: @unchecked Sendable {
    private let make: () throws -> AWSClient
    private let lock = Mutex<AWSClient?>(nil)

    public init(_ make: @escaping () throws -> AWSClient) { self.make = make }

    public func get() throws -> AWSClient {
        try lock.withLock { client in
            if let client { return client }
            let made = try make()
            client = made
            return made
        }
    }
}

/// What a prepared change does: an update runs a plan; a destroy deletes every resource; a
/// refresh records the drift it read.
public enum ChangeKind: String, Sendable {
    case update, destroy, refresh
}

/// A change made for approval (an update's plan, a destroy's or a refresh's steps), with
/// everything needed to execute exactly it later.
public struct PreparedChange: @unchecked Sendable {
    public let kind: ChangeKind
    public let session: StackSession
    public let engine: DeploymentEngine
    public let plan: Plan
    public let hash: String
    /// An update's targets (empty: every resource).
    public let targets: Set<URN>
    /// What would stop a destroy (things the stack does not own); cleared only when asked.
    public let blockers: [DestroyBlocker]

    init(_ kind: ChangeKind, session: StackSession, engine: DeploymentEngine, plan: Plan, targets: Set<URN> = [], blockers: [DestroyBlocker] = []) {
        self.kind = kind
        self.session = session
        self.engine = engine
        self.plan = plan
        hash = StackSession.hash(plan)
        self.targets = targets
        self.blockers = blockers
    }
}

/// An approved plan that is no longer the plan: the program, a file it reads, the config or the
/// state changed since. Nothing was changed; `current` is the plan as it is now, to review.
public struct PlanChanged: Error, CustomStringConvertible, @unchecked Sendable {
    public let approved: PreparedChange
    public let current: PreparedChange

    public var description: String {
        var what: [String] = []
        if approved.plan.programHash != current.plan.programHash { what.append("the program or a file it reads") }
        if approved.plan.configHash != current.plan.configHash { what.append("the stack config") }
        if approved.plan.stateHash != current.plan.stateHash { what.append("the state") }
        let changed = what.isEmpty ? "the resources it evaluates to" : what.joined(separator: ", ")
        return "plan \(approved.hash) was approved, but \(changed) changed since: the plan is now \(current.hash); nothing was changed, review the new plan"
    }
}

/// A destroy approved with blockers that were not to be cleared.
public struct DestroyBlocked: Error, CustomStringConvertible, Sendable {
    public var blockers: [DestroyBlocker]
    public var description: String {
        "destroy is blocked by \(blockers.count) thing\(blockers.count == 1 ? "" : "s") the stack does not own: "
            + blockers.map(\.remedy).joined(separator: ", ") + " first (or approve clearing them)"
    }
}

extension StackRunner {
    /// The plan for the stack as it is on disk now (read-only: no lock, nothing settled).
    public func preparePlan(parallel: Int = 16, targets: Set<URN> = [], events: @escaping @Sendable (EngineEvent) -> Void) async throws -> PreparedChange {
        let session = try StackSession(project: try context.loadProject(extraConfig: configKeys), stack: stack, backend: backend,
                                       environment: context.environment)
        let engine = try await engine(session, parallel: parallel, events: events)
        let plan = try await engine.preview(targets: targets, hashes: try await session.hashes())
        return PreparedChange(.update, session: session, engine: engine, plan: plan, targets: targets)
    }

    /// Deleting every resource of the stack, dependents first, with the preflight blockers.
    public func prepareDestroy(events: @escaping @Sendable (EngineEvent) -> Void) async throws -> PreparedChange {
        let session = try session()
        let engine = try await engine(session, parallel: 1, events: events)
        let resources = engine.journal.deployment.managed
        if !resources.isEmpty { try await guardAccount(session) }  // before any call reads the account
        let steps = Planner.destroySteps(engine.journal.deployment)
        let plan = Plan(steps: steps, programHash: "", configHash: "", stateHash: try await session.hashes().state)
        let blockers = resources.isEmpty ? [] : try await DestroyPreflight.blockers(resources, all: resources, client: awsClient())
        return PreparedChange(.destroy, session: session, engine: engine, plan: plan, blockers: blockers)
    }

    /// The drift between the state and the cloud, to be recorded once approved.
    public func prepareRefresh(events: @escaping @Sendable (EngineEvent) -> Void) async throws -> PreparedChange {
        let session = try session()
        let engine = try await engine(session, parallel: 1, events: events)
        let drift = try await engine.readDrift()
        let plan = Plan(steps: drift, programHash: "", configHash: "", stateHash: try await session.hashes().state)
        return PreparedChange(.refresh, session: session, engine: engine, plan: plan)
    }

    /// Executes an approved change under the stack's lock (the dashboard's and destroy's path).
    public func execute(_ prepared: PreparedChange, clearBlockers: Bool = false) async throws -> DeploymentEngine.Summary {
        try await locked { try await run(prepared, clearBlockers: clearBlockers) }
    }

    /// The one approve-and-run path, with the lock held: in the stack's account, only if the
    /// change is still the one approved (an update's plan is made again from the program, the
    /// files it reads, the config and the state as they are now, and anything different refuses
    /// with `PlanChanged`; a destroy's or refresh's state must be the one it was made from),
    /// exactly the approved change runs, and the history records it with its hash, whatever the
    /// result (what a failed or cancelled run did too).
    public func run(_ prepared: PreparedChange, clearBlockers: Bool = false) async throws -> DeploymentEngine.Summary {
        try await guardAccount(prepared.session)
        try await requireUnchanged(prepared)
        let start = ProjectContext.unixTime()
        do {
            let summary = try await apply(prepared, clearBlockers: clearBlockers)
            try await recordHistory(kind: prepared.kind.rawValue, start: start, result: "succeeded", counts: summary.counts, planHash: prepared.hash,
                                    checkpoint: summary.checkpoint.isEmpty ? nil : summary.checkpoint)
            return summary
        } catch {
            try await recordHistory(kind: prepared.kind.rawValue, start: start, result: error is DeployCancelled ? "cancelled" : "failed",
                                    counts: prepared.engine.finishedCounts, planHash: prepared.hash, checkpoint: nil)
            throw error
        }
    }

    func requireUnchanged(_ prepared: PreparedChange) async throws {
        switch prepared.kind {
        case .update:
            let current = try await preparePlan(parallel: prepared.engine.parallel, targets: prepared.targets, events: { _ in })
            guard current.hash == prepared.hash else { throw PlanChanged(approved: prepared, current: current) }
        case .destroy, .refresh:
            guard try await prepared.session.hashes().state == prepared.plan.stateHash else { throw StateError.planOutdated(hash: prepared.hash) }
        }
    }

    func apply(_ prepared: PreparedChange, clearBlockers: Bool) async throws -> DeploymentEngine.Summary {
        switch prepared.kind {
        case .update:
            return try await prepared.engine.up(plan: prepared.plan)
        case .destroy:
            if !prepared.blockers.isEmpty {
                guard clearBlockers else { throw DestroyBlocked(blockers: prepared.blockers) }
                try await DestroyPreflight.clear(prepared.blockers, client: awsClient())
            }
            return try await prepared.engine.destroy()
        case .refresh:
            try await prepared.engine.record(prepared.plan.steps)
            return DeploymentEngine.Summary(counts: [.refresh: prepared.plan.steps.count], outputs: [:], checkpoint: [])
        }
    }
}
