import Fleet
import StackEngine
import TermCore

/// The pure part: `update` (state + message -> new state + commands) and `view` (state -> frame).
public enum Dashboard {
    /// The next state for `message`, and the commands to run. A notice belongs to the screen it
    /// was given on: it is not shown on the screens the user goes to after.
    public static func update(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        let notice = state.notice, before = state.screen
        let commands = apply(&state, message)
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
            if state.screen.stackName == detail.name { state.detail = detail }
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
            if state.screen == .stack(stack) { state.revealed = outputs }
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

    static func rowCount(_ state: DashboardState) -> Int {
        switch state.screen {
        case .stacks: return StacksScreen.visible(state).count
        case .stack: return StackScreen.rowCount(state)
        case .plan: return state.deploy.plan?.rows.count ?? 0
        case .deploy: return state.deploy.rows.count
        case .messages: return state.messages.store.count
        case .devices: return state.fleet.visible.count
        case .device: return 0
        case .groups: return state.fleet.groups?.count ?? 0
        case .certificates: return state.fleet.certificates?.count ?? 0
        case .policies: return state.fleet.policies?.count ?? 0
        case .fleetPlan: return state.fleet.plan?.things.count ?? 0
        }
    }

    /// Whether the deploy screen is running something (Ctrl-C then cancels it).
    public static func deployRunning(_ state: DashboardState) -> Bool {
        if case .deploy = state.screen { return state.deploy.result == nil }
        return false
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand] {
        if case .mouse(let row, let column, let button) = event { return mouse(&state, row: row, column: column, button: button) }
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
            if state.screen == .devices, state.fleet.shownFilter != state.filter { FleetScreens.refresh(&state) }
            if state.screen == .messages { MessagesScreen.search(&state) }
            return []
        }
        if case .device(let name) = state.screen, state.fleet.edit != nil || state.fleet.confirmDelete != nil {
            return FleetScreens.deviceKey(&state, name: name, event) ?? []
        }
        if case .deploy(let stack, _) = state.screen, let commands = DeployFlowUpdate.deployKey(&state, stack: stack, event) { return commands }
        if state.showHelp {
            if case .character(let c) = event, c == "?" || c == "q" || c == "\u{1b}" { state.showHelp = false }
            return []
        }
        if case .character(":") = event {
            state.editingCommand = true
            state.notice = nil
            return []
        }
        if case .character("/") = event, state.screen == .stacks || state.screen == .messages || state.screen == .devices || StackScreen.filters(state) {
            state.editingFilter = true
            state.filter = ""
            return []
        }
        if case .plan(let stack, _) = state.screen, let commands = DeployFlowUpdate.planKey(&state, stack: stack, event) { return commands }
        if case .stack(let name) = state.screen, let commands = StackScreen.key(&state, stack: name, event) { return commands }
        if state.screen == .stacks, let commands = StacksScreen.key(&state, event) { return commands }
        if state.screen == .messages, let commands = MessagesScreen.key(&state, event) { return commands }
        if state.screen == .devices, let commands = FleetScreens.devicesKey(&state, event) { return commands }
        if case .device(let name) = state.screen, let commands = FleetScreens.deviceKey(&state, name: name, event) { return commands }
        if state.screen == .fleetPlan, let commands = FleetScreens.planKey(&state, event) { return commands }
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
            switch state.screen {
            case .groups: return [.loadGroups]
            case .certificates: return [.loadCertificates]
            case .policies: return [.loadPolicies]
            case .devices:
                state.fleet.model = FleetModel()
                state.fleet.loading = true
                FleetScreens.refresh(&state)
                return [.loadDevices(state.fleet.query)]
            default: break
            }
            return reload(&state)
        case .character("q"), .character("\u{1b}"):
            if state.screens.count > 1 {
                return back(&state)
            } else if case .character("q") = event {
                state.quit = true
            }
        default:
            break
        }
        return []
    }

    /// Leaves the current screen for the one below it; back on a stack after a review or a
    /// deploy, its plan is made again (the one shown may be stale or executed).
    @discardableResult
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

    static func back(_ state: inout DashboardState) -> [DashboardCommand] {
        let leaving = state.screen
        state.screens.removeLast()
        state.filter = ""
        state.selected = 0
        switch (leaving, state.screen) {
        case (.stack(let name), .stacks):
            state.deploy = DeployState()
            state.detail = nil
            state.revealed = nil
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
        state.detail = nil
        state.revealed = nil
        state.deploy = DeployState()
        state.stackTab = .resources
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
        if state.inspecting != nil, case .stack = state.screen {
            let first = Table.firstVisible(selected: state.jsonSelected, count: count, height: area.height)
            if first + row - area.top < count { state.jsonSelected = first + row - area.top }
            return []
        }
        let first = Table.firstVisible(selected: state.selected, count: count, height: area.height)
        let index = first + row - area.top
        if index < count { state.selected = index }
        return []
    }

    /// Where the current screen's list is drawn (first row and height), for drawing and clicks.
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) {
        let rows = state.rows
        switch state.screen {
        case .stacks: return (2, max(0, rows - 3))
        case .stack: return StackScreen.listArea(state)
        case .plan:
            let top = state.deploy.plan.map(DeployFlowView.planTop) ?? 2
            return (top, max(0, rows - 2 - top))
        case .devices: return (3, max(0, state.rows - 4))
        case .certificates: return (3, max(0, state.rows - 4))
        case .groups: return (2, max(0, state.rows - 3))
        case .policies: return (3, max(0, state.rows - 14))
        case .deploy, .messages, .device, .fleetPlan: return (2, 0)
        }
    }

    // MARK: view

    public static func view(_ state: DashboardState, rows: Int, columns: Int) -> CellBuffer {
        var state = state
        state.rows = rows
        state.columns = columns
        let theme = state.theme
        var buffer = CellBuffer(rows: rows, columns: columns)
        guard rows > 0, columns > 0 else { return buffer }
        titleBar(state, into: &buffer)
        if rows > 2 {
            switch state.screen {
            case .stacks: StacksScreen.view(state, into: &buffer)
            case .stack(let name): StackScreen.view(state, name: name, into: &buffer)
            case .plan: DeployFlowView.plan(state, into: &buffer)
            case .deploy: DeployFlowView.deploy(state, into: &buffer)
            case .messages: MessagesScreen.view(state, into: &buffer)
            case .devices: FleetScreens.devicesView(state, into: &buffer)
            case .device(let name): FleetScreens.deviceView(state, name: name, into: &buffer)
            case .groups: FleetScreens.groupsView(state, into: &buffer)
            case .certificates: FleetScreens.certificatesView(state, into: &buffer)
            case .policies: FleetScreens.policiesView(state, into: &buffer)
            case .fleetPlan: FleetScreens.planView(state, into: &buffer)
            }
        }
        if rows > 1 { statusLine(state, into: &buffer) }
        if state.showHelp {
            buffer.modal(title: "Keys: \(screenName(state.screen))", lines: help(state), width: 68, style: theme[.selected], titleStyle: theme[.title])
        }
        return buffer
    }

    static func screenName(_ screen: Screen) -> String {
        switch screen {
        case .stacks: return "stacks"
        case .stack(let name): return name
        case .plan(_, let operation): return operation == .update ? "plan" : operation.rawValue
        case .deploy(_, let operation): return operation == .update ? "deploy" : operation.rawValue + "ing"
        case .messages: return "messages"
        case .devices: return "devices"
        case .device(let name): return name
        case .groups: return "groups"
        case .certificates: return "certificates"
        case .policies: return "policies"
        case .fleetPlan: return "plan"
        }
    }

    /// Breadcrumbs on the left, the AWS connection on the right.
    static func titleBar(_ state: DashboardState, into buffer: inout CellBuffer) {
        let theme = state.theme
        let crumbs = ["Fleetdeck", state.project.isEmpty ? "no project" : state.project] + state.screens.dropFirst().map(screenName)
        let connection: String
        switch state.connection {
        case .checking: connection = "… aws"
        case .connected(let who): connection = "● " + who
        case .offline(let why): connection = "○ offline: " + why
        }
        let right = (state.readOnly ? "READ-ONLY  " : "") + connection + " "
        buffer.fill(row: 0, column: 0, height: 1, width: buffer.columns, style: theme[.title])
        let rightWidth = DisplayWidth.of(right)
        let leftText = " " + crumbs.joined(separator: " › ")
        let room = buffer.columns - min(rightWidth, buffer.columns / 2) - 1
        buffer.put(DisplayWidth.pad(leftText, max(0, room)), row: 0, column: 0, style: theme[.title])
        if room + 1 < buffer.columns { buffer.put(right, row: 0, column: room + 1, style: theme[.title], limit: buffer.columns - room - 1) }
    }

    static func statusLine(_ state: DashboardState, into buffer: inout CellBuffer) {
        let theme = state.theme
        let columns = buffer.columns
        if state.editingCommand {
            buffer.put(DisplayWidth.pad(":" + state.command.display, columns), row: buffer.rows - 1, column: 0, style: theme[.status])
            let candidates = CommandMode.candidates(state, for: state.command.text)
            if !candidates.isEmpty, buffer.rows > 3 {
                buffer.put(DisplayWidth.pad(" " + candidates.prefix(8).joined(separator: "  "), columns), row: buffer.rows - 2, column: 0, style: theme[.dim])
            }
            return
        }
        let keys = "? help  q quit"
        var left = " "
        switch state.screen {
        case .stacks: left += "\(state.stacks.count) stack\(state.stacks.count == 1 ? "" : "s")  ↵ open  s sort  : command"
        case .messages:
            let messages = state.messages
            left += (messages.connected ? "● " : "○ ") + (messages.broker ?? "no broker") + (messages.pausedAt == nil ? "  space pause" : "  space resume  G newest")
                + "  ↵ detail  s subscribe  P publish"
        case .devices: left += "↵ open  space mark  a add marked to a group  s sort  / filter  :search Q"
        case .device: left += "tab shadow  e edit desired  D delete named  v versions  r reload"
        case .groups, .certificates, .policies: left += "esc back  r reload"
        case .fleetPlan: left += state.fleet.plan?.results.isEmpty == true ? "y approve  n back" : "esc back"
        case .stack(let name), .plan(let name, _), .deploy(let name, _):
            let summary = state.stacks.first { $0.name == name }
            left += name + (summary?.production == true ? " PRODUCTION" : "")
            if case .stack = state.screen { left += (summary?.account.map { " \($0)" } ?? "") + (summary?.region.map { " \($0)" } ?? "") }
            switch state.screen {
            case .stack: left += state.readOnly ? "  tab view" : "  p plan  d destroy  R refresh  tab"
            case .plan: left += state.deploy.typed != nil ? "  type the stack name, enter" : (state.readOnly ? "  n back  ↵ diff" : "  y approve  n back  ↵ diff  x destructive")
            default: left += state.deploy.result == nil ? (state.deploy.cancelling ? "  cancelling…" : "  running…  c cancel") : "  esc back"
            }
        }
        if !state.filter.isEmpty || state.editingFilter { left = " /" + state.filter + (state.editingFilter ? "▏" : "") + "   " + left }
        if let notice = state.notice { left = " " + notice }
        // The keys stay at the right edge; the context is cut to what is left.
        let line = columns >= keys.count + 2 ? DisplayWidth.pad(left, columns - keys.count - 1) + keys + " " : DisplayWidth.pad(" " + keys, columns)
        buffer.put(line, row: buffer.rows - 1, column: 0, style: theme[.status])
    }

    /// Every key of the current screen.
    static func help(_ state: DashboardState) -> [String] {
        var lines = ["j k ↓ ↑    move          g G   first, last", "PgDn PgUp  page          ?     this help",
                     ":          command (:stacks, :stack NAME, :theme NAME, :quit)", "r          reload        esc q back (q quits at the top)",
                     "Ctrl-L     redraw the whole screen"]
        switch state.screen {
        case .stacks:
            lines += ["enter      open the stack", "/          filter (regex, ! inverts)", "s S        sort by the next column, reverse", "click      select; a header sorts"]
        case .stack:
            lines += ["tab 1 2 3  resources, outputs, history", "/          filter resources", "space ← →  fold, unfold the tree"]
            if !state.readOnly { lines += ["p          review the update plan", "d          review a destroy", "R          refresh: review drift"] }
            lines += ["v          reveal or hide secret outputs"]
        case .plan:
            lines += ["enter      show or hide a step's diff", "x          only replaces and deletes"]
            if !state.readOnly { lines += ["y          approve (production: type the name)", "c          destroy: clear the blockers too"] }
            lines += ["n          back without changing anything"]
        case .deploy:
            lines += ["c esc      cancel (asks; in-flight steps finish)", "Ctrl-C     cancel at once; again to quit", "Ctrl-Z     suspend (fg resumes)"]
        case .messages:
            lines += ["space p    pause (messages keep arriving, counted)", "j k g G    scroll back; G follows the newest",
                      "enter      detail: JSON, changes, sparkline; z folds", "/          search topics and payloads",
                      "s  :tail F subscribe; :untail F unsubscribes", "P          publish (:publish TOPIC PAYLOAD [qos=1] [retain])",
                      "w t T      wrap, timestamps, topic tree", "R          record to a JSON-lines file", "c          clear the buffer"]
        case .devices:
            lines += ["enter      the device: groups, certificates, policies, shadows", "/          filter (text, or a regex; ! inverts)",
                      ":search Q  the fleet index query language", "space      mark; a adds the marked ones to a group (a plan)",
                      "A          attach a policy to the marked ones' certificates (a plan)", "s S        sort by the next column, reverse"]
        case .device:
            lines += ["tab        next shadow", "e          edit desired (JSON, checked as you type; sent with the version)",
                      "D          delete this named shadow (asks)", "v          what changed between the versions seen ([ ] { } pick them)"]
        case .groups, .certificates, .policies, .fleetPlan:
            lines += [":things :groups :certs [DAYS] :policies   the fleet screens"]
        }
        return lines
    }
}
