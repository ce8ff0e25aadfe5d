import FleetValues
import JSON
import TermCore

/// The Greengrass core devices (`:cores`): each one's health, nucleus version, platform and
/// last report with its age. A device that has not reported within its reporting interval is
/// marked stale: its HEALTHY is old news. Counts by health, nucleus and platform in the header
/// (counted from the listing); `/` filters, `s`/`S` sort, Enter opens the core device.
enum CoresScreen: ScreenComponent {
    struct State: SortedState {
        /// Nil until read.
        var list: CoreDeviceList?
        var order = Table.Order()
        init() {}
    }

    static let cores = FleetQuery<Void, CoreDeviceList>("cores") { fleet, _ in try await fleet.coreDevices() }
    static let titles = ["DEVICE", "HEALTH", "NUCLEUS", "PLATFORM", "LAST REPORT", "AGE"]

    static func title(_ screen: Screen) -> String { "cores" }

    /// The rows as shown (filtered, in the chosen order): each device and its cells.
    static func rows(_ state: DashboardState) -> [(device: CoreDeviceSummary, cells: [String])]? {
        guard let list = state.own[State.self].list else { return nil }
        return state.own[State.self].order.shown(list.devices, filter: state.filter) { device in
            [device.name, device.status + (device.stale(now: state.now, interval: list.interval) ? " (stale)" : ""),
             device.coreVersion ?? (device.problem == nil ? "-" : "unreadable"), device.place.isEmpty ? "-" : device.place,
             device.lastReport.map { String(CivilTime(secondsSince1970: $0).stamp.prefix(16)) } ?? "never", device.reportAge(now: state.now)]
        }.map { (device: $0.0, cells: $0.1) }
    }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        guard let list = state.own[State.self].list, let rows = rows(state) else {
            buffer.put(Dashboard.waiting(state, "Loading the core devices"), row: 2, column: 1, style: theme[.dim])
            return []
        }
        let stale = list.devices.filter { $0.stale(now: state.now, interval: list.interval) }.count
        var header = " \(list.devices.count) core device\(list.devices.count == 1 ? "" : "s"): " + CoreDeviceList.counts(list.devices.map(\.status))
            + (stale > 0 ? ", \(stale) stale (no report in \(list.interval / 3_600 >= 1 ? "\(list.interval / 3_600) h" : "\(list.interval) s"))" : "")
        if !state.filter.isEmpty { header += "; \(rows.count) match /\(state.filter)" }
        buffer.put(DisplayWidth.pad(header, buffer.columns), row: 1, column: 0, style: theme[.header])
        let detail = " nucleus " + CoreDeviceList.counts(list.devices.map { $0.coreVersion ?? "unknown" }, after: true)
            + " · " + CoreDeviceList.counts(list.devices.map { $0.place.isEmpty ? "unknown" : $0.place }, after: true) + " · counted from the listing"
        buffer.put(DisplayWidth.pad(detail, buffer.columns), row: 2, column: 0, style: theme[.dim])
        let area = listArea(state)
        return Dashboard.sortedList(state, into: &buffer, area: area, titles: titles, rows: rows.map(\.cells), limits: [40, 20, 10, 16, 17],
                                    sort: state.own[State.self].order.mark, empty: "No core devices in this account and region.") { index in
            let device = rows[index].device
            return device.status != "HEALTHY" || device.stale(now: state.now, interval: list.interval) ? theme[.error] : theme[.text]
        }
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        switch event {
        case .key(.enter):
            guard let rows = rows(state), rows.indices.contains(state.selected) else { return [] }
            return CoreScreen.open(&state, rows[state.selected].device.name)
        default:
            return State.sortKey(&state, event, columns: titles.count)
        }
    }

    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? { State.sortClicked(&state, target) }

    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let list = cores.answer(in: message)?.value(&state) { state.own[State.self].list = list }
        return []
    }

    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        state.own[State.self].list = nil
        return [cores.command]
    }

    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["cores"]) { state, _, _ in
            CommandMode.replaceTop(&state, with: .cores) ? reload(&state) ?? [] : []
        }]
    }

    static func rowCount(_ state: DashboardState) -> Int { rows(state)?.count ?? 0 }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (4, max(0, state.rows - 5)) }
    static func filters(_ state: DashboardState) -> Bool { true }
    static func hints(_ state: DashboardState) -> String { "↵ the core device  / filter  s sort  r reload" }
    static func help(_ state: DashboardState) -> [String] {
        [":cores     the Greengrass core devices", "enter      the core device: why it is unhealthy, its components, its deployments",
         "stale      no status report within the reporting interval: its health is old news", "s S        sort by the next column, reverse"]
    }
}

extension Screen {
    /// The Greengrass core devices.
    public static let cores = Screen(CoresScreen.self)
}
