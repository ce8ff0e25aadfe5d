import StackEngine
import TermCore

/// One resource of a stack, as the Stack screen lists it.
public struct ResourceRow: Equatable, Sendable {
    public var name: String
    public var type: String
    public var id: String
    public var protected: Bool

    public init(name: String, type: String, id: String, protected: Bool = false) {
        self.name = name
        self.type = type
        self.id = id
        self.protected = protected
    }
}

/// What the Stack screen shows: resources, outputs (secrets masked), pending operations.
public struct StackDetail: Equatable, Sendable {
    public var name: String
    public var resources: [ResourceRow]
    public var outputs: [(String, String)]
    public var pending: [String]

    public init(name: String, resources: [ResourceRow], outputs: [(String, String)], pending: [String]) {
        self.name = name
        self.resources = resources
        self.outputs = outputs
        self.pending = pending
    }

    public static func == (lhs: StackDetail, rhs: StackDetail) -> Bool {
        lhs.name == rhs.name && lhs.resources == rhs.resources && lhs.pending == rhs.pending
            && lhs.outputs.map { "\($0.0)=\($0.1)" } == rhs.outputs.map { "\($0.0)=\($0.1)" }
    }
}

/// Where the dashboard's data comes from (the composition root fills these in; tests use values).
public struct DashboardData: Sendable {
    public var stacks: @Sendable () async throws -> [StackSummary]
    public var stack: @Sendable (String) async throws -> StackDetail
    /// The plan for a stack (kept by the data source under its hash for `deploy`).
    public var plan: @Sendable (String) async throws -> PlanView
    /// Executes the plan with that hash, reporting engine events; returns a one-line result.
    public var deploy: @Sendable (String, String, @escaping @Sendable (EngineEvent) -> Void) async throws -> String

    public init(stacks: @escaping @Sendable () async throws -> [StackSummary], stack: @escaping @Sendable (String) async throws -> StackDetail,
                plan: @escaping @Sendable (String) async throws -> PlanView = { _ in throw DashboardError(message: "plans are not available here") },
                deploy: @escaping @Sendable (String, String, @escaping @Sendable (EngineEvent) -> Void) async throws -> String = { _, _, _ in
                    throw DashboardError(message: "deploys are not available here") }) {
        self.stacks = stacks
        self.stack = stack
        self.plan = plan
        self.deploy = deploy
    }
}

public struct DashboardError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

public enum Screen: Equatable, Sendable {
    case stacks
    case stack(String)
    case plan(String)
    case deploy(String)
}

/// The whole dashboard as a value (the Elm architecture's model).
public struct DashboardState: Equatable, Sendable {
    public var project: String
    public var screens: [Screen] = [.stacks]
    public var stacks: [StackSummary] = []
    public var loadingStacks = true
    public var detail: StackDetail?
    public var selected = 0
    public var showHelp = false
    public var error: String?
    public var quit = false
    public var deploy = DeployState()
    /// One line for the status bar (a refusal, a hint).
    public var notice: String?
    /// The `/` filter (a regular expression; a leading `!` inverts it), and whether it is being typed.
    public var filter = ""
    public var editingFilter = false

    public init(project: String) { self.project = project }

    public var screen: Screen { screens.last ?? .stacks }
}

/// Messages: keys from the terminal, results of background work (which carry what they are for).
public enum DashboardMessage: Sendable {
    case key(TerminalEvent)
    case stacksLoaded([StackSummary])
    case stackLoaded(StackDetail)
    case planned(PlanView)
    case engine(EngineEvent)
    case deployFinished(String, failed: Bool)
    case failed(String)
}

/// Effects the runtime performs; each ends in a message.
public enum DashboardCommand: Equatable, Sendable {
    case loadStacks
    case loadStack(String)
    case preview(String)
    case deploy(String, hash: String)
}

