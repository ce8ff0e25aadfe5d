import FleetValues
import JSON
import TermCore

/// The account's job templates (`:templates`, or `t` on `:jobs`): what operators make jobs
/// from, each with its description, its rollout, abort threshold and timeout, and its document.
enum JobTemplatesScreen: ScreenComponent {
    struct State: SortedState {
        var templates: [JobTemplate]?
        var order = Table.Order()
        init() {}
    }

    static let templates = FleetQuery<Void, [JobTemplate]>("job templates") { fleet, _ in try await fleet.jobTemplates() }
    static let titles = ["TEMPLATE", "DESCRIPTION", "CREATED", "ROLLOUT", "DOCUMENT"]

    static func title(_ screen: Screen) -> String { "job templates" }

    static func rows(_ state: DashboardState) -> [(template: JobTemplate, cells: [String])]? {
        guard let list = state.own[State.self].templates else { return nil }
        return state.own[State.self].order.shown(list, filter: state.filter) { template in
            [template.id, template.description ?? "", template.created.map { String(CivilTime(secondsSince1970: $0).stamp.prefix(16)) } ?? "?",
             template.rolloutText, template.document.split(separator: "\n").joined(separator: " ")]
        }.map { (template: $0.0, cells: $0.1) }
    }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        guard let all = state.own[State.self].templates, let rows = rows(state) else {
            buffer.put(Dashboard.waiting(state, "Loading the job templates"), row: 2, column: 1, style: theme[.dim])
            return []
        }
        buffer.put(DisplayWidth.pad(" \(all.count) job template\(all.count == 1 ? "" : "s")" + (state.filter.isEmpty ? "" : "; \(rows.count) match /\(state.filter)"),
                                    buffer.columns), row: 1, column: 0, style: theme[.header])
        return Dashboard.sortedList(state, into: &buffer, area: listArea(state), titles: titles, rows: rows.map(\.cells), limits: [28, 30, 17, 50],
                                    sort: state.own[State.self].order.mark,
                                    empty: "No job templates in the account (aws iot create-job-template makes one).") { _ in theme[.text] }
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? { State.sortKey(&state, event, columns: titles.count) }
    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? { State.sortClicked(&state, target) }

    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let list = templates.answer(in: message)?.value(&state) { state.own[State.self].templates = list }
        return []
    }

    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        state.own[State.self].templates = nil
        return [templates.command]
    }

    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["templates"]) { state, _, _ in CommandMode.replaceTop(&state, with: .jobTemplates) ? reload(&state) ?? [] : [] }]
    }

    static func rowCount(_ state: DashboardState) -> Int { rows(state)?.count ?? 0 }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (3, max(0, state.rows - 4)) }
    static func filters(_ state: DashboardState) -> Bool { true }
    static func hints(_ state: DashboardState) -> String { "/ filter  s sort  r reload  esc back" }
    static func help(_ state: DashboardState) -> [String] {
        [":templates  the account's job templates: description, rollout, abort threshold, timeout, document", "s S        sort by the next column, reverse"]
    }
}

extension Screen {
    /// The account's job templates.
    public static let jobTemplates = Screen(JobTemplatesScreen.self)
}
