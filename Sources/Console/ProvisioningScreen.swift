import FleetValues
import JSON
import TermCore

/// Provisioning attempts (`:provisioning`): what each fleet provisioning template's hook
/// answered each serial number in the last 7 days (from the hook's log), admitted or refused
/// and why, and whether the serial number is on the allowlist the hook reads now; a listed one
/// refused is red. Enter on an admitted one opens its device.
enum ProvisioningScreen: ScreenComponent {
    struct State: SortedState {
        var attempts: [ProvisioningAttempt]?
        var order = Table.Order()
        init() {}
    }

    static let attempts = FleetQuery<Void, [ProvisioningAttempt]>("provisioning attempts") { fleet, _ in try await fleet.provisioningAttempts(days: 7) }
    static let titles = ["TIME", "SERIAL", "ANSWER", "LISTED", "REASON", "TEMPLATE"]

    static func title(_ screen: Screen) -> String { "provisioning" }

    static func rows(_ state: DashboardState) -> [(attempt: ProvisioningAttempt, cells: [String])]? {
        guard let attempts = state.own[State.self].attempts else { return nil }
        return state.own[State.self].order.shown(attempts, filter: state.filter) { attempt in
            [String(CivilTime(secondsSince1970: attempt.time).stamp.prefix(16)), attempt.serial, attempt.admitted ? "admitted" : "refused",
             attempt.listed.map { $0 ? "yes" : "no" } ?? "?", (attempt.reason ?? "-") + (attempt.wrong ? " (it is on the allowlist)" : ""), attempt.template]
        }.map { (attempt: $0.0, cells: $0.1) }
    }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme, area = listArea(state)
        guard let all = state.own[State.self].attempts, let rows = rows(state) else {
            buffer.put(Dashboard.waiting(state, "Reading the provisioning hooks' logs"), row: 2, column: 1, style: theme[.dim])
            return []
        }
        let refused = all.filter { !$0.admitted }.count, wrong = all.filter(\.wrong).count
        var header = " \(all.count) provisioning attempt\(all.count == 1 ? "" : "s") in the last 7 days: \(all.count - refused) admitted, \(refused) refused"
            + (wrong > 0 ? ", \(wrong) of them on the allowlist" : "")
        if !state.filter.isEmpty { header += "; \(rows.count) match /\(state.filter)" }
        buffer.put(DisplayWidth.pad(header, buffer.columns), row: 1, column: 0, style: theme[.header])
        return Dashboard.sortedList(state, into: &buffer, area: area, titles: titles, rows: rows.map(\.cells), limits: [17, 24, 9, 7, 48],
                                    sort: state.own[State.self].order.mark,
                                    empty: "No attempts in the hooks' logs of the last 7 days (or no template has a pre-provisioning hook).") {
            rows[$0].attempt.wrong ? theme[.error] : rows[$0].attempt.admitted ? theme[.text] : theme[.dim]
        }
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        switch event {
        case .key(.enter):
            guard let rows = rows(state), rows.indices.contains(state.selected) else { return [] }
            let attempt = rows[state.selected].attempt
            guard attempt.admitted else {
                state.notice = "\(attempt.serial) was refused: no thing was made for it"
                return []
            }
            return DeviceScreen.open(&state, attempt.serial)
        default:
            return State.sortKey(&state, event, columns: titles.count)
        }
    }

    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? { State.sortClicked(&state, target) }

    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let list = attempts.answer(in: message)?.value(&state) { state.own[State.self].attempts = list }
        return []
    }

    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        state.own[State.self].attempts = nil
        return [attempts.command]
    }

    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["provisioning"]) { state, _, _ in
            CommandMode.replaceTop(&state, with: .provisioning) ? reload(&state) ?? [] : []
        }]
    }

    static func rowCount(_ state: DashboardState) -> Int { rows(state)?.count ?? 0 }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (3, max(0, state.rows - 4)) }
    static func filters(_ state: DashboardState) -> Bool { true }
    static func hints(_ state: DashboardState) -> String { "↵ the device  / filter  s sort  r reload" }
    static func help(_ state: DashboardState) -> [String] {
        [":provisioning  what the provisioning hooks answered each serial number (their logs), tied to the allowlist",
         "red        a serial number refused though the allowlist lists it", "enter      the device (admitted ones)",
         "s S        sort by the next column, reverse"]
    }
}

extension Screen {
    /// Provisioning attempts, as the templates' hooks answered them.
    public static let provisioning = Screen(ProvisioningScreen.self)
}