/// The pure part: `update` (state + message -> new state + commands) and `view` (state -> frame).
public enum Dashboard {
    public static func update(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        switch message {
        case .stacksLoaded(let stacks):
            state.stacks = stacks
            state.loadingStacks = false
            state.selected = min(state.selected, max(0, stacks.count - 1))
            return []
        case .stackLoaded(let detail):
            // A late answer for a stack no longer on screen is dropped.
            if state.screen == .stack(detail.name) { state.detail = detail }
            return []
        case .planned(let plan):
            if state.screen == .plan(plan.stack) || state.screen == .stack(plan.stack) { state.deploy.plan = plan }
            return []
        case .engine(let event):
            DeployFlowUpdate.apply(event, to: &state.deploy)
            return []
        case .deployFinished(let text, let failed):
            state.deploy.result = text
            state.deploy.failed = failed
            return [.loadStacks]
        case .failed(let error):
            if case .plan = state.screen { state.notice = error; state.deploy.result = error; return [] }
            if case .deploy = state.screen { state.deploy.result = error; state.deploy.failed = true; return [] }
            state.error = error
            state.loadingStacks = false
            return []
        case .key(let event):
            return key(&state, event)
        }
    }

    /// Whether a row's text passes the filter: a regex (case-insensitive), `!` inverts; an invalid
    /// regex matches as plain text.
    public static func passes(_ text: String, filter: String) -> Bool {
        guard !filter.isEmpty else { return true }
        let inverted = filter.hasPrefix("!")
        let pattern = inverted ? String(filter.dropFirst()) : filter
        guard !pattern.isEmpty else { return true }
        let matched: Bool
        if let regex = try? Regex(pattern).ignoresCase() {
            matched = text.contains(regex)
        } else {
            matched = text.lowercased().contains(pattern.lowercased())
        }
        return matched != inverted
    }

    /// The stacks and resources the filter lets through.
    public static func visibleStacks(_ state: DashboardState) -> [StackSummary] {
        state.stacks.filter { passes("\($0.name) \($0.account ?? "") \($0.region ?? "")", filter: state.filter) }
    }

    public static func visibleResources(_ state: DashboardState) -> [ResourceRow] {
        (state.detail?.resources ?? []).filter { passes("\($0.name) \($0.type) \($0.id)", filter: state.filter) }
    }

    static func rowCount(_ state: DashboardState) -> Int {
        switch state.screen {
        case .stacks: return visibleStacks(state).count
        case .stack: return visibleResources(state).count
        case .plan: return state.deploy.plan?.rows.count ?? 0
        case .deploy: return state.deploy.rows.count
        }
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand] {
        if state.deploy.typed != nil { return DeployFlowUpdate.typing(&state, event) }
        if state.editingFilter {
            switch event {
            case .character("\n"), .character("\r"), .function(343): state.editingFilter = false
            case .character("\u{1b}"): state.editingFilter = false; state.filter = ""
            case .character("\u{7f}"), .character("\u{08}"), .function(263): if !state.filter.isEmpty { state.filter.removeLast() }
            case .character(let character): state.filter.append(character)
            default: break
            }
            state.selected = 0
            return []
        }
        if case .character("/") = event, state.screen == .stacks || { if case .stack = state.screen { return true }; return false }() {
            state.editingFilter = true
            state.filter = ""
            return []
        }
        if case .plan(let stack) = state.screen, let commands = DeployFlowUpdate.planKey(&state, stack: stack, event) { return commands }
        if case .deploy = state.screen, state.deploy.result == nil, case .character("q") = event { return [] }  // runs to the end
        if state.showHelp {
            if case .character(let c) = event, c == "?" || c == "q" || c == "\u{1b}" { state.showHelp = false }
            return []
        }
        let count = rowCount(state)
        switch event {
        case .character("j"), .function(258):  // KEY_DOWN
            state.selected = min(state.selected + 1, max(0, count - 1))
        case .character("k"), .function(259):  // KEY_UP
            state.selected = max(state.selected - 1, 0)
        case .character("g"), .function(262):  // KEY_HOME
            state.selected = 0
        case .character("G"), .function(360):  // KEY_END
            state.selected = max(0, count - 1)
        case .character("?"):
            state.showHelp = true
        case .character("p"), .character("u"):
            if case .stack(let name) = state.screen {
                state.screens.append(.plan(name))
                let known = state.deploy.plan
                state.deploy = DeployState()
                state.deploy.plan = known
                state.selected = 0
                state.notice = nil
                return known == nil ? [.preview(name)] : []
            }
        case .character("r"):
            if case .stack(let name) = state.screen { return [.loadStack(name)] }
            state.loadingStacks = true
            return [.loadStacks]
        case .character("\n"), .character("\r"), .function(343):  // Enter
            let visible = visibleStacks(state)
            if state.screen == .stacks, visible.indices.contains(state.selected) {
                let name = visible[state.selected].name
                state.filter = ""
                state.screens.append(.stack(name))
                state.detail = nil
                state.deploy = DeployState()
                state.selected = 0
                return [.loadStack(name), .preview(name)]
            }
        case .character("q"), .character("\u{1b}"):
            if state.screens.count > 1 {
                let leaving = state.screen
                state.screens.removeLast()
                state.detail = nil
                if case .stack(let name) = leaving { state.selected = state.stacks.firstIndex { $0.name == name } ?? 0; state.filter = "" }
                state.deploy = DeployState()
            } else if case .character("q") = event {
                state.quit = true
            }
        default:
            break
        }
        return []
    }

