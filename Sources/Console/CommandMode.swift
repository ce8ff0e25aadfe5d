import Fleet
import MQTT
import StackEngine
import TermCore

/// `:` commands, with Tab completion of command names and their arguments, and history.
enum CommandMode {
    static let commands = ["certs", "group-add", "groups", "help", "messages", "policies", "policy-attach", "publish", "quit", "reload", "search", "shadow",
                           "stack", "stacks", "tail", "theme", "things", "untail"]

    /// Completions for the text typed so far: command names, then stack or theme names.
    static func candidates(_ state: DashboardState, for text: String) -> [String] {
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if words.count <= 1 {
            return commands.filter { $0.hasPrefix(words.first ?? "") }
        }
        let argument = words.dropFirst().joined(separator: " ")
        let options: [String]
        switch words[0] {
        case "stack": options = state.stacks.all.map(\.name).sorted()
        case "theme": options = Theme.embedded.keys.sorted()
        case "untail": options = state.messages.filters
        case "shadow": options = state.fleet.model.devices.prefix(5000).map(\.name).sorted()
        case "group-add": options = (state.fleet.groups ?? []).map(\.name)
        case "policy-attach": options = (state.fleet.policies ?? []).map(\.name)
        case "tail", "publish": options = state.messages.store.topics.keys.sorted().prefix(200).map { $0 }
        default: options = []
        }
        return options.filter { $0.hasPrefix(argument) }.map { words[0] + " " + $0 }
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand] {
        let snapshot = state
        switch state.command.handle(event, complete: { candidates(snapshot, for: $0) }) {
        case .editing:
            return []
        case .cancelled:
            state.editingCommand = false
            return []
        case .submitted(let line):
            state.editingCommand = false
            return run(&state, line)
        }
    }

    /// The Messages screen (connecting to the broker on first use).
    static func openMessages(_ state: inout DashboardState) -> [DashboardCommand] {
        if state.screen != .messages {
            if Dashboard.deployRunning(state) { state.notice = "a deploy is running: wait for it, or cancel it with c"; return [] }
            state.screens = [.stacks, .messages]
            state.filter = ""
        }
        return state.messages.broker == nil ? [.connectBroker] : []
    }

    /// A fleet screen (devices, groups, certificates), loading what it shows when needed.
    static func openFleet(_ state: inout DashboardState, _ screen: Screen, query: String?) -> [DashboardCommand] {
        if Dashboard.deployRunning(state) { state.notice = "a deploy is running: wait for it, or cancel it with c"; return [] }
        state.screens = [.stacks, screen]
        state.filter = ""
        state.selected = 0
        state.inspector.item = nil
        // Which stack manages what is read once per visit to the fleet screens.
        switch screen {
        case .groups: return [.loadGroups, .loadManaged]
        case .certificates: return [.loadCertificates]
        case .policies: return [.loadPolicies, .loadManaged]
        default:
            if state.fleet.model.devices.isEmpty || state.fleet.query != query {
                state.fleet.query = query
                state.fleet.model = FleetModel()
                state.fleet.loading = true
                FleetScreens.refresh(&state)
                return [.loadDevices(query), .loadManaged]
            }
            FleetScreens.refresh(&state)
            return [.loadManaged]
        }
    }

