import StackModel

/// What one kind of step does in the cloud, given its provider and its inputs (secrets
/// revealed); each kind is its own type, looked up by `StepAppliers.applier(for:)`. Journalling
/// and scheduling are the executor's; deletes are run by the executor (they journal their own
/// begin, after the dependents are gone).
protocol StepApplier: Sendable {
    /// The resource as it is after the step (nil: nothing to record).
    func apply(_ step: Step, provider: any ResourceProvider, inputs: [String: PropertyValue], engine: DeploymentEngine) async throws -> ResourceState?
}

enum StepAppliers {
    static let byKind: [StepKind: any StepApplier] = [
        .create: CreateStep(), .import: ImportStep(), .update: UpdateStep(), .replace: ReplaceStep(),
        .same: NoCloudStep(), .delete: NoCloudStep(), .refresh: NoCloudStep(),
    ]

    static func applier(for kind: StepKind) -> any StepApplier { byKind[kind] ?? NoCloudStep() }
}

/// Creates the resource (adopting it when an earlier create's answer was lost).
struct CreateStep: StepApplier {
    func apply(_ step: Step, provider: any ResourceProvider, inputs: [String: PropertyValue], engine: DeploymentEngine) async throws -> ResourceState? {
        let (id, outputs) = try await engine.createOrAdopt(step, provider: provider, inputs: inputs)
        return engine.state(step, id: id, outputs: outputs)
    }
}

/// Reads an existing resource into the stack (`options.import`).
struct ImportStep: StepApplier {
    func apply(_ step: Step, provider: any ResourceProvider, inputs: [String: PropertyValue], engine: DeploymentEngine) async throws -> ResourceState? {
        let id = step.importID ?? ""
        guard let outputs = try await provider.read(type: step.type, id: id, inputs: inputs) else {
            throw StepFailure(urn: step.urn, kind: .import, reason: "no \(step.type) with id '\(id)' to import")
        }
        return engine.state(step, id: id, outputs: outputs)
    }
}

/// Changes the resource in place.
struct UpdateStep: StepApplier {
    func apply(_ step: Step, provider: any ResourceProvider, inputs: [String: PropertyValue], engine: DeploymentEngine) async throws -> ResourceState? {
        let old = step.old!
        let outputs = try await provider.update(type: step.type, id: old.id, old: old, inputs: inputs)
        return engine.state(step, id: old.id, outputs: outputs)
    }
}

/// Makes the new resource (after deleting the old one first where the cloud forbids two); the
/// old one of a create-before-delete replace is deleted at the end of the run.
struct ReplaceStep: StepApplier {
    func apply(_ step: Step, provider: any ResourceProvider, inputs: [String: PropertyValue], engine: DeploymentEngine) async throws -> ResourceState? {
        let old = step.old!
        if old.protect { throw StepFailure(urn: step.urn, kind: .replace, reason: "it is protected; remove 'protect' to replace it") }
        if step.deleteFirst { try await provider.delete(type: old.type, id: old.id, old: old) }
        let (id, outputs) = try await engine.createOrAdopt(step, provider: provider, inputs: inputs)
        return engine.state(step, id: id, outputs: outputs)
    }
}

/// Steps with no cloud work here: the state keeps what it had.
struct NoCloudStep: StepApplier {
    func apply(_ step: Step, provider: any ResourceProvider, inputs: [String: PropertyValue], engine: DeploymentEngine) async throws -> ResourceState? {
        step.old
    }
}

extension DeploymentEngine {
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

}