    // MARK: view

    public static func view(_ state: DashboardState, theme: Theme, rows: Int, columns: Int) -> CellBuffer {
        var buffer = CellBuffer(rows: rows, columns: columns)
        guard rows > 0, columns > 0 else { return buffer }
        let crumbs = ["Fleetdeck", state.project] + state.screens.compactMap { screen -> String? in
            switch screen {
            case .stacks: return nil
            case .stack(let name): return name
            case .plan: return "plan"
            case .deploy: return "deploy"
            }
        }
        buffer.fill(row: 0, column: 0, height: 1, width: columns, style: theme["title"])
        buffer.put(" " + crumbs.joined(separator: " › "), row: 0, column: 0, style: theme["title"])
        if rows > 2 {
            switch state.screen {
            case .stacks: stacksView(state, theme: theme, into: &buffer)
            case .stack(let name): stackView(state, name: name, theme: theme, into: &buffer)
            case .plan: DeployFlowView.plan(state, theme: theme, into: &buffer)
            case .deploy: DeployFlowView.deploy(state, theme: theme, into: &buffer)
            }
        }
        if rows > 1 { statusLine(state, theme: theme, into: &buffer) }
        if state.showHelp { help(state, theme: theme, into: &buffer) }
        return buffer
    }

    static func pad(_ text: String, _ width: Int) -> String {
        let current = DisplayWidth.of(text)
        return current >= width ? DisplayWidth.prefix(text, fitting: width).0 : text + String(repeating: " ", count: width - current)
    }

    static func stacksView(_ state: DashboardState, theme: Theme, into buffer: inout CellBuffer) {
        if state.loadingStacks { buffer.put("Loading stacks…", row: 2, column: 1, style: theme["dim"]); return }
        if let error = state.error { buffer.put(error, row: 2, column: 1, style: theme["error"]); return }
        if state.stacks.isEmpty { buffer.put("No stacks yet: 'fleetdeck stack init NAME'.", row: 2, column: 1, style: theme["dim"]); return }
        let columns = buffer.columns
        let header = " " + pad("STACK", 16) + pad("ACCOUNT", 14) + pad("REGION", 12) + pad("RESOURCES", 11) + pad("LAST UPDATE", 22) + "LOCK"
        buffer.put(pad(header, columns), row: 1, column: 0, style: theme["header"])
        for (index, stack) in visibleStacks(state).enumerated() where index + 2 < buffer.rows - 1 {
            let style = index == state.selected ? theme["selected"] : theme["text"]
            var name = stack.name
            if stack.pendingOperations > 0 { name += " !" }
            let line = " " + pad(name, 16) + pad(stack.account ?? "-", 14) + pad(stack.region ?? "-", 12) + pad(String(stack.resourceCount), 11)
                + pad(stack.lastUpdate ?? (stack.deployed ? "never" : "not deployed"), 22) + (stack.lockedBy ?? "-")
            buffer.put(pad(line, columns), row: index + 2, column: 0, style: style)
            if stack.production {
                let badge = " PROD "
                let at = columns - DisplayWidth.of(badge) - 1
                if at > 18 { buffer.put(badge, row: index + 2, column: at, style: theme["production"]) }
            }
        }
    }

