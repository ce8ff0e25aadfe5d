import FleetValues
import JSON
import MQTT
import TermCore

/// The Devices screen's own state: the devices loaded, what the filter and order show, the marks.
struct DevicesState: ScreenState {
    var model = FleetModel()
    var loading = false
    /// The fleet index query the devices come from (nil: every thing).
    var query: String?
    /// Indices into the model that the filter lets through, in the chosen order.
    var visible: [Int] = []
    var shownFilter = ""
    /// The devices' order (its column is one of `FleetScreens.deviceColumns`).
    var deviceOrder = Table.Order()
    var marked: Set<String> = []
    /// Which stack manages which thing (read once per visit).
    var managed = ManagedIndex()
    /// The certificates of devices shown so far, loaded for the rows on screen.
    var deviceCertificates: [String: DeviceCertificate] = [:]
    var certificatesRequested: Set<String> = []
}

extension DashboardState {
    var devices: DevicesState {
        get { own[DevicesState.self] }
        set { own[DevicesState.self] = newValue }
        _modify { yield &own[DevicesState.self] }
    }
}

enum FleetScreens {
    static let deviceColumns = ["", "DEVICE", "TYPE", "CERTIFICATE", "STACK", "GROUPS", "CONNECTED", "ATTRIBUTES"]

    /// The device columns on screen (indices into `deviceColumns`).
    static func shownDeviceColumns(_ state: DashboardState) -> [Int] {
        state.devices.model.indexed ? Array(deviceColumns.indices) : deviceColumns.indices.filter { $0 != 5 && $0 != 6 }
    }

    static func cells(_ device: Device, marked: Bool, state: DashboardState) -> [String] {
        let fleet = state.devices
        return [marked ? "✓" : " ", device.name, device.type ?? "-", fleet.deviceCertificates[device.name]?.text(now: state.now) ?? "…",
                fleet.managed.thing(device.name) ?? "unmanaged", device.groups.map { $0.isEmpty ? "-" : $0.joined(separator: ",") } ?? "-",
                device.connected.map { $0 ? "yes" : "no" } ?? "-", device.attributeText]
    }

    /// A fleet screen (devices, groups, certificates, policies), loading what it shows when needed.
    static func open(_ state: inout DashboardState, _ screen: Screen, query: String?) -> [DashboardCommand] {
        guard CommandMode.replaceTop(&state, with: screen) else { return [] }
        // Which stack manages what is read once per visit to the fleet screens.
        switch screen {
        case .groups: return [FleetListsScreen.groups.command, DevicesScreen.managed.command]
        case .certificates: return [FleetListsScreen.certificates.command]
        case .policies: return [FleetListsScreen.policies.command, DevicesScreen.managed.command]
        default:
            if state.devices.model.devices.isEmpty || state.devices.query != query {
                state.devices.query = query
                state.devices.model = FleetModel()
                state.devices.loading = true
                refresh(&state)
                return [DevicesScreen.load(query), DevicesScreen.managed.command]
            }
            refresh(&state)
            return [DevicesScreen.managed.command]
        }
    }

    /// The devices on screen whose certificates are not known or asked for yet.
    static func requestCertificates(_ state: inout DashboardState) -> [DashboardCommand] {
        guard state.screen == .devices else { return [] }
        let height = DevicesScreen.listArea(state).height
        let first = Table.firstVisible(selected: state.selected, count: state.devices.visible.count, height: height)
        let names = state.devices.visible.dropFirst(first).prefix(height).map { state.devices.model.devices[$0].name }
            .filter { state.devices.deviceCertificates[$0] == nil && !state.devices.certificatesRequested.contains($0) }
        guard !names.isEmpty else { return [] }
        state.devices.certificatesRequested.formUnion(names)
        return [DevicesScreen.certificates(Array(names))]
    }

    /// Recomputes the visible rows (after a page, a filter or a sort change).
    static func refresh(_ state: inout DashboardState) {
        var fleet = state.devices
        let indices = fleet.model.matching(state.filter)
        if let column = fleet.deviceOrder.column {
            let devices = fleet.model.devices
            let keys = indices.map { index -> String in
                let device = devices[index]
                switch column {
                case 2: return device.type ?? ""
                case 3: return fleet.deviceCertificates[device.name].map { String($0.notAfter ?? 0) } ?? ""
                case 4: return fleet.managed.thing(device.name) ?? "~"
                case 5: return device.groups?.joined(separator: ",") ?? ""
                case 6: return device.connected.map { $0 ? "1" : "0" } ?? ""
                case 7: return device.attributeText
                default: return device.name
                }
            }
            let order = keys.indices.sorted { a, b in
                if keys[a] == keys[b] { return a < b }
                return (keys[a] < keys[b]) == fleet.deviceOrder.ascending
            }
            fleet.visible = order.map { indices[$0] }
        } else {
            fleet.visible = indices
        }
        fleet.shownFilter = state.filter
        state.devices = fleet
    }

