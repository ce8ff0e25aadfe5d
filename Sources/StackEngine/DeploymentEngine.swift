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
        try await reporting { try await run(plan) }
    }

    func run(_ plan: Plan) async throws -> Summary {
        try await settlePending()
        let evaluator = Evaluator(program: program, context: evaluation)
        let planner = Planner(desired: [], state: journal.deployment)
        let planned = Dictionary(plan.steps.map { ($0.urn, $0) }, uniquingKeysWith: { a, _ in a })
        let declarations = generator.ordered
        let order = declarations.map(generator.urn)
        var done: Set<URN> = []
        var failures: [StepFailure] = []
        var waiting = declarations.filter { planned[generator.urn($0)] != nil }
        for resource in declarations where planned[generator.urn(resource)] == nil {
            // Not targeted: keep what state has visible to evaluation.
            if let old = journal.deployment.resource(generator.urn(resource)) {
                evaluator.resources[resource.name] = StepGenerator.resourceValue(Step(kind: .same, urn: old.urn, type: old.type, old: old, inputs: old.inputs, diffs: [],
                                                                        replaceReasons: [], deleteFirst: false, dependencies: []), executed: nil)
                done.insert(old.urn)
            }
        }
        try await withThrowingTaskGroup(of: (Step, Result<ResourceState?, StepFailure>, Double).self) { group in
            var running = 0
            while true {
                if failures.isEmpty && !isCancelled {
                    var launched = true
                    while launched && running < parallel {
                        launched = false
                        guard let index = waiting.firstIndex(where: { generator.dependencyURNs($0).allSatisfy(done.contains) }) else { break }
                        let resource = waiting.remove(at: index)
                        let inputs = try await evaluator.properties(of: resource)
                        let wanted = generator.desired(resource, inputs: inputs)
                        var step = planner.step(for: wanted)
                        try Self.verify(step, against: planned[wanted.urn]!)
                        if let explicit = wanted.provider, let record = journal.deployment.resource(explicit) {
                            step.providerReference = "\(explicit)::\(record.id)"
                        }
                        if step.kind == .same {
                            if let old = step.old, old.protect != wanted.protect || old.retainOnDelete != wanted.retainOnDelete {
                                var flagged = old  // options are state too, even when the cloud is untouched
                                flagged.protect = wanted.protect
                                flagged.retainOnDelete = wanted.retainOnDelete
                                try await journal.end(.done, urn: old.urn, resource: flagged)
                            }
                            evaluator.resources[resource.name] = StepGenerator.resourceValue(step, executed: nil)
                            done.insert(step.urn)
                            count(.same)
                            launched = true
                            continue
                        }
                        let prepared = try await prepare(step, wanted: wanted)
                        events(.stepStarted(prepared))
                        running += 1
                        launched = true
                        group.addTask { [self] in
                            let clock = ContinuousClock(), start = clock.now
                            let result = await self.perform(prepared)
                            return (prepared, result, Self.seconds(clock.now - start))
                        }
                    }
                }
                if running == 0 { break }
                guard let (step, result, seconds) = try await group.next() else { break }
                running -= 1
                defer { CrashPoint.reach(.afterJournal, resource: step.urn.name, phase: step.kind.rawValue) }
                switch result {
                case .success(let state):
                    if step.kind == .replace, !step.deleteFirst, let old = step.old {
                        // The old resource is recorded as a pending delete in the same record, so
                        // a crash before it is deleted leaves it for the next run to delete.
                        try await journal.end(.replaced, urn: step.urn, resource: state, replaced: old)
                    } else {
                        try await journal.end(step.kind == .import ? .imported : .done, urn: step.urn, resource: state)
                    }
                    evaluator.resources[step.urn.name] = StepGenerator.resourceValue(step, executed: state)
                    done.insert(step.urn)
                    count(step.kind)
                    events(.stepFinished(step, seconds: seconds))
                case .failure(let failure):
                    try await journal.end(.failed, urn: step.urn, resource: nil)
                    failures.append(failure)
                    events(.stepFailed(step, error: failure.reason, seconds: seconds))
                }
            }
        }
        if failures.isEmpty && !isCancelled {
            // Deletes last: dependents before what they depend on; then the old resources of
            // replacements (this run's and any an interrupted run left).
            for step in plan.steps where step.kind == .delete && !step.pendingDelete {
                if isCancelled { break }
                if let failure = await deleteStep(step) {
                    if !isCancelled { failures.append(failure) }  // a wait the cancel stopped: not done, not failed
                    break
                }
                count(.delete)
            }
            for old in Planner.reverseDependencyOrder(journal.deployment.pendingDeletes) where failures.isEmpty && !isCancelled {
                if let failure = await deleteStep(Planner.pendingDeleteStep(old)) { failures.append(failure) }
            }
        }
        var outputs: [String: PropertyValue] = [:]
        let stackURN = URN.stackResource(stack: evaluation.stack, project: evaluation.project)
        if failures.isEmpty && !isCancelled {
            outputs = try await evaluator.outputs()
            // Stack outputs live on Pulumi's root stack resource.
            try await journal.end(.done, urn: stackURN, resource: ResourceState(urn: stackURN, custom: false, id: "", type: stackURN.type,
                                                                                 inputs: [:], outputs: outputs))
        }
        let checkpoint = try await journal.compact(time: now(), resourceOrder: [stackURN] + order)
        let counts = finishedCounts
        if let failure = failures.first { throw failure }
        let changes = plan.steps.filter { $0.kind != .same }.count
        let finished = counts.filter { $0.key != .same }.values.reduce(0, +)
        if isCancelled && finished < changes { throw DeployCancelled(done: finished, planned: changes) }
        return Summary(counts: counts, outputs: outputs, checkpoint: checkpoint)
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

    /// The plan shown is the plan executed: the same step kind, and known planned inputs unchanged.
    static func verify(_ step: Step, against planned: Step) throws {
        guard step.kind == planned.kind else {
            throw PlanMismatch(urn: step.urn, reason: "it was planned as \(planned.kind.rawValue) and would now be \(step.kind.rawValue)")
        }
        for (key, value) in planned.inputs where !value.containsUnknown && step.inputs[key] != value {
            throw PlanMismatch(urn: step.urn, reason: "its property '\(key)' changed since the plan was approved")
        }
    }

    /// Journals the begin record (with the physical name it will have) before the cloud call.
    func prepare(_ step: Step, wanted: DesiredResource) async throws -> Step {
        var step = step
        if step.kind == .replace, !step.deleteFirst {
            // Create-before-delete needs a second physical name when the name was generated.
            step.inputs = AutoNaming.apply(to: stripGeneratedName(step.inputs, urn: step.urn), urn: step.urn, naming: providers.type(step.type)?.naming,
                                           generation: 1 + (step.old.map { Int($0.id.utf8.reduce(UInt8(0), &+)) } ?? 0))
        }
        let kind: PendingOperation.Kind = step.kind == .create || step.kind == .replace ? .creating : step.kind == .import ? .importing : .updating
        let record = ResourceState(urn: step.urn, id: step.kind == .update ? step.old?.id ?? "" : "", type: step.type, inputs: step.inputs, outputs: [:],
                                   dependencies: step.dependencies, protect: wanted.protect, retainOnDelete: wanted.retainOnDelete, importID: wanted.importID)
            .keeping(fieldsOf: step.old).providedBy(step.providerReference)
        // A create found again only by lookup records when its request could land, so that
        // settling after a crash waits for a request the dead run may still have in flight.
        let landing = kind == .creating && physicalID(record) == nil
            ? lifetime.map { lifetime in LandingWindow(from: lifetime.now(), until: lifetime.now() + lifetime.seconds) } : nil
        try await journal.begin(kind, record, landing: landing)
        return step
    }

    func stripGeneratedName(_ inputs: [String: PropertyValue], urn: URN) -> [String: PropertyValue] {
        guard let rule = providers.type(urn.type)?.naming, let value = inputs[rule.property]?.stringValue,
              value == AutoNaming.apply(to: [:], urn: urn, naming: rule)[rule.property]?.stringValue else { return inputs }
        var copy = inputs
        copy[rule.property] = nil
        return copy
    }

    /// One step's cloud work; never throws (failures come back as values).
    func perform(_ step: Step) async -> Result<ResourceState?, StepFailure> {
        let provider: any ResourceProvider
        do {
            provider = try self.provider(for: step.type, urn: step.urn, kind: step.kind, reference: step.providerReference ?? step.old?.providerReference)
        } catch {
            return .failure(error as? StepFailure ?? StepFailure(urn: step.urn, kind: step.kind, reason: "\(error)"))
        }
        let inputs = step.inputs.mapValues(\.revealed)
        let protect = step.old?.protect ?? false
        CrashPoint.reach(.beforeCall, resource: step.urn.name, phase: step.kind.rawValue)
        defer { CrashPoint.reach(.afterCall, resource: step.urn.name, phase: step.kind.rawValue) }
        do {
            switch step.kind {
            case .create:
                let (id, outputs) = try await createOrAdopt(step, provider: provider, inputs: inputs)
                return .success(state(step, id: id, outputs: outputs))
            case .import:
                let id = step.importID ?? ""
                guard let outputs = try await provider.read(type: step.type, id: id, inputs: inputs) else {
                    return .failure(StepFailure(urn: step.urn, kind: .import, reason: "no \(step.type) with id '\(id)' to import"))
                }
                return .success(state(step, id: id, outputs: outputs))
            case .update:
                let old = step.old!
                let outputs = try await provider.update(type: step.type, id: old.id, old: old, inputs: inputs)
                return .success(state(step, id: old.id, outputs: outputs))
            case .replace:
                let old = step.old!
                if protect { return .failure(StepFailure(urn: step.urn, kind: .replace, reason: "it is protected; remove 'protect' to replace it")) }
                if step.deleteFirst { try await provider.delete(type: old.type, id: old.id, old: old) }
                let (id, outputs) = try await createOrAdopt(step, provider: provider, inputs: inputs)
                return .success(state(step, id: id, outputs: outputs))
            case .same, .delete, .refresh:
                return .success(step.old)
            }
        } catch {
            return .failure(StepFailure(urn: step.urn, kind: step.kind, reason: Self.masking(step.inputs, in: "\(error)")))
        }
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

    /// Creates the resource; when the cloud says it already exists (a create whose answer was lost,
    /// retried), reads it by its identity and adopts it if it is what the step was creating.
    func createOrAdopt(_ step: Step, provider: any ResourceProvider, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        do {
            return try await provider.create(type: step.type, name: step.urn.name, inputs: inputs)
        } catch let exists as AlreadyExists {
            let wanted = ResourceState(urn: step.urn, id: "", type: step.type, inputs: step.inputs, outputs: [:])
            guard let id = physicalID(wanted), let live = try await provider.read(type: step.type, id: id, inputs: inputs) else { throw exists }
            let differing = inputs.keys.sorted().filter { key in live[key].map { $0.revealed != inputs[key]! } ?? false }
            guard differing.isEmpty else {
                throw StepFailure(urn: step.urn, kind: step.kind, reason: "a \(step.type) named '\(id)' already exists and differs from the program "
                                  + "(\(differing.joined(separator: ", "))): it is not this stack's; import it (options.import) or choose another name")
            }
            events(.message("adopted: \(step.urn.name) (\(id) already existed as the program wants it: its create's answer was lost)"))
            return (id, live)
        }
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

    func deleteStep(_ step: Step) async -> StepFailure? {
        guard let old = step.old else { return nil }
        events(.stepStarted(step))
        let clock = ContinuousClock(), start = clock.now
        do {
            if old.protect { throw StepFailure(urn: old.urn, kind: .delete, reason: "it is protected; remove 'protect' (and run up) before deleting it") }
            try await journal.begin(.deleting, old)
            if !old.retainOnDelete {
                let provider = try provider(for: old.type, urn: old.urn, kind: .delete, reference: old.providerReference)
                CrashPoint.reach(.beforeCall, resource: old.urn.name, phase: "delete")
                try await provider.delete(type: old.type, id: old.id, old: old)
                CrashPoint.reach(.afterCall, resource: old.urn.name, phase: "delete")
            }
            defer { CrashPoint.reach(.afterJournal, resource: old.urn.name, phase: "delete") }
            if step.pendingDelete {
                try await journal.end(.replacedDeleted, urn: old.urn, resource: old)
            } else {
                try await journal.end(.deleted, urn: old.urn, resource: nil)
            }
            events(.stepFinished(step, seconds: Self.seconds(clock.now - start)))
            return nil
        } catch {
            let failure = error as? StepFailure ?? StepFailure(urn: old.urn, kind: .delete, reason: "\(error)")
            try? await journal.end(.failed, urn: old.urn, resource: nil)
            events(.stepFailed(step, error: failure.reason, seconds: Self.seconds(clock.now - start)))
            return failure
        }
    }

    // MARK: interrupted runs

    /// Settles operations a crashed run left pending by reading the cloud, and records what is
    /// really there. While an operation is pending the state still holds what was there before it.
    /// - create (or import): found by its identity, it is adopted; a create-before-delete
    ///   replace's old resource then becomes a pending delete. Not found, nothing changes (a
    ///   delete-first replace whose old resource is gone leaves the state, so the next plan creates).
    /// - update: done only when the live values show every changed input; otherwise the state
    ///   keeps the old inputs and the next plan shows the update again.
    /// - delete: gone means deleted; still there, it stays (and is planned again).
    public func settlePending() async throws {
        for operation in journal.deployment.pendingOperations {
            let resource = operation.resource
            let provider = try provider(for: resource.type, urn: resource.urn, kind: .create, reference: resource.providerReference)
            let current = journal.deployment.resource(resource.urn)
            switch operation.kind {
            case .creating, .importing:
                var id = resource.id.isEmpty ? physicalID(resource) : resource.id
                var duplicates: [String] = []
                if id == nil {
                    let found = try await lookUp(operation, provider: provider)
                    id = found.first
                    duplicates = Array(found.dropFirst())
                }
                var live: [String: PropertyValue]?
                if let id { live = try await provider.read(type: resource.type, id: id, inputs: resource.inputs.mapValues(\.revealed)) }
                if let id, let live {
                    var adopted = resource
                    adopted.id = id
                    adopted.outputs = live
                    adopted = state(protectingSecretsOf: adopted)
                    if let current, !current.id.isEmpty, current.id != id {
                        try await journal.end(.replaced, urn: resource.urn, resource: adopted, replaced: current)
                    } else {
                        try await journal.end(.adopted, urn: resource.urn, resource: adopted)
                    }
                    events(.message("settled: \(resource.urn.name) (\(operation.kind.rawValue) had happened; adopted \(id))"))
                    for duplicate in duplicates {
                        // Made by the same create, twice (a dead run's request landed late): the
                        // state keeps it as a pending delete, which the plan shows and `up` deletes.
                        var extra = adopted
                        extra.id = duplicate
                        try await journal.end(.replaced, urn: resource.urn, resource: adopted, replaced: extra)
                        events(.message("settled: \(resource.urn.name) had been created twice; \(duplicate) is a duplicate and will be deleted"))
                    }
                } else {
                    if let current, !current.id.isEmpty,
                       try await provider.read(type: current.type, id: current.id, inputs: current.inputs.mapValues(\.revealed)) == nil {
                        try await journal.end(.deleted, urn: current.urn, resource: nil)
                    }
                    try await journal.end(.failed, urn: resource.urn, resource: nil)
                    events(.message("settled: \(resource.urn.name) (\(operation.kind.rawValue) had not happened)"))
                }
            case .updating:
                guard let current else { try await journal.end(.failed, urn: resource.urn, resource: nil); break }
                // Read with the old inputs: a provider that can only echo its inputs then never
                // confirms an update it cannot see, and the update is applied again.
                let live = try await provider.read(type: current.type, id: current.id, inputs: current.inputs.mapValues(\.revealed))
                guard let live else {
                    try await journal.end(.deleted, urn: current.urn, resource: nil)
                    events(.message("settled: \(resource.urn.name) (gone)"))
                    break
                }
                let changed = Set(Differ.diff(old: current.inputs, new: resource.inputs).map { PlanText.topLevel($0.path) })
                if changed.allSatisfy({ live[$0]?.revealed == resource.inputs[$0]?.revealed }) {
                    var updated = resource
                    updated.id = current.id
                    updated.outputs = live
                    try await journal.end(.done, urn: resource.urn, resource: state(protectingSecretsOf: updated))
                    events(.message("settled: \(resource.urn.name) (update had happened)"))
                } else {
                    try await journal.end(.failed, urn: resource.urn, resource: nil)
                    events(.message("settled: \(resource.urn.name) (update not seen in the cloud: planned again)"))
                }
            case .deleting, .reading:
                let replacedOld = journal.deployment.pendingDeletes.contains { $0.urn == resource.urn && $0.id == resource.id }
                let live = try await provider.read(type: resource.type, id: resource.id, inputs: resource.inputs.mapValues(\.revealed))
                if live == nil, replacedOld {
                    try await journal.end(.replacedDeleted, urn: resource.urn, resource: resource)
                } else if live == nil, current?.id == resource.id {
                    try await journal.end(.deleted, urn: resource.urn, resource: nil)
                } else {
                    try await journal.end(.failed, urn: resource.urn, resource: nil)
                }
                events(.message("settled: \(resource.urn.name) (\(live == nil ? "delete had happened" : "still there: planned again"))"))
            }
            journal.clearPending(resource.urn)
        }
    }

    /// The resources a pending create of a lookup type made (newest first): those made since it
    /// began. While a request the dead run sent may still land (its landing window), the cloud's
    /// answer is not final: it waits until the window has passed, then looks, so neither a late
    /// create nor a second one (a retry that also landed) goes unseen.
    func lookUp(_ operation: PendingOperation, provider: any ResourceProvider) async throws -> [String] {
        let resource = operation.resource
        if let window = operation.window, let lifetime, case let remaining = window.until - lifetime.now(), remaining > 0 {
            events(.message("settling: \(resource.urn.name): waiting \(Int(remaining.rounded(.up))) s, until any request the interrupted run sent to create it has landed or can no longer"))
            try await Task.sleep(for: .seconds(remaining))
        }
        // A minute of slack for the cloud's clock against this machine's.
        return try await provider.identify(type: resource.type, inputs: resource.inputs.mapValues(\.revealed), createdSince: operation.window.map { $0.from - 60 })
    }

    /// The id a resource would have from its inputs, as its type declares (nil: only the provider can find it).
    func physicalID(_ resource: ResourceState) -> String? {
        providers.type(resource.type)?.id(resource.inputs)
    }

    // MARK: destroy and refresh

    /// Deletes every resource of the stack, dependents first.
    public func destroy() async throws -> Summary {
        try await reporting { try await deleteAll() }
    }

    func deleteAll() async throws -> Summary {
        try await settlePending()
        let steps = Planner.destroySteps(journal.deployment)
        events(.planned(Plan(steps: steps, programHash: "", configHash: "", stateHash: "")))
        var failure: StepFailure?
        var deleted = 0
        for step in steps {
            if isCancelled { break }
            if let failed = await deleteStep(step) {
                if !isCancelled { failure = failed }  // a wait the cancel stopped: not done, not failed
                break
            }
            deleted += 1
            count(.delete)
        }
        let checkpoint = try await journal.compact(time: now())
        if let failure { throw failure }
        if deleted < steps.count { throw DeployCancelled(done: deleted, planned: steps.count) }
        return Summary(counts: [.delete: steps.count], outputs: [:], checkpoint: checkpoint)
    }

    /// Reads every resource back; returns the drift as steps (refresh: changed, delete: gone),
    /// and records it in the state when `apply`.
    public func refresh(apply: Bool) async throws -> [Step] {
        let drift = try await readDrift()
        if apply { try await record(drift) }
        return drift
    }

    /// The drift between the state and the cloud, without changing anything.
    public func readDrift() async throws -> [Step] {
        var drift: [Step] = []
        for resource in journal.deployment.managed {
            guard providers.provider(for: resource.type) != nil else { continue }
            let provider = try provider(for: resource.type, urn: resource.urn, kind: .refresh, reference: resource.providerReference)
            let live = try await provider.read(type: resource.type, id: resource.id, inputs: resource.inputs.mapValues(\.revealed))
            guard let live else {
                drift.append(Step(kind: .delete, urn: resource.urn, type: resource.type, old: resource, inputs: [:], diffs: [], replaceReasons: [],
                                  deleteFirst: false, dependencies: []))
                continue
            }
            // Drift is what AWS holds for the properties a program can set: those the stack sets,
            // and any other that AWS now holds (set by hand). Read-only ones (ARNs, ids) are AWS's.
            let readOnly = Set(ResourceSchema.named(resource.type)?.readOnly ?? [])
            var managed: [String: PropertyValue] = [:]
            for (key, value) in live where !readOnly.contains(key) && (resource.inputs[key] != nil || Self.settable(key, of: resource.type)) {
                managed[key] = value
            }
            let diffs = Differ.diff(old: resource.inputs.mapValues(\.revealed), new: managed.mapValues(\.revealed))
            if !diffs.isEmpty {
                drift.append(Step(kind: .refresh, urn: resource.urn, type: resource.type, old: resource, inputs: live, diffs: diffs, replaceReasons: [],
                                  deleteFirst: false, dependencies: []))
            }
        }
        return drift
    }

    /// Whether a program can set the property (an input property of the type's schema).
    static func settable(_ key: String, of type: String) -> Bool {
        ResourceSchema.named(type)?.inputProperties[key] != nil
    }

    /// Records drift read by `readDrift` in the state: gone resources leave it, changed ones take
    /// the live values (secret inputs stay secret).
    public func record(_ drift: [Step]) async throws {
        for step in drift {
            guard let resource = step.old else { continue }
            if step.kind == .delete {
                try await journal.end(.deleted, urn: resource.urn, resource: nil)
                continue
            }
            var updated = resource
            updated.outputs = step.inputs
            for diff in step.diffs {
                // AWS's value (kept secret when it was); a property AWS no longer has is dropped.
                let key = PlanText.topLevel(diff.path)
                updated.inputs[key] = step.inputs[key].map { resource.inputs[key]?.isSecret == true ? .secret($0) : $0 }
            }
            updated = state(protectingSecretsOf: updated)
            try await journal.end(.refreshed, urn: resource.urn, resource: updated)
        }
        _ = try await journal.compact(time: now())
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
