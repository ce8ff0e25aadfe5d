import JSON
import StackLanguage
import StackModel

/// The scheduling of a run: evaluation in dependency order on this task, each resource's step
/// recomputed with real values and checked against the plan, cloud work in parallel child tasks
/// (up to the engine's `parallel`, each step done by its kind's `StepApplier`), every step
/// journalled before and after its cloud call; deletes last, dependents first; the state
/// compacted however the run ends.
struct StepExecutor {
    let engine: DeploymentEngine

    func run(_ plan: Plan) async throws -> DeploymentEngine.Summary {
        try await engine.settlePending()
        let evaluator = Evaluator(program: engine.program, context: engine.evaluation)
        let planner = Planner(desired: [], state: engine.journal.deployment)
        let planned = Dictionary(plan.steps.map { ($0.urn, $0) }, uniquingKeysWith: { a, _ in a })
        let declarations = engine.generator.ordered
        let order = declarations.map(engine.generator.urn)
        var done: Set<URN> = []
        var failures: [StepFailure] = []
        var waiting = declarations.filter { planned[engine.generator.urn($0)] != nil }
        for resource in declarations where planned[engine.generator.urn(resource)] == nil {
            // Not targeted: keep what state has visible to evaluation.
            if let old = engine.journal.deployment.resource(engine.generator.urn(resource)) {
                evaluator.resources[resource.name] = StepGenerator.resourceValue(Step(kind: .same, urn: old.urn, type: old.type, old: old, inputs: old.inputs, diffs: [],
                                                                        replaceReasons: [], deleteFirst: false, dependencies: []), executed: nil)
                done.insert(old.urn)
            }
        }
        try await withThrowingTaskGroup(of: (Step, Result<ResourceState?, StepFailure>, Double).self) { group in
            var running = 0
            while true {
                if failures.isEmpty && !engine.isCancelled {
                    var launched = true
                    while launched && running < engine.parallel {
                        launched = false
                        guard let index = waiting.firstIndex(where: { engine.generator.dependencyURNs($0).allSatisfy(done.contains) }) else { break }
                        let resource = waiting.remove(at: index)
                        let inputs = try await evaluator.properties(of: resource)
                        let wanted = engine.generator.desired(resource, inputs: inputs)
                        var step = planner.step(for: wanted)
                        try Self.verify(step, against: planned[wanted.urn]!)
                        if let explicit = wanted.provider, let record = engine.journal.deployment.resource(explicit) {
                            step.providerReference = "\(explicit)::\(record.id)"
                        }
                        if step.kind == .same {
                            if let old = step.old, old.protect != wanted.protect || old.retainOnDelete != wanted.retainOnDelete {
                                var flagged = old  // options are state too, even when the cloud is untouched
                                flagged.protect = wanted.protect
                                flagged.retainOnDelete = wanted.retainOnDelete
                                try await engine.journal.end(.done, urn: old.urn, resource: flagged)
                            }
                            evaluator.resources[resource.name] = StepGenerator.resourceValue(step, executed: nil)
                            done.insert(step.urn)
                            engine.count(.same)
                            launched = true
                            continue
                        }
                        let prepared = try await prepare(step, wanted: wanted)
                        engine.events(.stepStarted(prepared))
                        running += 1
                        launched = true
                        group.addTask { [self] in
                            let clock = ContinuousClock(), start = clock.now
                            let result = await self.perform(prepared)
                            return (prepared, result, DeploymentEngine.seconds(clock.now - start))
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
                        try await engine.journal.end(.replaced, urn: step.urn, resource: state, replaced: old)
                    } else {
                        try await engine.journal.end(step.kind == .import ? .imported : .done, urn: step.urn, resource: state)
                    }
                    evaluator.resources[step.urn.name] = StepGenerator.resourceValue(step, executed: state)
                    done.insert(step.urn)
                    engine.count(step.kind)
                    engine.events(.stepFinished(step, seconds: seconds))
                case .failure(let failure):
                    try await engine.journal.end(.failed, urn: step.urn, resource: nil)
                    failures.append(failure)
                    engine.events(.stepFailed(step, error: failure.reason, seconds: seconds))
                }
            }
        }
        if failures.isEmpty && !engine.isCancelled {
            // Deletes last: dependents before what they depend on; then the old resources of
            // replacements (this run's and any an interrupted run left).
            for step in plan.steps where step.kind == .delete && !step.pendingDelete {
                if engine.isCancelled { break }
                if let failure = await deleteStep(step) {
                    if !engine.isCancelled { failures.append(failure) }  // a wait the cancel stopped: not done, not failed
                    break
                }
                engine.count(.delete)
            }
            for old in Planner.reverseDependencyOrder(engine.journal.deployment.pendingDeletes) where failures.isEmpty && !engine.isCancelled {
                if let failure = await deleteStep(Planner.pendingDeleteStep(old)) { failures.append(failure) }
            }
        }
        var outputs: [String: PropertyValue] = [:]
        let stackURN = URN.stackResource(stack: engine.evaluation.stack, project: engine.evaluation.project)
        if failures.isEmpty && !engine.isCancelled {
            outputs = try await evaluator.outputs()
            // Stack outputs live on Pulumi's root stack resource.
            try await engine.journal.end(.done, urn: stackURN, resource: ResourceState(urn: stackURN, custom: false, id: "", type: stackURN.type,
                                                                                 inputs: [:], outputs: outputs))
        }
        let checkpoint = try await engine.journal.compact(time: engine.now(), resourceOrder: [stackURN] + order)
        let counts = engine.finishedCounts
        if let failure = failures.first { throw failure }
        let changes = plan.steps.filter { $0.kind != .same }.count
        let finished = counts.filter { $0.key != .same }.values.reduce(0, +)
        if engine.isCancelled && finished < changes { throw DeployCancelled(done: finished, planned: changes) }
        return DeploymentEngine.Summary(counts: counts, outputs: outputs, checkpoint: checkpoint)
    }

    func deleteAll() async throws -> DeploymentEngine.Summary {
        try await engine.settlePending()
        let steps = Planner.destroySteps(engine.journal.deployment)
        engine.events(.planned(Plan(steps: steps, programHash: "", configHash: "", stateHash: "")))
        var failure: StepFailure?
        var deleted = 0
        for step in steps {
            if engine.isCancelled { break }
            if let failed = await deleteStep(step) {
                if !engine.isCancelled { failure = failed }  // a wait the cancel stopped: not done, not failed
                break
            }
            deleted += 1
            engine.count(.delete)
        }
        let checkpoint = try await engine.journal.compact(time: engine.now())
        if let failure { throw failure }
        if deleted < steps.count { throw DeployCancelled(done: deleted, planned: steps.count) }
        return DeploymentEngine.Summary(counts: [.delete: steps.count], outputs: [:], checkpoint: checkpoint)
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
            step.inputs = AutoNaming.apply(to: stripGeneratedName(step.inputs, urn: step.urn), urn: step.urn, naming: engine.providers.type(step.type)?.naming,
                                           generation: 1 + (step.old.map { Int($0.id.utf8.reduce(UInt8(0), &+)) } ?? 0))
        }
        let kind: PendingOperation.Kind = step.kind == .create || step.kind == .replace ? .creating : step.kind == .import ? .importing : .updating
        let record = ResourceState(urn: step.urn, id: step.kind == .update ? step.old?.id ?? "" : "", type: step.type, inputs: step.inputs, outputs: [:],
                                   dependencies: step.dependencies, protect: wanted.protect, retainOnDelete: wanted.retainOnDelete, importID: wanted.importID)
            .keeping(fieldsOf: step.old).providedBy(step.providerReference)
        // A create found again only by lookup records when its request could land, so that
        // settling after a crash waits for a request the dead run may still have in flight.
        let landing = kind == .creating && engine.physicalID(record) == nil
            ? engine.lifetime.map { lifetime in LandingWindow(from: lifetime.now(), until: lifetime.now() + lifetime.seconds) } : nil
        try await engine.journal.begin(kind, record, landing: landing)
        return step
    }

