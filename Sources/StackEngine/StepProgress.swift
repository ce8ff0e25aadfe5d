import Synchronization

/// What a step says while it waits on the cloud (a thing type's deprecation period), and whether
/// it should stop waiting: a provider reports through `say` and asks `stopRequested`, which the
/// running engine installs (one engine runs per process). Not task-locals: a closure held in a
/// task-local crashed the optimised static binary when pushed in a deploy's child tasks.
public enum StepProgress {
    private struct Hooks {
        var report: (@Sendable (String) -> Void)?
        var stopping: (@Sendable () -> Bool)?
    }

    private static let hooks = Mutex(Hooks())

    /// Installs the running engine's hooks for the duration of `body`.
    static func during<T>(report: @escaping @Sendable (String) -> Void, stopping: @escaping @Sendable () -> Bool,
                          _ body: () async throws -> T) async rethrows -> T {
        hooks.withLock { $0 = Hooks(report: report, stopping: stopping) }
        defer { hooks.withLock { $0 = Hooks() } }
        return try await body()
    }

    /// Says `text` for the step being waited on (nothing when no engine listens).
    public static func say(_ text: String) { hooks.withLock { $0.report }?(text) }

    /// Whether the run was asked to stop (Ctrl-C): a wait ends with `StepInterrupted`.
    public static var stopRequested: Bool { hooks.withLock { $0.stopping }?() ?? false }
}

/// A step that stopped waiting because its run was cancelled: nothing was changed by it, and the
/// next run takes it up again.
public struct StepInterrupted: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
