import Fleet
import StackEngine
import TermCore

/// The pure part: `update` (state + message -> new state + commands) and `view` (state -> frame).
public enum Dashboard {
    /// The next state for `message`, and the commands to run. A notice belongs to the screen it
    /// was given on: it is not shown on the screens the user goes to after.
    public static func update(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        let notice = state.notice, before = state.screen
        var commands = apply(&state, message)
        if commands.contains(where: \.loads) { state.requestedAt = state.uptime }
        // Read-only is enforced here, whatever screen or key asked: nothing that changes the
        // account, a stack or a device leaves the dashboard.
        if state.readOnly, commands.contains(where: \.changes) {
            commands.removeAll(where: \.changes)
            _ = refused(&state, "changes")
        }
        // The inspector belongs to the screen it was opened on.
        if state.screen != before { state.inspector.item = nil }
        if state.notice != notice { state.noticeScreen = state.screen } else if state.noticeScreen == nil { state.noticeScreen = before }
        if state.notice != nil, state.noticeScreen != state.screen { state.notice = nil }
        return commands
    }

    static func apply(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        switch message {
        case .stacksLoaded(let stacks):
            state.stacks = stacks
            state.loadingStacks = false
            state.error = nil
            if state.screen == .stacks { state.selected = min(state.selected, max(0, stacks.count - 1)) }
            return []
        case .stackLoaded(let detail):
            // A late answer for a stack no longer on screen is dropped.
            if state.screen.stackName == detail.name { state.stackScreen.detail = detail }
            return []
        case .planned(let plan, let operation):
            if state.screen == .plan(plan.stack, operation) || (operation == .update && state.screen == .stack(plan.stack)) { state.deploy.plan = plan }
            return []
        case .engine(let event):
            if case .deploy = state.screen { DeployFlowUpdate.apply(event, to: &state.deploy) }
            return []
        case .sourcesChanged(let stack):
            // Whatever was planned from the old files is stale: plan again.
            switch state.screen {
            case .stack(stack):
                state.notice = "the program, config or state changed on disk: planned again"
                return [.loadStack(stack), .preview(stack, .update)]
            case .plan(stack, let operation) where state.deploy.typed == nil:
                state.deploy = DeployState()
                state.selected = 0
                state.notice = "the program, config or state changed on disk: this is the new plan"
                return [.loadStack(stack), .preview(stack, operation)]
            default:
                return []
            }
        case .planReplaced(let plan, let reason):
            // The approved plan was refused because the files or the state changed: back to the
            // review, with the plan as it is now.
            guard case .deploy(let stack, let operation) = state.screen, stack == plan.stack else { return [] }
            state.screens[state.screens.count - 1] = .plan(stack, operation)
            state.deploy = DeployState()
            state.deploy.plan = plan
            state.selected = 0
            state.notice = reason
            return [.loadStack(stack)]
        case .deployFinished(let text, let failed):
            guard case .deploy(let stack, _) = state.screen else { return [.loadStacks] }
            state.deploy.result = text
            state.deploy.failed = failed
            state.deploy.confirmingCancel = false
            return [.loadStacks, .loadStack(stack)]
        case .revealed(let stack, let outputs):
            if state.screen == .stack(stack) { state.stackScreen.revealed = outputs }
            return []
        case .connection(let connection):
            state.connection = connection
            return []
        case .tick(let elapsed):
            if deployRunning(state) { state.deploy.elapsed = elapsed }
            return []
        case .received(let batch):
            return MessagesScreen.received(&state, batch)
        case .devicesPage(let devices, let done):
            state.fleet.model.add(devices)
            state.fleet.model.complete = done
            state.fleet.loading = !done
            FleetScreens.refresh(&state)
            return FleetScreens.requestCertificates(&state)
        case .deviceCertificates(let summaries):
            state.fleet.deviceCertificates.merge(summaries) { _, new in new }
            return []
        case .deviceLoaded(let name, let detail):
            guard state.screen == .device(name) else { return [] }
            state.fleet.detail = detail
            for (shadow, document) in detail.shadows { FleetScreens.remember(&state, thing: name, shadow: shadow, document: document) }
            return []
        case .groupsLoaded(let groups):
            state.fleet.groups = groups
            return []
        case .certificatesLoaded(let certificates):
            state.fleet.certificates = certificates
            return []
        case .policiesLoaded(let policies):
            state.fleet.policies = policies
            return []
        case .managedLoaded(let managed):
            state.fleet.managed = managed
            if state.screen == .devices { FleetScreens.refresh(&state) }
            return []
        case .shadowUpdated(let thing, let shadow, let document):
            state.fleet.conflict = nil
            state.notice = "shadow \(shadow.isEmpty ? "classic" : shadow) of \(thing) is at version \(document["version"]?.intValue ?? 0)"
            return state.screen == .device(thing) ? [.loadDevice(thing)] : []
        case .shadowConflict(let thing, let shadow, let current, let message):
            guard state.screen == .device(thing) else { return [] }
            state.fleet.conflict = current
            FleetScreens.remember(&state, thing: thing, shadow: shadow, document: current)
            state.notice = message
            return []
        case .shadowDeleted(let thing, let shadow):
            state.notice = "deleted the shadow '\(shadow)' of \(thing)"
            state.fleet.shadowIndex = 0
            return state.screen == .device(thing) ? [.loadDevice(thing)] : []
        case .fleetStepDone(let thing, let error):
            state.fleet.plan?.results[thing] = error ?? ""
            if let plan = state.fleet.plan, plan.results.count == plan.changes.count {
                state.fleet.plan?.running = false
                state.notice = "\(plan.title): \(plan.done) of \(plan.changes.count) done" + (plan.done < plan.changes.count ? "; the failures are listed" : "") + "; esc back"
            }
            return []
        case .fleetPlanChecked(let result):
            switch result {
            case .success(let outcomes): state.fleet.plan?.outcomes = outcomes
            case .failure(let refused): state.fleet.plan?.refused = refused.reason
            }
            return []
        case .clock(let seconds):
            state.now = seconds
            return []
        case .relatedLoaded(let kind, let id, let result):
            state.fleet.related["\(kind.rawValue):\(id)"] = result
            return []
        case .broker(let event):
            switch event {
            case .linked(let name):
                state.messages.broker = name
            case .connected:
                state.messages.connected = true
                state.messages.lastError = nil
            case .disconnected(let why):
                if state.messages.connected { state.messages.store.markGap() }
                state.messages.connected = false
                state.messages.lastError = why
            case .message(let message, let time):
                return MessagesScreen.received(&state, [(message, time)])
            }
            return []
        case .themeLoaded(let theme, let problem):
            state.theme = theme
            state.notice = problem ?? "theme \(theme.name)"
            return []
        case .failed(let error):
            switch state.screen {
            case .plan: state.notice = error; state.deploy.result = error
            case .deploy: state.deploy.result = error; state.deploy.failed = true
            case .stack, .messages, .devices, .device, .groups, .certificates, .policies, .fleetPlan: state.notice = error
            case .stacks: state.error = error; state.loadingStacks = false
            }
            return []
        case .key(let event):
            let commands = key(&state, event)
            return commands + FleetScreens.requestCertificates(&state)
        }
    }