    static func run(_ state: inout DashboardState, _ line: String) -> [DashboardCommand] {
        let words = line.split(separator: " ").map(String.init)
        guard let name = words.first else { return [] }
        let argument = words.dropFirst().joined(separator: " ")
        switch name {
        case "q", "quit":
            state.quit = true
        case "help":
            state.showHelp = true
        case "reload":
            return Dashboard.reload(&state)
        case "stacks":
            while state.screens.count > 1 { Dashboard.back(&state) }
            return [.loadStacks]
        case "stack":
            guard !argument.isEmpty else { state.notice = ":stack needs a stack's name (Tab completes)"; return [] }
            guard state.stacks.all.contains(where: { $0.name == argument }) else {
                state.notice = "no stack '\(argument)' (stacks: \(state.stacks.all.map(\.name).sorted().joined(separator: ", ")))"
                return []
            }
            if Dashboard.deployRunning(state) { state.notice = "a deploy is running: wait for it, or cancel it with c"; return [] }
            return Dashboard.open(&state, stack: argument)
        case "messages":
            return openMessages(&state)
        case "things", "devices":
            return openFleet(&state, .devices, query: nil)
        case "search":
            guard !argument.isEmpty else { state.notice = ":search QUERY (the fleet index query language, e.g. thingName:sensor-1*)"; return [] }
            return openFleet(&state, .devices, query: argument)
        case "groups":
            return openFleet(&state, .groups, query: nil)
        case "certs":
            if let days = Int(argument) { state.fleet.expiringDays = days }
            return openFleet(&state, .certificates, query: nil)
        case "shadow":
            guard !argument.isEmpty else { state.notice = ":shadow THING"; return [] }
            var commands = openFleet(&state, .devices, query: nil)
            state.screens.append(.device(argument))
            state.fleet.detail = nil
            state.fleet.shadowIndex = 0
            commands.append(.loadDevice(argument))
            return commands
        case "group-add":
            if Dashboard.refused(&state, "changes") { return [] }
            guard !argument.isEmpty else { state.notice = ":group-add GROUP adds the marked devices to it"; return [] }
            guard !state.fleet.marked.isEmpty else { state.notice = "mark devices with space on :things first"; return [] }
            state.fleet.plan = FleetPlan(action: .addToGroup(argument), things: state.fleet.marked.sorted())
            state.screens.append(.fleetPlan)
            state.selected = 0
            return [.checkFleetPlan(.addToGroup(argument), state.fleet.marked.sorted())]
        case "policy-attach":
            if Dashboard.refused(&state, "changes") { return [] }
            guard !argument.isEmpty else { state.notice = ":policy-attach POLICY attaches it to the marked devices' certificates"; return [] }
            guard !state.fleet.marked.isEmpty else { state.notice = "mark devices with space on :things first"; return [] }
            state.fleet.plan = FleetPlan(action: .attachPolicy(argument), things: state.fleet.marked.sorted())
            state.screens.append(.fleetPlan)
            state.selected = 0
            return [.checkFleetPlan(.attachPolicy(argument), state.fleet.marked.sorted())]
        case "policies":
            return openFleet(&state, .policies, query: nil)
        case "tail":
            let filters = words.dropFirst().isEmpty ? ["#"] : Array(words.dropFirst())
            for filter in filters {
                do { try Topic.validateFilter(filter) } catch { state.notice = error.description; return [] }
            }
            let fresh = filters.filter { !state.messages.filters.contains($0) }
            state.messages.filters += fresh
            return openMessages(&state) + (fresh.isEmpty ? [] : [.subscribe(fresh)])
        case "untail":
            let filters = words.dropFirst().isEmpty ? state.messages.filters : Array(words.dropFirst())
            state.messages.filters.removeAll { filters.contains($0) }
            return filters.isEmpty ? [] : [.unsubscribe(filters)]
        case "publish":
            if Dashboard.refused(&state, "publishing") { return [] }
            var parts = Array(words.dropFirst())
            var qos = QoS.atMostOnce, retain = false
            while let last = parts.last, last == "retain" || last.hasPrefix("qos=") {
                if last == "retain" { retain = true } else { qos = last == "qos=1" ? .atLeastOnce : .atMostOnce }
                parts.removeLast()
            }
            guard parts.count >= 1 else { state.notice = ":publish TOPIC PAYLOAD [qos=1] [retain]"; return [] }
            do { try Topic.validateName(parts[0]) } catch { state.notice = error.description; return [] }
            let payload = line.drop { $0 == " " }.dropFirst("publish".count).drop { $0 == " " }.dropFirst(parts[0].count).drop { $0 == " " }
            var text = String(payload)
            for suffix in [" retain", " qos=1", " qos=0"] where text.hasSuffix(suffix) { text.removeLast(suffix.count) }
            state.notice = "published \(text.utf8.count) bytes to \(parts[0])"
            return openMessages(&state) + [.publish(Message(topic: parts[0], payload: Array(text.utf8), qos: qos, retain: retain))]
        case "theme":
            guard !argument.isEmpty else { state.notice = "themes: " + Theme.embedded.keys.sorted().joined(separator: ", ") + " (or ~/.config/fleetdeck/themes/NAME.yaml)"; return [] }
            return [.loadTheme(argument)]
        default:
            state.notice = "unknown command ':\(name)' (commands: \(commands.joined(separator: ", ")))"
        }
        return []
    }
}
