import TermCore

/// A deploy running (or done): progress, each step, the engine's log, cancelling.
enum DeployScreen: ScreenComponent {
    static var aboutAStack: Bool { true }
    static func title(_ screen: Screen) -> String { screen.operation.map { $0 == .update ? "deploy" : $0.rawValue + "ing" } ?? "" }
    /// While it runs, cancelling (c, Esc, Ctrl-C) comes before everything else.
    static func firstKey(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        DeployFlowUpdate.deployKey(&state, stack: state.screen.stackName ?? "", event)
    }
    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? { nil }
    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] { DeployFlowView.deploy(state, into: &buffer) }
    static func rowCount(_ state: DashboardState) -> Int { state.deploy.rows.count }
    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        guard state.screen.shown(by: DeployScreen.self), let stack = state.screen.subject, let operation = state.screen.operation else {
            if case .deployFinished = message { return [.loadStacks] }
            return []
        }
        switch message {
        case .engine(let event):
            DeployFlowUpdate.apply(event, to: &state.deploy)
        case .tick(let elapsed) where state.deploy.result == nil:
            state.deploy.elapsed = elapsed
        case .planReplaced(let plan, let reason) where plan.stack == stack:
            // The approved plan was refused because the files or the state changed: back to
            // the review, with the plan as it is now.
            state.screens[state.screens.count - 1] = .plan(stack, operation)
            state.deploy = DeployState()
            state.deploy.plan = plan
            state.selected = 0
            state.notice = reason
            return [.loadStack(stack)]
        case .deployFinished(let text, let failed):
            // However quick it was: its time from approval to end, not the last tick's.
            state.deploy.elapsed = max(state.deploy.elapsed, state.uptime - state.deploy.startedAt)
            state.deploy.result = text
            state.deploy.failed = failed
            state.deploy.confirmingCancel = false
            return [.loadStacks, .loadStack(stack)]
        default:
            break
        }
        return []
    }
    static func failed(_ state: inout DashboardState, _ error: String) {
        state.deploy.result = error
        state.deploy.failed = true
    }
    static func hints(_ state: DashboardState) -> String {
        Dashboard.stackContext(state, state.screen.stackName ?? "", place: false)
            + (state.deploy.result == nil ? (state.deploy.cancelling ? "  cancelling…" : "  running…  c cancel") : "  esc back")
    }
    static func help(_ state: DashboardState) -> [String] {
        ["c esc      cancel (asks; in-flight steps finish)", "Ctrl-C     cancel at once; again to quit", "Ctrl-Z     suspend (fg resumes)"]
    }
}

extension Screen {
    /// An approved operation on a stack, running or done.
    public static func deploy(_ stack: String, _ operation: Operation) -> Screen { Screen(DeployScreen.self, subject: stack, variant: operation.rawValue) }
}
