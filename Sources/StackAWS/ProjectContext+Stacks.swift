import POSIXFiles
import StackEngine

extension ProjectContext {
    /// Makes a stack: its config file (with the passphrase's salt when a passphrase is given) and
    /// its empty state in the backend. Refuses a name Pulumi refuses, or one the backend has.
    public func createStack(_ name: String, project: ProjectFolder, backend: any StateBackend) async throws {
        try StackName.validate(name)
        if try await backend.checkpoint(project: project.program.name, stack: name) != nil { throw StateError.stackExists(name) }
        let session = try StackSession(project: project, stack: name, backend: backend, environment: environment)
        if environment["PULUMI_CONFIG_PASSPHRASE"] != nil || environment["PULUMI_CONFIG_PASSPHRASE_FILE"] != nil {
            _ = try session.crypter(create: true)
        } else {
            try session.config.save()
        }
        let empty = try CheckpointCoder(crypter: nil).encode(stack: name, project: project.program.name, deployment: Deployment(time: Self.timestamp()))
        try await backend.saveCheckpoint(empty, project: project.program.name, stack: name)
    }

    /// Removes a stack's state and its config file; one that still records resources is refused
    /// unless forced (they are left in the cloud then).
    public func removeStack(_ name: String, project: ProjectFolder, backend: any StateBackend, force: Bool) async throws {
        guard let checkpoint = try await backend.checkpoint(project: project.program.name, stack: name) else { throw StateError.noSuchStack(name) }
        let resources = StackDetailReader.read(checkpoint).resources
        if !resources.isEmpty && !force { throw StateError.stackNotEmpty(name, count: resources.count) }
        try await backend.removeStack(project: project.program.name, stack: name)
        AtomicFile.remove("\(directory)/Pulumi.\(name).yaml")
    }
}
