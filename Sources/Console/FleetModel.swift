import FleetValues
import JSON
import MQTT
import TermCore

/// A bulk action on marked devices, reviewed like a plan and approved.
public struct FleetPlan: Equatable, Sendable {
    public typealias Action = BulkAction

    public var action: Action
    public var things: [String]
    /// What each item is, as the list it was chosen from showed it (a certificate: its things and
    /// status), so the plan names what it acts on.
    public var about: [String: String] = [:]
    /// What the action would do to each thing, read from the account (nil while checking).
    public var outcomes: [String: BulkOutcome]?
    /// Why the action cannot be planned at all (its group or policy does not exist).
    public var refused: String?
    /// Per thing: nil waiting, "" done, else the error.
    public var results: [String: String] = [:]
    public var running = false
    public var done: Int { results.values.filter(\.isEmpty).count }
    /// The things the action changes (only these are applied).
    public var changes: [String] { things.filter { outcomes?[$0] == .change } }

    public init(action: Action, things: [String]) {
        self.action = action
        self.things = things
    }

    /// "add to group lab", "attach policy telemetry".
    public var title: String {
        switch action {
        case .addToGroup(let group): return "add to group \(group)"
        case .attachPolicy(let policy): return "attach policy \(policy)"
        case .setCertificateStatus(let status): return status == "REVOKED" ? "revoke (for good)" : status == "INACTIVE" ? "deactivate" : "set status \(status)"
        }
    }

    func row(_ thing: String) -> String {
        let glyph: String
        switch outcomes?[thing] {
        case .change?: glyph = "+ "
        case .unchanged?: glyph = "  "
        case .impossible?: glyph = "! "
        case nil: glyph = "? "
        }
        switch action {
        case .addToGroup(let group): return "\(glyph) aws:iot:ThingGroupMembership  \(thing) → \(group)"
        case .attachPolicy(let policy): return "\(glyph) aws:iot:PolicyAttachment  \(policy) → certificates of \(thing)"
        case .setCertificateStatus(let status):
            return "\(glyph == "+ " ? "~ " : glyph) aws:iot:Certificate  \(thing.prefix(16))  \(about[thing] ?? "") → \(status)"
        }
    }

    /// The plan's one-line summary: what changes, what does not, what cannot.
    var summary: String {
        if let refused { return "refused: " + refused }
        guard let outcomes else { return "checking the account…" }
        let unchanged = outcomes.values.filter { if case .unchanged = $0 { return true }; return false }.count
        let impossible = outcomes.values.filter { if case .impossible = $0 { return true }; return false }.count
        return "~\(changes.count) \(title)" + (unchanged > 0 ? "  (\(unchanged) unchanged)" : "") + (impossible > 0 ? "  (\(impossible) cannot)" : "")
    }
}

/// A shadow edit in progress: the JSON typed so far and whether it parses.
public struct ShadowEdit: Equatable, Sendable {
    public var shadow: String
    public var version: Int64?
    public var line: InputLine
    public var problem: String?
}

/// The desired document last sent to a shadow, kept for the edit after a conflict.
public struct ShadowDraft: Equatable, Sendable {
    public var shadow: String
    public var text: String
}

