import FleetValues
import JSON
import StackEngine
import TermCore

/// The first screen: every stack of the project, sortable and filterable.
enum StacksScreen {
    static let titles = ["STACK", "ACCOUNT", "REGION", "RESOURCES", "LAST UPDATE", "LOCK"]

    /// As wide as the stacks' values need (a region is never cut while the line has room).
    static func columns(_ stacks: [StackSummary], width: Int) -> [Table.Column] {
        // A production stack's name has room for its badge after it.
        let measured = stacks.map { stack in
            var row = cells(stack)
            if stack.production { row[0] += " PROD " }
            return row
        }
        return Table.fitted(titles, rows: measured, limits: [38, 15, 17, 12, 24], sortable: true, width: width)
    }

    static func cells(_ stack: StackSummary) -> [String] {
        [stack.name + (stack.pendingOperations > 0 ? " !" : ""), stack.account ?? "-", stack.region ?? "-", String(stack.resourceCount),
         stack.lastUpdate.map(Self.minute) ?? (stack.deployed ? "never" : "not deployed"), stack.lockedBy ?? "-"]
    }

    /// `2026-12-05T17:51:10Z` as `2026-12-05 17:51` (the list's column; the stack's screen has it whole).
    static func minute(_ iso: String) -> String {
        guard let seconds = CivilTime.parseISO8601(iso) else { return iso }
        return String(CivilTime(secondsSince1970: seconds).stamp.prefix(16))
    }

    /// The stacks the filter lets through, in the chosen order.
    static func visible(_ state: DashboardState) -> [StackSummary] {
        let matcher = TextFilter(state.filter)
        let shown = state.stacks.all.filter { matcher.matches("\($0.name) \($0.account ?? "") \($0.region ?? "")") }
        return Table.order(shown.map(cells), by: state.stacks.order.column, ascending: state.stacks.order.ascending).map { shown[$0] }
    }

    /// Sorts in `order`, the selected stack staying selected.
    static func sort(_ state: inout DashboardState, _ order: Table.Order) {
        let name = visible(state).indices.contains(state.selected) ? visible(state)[state.selected].name : nil
        state.stacks.order = order
        state.selected = visible(state).firstIndex { $0.name == name } ?? 0
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        switch event {
        case .key(.enter):
            let shown = visible(state)
            guard shown.indices.contains(state.selected) else { return [] }
            return Dashboard.open(&state, stack: shown[state.selected].name)
        case .character("s"):
            sort(&state, state.stacks.order.next(of: titles.count))
            return []
        case .character("S"):
            sort(&state, state.stacks.order.reversed)
            return []
        default:
            return nil
        }
    }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        if state.stacks.loading { buffer.put(Dashboard.waiting(state, "Loading stacks"), row: 2, column: 1, style: theme[.dim]); return [] }
        if let error = state.stacks.error { buffer.put(error, row: 2, column: 1, style: theme[.error]); return [] }
        if state.project.isEmpty {
            buffer.put("No Pulumi project here: run fleetdeck in a project folder (or -C FOLDER) for its stacks.", row: 2, column: 1, style: theme[.dim])
            buffer.put("The fleet and its messages work anywhere: :things, :certs, :cores, :jobs, :audits, :rotation, :tail FILTER (? lists them all).", row: 3, column: 1, style: theme[.text])
            return []
        }
        if state.stacks.all.isEmpty { buffer.put("No stacks yet: 'fleetdeck stack init NAME'.", row: 2, column: 1, style: theme[.dim]); return [] }
        let shown = visible(state)
        let area = Dashboard.listArea(state)
        let columns = Self.columns(state.stacks.all, width: buffer.columns)
        let first = Table(columns: columns, rows: shown.map(cells)).draw(
            into: &buffer, top: area.top - 1, height: area.height + 1, selected: state.selected,
            sort: state.stacks.order.mark, header: theme[.header], selectedStyle: theme[.selected]) { _ in theme[.text] }
        // The production badge goes at the right edge when the row leaves room, else after the name.
        for (offset, stack) in shown.dropFirst(first).prefix(area.height).enumerated() where stack.production {
            let badge = " PROD "
            let used = DisplayWidth.of(Table.line(cells(stack), columns: columns, width: 1000).trimmingWhitespace())
            let afterName = 2 + DisplayWidth.of(cells(stack)[0])
            let at = used + 2 < buffer.columns - DisplayWidth.of(badge) ? buffer.columns - DisplayWidth.of(badge) - 1 : afterName
            if at + DisplayWidth.of(badge) <= max(columns[0].width + 1, used + 2 < buffer.columns - 6 ? buffer.columns : 0) {
                buffer.put(badge, row: area.top + offset, column: at, style: theme[.production])
            }
        }
        return HitArea.header(columns, row: area.top - 1, width: buffer.columns)
            + HitArea.rows(first: first, count: shown.count, top: area.top, height: area.height, width: buffer.columns)
    }
}

extension StacksScreen: ScreenComponent {
    static func title(_ screen: Screen) -> String { "stacks" }
    static func rowCount(_ state: DashboardState) -> Int { visible(state).count }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (2, max(0, state.rows - 3)) }
    static func filters(_ state: DashboardState) -> Bool { true }
    static func hints(_ state: DashboardState) -> String {
        "\(state.stacks.all.count) stack\(state.stacks.all.count == 1 ? "" : "s")  ↵ open  s sort  : command"
    }
    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["stacks"]) { state, _, _ in
            while state.screens.count > 1 { Dashboard.back(&state) }
            return [.loadStacks]
        }]
    }
    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? {
        guard case .sort(let column) = target else { return nil }
        sort(&state, state.stacks.order.clicked(column))
        return []
    }
    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        guard case .stacksLoaded(let stacks) = message else { return [] }
        state.stacks.all = stacks
        state.stacks.loading = false
        state.stacks.error = nil
        if state.screen == .stacks { state.selected = min(state.selected, max(0, stacks.count - 1)) }
        return []
    }
    static func failed(_ state: inout DashboardState, _ error: String) {
        state.stacks.error = error
        state.stacks.loading = false
    }
    /// Back from a stack: that stack selected, and what was read of it let go.
    static func returned(_ state: inout DashboardState, from leaving: Screen) -> [DashboardCommand] {
        state.deploy = DeployState()
        guard leaving.shown(by: StackScreen.self), let name = leaving.subject else { return [] }
        state.stackScreen.detail = nil
        state.stackScreen.revealed = nil
        state.selected = visible(state).firstIndex { $0.name == name } ?? 0
        return []
    }
    static func help(_ state: DashboardState) -> [String] {
        ["enter      open the stack", "/          filter (regex, ! inverts)", "s S        sort by the next column, reverse", "click      select; a header sorts"]
    }
}

extension Screen {
    /// The first screen: the project's stacks.
    public static let stacks = Screen(StacksScreen.self)
}
