/// What a bulk action would do to one thing, read from the account before anything changes.
public enum BulkOutcome: Equatable, Sendable {
    /// It changes the thing (the thing is not in the group; a certificate lacks the policy).
    case change
    /// Nothing to do, and why ("already a member").
    case unchanged(String)
    /// It cannot be done, and why ("no such thing", "no certificate").
    case impossible(String)
}

/// A bulk action that cannot be planned at all (its group or policy does not exist).
public struct BulkRefused: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}
