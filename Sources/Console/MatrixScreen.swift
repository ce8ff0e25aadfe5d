import FleetValues
import JSON
import TermCore

/// The fleet x component matrix (`:matrix [GROUP]`): a row per core device, a column per root
/// component, each cell the installed version coloured by its lifecycle state (BROKEN and
/// ERRORED in red) and, where a component runs in several versions, the ones off the most
/// common in the update colour (drift). The header says which columns drift and how many cells
/// fail; ←/→ pick a column (its versions are summed up under the header), `/` filters devices,
/// Enter opens the cell: the device's core screen on that component. Only the rows and columns
/// on screen are drawn, so 10,000 devices scroll as 10 do.
public enum MatrixScreen: ScreenComponent {
    struct State: ScreenState {
        var matrix: ComponentMatrix?
        var group: String?
        /// Rows the filter lets through (indices into the matrix's devices).
        var visible: [Int] = []
        var shownFilter = ""
        /// The selected component column, and the first column on screen.
        var column = 0
        var firstColumn = 0
        /// Each column's most common version (drift is judged against it) and summary, the
        /// columns that drift and the failing cells: counted once, when the matrix is read.
        var common: [String] = []
        var summaries: [String] = []
        var drifting: [String] = []
        var failing = 0
        init() {}
    }

    public static let matrix = FleetQuery<String?, ComponentMatrix>("component matrix") { try await $0.componentMatrix(group: $1) }
    static let cellWidth = 12, nameWidth = 24

    static func title(_ screen: Screen) -> String { "matrix" + (screen.variant.map { " \($0)" } ?? "") }

