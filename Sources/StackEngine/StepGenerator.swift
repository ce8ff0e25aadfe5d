import StackLanguage
import StackModel

/// Turns a program and a stack's state into steps: each resource evaluated in dependency order
/// with what is known now (unknown where it waits on a change), named as its type declares, and
/// compared with the state by the planner. It changes nothing and calls no provider (an
/// `fn::invoke` may read the cloud); the executor (`DeploymentEngine`) runs what it makes.
public struct StepGenerator: Sendable {
    public let program: Program
    public let evaluation: EvaluationContext
    public let registry: ProviderRegistry
    public let graph: DependencyGraph
    let declarations: [String: ResourceDeclaration]
    let urns: [String: URN]

    public init(program: Program, evaluation: EvaluationContext, registry: ProviderRegistry) {
        self.program = program
        self.evaluation = evaluation
        self.registry = registry
        graph = DependencyGraph(program: program)
        declarations = Dictionary(program.resources.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        urns = Dictionary(program.resources.map { ($0.name, URN(stack: evaluation.stack, project: evaluation.project, type: $0.type, name: $0.name)) },
                          uniquingKeysWith: { a, _ in a })
    }

    func urn(_ resource: ResourceDeclaration) -> URN { urns[resource.name]! }

    /// The program's resources in dependency order.
    var ordered: [ResourceDeclaration] { graph.order.compactMap { declarations[$0] } }

    func dependencyURNs(_ resource: ResourceDeclaration) -> [URN] {
        (graph.dependencies[resource.name] ?? []).compactMap { urns[$0] }
    }

    /// Per property of the named resource, the resources its value refers to.
    func propertyDependencyURNs(_ name: String) -> [String: [URN]] {
        (graph.propertyDependencies[name] ?? [:]).mapValues { $0.compactMap { urns[$0] } }
    }

    func desired(_ resource: ResourceDeclaration, inputs: [String: PropertyValue]) -> DesiredResource {
        let urn = urn(resource)
        return DesiredResource(urn: urn, name: resource.name, type: resource.type,
                               inputs: AutoNaming.apply(to: inputs, urn: urn, naming: registry.type(resource.type)?.naming),
                               dependencies: dependencyURNs(resource), protect: resource.options.protect,
                               ignoreChanges: resource.options.ignoreChanges, replaceOnChanges: resource.options.replaceOnChanges,
                               deleteBeforeReplace: resource.options.deleteBeforeReplace, retainOnDelete: resource.options.retainOnDelete,
                               importID: resource.options.importID, provider: resource.options.provider.flatMap { urns[$0.0] })
    }

    /// A resource never changes provider, and a provider never changes its settings under the
    /// resources it manages: either would move them to another region or account, which is a
    /// replacement Fleetdeck does not make silently. Provider settings must be known now.
    static func checkProviders(_ desired: [DesiredResource], state: Deployment) throws {
        func name(_ urn: URN?) -> String { urn.map { "provider '\($0.name)'" } ?? "the stack's default provider" }
        var users: [URN: [ResourceState]] = [:]  // each explicit provider's resources in state
        for resource in state.resources where resource.providerReference != nil && !ExplicitProvider.isProvider(resource.type) {
            if let provider = resource.providerReference.flatMap(ExplicitProvider.explicitURN(ofReference:)) { users[provider, default: []].append(resource) }
        }
        // Without explicit providers in state or program there is nothing to check (the usual case).
        let involved = desired.filter { $0.provider != nil || ExplicitProvider.isProvider($0.type) || !users.isEmpty }
        guard !involved.isEmpty else { return }
        let recorded = Dictionary(state.resources.map { ($0.urn, $0) }, uniquingKeysWith: { first, _ in first })
        for wanted in involved {
            if ExplicitProvider.isProvider(wanted.type) {
                if wanted.inputs.values.contains(where: \.containsUnknown) {
                    throw ProviderChange(message: "provider '\(wanted.name)' has settings that are not known before the deploy; give them as values or config")
                }
                let users = users[wanted.urn] ?? []
                if let old = recorded[wanted.urn], !users.isEmpty,
                   ExplicitProvider.settings(of: old.inputs) != ExplicitProvider.settings(of: wanted.inputs) {
                    throw ProviderChange(message: "provider '\(wanted.name)' would change its settings while \(users.count) resource(s) use it "
                                         + "(\(users.prefix(3).map(\.urn.name).joined(separator: ", "))): that moves them to another region or account; "
                                         + "give the new settings to a new provider resource, or destroy them first")
                }
            } else if let old = recorded[wanted.urn], !old.id.isEmpty {
                let before = old.providerReference.flatMap(ExplicitProvider.explicitURN(ofReference:))
                if before != wanted.provider {
                    throw ProviderChange(message: "'\(wanted.name)' would move from \(name(before)) to \(name(wanted.provider)): Fleetdeck does not move a "
                                         + "resource between providers (a replacement in another region or account); keep its provider, or destroy it first")
                }
            }
        }
    }

    /// The value a resource has for evaluation after a step: known outputs, or (for a step
    /// not yet run) its inputs with computed outputs unknown.
    static func resourceValue(_ step: Step, executed: ResourceState?) -> ResourceValue {
        if let executed {
            var outputs = executed.outputs
            for (key, value) in executed.inputs where outputs[key] == nil { outputs[key] = value }
            return ResourceValue(urn: step.urn, id: .string(executed.id), outputs: outputs)
        }
        switch step.kind {
        case .same:
            let old = step.old!
            var outputs = old.outputs
            for (key, value) in old.inputs where outputs[key] == nil { outputs[key] = value }
            return ResourceValue(urn: step.urn, id: .string(old.id), outputs: outputs)
        default:
            var outputs = step.inputs
            if step.kind == .update, let old = step.old {
                for (key, value) in old.outputs where outputs[key] == nil && !step.diffs.contains(where: { $0.path == key }) { outputs[key] = value }
                return ResourceValue(urn: step.urn, id: .string(old.id), outputs: outputs, outputsIncomplete: true)
            }
            return ResourceValue(urn: step.urn, id: .unknown, outputs: outputs, outputsIncomplete: true)
        }
    }

    /// The plan against `state`: every step with the values known now.
    public func plan(state: Deployment, targets: Set<URN> = [], hashes: (program: String, config: String, state: String)) async throws -> Plan {
        let evaluator = Evaluator(program: program, context: evaluation)
        var desired: [DesiredResource] = []
        let planner = Planner(desired: [], state: state, targets: targets)
        for resource in ordered {
            let wanted = self.desired(resource, inputs: try await evaluator.properties(of: resource))
            desired.append(wanted)
            evaluator.resources[resource.name] = Self.resourceValue(planner.step(for: wanted), executed: nil)
        }
        try Self.checkProviders(desired, state: state)
        var steps = Planner(desired: desired, state: state, targets: Self.withDependencies(targets, desired)).steps()
        // Dependency order for display (deletes last); the executor orders by dependencies itself.
        let rank = Dictionary(desired.enumerated().map { ($1.urn, $0) }, uniquingKeysWith: { a, _ in a })
        steps.sort { (rank[$0.urn] ?? Int.max) < (rank[$1.urn] ?? Int.max) }
        // Outputs are state too: a change to them alone is a change to apply (not under --target,
        // whose partial evaluation cannot say what the outputs become).
        var outputChanges: [PropertyDiff] = []
        if targets.isEmpty {
            let recorded = state.resource(URN.stackResource(stack: evaluation.stack, project: evaluation.project))?.outputs ?? [:]
            outputChanges = Differ.diff(old: recorded, new: try await evaluator.outputs())
        }
        var plan = Plan(steps: steps, programHash: hashes.program, configHash: hashes.config, stateHash: hashes.state, outputChanges: outputChanges)
        plan.stateResourceCount = state.managed.count
        return plan
    }

    /// `--target` includes what the targets depend on.
    static func withDependencies(_ targets: Set<URN>, _ desired: [DesiredResource]) -> Set<URN> {
        guard !targets.isEmpty else { return [] }
        var result = targets
        var queue = Array(targets)
        let byURN = Dictionary(desired.map { ($0.urn, $0) }, uniquingKeysWith: { a, _ in a })
        while let next = queue.popLast() {
            for dependency in byURN[next]?.dependencies ?? [] where result.insert(dependency).inserted { queue.append(dependency) }
        }
        return result
    }
}

/// A plan refused because it would move resources between providers.
public struct ProviderChange: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
