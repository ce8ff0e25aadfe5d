import FleetValues
import JSON
import TermCore

/// Executions that do not move (`:stuck`): QUEUED or IN_PROGRESS behind a newer revision of
/// their target, past their job's timeout, or for an hour or more, each with why. `F` force-
/// cancels the selected one (a plan: the device's name typed, it may be left half-way); Enter
/// opens the device's deployments; `gg deployments stuck --redeploy` deploys a target again.
enum StuckScreen: ScreenComponent {
    struct State: SortedState {
        var stuck: [StuckExecution]?
        var order = Table.Order()
        init() {}
    }

    /// An hour QUEUED or IN_PROGRESS is stuck (as `gg deployments stuck`'s default).
    static let limit: Int64 = 3600
    static let stuck = FleetQuery<Void, [StuckExecution]>("stuck executions") { fleet, _ in try await fleet.stuckExecutions(group: nil, limit: limit) }
    static let titles = ["DEVICE", "STATUS", "REV", "TARGET", "WHY"]

    static func title(_ screen: Screen) -> String { "stuck executions" }

    static func rows(_ state: DashboardState) -> [(item: StuckExecution, cells: [String])]? {
        guard let list = state.own[State.self].stuck else { return nil }
        return state.own[State.self].order.shown(list, filter: state.filter) { item in
            [item.execution.thing, item.execution.status, item.deployment.revision, item.deployment.targetText, item.why]
        }.map { (item: $0.0, cells: $0.1) }
    }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        guard let all = state.own[State.self].stuck, let rows = rows(state) else {
            buffer.put(Dashboard.waiting(state, "Reading every deployment's executions"), row: 2, column: 1, style: theme[.dim])
            return []
        }
        buffer.put(DisplayWidth.pad(" \(all.count) stuck execution\(all.count == 1 ? "" : "s"): QUEUED or IN_PROGRESS behind a newer revision, past a timeout or for an hour"
                                    + (state.filter.isEmpty ? "" : "; \(rows.count) match /\(state.filter)"), buffer.columns), row: 1, column: 0, style: theme[.header])
        return Dashboard.sortedList(state, into: &buffer, area: listArea(state), titles: titles, rows: rows.map(\.cells), limits: [28, 12, 4, 30],
                                    sort: state.own[State.self].order.mark, empty: "Nothing is stuck: every execution is moving or has ended.") { _ in theme[.update] }
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        guard let rows = rows(state) else { return nil }
        switch event {
        case .key(.enter):
            guard rows.indices.contains(state.selected) else { return [] }
            return CoreScreen.open(&state, rows[state.selected].item.execution.thing)
        case .character("F"):
            if Dashboard.refused(&state, "changes") { return [] }
            guard rows.indices.contains(state.selected) else { return [] }
            let execution = rows[state.selected].item.execution
            Dashboard.confirm(&state, "FORCE-CANCEL \(execution.thing)'s \(execution.status) execution of revision \(rows[state.selected].item.deployment.revision) "
                              + "(the device stops where it is and may be left half-way)", [forceCancel(execution)], typed: execution.thing)
            return []
        default:
            return State.sortKey(&state, event, columns: titles.count)
        }
    }

    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? { State.sortClicked(&state, target) }

    /// `F`, once approved.
    static let forceCancel = FleetChange<JobExecution, String>("force-cancel execution") { fleet, execution, _ in
        try await fleet.cancelJobExecution(execution.job, thing: execution.thing, force: true)
        return "\(execution.thing)'s execution force-canceled: the device stops where it is"
    }

    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let list = stuck.answer(in: message)?.value(&state) { state.own[State.self].stuck = list }
        if let answer = forceCancel.answer(in: message), let said = answer.value(&state) {
            state.notice = said
            if state.screen == .stuck { return [stuck.command] }
        }
        return []
    }

    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        state.own[State.self].stuck = nil
        return [stuck.command]
    }

    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["stuck"]) { state, _, _ in CommandMode.replaceTop(&state, with: .stuck) ? reload(&state) ?? [] : [] }]
    }

    static func rowCount(_ state: DashboardState) -> Int { rows(state)?.count ?? 0 }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (3, max(0, state.rows - 4)) }
    static func filters(_ state: DashboardState) -> Bool { true }
    static func hints(_ state: DashboardState) -> String { "↵ device's deployments  F force-cancel  / filter  s sort  r reload" }
    static func help(_ state: DashboardState) -> [String] {
        [":stuck     executions QUEUED or IN_PROGRESS behind a newer revision, past a timeout or for an hour, with why",
         "enter      the device's deployments and components",
         "F          force-cancel the selected execution (the device's name typed: it stops where it is)",
         "           (to give a target's devices its latest deployment again: fleetdeck gg deployments stuck --redeploy)",
         "s S        sort by the next column, reverse"]
    }
}

extension Screen {
    /// Executions that do not move.
    public static let stuck = Screen(StuckScreen.self)
}