    static func selectedDevice(_ state: DashboardState) -> Device? {
        state.devices.visible.indices.contains(state.selected) ? state.devices.model.devices[state.devices.visible[state.selected]] : nil
    }

    // MARK: keys

    static func devicesKey(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        switch event {
        case .key(.enter):
            guard let device = selectedDevice(state) else { return [] }
            return DeviceScreen.open(&state, device.name)
        case .character(" "):
            guard let device = selectedDevice(state) else { return [] }
            if state.devices.marked.contains(device.name) { state.devices.marked.remove(device.name) } else { state.devices.marked.insert(device.name) }
            state.selected = min(state.selected + 1, max(0, state.devices.visible.count - 1))
            refresh(&state)
        case .character("s"), .character("S"):
            if event == .character("s") {
                let shown = shownDeviceColumns(state).dropFirst()  // not the mark
                let at = state.devices.deviceOrder.column.flatMap { shown.firstIndex(of: $0) }.map { $0 + 1 } ?? shown.startIndex
                state.devices.deviceOrder = Table.Order(column: shown[at < shown.endIndex ? at : shown.startIndex])
            } else {
                state.devices.deviceOrder = Table.Order(column: state.devices.deviceOrder.column ?? 1, ascending: !state.devices.deviceOrder.ascending)
            }
            refresh(&state)
        case .character("a"):
            if Dashboard.refused(&state, "changes") { return [] }
            guard !state.devices.marked.isEmpty else { state.notice = "mark devices with space first"; return [] }
            state.editingCommand = true
            state.command.text = "group-add "
            state.command.cursor = state.command.text.count
        case .character("A"):
            if Dashboard.refused(&state, "changes") { return [] }
            guard !state.devices.marked.isEmpty else { state.notice = "mark devices with space first"; return [] }
            state.editingCommand = true
            state.command.text = "policy-attach "
            state.command.cursor = state.command.text.count
        default:
            return nil
        }
        return []
    }

    // MARK: views

    /// The devices; a click on a row selects it, on a column's header sorts by it.
    static func devicesView(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        let fleet = state.devices
        var header = " \(fleet.visible.count) of \(fleet.model.devices.count) devices" + (fleet.model.complete ? "" : " (loading…)")
        if let query = fleet.query { header += "   search: \(query)" }
        if !fleet.marked.isEmpty { header += "   \(fleet.marked.count) marked (a adds them to a group)" }
        if let error = fleet.model.error { header += "   " + error }
        buffer.put(DisplayWidth.pad(header, buffer.columns), row: 1, column: 0, style: theme[.header])
        let area = DevicesScreen.listArea(state)
        let first = Table.firstVisible(selected: state.selected, count: fleet.visible.count, height: area.height)
        let window = fleet.visible.dropFirst(first).prefix(area.height)
        let rows = window.map { cells(fleet.model.devices[$0], marked: fleet.marked.contains(fleet.model.devices[$0].name), state: state) }
        // GROUPS and CONNECTED only come from the fleet index: without it they are not shown.
        let shown = shownDeviceColumns(state)
        var columns = Table.fitted(shown.map { deviceColumns[$0] }, rows: rows.map { row in shown.map { row[$0] } },
                                   limits: shown.map { [2, 28, 14, 16, 22, 20, 11, 0][$0] }, sortable: true, width: buffer.columns)
        columns[0].width = 2
        let sort = fleet.deviceOrder.column.flatMap { column in shown.firstIndex(of: column).map { ($0, fleet.deviceOrder.ascending) } }
        Table(columns: columns, rows: rows.map { row in shown.map { row[$0] } }).draw(
            into: &buffer, top: area.top - 1, height: area.height + 1, selected: state.selected - first, sort: sort, header: theme[.header],
            selectedStyle: theme[.selected]) { index in
            fleet.marked.contains(rows[index][1]) ? theme[.update] : theme[.text]
        }
        if fleet.model.devices.isEmpty { buffer.put(fleet.loading ? Dashboard.waiting(state, "Loading devices") : "No devices.", row: area.top, column: 1, style: theme[.dim]) }
        return HitArea.header(columns, row: area.top - 1, width: buffer.columns)
            + HitArea.rows(first: first, count: fleet.visible.count, top: area.top, height: area.height, width: buffer.columns)
    }
}