    /// Whether a row's text passes the filter (`TextFilter`: text, or a regular expression; `!`
    /// inverts; an invalid regular expression is text).
    public static func passes(_ text: String, filter: String) -> Bool { TextFilter(filter).matches(text) }

    /// With --read-only, says that `what` is disabled and returns true (keys that would start a
    /// change stop there; `update` drops any changing command regardless).
    static func refused(_ state: inout DashboardState, _ what: String) -> Bool {
        guard state.readOnly else { return false }
        state.notice = "read-only: \(what) \(what.hasSuffix("s") ? "are" : "is") disabled (--read-only)"
        return true
    }

    /// A placeholder while data is on its way: after two seconds it counts them, and after
    /// fifteen it says that nothing has answered yet and what to do.
    static func waiting(_ state: DashboardState, _ what: String) -> String {
        what + "…" + elapsed(state) + (Int(state.uptime - state.requestedAt) >= 15 ? ": no answer yet (r asks again; a request gives up after 2 minutes)" : "")
    }

    /// " 12 s" since the data on screen was asked for (nothing in the first two seconds).
    static func elapsed(_ state: DashboardState) -> String {
        let elapsed = Int(state.uptime - state.requestedAt)
        return elapsed >= 2 ? " \(elapsed) s" : ""
    }

