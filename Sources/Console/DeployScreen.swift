import TermCore

/// A deploy running (or done): progress, each step, the engine's log, cancelling.
enum DeployScreen: ScreenComponent {
    static func shows(_ screen: Screen) -> Bool { if case .deploy = screen { return true }; return false }
    static func title(_ screen: Screen) -> String {
        guard case .deploy(_, let operation) = screen else { return "" }
        return operation == .update ? "deploy" : operation.rawValue + "ing"
    }
    /// While it runs, cancelling (c, Esc, Ctrl-C) comes before everything else.
    static func firstKey(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        DeployFlowUpdate.deployKey(&state, stack: state.screen.stackName ?? "", event)
    }
    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? { nil }
    static func view(_ state: DashboardState, into buffer: inout CellBuffer) { DeployFlowView.deploy(state, into: &buffer) }
    static func rowCount(_ state: DashboardState) -> Int { state.deploy.rows.count }
    static func hints(_ state: DashboardState) -> String {
        Dashboard.stackContext(state, state.screen.stackName ?? "", place: false)
            + (state.deploy.result == nil ? (state.deploy.cancelling ? "  cancelling…" : "  running…  c cancel") : "  esc back")
    }
    static func help(_ state: DashboardState) -> [String] {
        ["c esc      cancel (asks; in-flight steps finish)", "Ctrl-C     cancel at once; again to quit", "Ctrl-Z     suspend (fg resumes)"]
    }
}
