import FleetValues
import JSON
import TermCore

/// The account's component catalogue (`:components`): each component's latest version,
/// platforms, publisher and description; Enter opens the latest version whole (its recipe
/// folded as the policy inspector folds a document, its platforms and every version).
enum ComponentsScreen: ScreenComponent {
    struct State: SortedState {
        var components: [ComponentInfo]?
        var order = Table.Order()
        /// The version Enter asked for, once read.
        var detail: ComponentVersionDetail?
        init() {}
    }

    static let components = FleetQuery<Void, [ComponentInfo]>("components") { fleet, _ in try await fleet.components() }
    static let latest = FleetQuery<String, ComponentVersionDetail>("component version", waits: false) { try await $0.componentVersion($1, version: nil) }
    static let titles = ["COMPONENT", "LATEST", "PLATFORMS", "PUBLISHER", "DESCRIPTION"]

    static func title(_ screen: Screen) -> String { "components" }

    static func rows(_ state: DashboardState) -> [(component: ComponentInfo, cells: [String])]? {
        guard let components = state.own[State.self].components else { return nil }
        return state.own[State.self].order.shown(components, filter: state.filter) {
            [$0.name, $0.latest, $0.platforms.joined(separator: ","), $0.publisher, $0.description]
        }.map { (component: $0.0, cells: $0.1) }
    }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        guard let rows = rows(state) else {
            buffer.put(Dashboard.waiting(state, "Loading the component catalogue"), row: 2, column: 1, style: theme[.dim])
            return []
        }
        let area = listArea(state)
        if state.inspector.item != nil { return Inspector.view(state, area: area, into: &buffer) }
        let count = state.own[State.self].components?.count ?? 0
        var header = " \(count) component\(count == 1 ? "" : "s") in the account's catalogue"
        if !state.filter.isEmpty { header += "; \(rows.count) match /\(state.filter)" }
        buffer.put(DisplayWidth.pad(header, buffer.columns), row: 1, column: 0, style: theme[.header])
        return Dashboard.sortedList(state, into: &buffer, area: area, titles: titles, rows: rows.map(\.cells), limits: [36, 10, 18, 24],
                                    sort: state.own[State.self].order.mark, empty: "No components: 'fleetdeck gg components publish' adds recipes.") { _ in theme[.text] }
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        if state.inspector.item != nil { return Inspector.key(&state, event) }
        switch event {
        case .key(.enter):
            guard let rows = rows(state), rows.indices.contains(state.selected) else { return [] }
            state.notice = "reading \(rows[state.selected].component.name)…"
            return [latest(rows[state.selected].component.name)]
        default:
            return State.sortKey(&state, event, columns: titles.count)
        }
    }

    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? { State.sortClicked(&state, target) }

    static func inspected(_ state: DashboardState, _ id: String) -> (title: String, value: JSONValue)? {
        guard let detail = state.own[State.self].detail, detail.name == id else { return nil }
        return ("\(detail.name) \(detail.version)", detail.json)
    }

    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let list = components.answer(in: message)?.value(&state) { state.own[State.self].components = list }
        if let answer = latest.answer(in: message), state.screen == .components, state.inspector.item == nil, let detail = answer.value(&state) {
            state.own[State.self].detail = detail
            state.notice = nil
            Inspector.open(&state, detail.name)
        }
        return []
    }

    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        state.own[State.self].components = nil
        return [components.command]
    }

    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["components"]) { state, _, _ in
            CommandMode.replaceTop(&state, with: .components) ? reload(&state) ?? [] : []
        }]
    }

    static func rowCount(_ state: DashboardState) -> Int {
        state.inspector.item != nil ? Inspector.lines(state).count : rows(state)?.count ?? 0
    }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (3, max(0, state.rows - 4)) }
    static func filters(_ state: DashboardState) -> Bool { state.inspector.item == nil }
    static func hints(_ state: DashboardState) -> String {
        state.inspector.item != nil ? "↵ fold  / search  esc back" : "↵ the latest version  / filter  s sort  r reload"
    }
    static func help(_ state: DashboardState) -> [String] {
        [":components  the account's component catalogue", "enter      the latest version: recipe, platforms, every version",
         "s S        sort by the next column, reverse"]
    }
}

extension Screen {
    /// The account's Greengrass component catalogue.
    public static let components = Screen(ComponentsScreen.self)
}
