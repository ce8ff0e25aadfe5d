import StackEngine
import TermCore

/// A plan as the review screen shows it.
public struct PlanView: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        public var kind: StepKind
        public var type: String
        public var name: String
        public var summary: String
        public var diff: [String]
    }

    public var stack: String
    public var hash: String
    public var rows: [Row]
    public var unchanged: Int
    public var production: Bool

    public init(stack: String, hash: String, plan: Plan, production: Bool) {
        self.stack = stack
        self.hash = hash
        self.production = production
        unchanged = plan.steps.filter { $0.kind == .same }.count
        rows = plan.steps.filter { $0.kind != .same || $0.optionsChanged }.map { step in
            let summary: String
            switch step.kind {
            case .replace: summary = "replace [" + step.replaceReasons.joined(separator: ",") + "]"
            case .update: summary = "update [" + Array(Set(step.diffs.map { PlanText.topLevel($0.path) })).sorted().joined(separator: ",") + "]"
            default: summary = step.kind.rawValue
            }
            return Row(kind: step.kind, type: step.type, name: step.urn.name, summary: summary, diff: PlanText.diffLines(step))
        }
    }

    /// Replaces and deletes (and production stacks) need the stack's name typed to approve.
    public var needsTypedName: Bool { production || rows.contains { $0.kind == .replace || $0.kind == .delete } }

    public var counts: String {
        var parts: [String] = []
        for kind in [StepKind.create, .update, .replace, .delete, .import] {
            let count = rows.filter { $0.kind == kind }.count
            if count > 0 { parts.append("\(kind.glyph)\(count) \(kind.rawValue)") }
        }
        return (parts.isEmpty ? "no changes" : parts.joined(separator: "  ")) + "  (\(unchanged) unchanged)"
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
    public var onlyDestructive = false
    /// The stack name being typed to approve (nil: not approving).
    public var typed: String?
    public var rows: [DeployRow] = []
    public var log: [String] = []
    public var result: String?
    public var failed = false

    public init() {}

    public var done: Int { rows.filter { if case .done = $0.status { return true }; return false }.count }
}

/// Keys and events of the review, approve and deploy screens.
enum DeployFlowUpdate {
    /// Plan screen keys; nil when the key is not the plan screen's (the common keys apply).
    static func planKey(_ state: inout DashboardState, stack: String, _ event: TerminalEvent) -> [DashboardCommand]? {
        guard let plan = state.deploy.plan else {
            if case .character(let c) = event, c == "n" || c == "q" || c == "\u{1b}" { back(&state); return [] }
            return []
        }
        switch event {
        case .character("\n"), .character("\r"), .function(343):
            if state.deploy.expanded.contains(state.selected) { state.deploy.expanded.remove(state.selected) } else { state.deploy.expanded.insert(state.selected) }
            return []
        case .character("x"):
            state.deploy.onlyDestructive.toggle()
            return []
        case .character("n"), .character("q"), .character("\u{1b}"):
            back(&state)
            state.notice = "not deployed: nothing was changed"
            return []
        case .character("y"):
            guard !plan.rows.isEmpty else { state.notice = "nothing to deploy: the stack matches the program"; return [] }
            if plan.needsTypedName {
                state.deploy.typed = ""
                state.notice = nil
                return []
            }
            return start(&state, stack: stack, hash: plan.hash)
        default:
            return nil
        }
    }

    static func back(_ state: inout DashboardState) {
        state.screens.removeLast()
        state.deploy = DeployState()
        state.selected = 0
    }

    /// Typing the stack's name to approve a production plan or one that replaces or deletes.
    static func typing(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand] {
        guard case .plan(let stack) = state.screen, let plan = state.deploy.plan else { state.deploy.typed = nil; return [] }
        switch event {
        case .character("\u{1b}"):
            state.deploy.typed = nil
            state.notice = "approval cancelled"
        case .character("\n"), .character("\r"), .function(343):
            if state.deploy.typed == stack {
                state.deploy.typed = nil
                return start(&state, stack: stack, hash: plan.hash)
            }
            state.notice = "that is not '\(stack)': type the stack's name exactly, or esc"
            state.deploy.typed = ""
        case .character("\u{7f}"), .character("\u{08}"), .function(263):
            if !(state.deploy.typed ?? "").isEmpty { state.deploy.typed?.removeLast() }
        case .character(let character):
            if !character.isNewline { state.deploy.typed?.append(character) }
        default:
            break
        }
        return []
    }

    static func start(_ state: inout DashboardState, stack: String, hash: String) -> [DashboardCommand] {
        let plan = state.deploy.plan
        state.screens[state.screens.count - 1] = .deploy(stack)
        state.deploy.rows = (plan?.rows ?? []).map { DeployRow(name: $0.name, kind: $0.kind, status: .waiting) }
        state.deploy.log = ["approved plan \(hash)"]
        state.selected = 0
        state.notice = nil
        return [.deploy(stack, hash: hash)]
    }

