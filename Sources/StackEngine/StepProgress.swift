/// What a step says while it waits on the cloud (a thing type's deprecation period): a provider
/// reports through `report`, which the engine binds to its events for the step it runs.
public enum StepProgress {
    @TaskLocal public static var report: (@Sendable (String) -> Void)?

    /// Says `text` for the step running on this task (nothing when no engine listens).
    public static func say(_ text: String) { report?(text) }
}