    static func rowCount(_ state: DashboardState) -> Int { component(state.screen).rowCount(state) }

    /// Whether the deploy screen is running something (Ctrl-C then cancels it).
    public static func deployRunning(_ state: DashboardState) -> Bool {
        if case .deploy = state.screen { return state.deploy.result == nil }
        return false
    }

    /// The router: what every screen shares is handled here, the rest by the screen's component.
    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand] {
        if case .mouse(let row, let column, let button) = event { return mouse(&state, row: row, column: column, button: button) }
        let screen = component(state.screen)
        if state.confirmingQuit {
            state.confirmingQuit = false
            if event == .character("y") || event == .interrupt { state.quit = true } else { state.notice = nil }
            return []
        }
        if event == .interrupt, state.quitAsks != nil, !deployRunning(state) {
            state.quit = true
            return []
        }
        if state.deploy.typed != nil { return DeployFlowUpdate.typing(&state, event) }
        if state.editingCommand { return CommandMode.key(&state, event) }
        if state.editingFilter {
            switch event {
            case .character("\n"), .character("\r"), .key(.enter): state.editingFilter = false
            case .character("\u{1b}"): state.editingFilter = false; state.filter = ""
            case .character("\u{7f}"), .character("\u{08}"), .key(.backspace): if !state.filter.isEmpty { state.filter.removeLast() }
            case .character(let character): state.filter.append(character)
            default: break
            }
            state.selected = 0
            screen.filterChanged(&state)
            return []
        }
        if let commands = screen.firstKey(&state, event) { return commands }
        if state.showHelp {
            if case .character(let c) = event, c == "?" || c == "q" || c == "\u{1b}" { state.showHelp = false }
            return []
        }
        if case .character(":") = event {
            state.editingCommand = true
            state.notice = nil
            return []
        }
        if case .character("/") = event, screen.filters(state) {
            state.editingFilter = true
            state.filter = ""
            return []
        }
        if let commands = screen.key(&state, event) { return commands }
        let count = rowCount(state)
        switch event {
        case .character("j"), .key(.down):
            state.selected = min(state.selected + 1, max(0, count - 1))
        case .character("k"), .key(.up):
            state.selected = max(state.selected - 1, 0)
        case .character("g"), .key(.home):
            state.selected = 0
        case .character("G"), .key(.end):
            state.selected = max(0, count - 1)
        case .key(.pageDown):
            state.selected = min(state.selected + 10, max(0, count - 1))
        case .key(.pageUp):
            state.selected = max(state.selected - 10, 0)
        case .character("?"):
            state.showHelp = true
        case .character("r"):
            return screen.reload(&state) ?? reload(&state)
        case .character("q"), .character("\u{1b}"):
            if state.screens.count > 1 {
                return back(&state)
            } else if case .character("q") = event {
                if let question = state.quitAsks {
                    state.confirmingQuit = true
                    state.notice = question + " y quits, any other key stays"
                } else {
                    state.quit = true
                }
            }
        default:
            break
        }
        return []
    }

    /// The stack whose sources the runtime watches: the one on screen or under review.
    static func watchedStack(_ state: DashboardState) -> String? {
        switch state.screen {
        case .stack(let name), .plan(let name, _): return name
        default: return nil
        }
    }

    /// `r` and `:reload`: the screen's data read again; on a stack its plan is made anew, and an
    /// open review is planned again from the files and state as they are now.
    static func reload(_ state: inout DashboardState) -> [DashboardCommand] {
        state.loadingStacks = state.screen == .stacks
        switch state.screen {
        case .stack(let name): return [.loadStack(name), .preview(name, .update), .checkConnection]
        case .plan(let name, let operation) where state.deploy.typed == nil:
            state.deploy = DeployState()
            return [.loadStack(name), .preview(name, operation), .checkConnection]
        default:
            if let name = state.screen.stackName { return [.loadStack(name), .checkConnection] }
            return [.loadStacks, .checkConnection]
        }
    }

    /// Leaves the current screen for the one below it; back on a stack after a review or a
    /// deploy, its plan is made again (the one shown may be stale or executed).
    @discardableResult
    static func back(_ state: inout DashboardState) -> [DashboardCommand] {
        let leaving = state.screen
        state.screens.removeLast()
        state.filter = ""
        state.selected = 0
        switch (leaving, state.screen) {
        case (.stack(let name), .stacks):
            state.deploy = DeployState()
            state.stackScreen.detail = nil
            state.stackScreen.revealed = nil
            state.selected = StacksScreen.visible(state).firstIndex { $0.name == name } ?? 0
        case (.plan(_, let operation), .stack) where operation == .update && state.deploy.plan != nil:
            let plan = state.deploy.plan  // a reviewed but not approved plan stays valid
            state.deploy = DeployState()
            state.deploy.plan = plan
            return []
        case (_, .stack(let name)):
            state.deploy = DeployState()
            return [.loadStack(name), .preview(name, .update)]
        case (.device(let name), .devices):
            // Back to the list as it was: same filter, the device selected.
            state.filter = state.fleet.shownFilter
            state.fleet.edit = nil
            state.fleet.conflict = nil
            state.selected = state.fleet.visible.firstIndex { state.fleet.model.devices[$0].name == name } ?? 0
        default:
            state.deploy = DeployState()
        }
        return []
    }

    /// Opens a stack's screen from anywhere (Enter on the stacks screen, `:stack NAME`).
    static func open(_ state: inout DashboardState, stack name: String) -> [DashboardCommand] {
        state.screens = [.stacks, .stack(name)]
        state.filter = ""
        state.stackScreen = StackScreenState()  // a stack opens fresh: resources tab, nothing revealed
        state.deploy = DeployState()
        state.selected = 0
        return [.loadStack(name), .preview(name, .update)]
    }

    /// Clicks select the row under the pointer (a click on the stacks header sorts by that
    /// column); the wheel moves the selection.
    static func mouse(_ state: inout DashboardState, row: Int, column: Int, button: Int) -> [DashboardCommand] {
        guard state.deploy.typed == nil, !state.editingCommand, !state.showHelp else { return [] }
        let count = rowCount(state)
        if button == 4 || button == 5 {
            state.selected = button == 4 ? max(0, state.selected - 3) : min(max(0, count - 1), state.selected + 3)
            return []
        }
        let area = listArea(state)
        if state.screen == .stacks, row == area.top - 1 {
            StacksScreen.sort(&state, column: StacksScreen.column(at: column))
            return []
        }
        guard row >= area.top, row < area.top + area.height else { return [] }
        if case .plan = state.screen, let plan = state.deploy.plan {
            let lines = DeployFlowView.lines(state, plan)
            let first = DeployFlowView.firstLine(state, lines, height: area.height)
            if lines.indices.contains(first + row - area.top) { state.selected = lines[first + row - area.top].0 }
            return []
        }
        if state.inspector.item != nil {
            let first = Table.firstVisible(selected: state.inspector.selected, count: count, height: area.height)
            if first + row - area.top < count { state.inspector.selected = first + row - area.top }
            return []
        }
        let first = Table.firstVisible(selected: state.selected, count: count, height: area.height)
        let index = first + row - area.top
        if index < count { state.selected = index }
        return []
    }

    /// Where the current screen's list is drawn (first row and height), for drawing and clicks.
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { component(state.screen).listArea(state) }
}
