import FleetValues
import JSON
import TermCore

/// One Greengrass core device (Enter on `:cores`): why it is unhealthy, its installed components
/// (version, lifecycle state, status codes, root or dependency, the deployment that installed
/// each), the deployments it took (status, reason, error stack and types) and its thing groups.
/// Enter opens a component whole; `d` opens the thing (shadows, certificates, policies), `m`
/// its messages.
enum CoreScreen: ScreenComponent {
    struct State: ScreenState {
        var detail: CoreDeviceDetail?
        /// A component to open once the device is read (Enter on a matrix cell).
        var focus: String?
        init() {}
    }

    static let detail = FleetQuery<String, CoreDeviceDetail>("core device") { try await $0.coreDeviceDetail($1) }
    static let titles = ["COMPONENT", "VERSION", "STATE", "ROOT", "STATUS CODES", "INSTALLED BY"]

    static func title(_ screen: Screen) -> String { screen.subject ?? "core" }

    /// Opens the core device `thing` over the screen on top.
    static func open(_ state: inout DashboardState, _ thing: String) -> [DashboardCommand] {
        state.screens.append(.core(thing))
        state.own[State.self] = State()
        state.selected = 0
        return [detail(thing)]
    }

    static func shown(_ state: DashboardState) -> CoreDeviceDetail? {
        guard let detail = state.own[State.self].detail, detail.device.name == state.screen.subject else { return nil }
        return detail
    }

    static func rows(_ detail: CoreDeviceDetail) -> [[String]] {
        detail.components.map { component in
            [component.name, component.version, component.state, component.isRoot ? "root" : "dependency",
             component.statusCodes.isEmpty ? "-" : component.statusCodes.joined(separator: ","),
             component.installedBy.map { $0.split(separator: ":").suffix(2).joined(separator: ":") } ?? "-"]
        }
    }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        guard let detail = shown(state) else {
            buffer.put(Dashboard.waiting(state, "Loading the core device"), row: 2, column: 1, style: theme[.dim])
            return []
        }
        let area = listArea(state)
        if state.inspector.item != nil { return Inspector.view(state, area: area, into: &buffer) }
        let device = detail.device, stale = device.stale(now: state.now, interval: detail.interval)
        let header = " \(device.status)\(stale ? " (stale)" : "") · nucleus \(device.coreVersion ?? "?") · \(device.place.isEmpty ? "-" : device.place)"
            + " · last report \(device.reportAge(now: state.now)) ago · groups \(detail.groups.isEmpty ? "none" : detail.groups.joined(separator: ", "))"
        buffer.put(DisplayWidth.pad(header, buffer.columns), row: 1, column: 0, style: device.status == "HEALTHY" && !stale ? theme[.header] : theme[.error])
        let why = detail.why
        buffer.put(DisplayWidth.pad(DisplayWidth.ellipsized(why.isEmpty ? " every component runs; every deployment succeeded" : " why: " + why.joined(separator: "; "),
                                                            buffer.columns), buffer.columns),
                   row: 2, column: 0, style: why.isEmpty ? theme[.dim] : theme[.error])
        let rows = rows(detail)
        let columns = Table.fitted(titles, rows: rows, limits: [40, 12, 10, 11, 24], sortable: false, width: buffer.columns)
        let first = Table(columns: columns, rows: rows).draw(
            into: &buffer, top: area.top - 1, height: area.height + 1, selected: state.selected, sort: nil,
            header: theme[.header], selectedStyle: theme[.selected]
        ) { index in detail.components[index].failing ? theme[.error] : theme[.text] }
        // The deployments it took, under the components.
        var row = area.top + min(rows.count, area.height) + 1
        if row < area.top + area.height {
            buffer.put(" DEPLOYMENTS", row: row, column: 0, style: theme[.header])
            row += 1
        }
        for deployment in detail.deployments {
            let failed = !["SUCCEEDED", "COMPLETED", "IN_PROGRESS", "QUEUED"].contains(deployment.status)
            var lines = [" \(deployment.name)  \(deployment.status)" + (deployment.reason.map { "  \($0)" } ?? "")]
            let errors = (deployment.errorTypes.isEmpty ? [] : ["error types " + deployment.errorTypes.joined(separator: ", ")])
                + (deployment.errorStack.isEmpty ? [] : ["error stack " + deployment.errorStack.joined(separator: " > ")])
            if !errors.isEmpty { lines.append("   " + errors.joined(separator: " · ")) }
            for line in lines where row < area.top + area.height {
                buffer.put(DisplayWidth.ellipsized(line, buffer.columns), row: row, column: 0, style: failed ? theme[.error] : theme[.text])
                row += 1
            }
        }
        return HitArea.rows(first: first, count: rows.count, top: area.top, height: area.height, width: buffer.columns)
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        if state.inspector.item != nil { return Inspector.key(&state, event) }
        guard let detail = shown(state), let thing = state.screen.subject else { return nil }
        switch event {
        case .key(.enter):
            guard detail.components.indices.contains(state.selected) else { return [] }
            Inspector.open(&state, detail.components[state.selected].name)
            return []
        case .character("m"):
            // Its messages: the device's topics subscribed, the list filtered to it.
            let topics = "device/\(thing)/#"
            var commands = MessagesScreen.open(&state)
            if !state.messages.filters.contains(topics) {
                state.messages.filters.append(topics)
                commands.append(.subscribe([topics]))
            }
            state.filter = thing
            return commands
        case .character("d"):
            return DeviceScreen.open(&state, thing)
        default:
            return nil
        }
    }

    static func inspected(_ state: DashboardState, _ id: String) -> (title: String, value: JSONValue)? {
        guard let detail = shown(state), let component = detail.components.first(where: { $0.name == id }) else { return nil }
        var object: JSONObject = ["componentName": .string(component.name), "componentVersion": .string(component.version),
                                  "lifecycleState": .string(component.state), "isRoot": .bool(component.isRoot),
                                  "lifecycleStatusCodes": .array(component.statusCodes.map(JSONValue.string))]
        object["lifecycleStateDetails"] = component.details.map(JSONValue.string) ?? .null
        object["installedBy"] = component.installedBy.map(JSONValue.string) ?? .null
        return (component.name, .object(object))
    }

    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let answer = detail.answer(in: message), state.screen == .core(answer.argument), let detail = answer.value(&state) {
            state.own[State.self].detail = detail
            if let focus = state.own[State.self].focus, let index = detail.components.firstIndex(where: { $0.name == focus }) {
                state.selected = index
                Inspector.open(&state, focus)
            }
            state.own[State.self].focus = nil
        }
        return []
    }

    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        guard let thing = state.screen.subject else { return nil }
        return [detail(thing)]
    }

    static func rowCount(_ state: DashboardState) -> Int {
        state.inspector.item != nil ? Inspector.lines(state).count : shown(state)?.components.count ?? 0
    }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (4, max(0, state.rows - 5)) }
    static func hints(_ state: DashboardState) -> String {
        state.inspector.item != nil ? "↵ fold  esc back" : "↵ the component  d the thing  m its messages  r reload  esc back"
    }
    static func help(_ state: DashboardState) -> [String] {
        ["enter      the component: state, status codes, the deployment that installed it",
         "d          the thing: attributes, groups, certificates, policies, shadows", "m          its messages (device/THING/#)",
         "r          read it again"]
    }
}

extension Screen {
    /// One Greengrass core device: its components, deployments and groups.
    public static func core(_ thing: String) -> Screen { Screen(CoreScreen.self, subject: thing) }
}