    static func stackView(_ state: DashboardState, name: String, theme: Theme, into buffer: inout CellBuffer) {
        guard let detail = state.detail else { buffer.put("Loading \(name)…", row: 2, column: 1, style: theme["dim"]); return }
        let columns = buffer.columns
        buffer.put(pad(" " + pad("RESOURCE", 30) + pad("TYPE", 36) + "ID", columns), row: 1, column: 0, style: theme["header"])
        var row = 2
        let visible = max(0, buffer.rows - 3 - min(detail.outputs.count + 1, 6))
        let resources = visibleResources(state)
        let first = max(0, min(state.selected - visible + 1, resources.count - visible))
        for (index, resource) in resources.enumerated().dropFirst(first).prefix(visible) {
            let style = index == state.selected ? theme["selected"] : theme["text"]
            buffer.put(pad(" " + pad(resource.name + (resource.protected ? " 🔒" : ""), 30) + pad(resource.type, 36) + resource.id, columns), row: row, column: 0, style: style)
            row += 1
        }
        if detail.resources.isEmpty { buffer.put("No resources yet.", row: row, column: 1, style: theme["dim"]); row += 1 }
        if row < buffer.rows - 2 {
            let plan = state.deploy.plan.map { "Plan: \($0.counts)" + ($0.rows.isEmpty ? "" : "   p to review and deploy") } ?? "Plan: computing…"
            buffer.put(" " + plan, row: row, column: 0, style: state.deploy.plan?.rows.isEmpty == false ? theme["update"] : theme["dim"])
            row += 2
        }
        if !detail.outputs.isEmpty, row < buffer.rows - 2 {
            buffer.put(" Outputs", row: row, column: 0, style: theme["header"])
            row += 1
            for (key, value) in detail.outputs where row < buffer.rows - 1 {
                buffer.put("   " + pad(key, 26) + value, row: row, column: 0, style: theme["text"])
                row += 1
            }
        }
    }

    static func statusLine(_ state: DashboardState, theme: Theme, into buffer: inout CellBuffer) {
        let columns = buffer.columns
        let keys = "? help  q quit"
        var left = " "
        switch state.screen {
        case .stacks: left += "\(state.stacks.count) stack\(state.stacks.count == 1 ? "" : "s")  ↵ open  r reload"
        case .stack(let name), .plan(let name), .deploy(let name):
            let summary = state.stacks.first { $0.name == name }
            left += "stack \(name)" + (summary?.account.map { "  account \($0)" } ?? "") + (summary?.region.map { "  \($0)" } ?? "")
                + (summary?.production == true ? "  PRODUCTION" : "")
            switch state.screen {
            case .stack: left += "  p plan  esc back"
            case .plan: left += state.deploy.typed != nil ? "  type the stack name, enter" : "  y approve  n back  x replaces/deletes  ↵ diff"
            default: left += state.deploy.result == nil ? "  deploying…" : "  esc back"
            }
        }
        if !state.filter.isEmpty || state.editingFilter { left = " /" + state.filter + (state.editingFilter ? "▏" : "") + "   " + left }
        if let notice = state.notice { left = " " + notice }
        let line = columns >= DisplayWidth.of(left) + keys.count + 2 ? pad(left, columns - keys.count - 1) + keys + " " : pad(" " + keys, columns)
        buffer.put(line, row: buffer.rows - 1, column: 0, style: theme["status"])
    }

    static func help(_ state: DashboardState, theme: Theme, into buffer: inout CellBuffer) {
        var lines = ["Keys", "", "j/↓  k/↑   move", "g  G       first, last", "?          this help", "q          back, quit on the first screen",
                     "esc        back", "r          reload"]
        if state.screen == .stacks { lines.insert("enter      open the stack", at: 4) }
        let width = min(buffer.columns - 2, 44), height = min(buffer.rows - 2, lines.count + 2)
        guard width > 10, height > 3 else { return }
        let top = max(1, (buffer.rows - height) / 2), left = max(1, (buffer.columns - width) / 2)
        buffer.fill(row: top, column: left, height: height, width: width, style: theme["selected"])
        for (index, line) in lines.prefix(height - 2).enumerated() {
            buffer.put(" " + line, row: top + 1 + index, column: left, style: index == 0 ? theme["title"] : theme["selected"], limit: width)
        }
    }
}