    func stripGeneratedName(_ inputs: [String: PropertyValue], urn: URN) -> [String: PropertyValue] {
        guard let rule = engine.providers.type(urn.type)?.naming, let value = inputs[rule.property]?.stringValue,
              value == AutoNaming.apply(to: [:], urn: urn, naming: rule)[rule.property]?.stringValue else { return inputs }
        var copy = inputs
        copy[rule.property] = nil
        return copy
    }

    /// One step's cloud work, done by its kind's applier; never throws (failures come back as values).
    func perform(_ step: Step) async -> Result<ResourceState?, StepFailure> {
        let provider: any ResourceProvider
        do {
            provider = try engine.provider(for: step.type, urn: step.urn, kind: step.kind, reference: step.providerReference ?? step.old?.providerReference)
        } catch {
            return .failure(error as? StepFailure ?? StepFailure(urn: step.urn, kind: step.kind, reason: "\(error)"))
        }
        CrashPoint.reach(.beforeCall, resource: step.urn.name, phase: step.kind.rawValue)
        defer { CrashPoint.reach(.afterCall, resource: step.urn.name, phase: step.kind.rawValue) }
        do {
            return .success(try await StepAppliers.applier(for: step.kind).apply(step, provider: provider, inputs: step.inputs.mapValues(\.revealed), engine: engine))
        } catch let failure as StepFailure {
            return .failure(failure)
        } catch {
            return .failure(StepFailure(urn: step.urn, kind: step.kind, reason: DeploymentEngine.masking(step.inputs, in: "\(error)")))
        }
    }

    func deleteStep(_ step: Step) async -> StepFailure? {
        guard let old = step.old else { return nil }
        engine.events(.stepStarted(step))
        let clock = ContinuousClock(), start = clock.now
        do {
            if old.protect { throw StepFailure(urn: old.urn, kind: .delete, reason: "it is protected; remove 'protect' (and run up) before deleting it") }
            try await engine.journal.begin(.deleting, old)
            if !old.retainOnDelete {
                let provider = try engine.provider(for: old.type, urn: old.urn, kind: .delete, reference: old.providerReference)
                CrashPoint.reach(.beforeCall, resource: old.urn.name, phase: "delete")
                try await provider.delete(type: old.type, id: old.id, old: old)
                CrashPoint.reach(.afterCall, resource: old.urn.name, phase: "delete")
            }
            defer { CrashPoint.reach(.afterJournal, resource: old.urn.name, phase: "delete") }
            if step.pendingDelete {
                try await engine.journal.end(.replacedDeleted, urn: old.urn, resource: old)
            } else {
                try await engine.journal.end(.deleted, urn: old.urn, resource: nil)
            }
            engine.events(.stepFinished(step, seconds: DeploymentEngine.seconds(clock.now - start)))
            return nil
        } catch {
            let failure = error as? StepFailure ?? StepFailure(urn: old.urn, kind: .delete, reason: "\(error)")
            try? await engine.journal.end(.failed, urn: old.urn, resource: nil)
            engine.events(.stepFailed(step, error: failure.reason, seconds: DeploymentEngine.seconds(clock.now - start)))
            return failure
        }
    }

}
