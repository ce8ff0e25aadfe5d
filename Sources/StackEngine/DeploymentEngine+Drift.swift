import StackModel
import StackSchemas

/// Refresh: the drift between the state and the cloud, read and recorded.
extension DeploymentEngine {
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
