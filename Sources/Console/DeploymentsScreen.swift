import FleetValues
import JSON
import TermCore

/// Greengrass deployments (`:deployments`): every revision of every target, newest first, with
/// its status and whether it is the target's latest; Enter opens its rollout (its IoT job's
/// executions, device by device, followed live: the jobs screen); `C` cancels the selected
/// deployment (a plan: devices that took it keep it, those that have not will not get it; `y`, or
/// a production fleet's stack name).
enum DeploymentsScreen: ScreenComponent {
    struct State: SortedState {
        var deployments: [DeploymentSummary]?
        var order = Table.Order()
        init() {}
    }

    static let deployments = FleetQuery<Void, [DeploymentSummary]>("deployments") { fleet, _ in try await fleet.deploymentSummaries() }
    static let titles = ["CREATED", "DEPLOYMENT", "TARGET", "REV", "STATUS", "LATEST"]

    static func title(_ screen: Screen) -> String { "deployments" }

    static func rows(_ state: DashboardState) -> [(deployment: DeploymentSummary, cells: [String])]? {
        guard let list = state.own[State.self].deployments else { return nil }
        return state.own[State.self].order.shown(list, filter: state.filter) { deployment in
            [deployment.created.map { String(CivilTime(secondsSince1970: $0).stamp.prefix(16)) } ?? "?", deployment.name, deployment.targetText,
             deployment.revision, deployment.status, deployment.latest ? "yes" : "no"]
        }.map { (deployment: $0.0, cells: $0.1) }
    }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme, area = listArea(state)
        guard let all = state.own[State.self].deployments, let rows = rows(state) else {
            buffer.put(Dashboard.waiting(state, "Loading the deployments"), row: 2, column: 1, style: theme[.dim])
            return []
        }
        let active = all.filter { $0.status == "ACTIVE" }.count
        buffer.put(DisplayWidth.pad(" \(all.count) deployment\(all.count == 1 ? "" : "s"), \(active) active" + (state.filter.isEmpty ? "" : "; \(rows.count) match /\(state.filter)"),
                                    buffer.columns), row: 1, column: 0, style: theme[.header])
        return Dashboard.sortedList(state, into: &buffer, area: area, titles: titles, rows: rows.map(\.cells), limits: [17, 36, 30, 4, 9],
                                    sort: state.own[State.self].order.mark,
                                    empty: "No Greengrass deployments: fleetdeck gg deploy FILE makes one, as a plan.") {
            rows[$0].deployment.status == "FAILED" ? theme[.error] : rows[$0].deployment.latest ? theme[.text] : theme[.dim]
        }
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        guard let rows = rows(state) else { return nil }
        switch event {
        case .key(.enter):
            guard rows.indices.contains(state.selected) else { return [] }
            guard let job = rows[state.selected].deployment.job else {
                state.notice = "this deployment has no IoT job to follow"
                return []
            }
            state.screens.append(.job(job))
            state.selected = 0
            return [JobsScreen.executions(job)]
        case .character("C"):
            if Dashboard.refused(&state, "changes") { return [] }
            guard rows.indices.contains(state.selected) else { return [] }
            let deployment = rows[state.selected].deployment
            guard deployment.status == "ACTIVE" else {
                state.notice = "deployment \(deployment.name) is \(deployment.status): only an active deployment can be canceled"
                return []
            }
            Dashboard.confirm(&state, "cancel deployment \(deployment.name) (revision \(deployment.revision) of \(deployment.targetText)): devices that took it keep it, "
                              + "those taking it carry on, the others will not get it", [cancel(deployment.id)])
            return []
        default:
            return State.sortKey(&state, event, columns: titles.count)
        }
    }

    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? { State.sortClicked(&state, target) }

    /// `C`, once approved.
    static let cancel = FleetChange<String, String>("cancel deployment") { fleet, id, _ in
        try await fleet.cancelDeployment(id)
        return "deployment \(id) canceled: devices that took it keep it"
    }

    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let list = deployments.answer(in: message)?.value(&state) { state.own[State.self].deployments = list }
        if let answer = cancel.answer(in: message), let said = answer.value(&state) {
            state.notice = said
            if state.screen == .deployments { return [deployments.command] }
        }
        return []
    }

    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        state.own[State.self].deployments = nil
        return [deployments.command]
    }

    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["deployments"]) { state, _, _ in CommandMode.replaceTop(&state, with: .deployments) ? reload(&state) ?? [] : [] }]
    }

    static func rowCount(_ state: DashboardState) -> Int { rows(state)?.count ?? 0 }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (3, max(0, state.rows - 4)) }
    static func filters(_ state: DashboardState) -> Bool { true }
    static func hints(_ state: DashboardState) -> String { "↵ the rollout  C cancel  / filter  s sort  r reload" }
    static func help(_ state: DashboardState) -> [String] {
        [":deployments  Greengrass deployments, every revision: status, the target's latest or not",
         "enter      the rollout: the deployment's IoT job, device by device, live",
         "C          cancel the deployment: devices that took it keep it, the others will not get it (y approves)",
         "s S        sort by the next column, reverse"]
    }
}

extension Screen {
    /// Greengrass deployments, every revision.
    public static let deployments = Screen(DeploymentsScreen.self)
}
