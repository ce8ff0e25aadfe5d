import FleetValues
import StackEngine
import TermCore

/// The pure part: `update` (state + message -> new state + commands) and `view` (state -> frame).
public enum Dashboard {
    /// The next state for `message`, and the commands to run. A notice belongs to the screen it
    /// was given on: it is not shown on the screens the user goes to after.
    public static func update(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        // Screens read named keys (Enter, Escape), whatever sent them.
        var message = message
        if case .key(let event) = message { message = .key(event.normalized) }
        let notice = state.notice, before = state.screen, below = state.screens, place = Place(selected: state.selected, filter: state.filter)
        var commands = apply(&state, message)
        if state.screens != below {
            // A screen opened over another: the one below keeps its cursor and filter for the
            // way back, and the new one starts unfiltered.
            if state.screens.count > below.count, state.screens.starts(with: below) {
                state.places[below.count - 1] = place
                state.filter = ""
            }
            state.places = state.places.filter { $0.key < state.screens.count - 1 }
        }
        if commands.contains(where: \.loads) {
            state.requestedAt = state.uptime
            state.failure = nil
        }
        if state.screen != before { state.failure = nil }
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

    /// What every screen shares is handled here; the results of background work go to the
    /// screens' components, each taking what is its own.
    static func apply(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        switch message {
        case .key(let event):
            return key(&state, event) + FleetScreens.requestCertificates(&state)
        case .connection(let connection):
            state.connection = connection
            return []
        case .themeLoaded(let theme, let problem):
            state.theme = theme
            state.notice = problem ?? "theme \(theme.name)"
            return []
        case .clock(let seconds):
            state.now = seconds
            return []
        case .failed(let error):
            state.screen.component.failed(&state, error)
            return []
        case .notice(let text):
            state.notice = text
            return []
        default:
            var commands: [DashboardCommand] = []
            for screen in components { commands += screen.receive(&state, message) }
            return commands
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
        if let failure = state.failure { return what + ": could not be read: " + failure + " (r asks again)" }
        return what + "…" + elapsed(state) + (Int(state.uptime - state.requestedAt) >= 15 ? ": no answer yet (r asks again; a request gives up after 2 minutes)" : "")
    }

    /// " 12 s" since the data on screen was asked for (nothing in the first two seconds).
    static func elapsed(_ state: DashboardState) -> String {
        let elapsed = Int(state.uptime - state.requestedAt)
        return elapsed >= 2 ? " \(elapsed) s" : ""
    }

    static func rowCount(_ state: DashboardState) -> Int { state.screen.component.rowCount(state) }

    /// Whether the deploy screen is running something (Ctrl-C then cancels it).
    public static func deployRunning(_ state: DashboardState) -> Bool {
        state.screen.shown(by: DeployScreen.self) && state.deploy.result == nil
    }

    /// The router: what every screen shares is handled here, the rest by the screen's component.
    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand] {
        switch event {
        case .click(let row, let column): return click(&state, row: row, column: column)
        case .wheel(let up, _, _):
            // The wheel moves as the arrow keys do, three lines a notch.
            guard state.deploy.typed == nil, !state.editingCommand, !state.showHelp else { return [] }
            return (0..<3).flatMap { _ in key(&state, .key(up ? .up : .down)) }
        default: break
        }
        let screen = state.screen.component
        if state.confirmingQuit {
            state.confirmingQuit = false
            if event == .character("y") || event == .interrupt { state.quit = true } else { state.notice = nil }
            return []
        }
        if let confirmation = state.confirming {
            if confirmation.name != nil { return typing(&state, confirmation, event) }
            state.confirming = nil
            guard event == .character("y") else {
                state.notice = "not done: " + confirmation.question
                return []
            }
            state.notice = "asked: " + confirmation.question
            return confirmation.commands
        }
        if event == .interrupt, state.quitAsks != nil, !deployRunning(state) {
            state.quit = true
            return []
        }
        if state.deploy.typed != nil { return DeployFlowUpdate.typing(&state, event) }
        if state.editingCommand { return CommandMode.key(&state, event) }
        if state.editingFilter {
            switch event {
            case .key(.enter): state.editingFilter = false
            case .key(.escape): state.editingFilter = false; state.filter = ""
            default: state.filter = InputLine.edited(state.filter, by: event)  // readline's keys: Ctrl-U, Ctrl-W, ...
            }
            state.selected = 0
            screen.filterChanged(&state)
            return []
        }
        // A search being typed in the pager takes every key (':' and '/' are text there).
        if state.inspector.item != nil, state.inspector.search != nil { return Inspector.searchKey(&state, event) }
        if let commands = screen.firstKey(&state, event) { return commands }
        if state.showHelp {
            if event == .character("?") || event == .character("q") || event == .key(.escape) { state.showHelp = false }
            return []
        }
        if case .character(":") = event {
            state.editingCommand = true
            state.notice = nil
            return []
        }
        if case .character("/") = event, screen.filters(state), state.inspector.item == nil {
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
            return reload(&state)
        case .character("q"), .key(.escape):
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
        case .character(let character) where character.isLetter || character.isNumber || character.isPunctuation || character.isSymbol:
            // No screen took it: say so rather than do nothing in silence.
            state.notice = "'\(character)' does nothing here: ? lists this screen's keys"
        default:
            break
        }
        return []
    }

    /// A name being typed to approve a change to a production fleet: Enter runs it when the
    /// name is exact, Esc drops it.
    static func typing(_ state: inout DashboardState, _ confirmation: Confirmation, _ event: TerminalEvent) -> [DashboardCommand] {
        var confirmation = confirmation
        switch event {
        case .key(.escape), .interrupt:
            state.confirming = nil
            state.notice = "not done: " + confirmation.question
            return []
        case .key(.enter):
            state.confirming = nil
            guard confirmation.typed == confirmation.name else {
                state.notice = "not done: '\(confirmation.typed)' is not '\(confirmation.name ?? "")' (the name is typed exactly)"
                return []
            }
            state.notice = "asked: " + confirmation.question
            return confirmation.commands
        case .character("\u{7f}"), .character("\u{08}"), .key(.backspace):
            if !confirmation.typed.isEmpty { confirmation.typed.removeLast() }
        case .character(let character) where !character.isNewline:
            confirmation.typed.append(character)
        default:
            break
        }
        state.confirming = confirmation
        state.notice = confirmation.prompt
        return []
    }

    /// The production stack whose account and region are the fleet's (the connection's), if
    /// any: a change to that fleet needs the stack's name typed.
    static func productionFleet(_ state: DashboardState) -> String? {
        guard case .connected(let identity) = state.connection else { return nil }
        let parts = identity.split(separator: " ").map(String.init)
        guard parts.count == 2 else { return nil }
        return state.stacks.all.first { $0.production && $0.account == parts[0] && ($0.region ?? parts[1]) == parts[1] }?.name
    }

    /// Asks for `commands` to be approved: `y`, or the production stack's name where the fleet is
    /// its, or `typed` (a change that cannot be undone) whatever the fleet.
    static func confirm(_ state: inout DashboardState, _ question: String, _ commands: [DashboardCommand], typed: String? = nil) {
        let confirmation = Confirmation(question: question, commands: commands, name: typed ?? productionFleet(state))
        state.confirming = confirmation
        state.notice = confirmation.prompt
    }

    /// The stack whose sources the runtime watches: the one on screen or under review.
    static func watchedStack(_ state: DashboardState) -> String? {
        state.screen.shown(by: StackScreen.self) || state.screen.shown(by: PlanScreen.self) ? state.screen.subject : nil
    }

    /// Whether the plan on screen was made from other sources than `fingerprint` (those the
    /// watcher found). A plan made again since (`r`, `p`) is current, and one being made is not
    /// shown yet: neither is thrown away, so a `y` pressed on the plan just shown is not lost.
    static func planIsStale(_ state: DashboardState, _ fingerprint: String) -> Bool {
        guard let plan = state.deploy.plan else { return false }
        return plan.sources != fingerprint
    }

    /// `r` and `:reload`: the screen's data read again (the screen's component says how; by
    /// default the stacks, or the stack the screen is about).
    static func reload(_ state: inout DashboardState) -> [DashboardCommand] {
        if let commands = state.screen.component.reload(&state) { return commands }
        state.stacks.loading = state.screen == .stacks
        if let name = state.screen.stackName { return [.loadStack(name), .checkConnection] }
        return [.loadStacks, .checkConnection]
    }

    /// Leaves the current screen for the one below it, which takes up where it was: its cursor
    /// and filter as they were left (and a stack plans again; the lists select the stack or
    /// device that was open).
    @discardableResult
    static func back(_ state: inout DashboardState) -> [DashboardCommand] {
        let leaving = state.screen
        state.screens.removeLast()
        let place = state.places.removeValue(forKey: state.screens.count - 1)
        state.selected = place?.selected ?? 0
        state.filter = place?.filter ?? ""
        return state.screen.component.returned(&state, from: leaving)
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

    /// A click acts on what the screen drew under the pointer (a row selects it, a header sorts,
    /// a tab opens).
    static func click(_ state: inout DashboardState, row: Int, column: Int) -> [DashboardCommand] {
        guard state.deploy.typed == nil, !state.editingCommand, !state.showHelp else { return [] }
        let hits = frame(state, rows: state.rows, columns: state.columns).hits
        guard let hit = hits.last(where: { $0.contains(row: row, column: column) }) else { return [] }
        if let commands = state.screen.component.clicked(&state, hit.target) { return commands }
        switch hit.target {
        case .row(let index): state.selected = index
        case .line(let index): state.inspector.selected = index
        case .key(let event): return key(&state, event)
        case .sort: break
        }
        return []
    }

    /// Where the current screen's list is drawn (first row and height), for drawing and clicks.
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { state.screen.component.listArea(state) }
}