/// The devices: the whole fleet (or a fleet index query), filtered, sorted, marked for bulk plans.
enum DevicesScreen: ScreenComponent {
    static func title(_ screen: Screen) -> String { "devices" }
    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? { FleetScreens.devicesKey(&state, event) }
    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] { FleetScreens.devicesView(state, into: &buffer) }
    /// A header sorts by its column (the mark's does nothing), again the other way.
    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? {
        guard case .sort(let index) = target else { return nil }
        let shown = FleetScreens.shownDeviceColumns(state)
        guard index > 0, shown.indices.contains(index) else { return [] }
        state.devices.deviceOrder = state.devices.deviceOrder.clicked(shown[index])
        FleetScreens.refresh(&state)
        return []
    }
    static func rowCount(_ state: DashboardState) -> Int { state.devices.visible.count }
    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["things", "devices"]) { state, _, _ in FleetScreens.open(&state, .devices, query: nil) },
         ScreenCommand(names: ["search"]) { state, argument, _ in
             guard !argument.isEmpty else { state.notice = ":search QUERY (the fleet index query language, e.g. thingName:sensor-1*)"; return [] }
             return FleetScreens.open(&state, .devices, query: argument)
         }]
    }
    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let answer = DevicesScreen.load.answer(in: message) {
            guard answer.argument == state.devices.query else { return [] }  // a load replaced meanwhile
            guard let page = answer.value(&state) else {
                state.devices.loading = false
                state.devices.model.complete = true
                return []
            }
            state.devices.model.add(page.items)
            state.devices.model.complete = page.done
            state.devices.loading = !page.done
            FleetScreens.refresh(&state)
            return FleetScreens.requestCertificates(&state)
        }
        if let managed = DevicesScreen.managed.answer(in: message)?.value(&state) {
            state.devices.managed = managed
            if state.screen == .devices { FleetScreens.refresh(&state) }
        }
        if let summaries = DevicesScreen.certificates.answer(in: message)?.value(&state) {
            state.devices.deviceCertificates.merge(summaries) { _, new in new }
        }
        return []
    }
    /// Every device, page by page (a new load stops the one before); a query goes to the fleet index.
    static let load = FleetPages<String?, Device>("devices") { fleet, query, page in
        try await fleet.devices(query: query) { page($0) }
    }
    /// Which stack manages each thing, group and policy (read once per visit to the fleet screens;
    /// the lists take it too).
    static let managed = FleetQuery<Void, ManagedIndex>("managed", waits: false) { fleet, _ in try await fleet.managed() }
    /// The certificates of the devices on screen, in brief (read for the rows as they show).
    static let certificates = FleetQuery<[String], [String: DeviceCertificate]>("device certificates", waits: false) { await $0.certificateSummaries($1) }

    /// Back from a device: that device selected (the list may have changed meanwhile).
    static func returned(_ state: inout DashboardState, from leaving: Screen) -> [DashboardCommand] {
        guard leaving.shown(by: DeviceScreen.self), let name = leaving.subject else { return [] }
        state.device.edit = nil
        state.device.conflict = nil
        state.selected = state.devices.visible.firstIndex { state.devices.model.devices[$0].name == name } ?? 0
        return []
    }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (3, max(0, state.rows - 4)) }
    static func filters(_ state: DashboardState) -> Bool { true }
    static func filterChanged(_ state: inout DashboardState) {
        if state.devices.shownFilter != state.filter { FleetScreens.refresh(&state) }
    }
    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        state.devices.model = FleetModel()
        // Certificates are read again too (one that could not be read says why until then).
        state.devices.deviceCertificates = [:]
        state.devices.certificatesRequested = []
        state.devices.loading = true
        FleetScreens.refresh(&state)
        return [DevicesScreen.load(state.devices.query)]
    }
    static func hints(_ state: DashboardState) -> String {
        state.readOnly ? "↵ open  s sort  / filter  :search Q  (read-only)" : "↵ open  space mark  a add marked to a group  s sort  / filter  :search Q"
    }
    static func help(_ state: DashboardState) -> [String] {
        ["enter      the device: groups, certificates, policies, shadows", "/          filter (text, or a regex; ! inverts)",
         ":search Q  the fleet index query language", "space      mark; a adds the marked ones to a group (a plan)",
         "A          attach a policy to the marked ones' certificates (a plan)", "s S        sort by the next column, reverse"]
    }
}

extension Screen {
    /// The fleet's devices.
    public static let devices = Screen(DevicesScreen.self)
}

extension DashboardMessage {
    /// A page of the Devices screen's load as it arrives (what tests and benchmarks send).
    public static func devicesPage(_ devices: [Device], done: Bool, query: String? = nil) -> DashboardMessage {
        DevicesScreen.load.answered(query, devices, done: done)
    }
    /// Which stack manages what, as the fleet screens receive it.
    public static func managedLoaded(_ index: ManagedIndex) -> DashboardMessage { DevicesScreen.managed.answered(index) }
}
