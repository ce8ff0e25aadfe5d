/// What a step says while it waits on the cloud (a thing type's deprecation period), and whether
/// it should stop waiting: a provider reports through `report` and asks `stopping`, which the
/// engine binds to its events and its cancellation for the step it runs.
public enum StepProgress {
    @TaskLocal public static var report: (@Sendable (String) -> Void)?
    @TaskLocal public static var stopping: (@Sendable () -> Bool)?

    /// Says `text` for the step running on this task (nothing when no engine listens).
    public static func say(_ text: String) { report?(text) }

    /// Whether the run was asked to stop (Ctrl-C): a wait ends with `StepInterrupted`.
    public static var stopRequested: Bool { stopping?() ?? false }
}

/// A step that stopped waiting because its run was cancelled: nothing was changed by it, and the
/// next run takes it up again.
public struct StepInterrupted: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