    static func refresh(_ state: inout DashboardState) {
        var own = state.own[State.self]
        guard let matrix = own.matrix else { return }
        let filter = TextFilter(state.filter)
        own.visible = state.filter.isEmpty ? Array(matrix.devices.indices) : matrix.devices.indices.filter { filter.matches(matrix.devices[$0]) }
        own.shownFilter = state.filter
        state.own[State.self] = own
    }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme, own = state.own[State.self]
        guard let matrix = own.matrix else {
            buffer.put(Dashboard.waiting(state, "Reading every core device's components"), row: 2, column: 1, style: theme[.dim])
            return []
        }
        let failing = own.failing, drifting = own.drifting
        var header = " \(matrix.devices.count) core devices × \(matrix.components.count) components"
            + (drifting.isEmpty ? "" : " · drift in \(drifting.joined(separator: ", "))") + (failing > 0 ? " · \(failing) failing" : "")
            + (matrix.unreadable.isEmpty ? "" : " · \(matrix.unreadable.count) unreadable")
        if !state.filter.isEmpty { header += "; \(own.visible.count) match /\(state.filter)" }
        buffer.put(DisplayWidth.pad(DisplayWidth.ellipsized(header, buffer.columns), buffer.columns), row: 1, column: 0,
                   style: failing > 0 ? theme[.error] : theme[.header])
        let summary = own.summaries.indices.contains(own.column) ? " " + own.summaries[own.column] : " no root components reported"
        buffer.put(DisplayWidth.pad(DisplayWidth.ellipsized(summary, buffer.columns), buffer.columns), row: 2, column: 0, style: theme[.dim])
        let area = listArea(state)
        let fitting = max(1, (buffer.columns - nameWidth - 1) / (cellWidth + 1))
        let shownColumns = Array(own.firstColumn..<min(matrix.components.count, own.firstColumn + fitting))
        // Titles.
        buffer.put(DisplayWidth.pad(" DEVICE", nameWidth + 1), row: area.top - 1, column: 0, style: theme[.header])
        for (offset, column) in shownColumns.enumerated() {
            let title = DisplayWidth.pad(DisplayWidth.ellipsized(matrix.components[column], cellWidth), cellWidth + 1)
            buffer.put(title, row: area.top - 1, column: nameWidth + 1 + offset * (cellWidth + 1),
                       style: column == own.column ? theme[.selected] : theme[.header])
        }
        // Rows on screen only.
        let first = Table.firstVisible(selected: state.selected, count: own.visible.count, height: area.height)
        for (line, row) in own.visible.dropFirst(first).prefix(area.height).enumerated() {
            let top = area.top + line, selected = first + line == state.selected
            let device = matrix.devices[row]
            buffer.put(DisplayWidth.pad(" " + DisplayWidth.ellipsized(device, nameWidth - 1), nameWidth + 1), row: top, column: 0,
                       style: selected ? theme[.selected] : matrix.unreadable[device] != nil ? theme[.error] : theme[.text])
            for (offset, column) in shownColumns.enumerated() {
                let cell = matrix.cells[column][row]
                let style: TerminalStyle
                if let cell {
                    style = cell.failing ? theme[.error] : own.common.indices.contains(column) && cell.version != own.common[column] ? theme[.update] : theme[.text]
                } else {
                    style = theme[.dim]
                }
                let text = cell.map { $0.failing ? "\($0.version) \($0.state)" : $0.version } ?? "-"
                buffer.put(DisplayWidth.pad(DisplayWidth.ellipsized(text, cellWidth), cellWidth + 1), row: top, column: nameWidth + 1 + offset * (cellWidth + 1),
                           style: selected && column == own.column ? theme[.selected] : style)
            }
        }
        if own.visible.isEmpty {
            buffer.put(state.filter.isEmpty ? "No core devices." : "Nothing matches /\(state.filter).", row: area.top, column: 1, style: theme[.dim])
        }
        return HitArea.rows(first: first, count: own.visible.count, top: area.top, height: area.height, width: nameWidth + 1)
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        var own = state.own[State.self]
        guard let matrix = own.matrix else { return nil }
        let fitting = max(1, (state.columns - nameWidth - 1) / (cellWidth + 1))
        switch event {
        case .key(.left), .character("h"): own.column = max(0, own.column - 1)
        case .key(.right), .character("l"): own.column = min(max(0, matrix.components.count - 1), own.column + 1)
        case .key(.enter):
            guard own.visible.indices.contains(state.selected) else { return [] }
            let device = matrix.devices[own.visible[state.selected]]
            let component = matrix.components.indices.contains(own.column) ? matrix.components[own.column] : nil
            let commands = CoreScreen.open(&state, device)
            state.own[CoreScreen.State.self].focus = component
            return commands
        default:
            return nil
        }
        if own.column < own.firstColumn { own.firstColumn = own.column }
        if own.column >= own.firstColumn + fitting { own.firstColumn = own.column - fitting + 1 }
        state.own[State.self] = own
        return []
    }

    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        guard let answer = matrix.answer(in: message), state.screen.shown(by: MatrixScreen.self), state.screen.variant == answer.argument,
              let matrix = answer.value(&state) else { return [] }
        var own = State()
        own.matrix = matrix
        own.group = answer.argument
        let versions = matrix.components.indices.map(matrix.versions)
        own.common = versions.map { $0.first?.version ?? "" }
        own.summaries = matrix.components.indices.map(matrix.summary)
        own.drifting = matrix.components.indices.filter { versions[$0].count > 1 }.map { matrix.components[$0] }
        own.failing = matrix.cells.reduce(0) { $0 + $1.filter { $0?.failing == true }.count }
        state.own[State.self] = own
        refresh(&state)
        return []
    }

    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        let group = state.screen.variant
        state.own[State.self] = State()
        return [matrix(group)]
    }

    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["matrix"], arguments: { ($0.fleetLists.groups ?? []).map(\.name) }) { state, argument, _ in
            let group = argument.isEmpty ? nil : argument
            guard CommandMode.replaceTop(&state, with: .matrix(group)) else { return [] }
            state.own[State.self] = State()
            return [matrix(group)]
        }]
    }

    static func rowCount(_ state: DashboardState) -> Int { state.own[State.self].visible.count }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (4, max(0, state.rows - 5)) }
    static func filters(_ state: DashboardState) -> Bool { true }
    static func filterChanged(_ state: inout DashboardState) {
        if state.own[State.self].shownFilter != state.filter { refresh(&state) }
    }
    static func hints(_ state: DashboardState) -> String { "←/→ component  ↵ the cell  / filter  r reload" }
    static func help(_ state: DashboardState) -> [String] {
        [":matrix [GROUP]  every core device's root components (of a thing group)", "← →        pick a component (its versions under the header)",
         "enter      the device's core screen, on that component", "red        BROKEN or ERRORED; the update colour: not the most common version (drift)"]
    }
}

extension Screen {
    /// The fleet x component matrix, of a thing group or the whole fleet.
    public static func matrix(_ group: String?) -> Screen { Screen(MatrixScreen.self, variant: group) }
}