    static func apply(_ event: EngineEvent, to deploy: inout DeployState) {
        func set(_ name: String, _ status: DeployRow.Status) {
            if let index = deploy.rows.firstIndex(where: { $0.name == name }) { deploy.rows[index].status = status }
        }
        if let line = PlanText.event(event) { deploy.log.append(line) }
        switch event {
        case .stepStarted(let step): set(step.urn.name, .running)
        case .stepFinished(let step, let seconds): set(step.urn.name, .done(seconds))
        case .stepFailed(let step, let error, _): set(step.urn.name, .failed(error))
        default: break
        }
    }
}

/// The review and deploy screens.
enum DeployFlowView {
    static func plan(_ state: DashboardState, theme: Theme, into buffer: inout CellBuffer) {
        guard let plan = state.deploy.plan else {
            buffer.put(state.deploy.result ?? "Planning…", row: 2, column: 1, style: state.deploy.result == nil ? theme["dim"] : theme["error"])
            return
        }
        let columns = buffer.columns
        buffer.put(" Plan \(plan.hash): \(plan.counts)", row: 1, column: 0, style: theme["header"])
        var row = 2
        let rows = plan.rows.enumerated().filter { !state.deploy.onlyDestructive || $0.element.kind == .replace || $0.element.kind == .delete }
        // Keep the selected step on screen: the window starts so that it is the last visible row at most.
        let visible = max(1, buffer.rows - 4)
        let position = rows.firstIndex { $0.offset == state.selected } ?? 0
        let first = max(0, min(position - visible + 1, rows.count - visible))
        for (index, step) in rows.dropFirst(max(0, first)) where row < buffer.rows - 2 {
            let role: String
            switch step.kind {
            case .create, .import: role = "create"
            case .update: role = "update"
            case .replace: role = "replace"
            case .delete: role = "delete"
            default: role = "text"
            }
            let style = index == state.selected ? theme["selected"] : theme[role]
            let line = " " + Dashboard.pad(step.kind.glyph, 3) + Dashboard.pad(step.type, 36) + Dashboard.pad(step.name, 28) + step.summary
            buffer.put(Dashboard.pad(line, columns), row: row, column: 0, style: style)
            row += 1
            if state.deploy.expanded.contains(index) {
                for diff in step.diff where row < buffer.rows - 2 {
                    buffer.put(diff, row: row, column: 0, style: theme["dim"])
                    row += 1
                }
            }
        }
        if plan.rows.isEmpty { buffer.put("No changes: the stack matches the program.", row: row, column: 1, style: theme["dim"]) }
        if let typed = state.deploy.typed {
            let prompt = " Type '\(plan.stack)' to approve\(plan.production ? " (production)" : "") this plan: \(typed)▏"
            buffer.put(Dashboard.pad(prompt, columns), row: buffer.rows - 2, column: 0, style: theme["production"])
        } else if row < buffer.rows - 1 {
            buffer.put(" y approve   n back", row: buffer.rows - 2, column: 0, style: theme["dim"])
        }
    }

    static func deploy(_ state: DashboardState, theme: Theme, into buffer: inout CellBuffer) {
        let deploy = state.deploy
        let columns = buffer.columns
        let total = max(1, deploy.rows.count)
        let width = max(10, min(40, columns - 30))
        let filled = width * deploy.done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        buffer.put(" \(bar) \(deploy.done)/\(deploy.rows.count)", row: 1, column: 0, style: theme["header"])
        var row = 2
        for item in deploy.rows where row < buffer.rows - 8 {
            let (text, role): (String, String)
            switch item.status {
            case .waiting: (text, role) = ("waiting", "dim")
            case .running: (text, role) = ("running…", "update")
            case .done(let seconds): (text, role) = ("done \(PlanTextFormat.seconds(seconds))s", "create")
            case .failed(let error): (text, role) = ("failed: \(error)", "error")
            }
            buffer.put(" " + Dashboard.pad(item.kind.glyph, 3) + Dashboard.pad(item.name, 30) + text, row: row, column: 0, style: theme[role])
            row += 1
        }
        let logStart = max(row + 1, buffer.rows - 7)
        for (offset, line) in deploy.log.suffix(max(0, buffer.rows - 2 - logStart)).enumerated() {
            buffer.put(line, row: logStart + offset, column: 0, style: theme["dim"])
        }
        if let result = deploy.result {
            buffer.put(Dashboard.pad(" " + result, columns), row: buffer.rows - 2, column: 0, style: deploy.failed ? theme["error"] : theme["create"])
        }
    }
}

enum PlanTextFormat {
    static func seconds(_ value: Double) -> String { String(Double(Int(value * 100)) / 100) }
}
