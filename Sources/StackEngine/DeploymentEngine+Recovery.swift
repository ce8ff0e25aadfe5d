import StackModel

/// Settling what a crashed run left pending.
extension DeploymentEngine {
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
}
