import JSON
import StackEngine
import TermCore

/// A plan as the review screen shows it: an update's steps, a destroy's deletes (with what
/// blocks them), or a refresh's drift.
public struct PlanView: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        public var kind: StepKind
        public var type: String
        public var name: String
        public var summary: String
        public var diff: [String]
        /// Its properties whole (`o` opens them in the pager).
        public var document: JSONValue
    }

    public var stack: String
    public var hash: String
    public var operation: Operation
    public var rows: [Row]
    public var unchanged: Int
    public var production: Bool
    /// A fingerprint of the program, config and state the plan was made from (watched for changes).
    public var sources: String?
    /// What would stop a destroy, and how each is cleared.
    public var blockers: [String]
    public var remedies: [String]
    /// Stack outputs the update changes (applied even when no resource changes), as lines, and
    /// how many outputs they are.
    public var outputChanges: [String]
    public var outputCount: Int
    /// Set when the update deletes all (or most) of the stack: shown in red.
    public var massDelete: String?

    public init(stack: String, hash: String, plan: Plan, production: Bool, operation: Operation = .update, blockers: [(String, String)] = []) {
        self.stack = stack
        self.hash = hash
        self.operation = operation
        self.production = production
        self.blockers = blockers.map(\.0)
        remedies = blockers.map(\.1)
        unchanged = plan.steps.filter { $0.kind == .same }.count
        outputChanges = plan.outputChanges.flatMap { PlanText.diffBlock($0, indent: "") }
        outputCount = plan.outputChanges.count
        massDelete = operation == .update ? plan.massDelete : nil
        rows = plan.steps.filter { $0.kind != .same || $0.optionsChanged }.map { step in
            let summary: String
            switch (step.kind, operation) {
            case (.replace, _): summary = "replace [" + step.replaceReasons.joined(separator: ",") + "]"
            case (.update, _), (.refresh, _):
                summary = (step.kind == .refresh ? "drift [" : "update [") + Array(Set(step.diffs.map { PlanText.topLevel($0.path) })).sorted().joined(separator: ",") + "]"
            case (.delete, .refresh): summary = "gone from the cloud"
            default: summary = step.kind.rawValue
            }
            return Row(kind: step.kind, type: step.type, name: step.urn.name, summary: summary, diff: PlanText.diffLines(step), document: PlanText.document(step))
        }
        // Grouped by kind (creates, updates, replaces, deletes, ...), in plan order within a group.
        let order: [StepKind] = [.create, .import, .update, .refresh, .replace, .delete, .same]
        rows = rows.enumerated().sorted { a, b in
            let (x, y) = (order.firstIndex(of: a.element.kind) ?? 0, order.firstIndex(of: b.element.kind) ?? 0)
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
    }

    /// Production stacks, and updates or destroys that replace or delete, need the stack's name typed.
    public var needsTypedName: Bool {
        production || (operation != .refresh && rows.contains { $0.kind == .replace || $0.kind == .delete })
    }

    public var counts: String {
        var parts: [String] = []
        for kind in [StepKind.create, .update, .replace, .delete, .import, .refresh] {
            let count = rows.filter { $0.kind == kind }.count
            if count > 0 { parts.append("\(kind.glyph)\(count) \(operation == .refresh ? (kind == .delete ? "gone" : "drifted") : kind.rawValue)") }
        }
        if operation == .refresh { return parts.isEmpty ? "no drift" : parts.joined(separator: "  ") }
        if operation == .destroy { return parts.isEmpty ? "nothing to delete" : parts.joined(separator: "  ") }
        if outputCount > 0 { parts.append("~\(outputCount) output\(outputCount == 1 ? "" : "s")") }
        return (parts.isEmpty ? "no changes" : parts.joined(separator: "  ")) + "  (\(unchanged) unchanged)"
    }

    var title: String {
        switch operation {
        case .update: return "Plan"
        case .destroy: return "Destroy"
        case .refresh: return "Refresh"
        }
    }
}

/// One step of a running deploy.
public struct DeployRow: Equatable, Sendable {
    public enum Status: Equatable, Sendable { case waiting, running, done(Double), failed(String) }
    public var name: String
    public var kind: StepKind
    public var status: Status
}

/// The review/approve/deploy part of the dashboard state.
public struct DeployState: Equatable, Sendable {
    public var plan: PlanView?
    public var expanded: Set<Int> = []
    /// Lines of the selected step's open diff scrolled past (j and k page through a long diff).
    public var diffOffset = 0
    public var onlyDestructive = false
    /// A destroy approved together with clearing its blockers.
    public var clearBlockers = false
    /// The stack name being typed to approve (nil: not approving).
    public var typed: String?
    public var rows: [DeployRow] = []
    public var log: [String] = []
    public var result: String?
    public var failed = false
    /// Asking "cancel the deploy?", and whether a cancel was sent.
    public var confirmingCancel = false
    public var cancelling = false
    /// Seconds since the deploy started (from the runtime's ticks).
    public var elapsed: Double = 0
    /// When it was approved (the dashboard's uptime): the time shown counts from there.
    public var startedAt: Double = 0

    public init() {}

    public var done: Int { rows.filter { if case .done = $0.status { return true }; return false }.count }
    public var running: Int { rows.filter { $0.status == .running }.count }
}
