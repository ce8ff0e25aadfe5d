import Crypto
import JSON
import StackLanguage
import StackModel
import StackSchemas
import Synchronization

/// Executes a program's steps against a stack: up, destroy, refresh, and the settling of what a
/// crashed run left. The steps come from the `StepGenerator` (`preview`); evaluation happens on
/// this object's task, in dependency order; cloud calls run in parallel (up to `parallel`) in
/// child tasks; every step is journalled before and after its cloud call.
public final class DeploymentEngine: @unchecked Sendable {
    public let program: Program
    public let evaluation: EvaluationContext
    public let providers: ProviderRegistry
    /// Makes the steps; this engine executes them.
    public let generator: StepGenerator
    public let journal: StateJournal
    public let parallel: Int
    public let events: @Sendable (EngineEvent) -> Void
    let now: @Sendable () -> String
    /// How long a request may take to land: recorded with each create found only by lookup, so
    /// settling waits for what a dead run may still have in flight (nil: not recorded).
    let lifetime: RequestLifetime?
    private let cancelRequested = Atomic<Bool>(false)
    private let finished = Mutex<[StepKind: Int]>([:])

    public init(program: Program, evaluation: EvaluationContext, providers: ProviderRegistry, journal: StateJournal, parallel: Int = 16,
                now: @escaping @Sendable () -> String, lifetime: RequestLifetime? = nil, events: @escaping @Sendable (EngineEvent) -> Void = { _ in }) {
        self.lifetime = lifetime
        self.program = program
        self.evaluation = evaluation
        self.providers = providers
        generator = StepGenerator(program: program, evaluation: evaluation, registry: providers)
        self.journal = journal
        self.parallel = max(1, parallel)
        self.now = now
        self.events = events
    }

    var stack: String { evaluation.stack }

    /// The steps this engine has finished, by kind: what a failed or cancelled run did too
    /// (its history records them).
    public var finishedCounts: [StepKind: Int] { finished.withLock { $0 } }

    func count(_ kind: StepKind) { finished.withLock { $0[kind, default: 0] += 1 } }

    /// Asks a running `up` or `destroy` to stop: no new step starts, the steps in flight finish
    /// and are journalled, the state is compacted, and the run throws `DeployCancelled`.
    public func cancel() { cancelRequested.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { cancelRequested.load(ordering: .relaxed) }

    // MARK: preview

    /// The plan: every step with values known now (unknowns where they depend on resources
    /// to be created or changed).
    public func preview(targets: Set<URN> = [], hashes: (program: String, config: String, state: String)) async throws -> Plan {
        let plan = try await generator.plan(state: journal.deployment, targets: targets, hashes: hashes)
        events(.planned(plan))
        return plan
    }

    // MARK: up

    public struct Summary: Sendable {
        public var counts: [StepKind: Int]
        public var outputs: [String: PropertyValue]
        public var checkpoint: [UInt8]

        public init(counts: [StepKind: Int], outputs: [String: PropertyValue], checkpoint: [UInt8]) {
            self.counts = counts
            self.outputs = outputs
            self.checkpoint = checkpoint
        }
    }

    /// Executes `plan` (from `preview` just before): each resource's step is recomputed with
    /// real values and must be the planned one, or the deploy stops.
    public func up(plan: Plan) async throws -> Summary {
        try await reporting { try await StepExecutor(engine: self).run(plan) }
    }

    /// Runs `body` with what a provider waiting on the cloud needs: where its word goes (the
    /// engine's events) and whether the run was cancelled.
    func reporting<T>(_ body: () async throws -> T) async rethrows -> T {
        try await StepProgress.during(report: { [events] text in events(.message(text)) }, stopping: { [self] in isCancelled }, body)
    }

    /// A duration in seconds, as the engine's events and the dashboard count them.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The provider of a type, bound to the settings of the explicit provider `reference` names
    /// (from the stack's state; one missing there is an error, never the stack's settings).
    func provider(for type: String, urn: URN, kind: StepKind, reference: String?) throws -> any ResourceProvider {
        guard let provider = providers.provider(for: type) else { throw StepFailure(urn: urn, kind: kind, reason: "no provider for \(type)") }
        guard let explicit = reference.flatMap(ExplicitProvider.explicitURN(ofReference:)) else { return provider }
        guard let record = journal.deployment.resource(explicit) else {
            throw StepFailure(urn: urn, kind: kind, reason: "its provider '\(explicit.name)' is not in the stack's state")
        }
        return SettingsBoundProvider(inner: provider, settings: ExplicitProvider.settings(of: record.inputs))
    }

    /// A message with every secret input's value masked (a cloud error may echo what it was sent).
    static func masking(_ inputs: [String: PropertyValue], in message: String) -> String {
        var secrets: [String] = []
        func collect(_ value: PropertyValue, secret: Bool) {
            switch value {
            case .secret(let inner): collect(inner, secret: true)
            case .string(let text) where secret && text.count >= 3: secrets.append(text)
            case .number(let number) where secret: secrets.append(number.rounded() == number ? String(Int64(number)) : String(number))
            case .array(let items): items.forEach { collect($0, secret: secret) }
            case .object(let fields): fields.values.forEach { collect($0, secret: secret) }
            default: break
            }
        }
        inputs.values.forEach { collect($0, secret: false) }
        return secrets.sorted { $0.count > $1.count }.reduce(message) { $0.replacing($1, with: "[secret]") }
    }

    func state(_ step: Step, id: String, outputs: [String: PropertyValue]) -> ResourceState {
        let wanted = program.resource(step.urn.name)
        return state(protectingSecretsOf: ResourceState(urn: step.urn, id: id, type: step.type, inputs: step.inputs, outputs: outputs,
                                                        dependencies: step.dependencies, protect: wanted?.options.protect ?? false,
                                                        retainOnDelete: wanted?.options.retainOnDelete ?? false, importID: wanted?.options.importID)
            .keeping(fieldsOf: step.old).providedBy(step.providerReference).dependingByProperty(generator.propertyDependencyURNs(step.urn.name)))
    }

    /// Secrets stay secret in state: outputs that echo a secret input are marked too.
    func state(protectingSecretsOf resource: ResourceState) -> ResourceState {
        var resource = resource
        for (key, value) in resource.inputs where value.containsSecret {
            if let output = resource.outputs[key], !output.isSecret { resource.outputs[key] = .secret(output.revealed) }
        }
        return resource
    }

    /// The id a resource would have from its inputs, as its type declares (nil: only the provider can find it).
    func physicalID(_ resource: ResourceState) -> String? {
        providers.type(resource.type)?.id(resource.inputs)
    }

    // MARK: destroy and refresh

    /// Deletes every resource of the stack, dependents first.
    public func destroy() async throws -> Summary {
        try await reporting { try await StepExecutor(engine: self).deleteAll() }
    }

}

/// A run stopped by `cancel()`: what finished is in the state; running again continues.
public struct DeployCancelled: Error, CustomStringConvertible, Sendable {
    public var done: Int
    public var planned: Int
    public var description: String {
        "cancelled after \(done) of \(planned) changes: the steps in flight finished and the state records them; run again to continue"
    }
}

/// The program, config or state changed between the approved plan and its execution.
public struct PlanMismatch: Error, CustomStringConvertible, Sendable {
    public var urn: URN
    public var reason: String
    public var description: String { "stopped: \(urn.name) differs from the approved plan: \(reason); preview again and approve the new plan" }
}
