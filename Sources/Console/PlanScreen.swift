import JSON
import TermCore

/// The review of a plan (update, destroy, refresh): its steps and diffs, approval (by typing
/// the name where it is needed); the work is DeployFlowUpdate's and DeployFlowView's.
enum PlanScreen: ScreenComponent {
    /// `b` on a blocked destroy: every blocker and its remedy.
    static func inspected(_ state: DashboardState, _ id: String) -> (title: String, value: JSONValue)? {
        guard let plan = state.deploy.plan else { return nil }
        if id == "blockers" { return ("what stops destroying \(plan.stack), and how each is cleared", DeployFlowView.blockersDocument(plan)) }
        guard id.hasPrefix("step:"), let index = Int(id.dropFirst(5)), plan.rows.indices.contains(index) else { return nil }
        let row = plan.rows[index]
        return ("\(row.kind.glyph) \(row.name) (\(row.type)): \(row.summary)", row.document)
    }
    static var aboutAStack: Bool { true }
    static func title(_ screen: Screen) -> String { screen.operation.map { $0 == .update ? "plan" : $0.rawValue } ?? "" }
    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        DeployFlowUpdate.planKey(&state, stack: state.screen.stackName ?? "", event)
    }
    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] { DeployFlowView.plan(state, into: &buffer) }
    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        switch message {
        case .planned(let plan, let operation) where state.screen == .plan(plan.stack, operation):
            state.deploy.plan = plan
        case .sourcesChanged(let stack, let fingerprint):
            // The plan under review is stale (unless its approval is being typed): plan again.
            guard state.screen.shown(by: PlanScreen.self), state.screen.subject == stack, let operation = state.screen.operation,
                  state.deploy.typed == nil, Dashboard.planIsStale(state, fingerprint) else { return [] }
            state.deploy = DeployState()
            state.selected = 0
            state.notice = "the program, config or state changed on disk: this is the new plan"
            return [.loadStack(stack), .preview(stack, operation)]
        default:
            break
        }
        return []
    }
    static func failed(_ state: inout DashboardState, _ error: String) {
        state.notice = error
        state.deploy.result = error
    }
    /// `r` and `p`: planned again from the files and state as they are now.
    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        guard state.screen.shown(by: PlanScreen.self), let name = state.screen.subject, let operation = state.screen.operation,
              state.deploy.typed == nil else { return nil }
        state.deploy = DeployState()
        return [.loadStack(name), .preview(name, operation), .checkConnection]
    }
    static func rowCount(_ state: DashboardState) -> Int {
        state.inspector.item != nil ? Inspector.lines(state).count : state.deploy.plan?.rows.count ?? 0
    }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) {
        let top = state.deploy.plan.map(DeployFlowView.planTop) ?? 2
        return (top, max(0, state.rows - 2 - top))
    }
    static func hints(_ state: DashboardState) -> String {
        Dashboard.stackContext(state, state.screen.stackName ?? "", place: false)
            + (state.deploy.typed != nil ? "  type the stack name, enter" : state.readOnly ? "  n back  ↵ diff  o whole" : "  y approve  n back  ↵ diff  o whole  x destructive")
    }
    static func help(_ state: DashboardState) -> [String] {
        ["enter      show or hide a step's diff (j k scroll a long one)", "o          the step's properties whole: search, wrap, pager",
         "x          only replaces and deletes"]
            + (state.deploy.plan?.blockers.isEmpty == false ? ["b          every blocker and how it is cleared"] : [])
            + (state.readOnly ? [] : ["y          approve (production: type the name)", "c          destroy: clear the blockers too"])
            + ["n          back without changing anything"]
    }
}

extension Screen {
    /// The review of an operation on a stack.
    public static func plan(_ stack: String, _ operation: Operation) -> Screen { Screen(PlanScreen.self, subject: stack, variant: operation.rawValue) }

    /// The operation a review or a deploy screen is about.
    var operation: Operation? { variant.flatMap(Operation.init(rawValue:)) }
}
