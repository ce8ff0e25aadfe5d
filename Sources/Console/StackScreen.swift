import FleetValues
import JSON
import StackEngine
import TermCore

/// A stack: its resources as a dependency tree (with a JSON viewer of each one's properties),
/// its outputs (secrets masked, `v` reveals), and its history; `p`, `d`, `R` start an update,
/// a destroy or a refresh review.
enum StackScreen {
    /// Each resource under the first resource of the stack it depends on.
    static func tree(_ resources: [ResourceRow], filter: String) -> [TreeNode] {
        let matcher = TextFilter(filter)
        let shown = resources.filter { matcher.matches("\($0.name) \($0.type) \($0.id)") }
        let names = Set(shown.map(\.name))
        var children: [String: [ResourceRow]] = [:]
        var roots: [ResourceRow] = []
        for resource in shown {
            if let parent = resource.dependencies.first(where: { names.contains($0) && $0 != resource.name }) {
                children[parent, default: []].append(resource)
            } else {
                roots.append(resource)
            }
        }
        var placed: Set<String> = []
        func node(_ resource: ResourceRow) -> TreeNode {
            placed.insert(resource.name)
            let below = (children[resource.name] ?? []).filter { !placed.contains($0.name) }
            return TreeNode(id: resource.name, label: resource.name, children: below.map(node))
        }
        var nodes = roots.map(node)
        // A dependency cycle has no root: its members are shown at the top level.
        nodes += shown.filter { !placed.contains($0.name) }.map(node)
        return nodes
    }

    static func treeLines(_ state: DashboardState) -> [TreeNode.Line] {
        TreeNode.flatten(tree(state.stackScreen.detail?.resources ?? [], filter: state.filter), folded: state.stackScreen.folded)
    }

    static func outputs(_ state: DashboardState) -> [StackDetailReader.Output] { state.stackScreen.revealed ?? state.stackScreen.detail?.outputs ?? [] }

    static func rowCount(_ state: DashboardState) -> Int {
        if state.inspector.item != nil { return Inspector.lines(state).count }
        switch state.stackScreen.tab {
        case .resources: return treeLines(state).count
        case .outputs: return outputs(state).count
        case .history: return state.stackScreen.detail?.history.count ?? 0
        }
    }

    static func filters(_ state: DashboardState) -> Bool {
        state.screen.shown(by: StackScreen.self) && state.stackScreen.tab == .resources && state.inspector.item == nil
    }

    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) {
        // Title, tabs, the table's header, the list, the plan summary, a gap, the status line.
        let parts = Layout.split(state.rows, [.fixed(1), .fixed(1), .fixed(1), .fill, .fixed(1), .fixed(1), .fixed(1)])
        return (parts[3].offset, parts[3].size)
    }

    static func key(_ state: inout DashboardState, stack: String, _ event: TerminalEvent) -> [DashboardCommand]? {
        if state.inspector.item != nil { return Inspector.key(&state, event) }
        switch event {
        case .character("\t"), .key(.backTab):  // Tab, Shift-Tab
            let tabs = StackTab.allCases
            let index = tabs.firstIndex(of: state.stackScreen.tab)!
            state.stackScreen.tab = tabs[(index + (event == .key(.backTab) ? tabs.count - 1 : 1)) % tabs.count]
            state.selected = 0
            return []
        case .character("1"), .character("2"), .character("3"):
            if case .character(let c) = event, let digit = c.wholeNumberValue { state.stackScreen.tab = StackTab.allCases[digit - 1] }
            state.selected = 0
            return []
        case .character("p"), .character("u"):
            return review(&state, stack: stack, .update)
        case .character("d"):
            return review(&state, stack: stack, .destroy)
        case .character("R"):
            return review(&state, stack: stack, .refresh)
        case .character("v"):
            if state.stackScreen.revealed != nil {
                state.stackScreen.revealed = nil
                state.notice = "secrets hidden"
                return []
            }
            state.stackScreen.tab = .outputs
            // Nothing to reveal is said as such (not "secrets shown" over plain outputs).
            guard state.stackScreen.detail?.outputs.contains(where: \.secret) ?? true else {
                state.notice = "this stack has no secret outputs: every value is shown"
                return []
            }
            state.notice = "secrets shown until v, or leaving the stack"
            return [.reveal(stack)]
        case .key(.enter):
            if state.stackScreen.tab == .history {
                // An update's record whole: what changed, the config it ran with, who ran it.
                guard state.stackScreen.detail?.history.indices.contains(state.selected) == true else { return [] }
                Inspector.open(&state, "history:\(state.selected)")
                return []
            }
            let lines = treeLines(state)
            guard state.stackScreen.tab == .resources, lines.indices.contains(state.selected) else { return [] }
            Inspector.open(&state, lines[state.selected].id)
            return []
        case .character(" "), .key(.left), .key(.right), .character("h"), .character("l"):
            let lines = treeLines(state)
            guard state.stackScreen.tab == .resources, lines.indices.contains(state.selected), lines[state.selected].hasChildren else { return [] }
            let id = lines[state.selected].id
            switch event {
            case .key(.left), .character("h"): state.stackScreen.folded.insert(id)
            case .key(.right), .character("l"): state.stackScreen.folded.remove(id)
            default: if state.stackScreen.folded.contains(id) { state.stackScreen.folded.remove(id) } else { state.stackScreen.folded.insert(id) }
            }
            return []
        default:
            return nil
        }
    }

    /// Opens the review of an update, a destroy or a refresh (reviewing changes nothing, so it is
    /// allowed read-only; approving is not).
    /// The plan is always made anew from the files and state as they are now (a plan computed
    /// earlier in the background could be stale).
    static func review(_ state: inout DashboardState, stack: String, _ operation: Operation) -> [DashboardCommand] {
        state.screens.append(.plan(stack, operation))
        state.deploy = DeployState()
        state.selected = 0
        state.notice = nil
        return [.preview(stack, operation)]
    }

    static func view(_ state: DashboardState, name: String, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        guard let detail = state.stackScreen.detail else { buffer.put(Dashboard.waiting(state, "Loading \(name)"), row: 2, column: 1, style: theme[.dim]); return [] }
        let counts: [StackTab: Int] = [.resources: detail.resources.count, .outputs: detail.outputs.count, .history: detail.history.count]
        var x = 1
        var hits: [HitArea] = []
        for (number, tab) in StackTab.allCases.enumerated() {
            let label = " \(tab.rawValue.prefix(1).uppercased() + tab.rawValue.dropFirst()) (\(counts[tab] ?? 0)) "
            let width = buffer.put(label, row: 1, column: x, style: tab == state.stackScreen.tab ? theme[.selected] : theme[.header])
            hits.append(HitArea(row: 1, column: x, width: width, target: .key(.character(Character(String(number + 1))))))
            x += width + 1
        }
        if !detail.pending.isEmpty {
            buffer.put("  ! pending: " + detail.pending.joined(separator: ", "), row: 1, column: x, style: theme[.error])
        }
        let area = listArea(state)
        if state.inspector.item != nil {
            hits += Inspector.view(state, area: area, into: &buffer)
        } else {
            let first: Int
            switch state.stackScreen.tab {
            case .resources: first = resources(state, detail: detail, area: area, into: &buffer)
            case .outputs: first = outputsTab(state, area: area, into: &buffer)
            case .history: first = history(state, detail: detail, area: area, into: &buffer)
            }
            hits += HitArea.rows(first: first, count: rowCount(state), top: area.top, height: area.height, width: buffer.columns)
        }
        let planRow = area.top + area.height
        if planRow < buffer.rows - 1 {
            let plan = state.deploy.plan.map { "Plan: \($0.counts)" + ($0.massDelete.map { "  ! \($0)" } ?? "") + ($0.rows.isEmpty ? "" : "   p to review") } ?? "Plan: computing…"
            let style = state.deploy.plan?.massDelete != nil ? theme[.error] : state.deploy.plan?.rows.isEmpty == false ? theme[.update] : theme[.dim]
            buffer.put(" " + plan, row: planRow, column: 0, style: style)
        }
        return hits
    }

    /// Returns the first row shown.
    static func resources(_ state: DashboardState, detail: StackDetail, area: (top: Int, height: Int), into buffer: inout CellBuffer) -> Int {
        let theme = state.theme
        let byName = Dictionary(detail.resources.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let lines = treeLines(state)
        let rows = lines.map { line -> [String] in
            let resource = byName[line.id]
            return [line.prefix + line.label + (resource?.protected == true ? " 🔒" : ""), resource?.type ?? "", resource?.status ?? "", resource?.id ?? ""]
        }
        let columns = Table.fitted(["RESOURCE", "TYPE", "STATUS", "ID"], rows: rows, limits: [36, 36, 10], width: buffer.columns)
        let first = Table(columns: columns, rows: rows).draw(into: &buffer, top: area.top - 1, height: area.height + 1, selected: state.selected, sort: nil,
                                                  header: theme[.header], selectedStyle: theme[.selected]) { index in
            byName[lines[index].id]?.status == "ok" ? theme[.text] : theme[.error]
        }
        if detail.resources.isEmpty { buffer.put("No resources yet: p reviews the first deploy.", row: area.top, column: 1, style: theme[.dim]) }
        return first
    }

    /// Returns the first row shown.
    static func outputsTab(_ state: DashboardState, area: (top: Int, height: Int), into buffer: inout CellBuffer) -> Int {
        let theme = state.theme
        let outputs = outputs(state)
        let hint = state.stackScreen.revealed == nil || !(state.stackScreen.detail?.outputs.contains(where: \.secret) ?? false)
            ? (outputs.contains { $0.secret } ? "   v reveals secrets" : "") : "   SECRETS SHOWN: v hides"
        let columns = Table.fitted(["OUTPUT", "VALUE" + hint], rows: outputs.map { [$0.name, $0.value] }, limits: [32], width: buffer.columns)
        let first = Table(columns: columns, rows: outputs.map { [$0.name, $0.value] }).draw(
            into: &buffer, top: area.top - 1, height: area.height + 1, selected: state.selected, sort: nil,
            header: theme[.header], selectedStyle: theme[.selected]) { index in outputs[index].secret ? theme[.production] : theme[.text] }
        if outputs.isEmpty { buffer.put("No outputs.", row: area.top, column: 1, style: theme[.dim]) }
        return first
    }

    /// Returns the first row shown.
    static func history(_ state: DashboardState, detail: StackDetail, area: (top: Int, height: Int), into buffer: inout CellBuffer) -> Int {
        let theme = state.theme
        let entries = detail.history
        let rows = entries.map { [$0.start, $0.duration, $0.kind, $0.result, $0.changes, $0.planHash ?? "-", $0.user ?? "-"] }
        let columns = Table.fitted(["STARTED", "TOOK", "KIND", "RESULT", "CHANGES", "PLAN", "BY"], rows: rows, limits: [22, 8, 9, 11, 30, 18],
                                   width: buffer.columns)
        let first = Table(columns: columns, rows: rows).draw(
            into: &buffer, top: area.top - 1, height: area.height + 1, selected: state.selected, sort: nil,
            header: theme[.header], selectedStyle: theme[.selected]) { index in entries[index].result == "succeeded" ? theme[.text] : theme[.error] }
        if entries.isEmpty { buffer.put("No updates recorded yet.", row: area.top, column: 1, style: theme[.dim]) }
        return first
    }
}

extension StackScreen: ScreenComponent {
    static func inspected(_ state: DashboardState, _ id: String) -> (title: String, value: JSONValue)? {
        if id.hasPrefix("history:"), let index = Int(id.dropFirst(8)), let entries = state.stackScreen.detail?.history, entries.indices.contains(index) {
            return ("\(entries[index].kind) of \(entries[index].start): \(entries[index].result)", entries[index].record)
        }
        return state.stackScreen.detail?.resources.first { $0.name == id }.map { ("\(id)  \($0.type)", $0.properties) }
    }
    static var aboutAStack: Bool { true }
    static func title(_ screen: Screen) -> String { screen.stackName ?? "" }
    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        key(&state, stack: state.screen.stackName ?? "", event)
    }
    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] { view(state, name: state.screen.stackName ?? "", into: &buffer) }
    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["stack"], arguments: { $0.stacks.all.map(\.name).sorted() }) { state, argument, _ in
            guard !argument.isEmpty else { state.notice = ":stack needs a stack's name (Tab completes)"; return [] }
            guard state.stacks.all.contains(where: { $0.name == argument }) else {
                state.notice = "no stack '\(argument)' (stacks: \(state.stacks.all.map(\.name).sorted().joined(separator: ", ")))"
                return []
            }
            if CommandMode.deployHolds(&state) { return [] }
            return Dashboard.open(&state, stack: argument)
        }]
    }
    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        switch message {
        case .stackLoaded(let detail):
            // Read for the stack on screen (or under review, or deploying); a late answer for
            // another is dropped.
            if state.screen.stackName == detail.name { state.stackScreen.detail = detail }
        case .planned(let plan, .update) where state.screen == .stack(plan.stack):
            state.deploy.plan = plan
        case .revealed(let stack, let outputs) where state.screen == .stack(stack):
            state.stackScreen.revealed = outputs
        case .sourcesChanged(let stack, let fingerprint) where state.screen == .stack(stack) && Dashboard.planIsStale(state, fingerprint):
            // Whatever was planned from the old files is stale: plan again.
            state.notice = "the program, config or state changed on disk: planned again"
            return [.loadStack(stack), .preview(stack, .update)]
        default:
            break
        }
        return []
    }
    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        guard state.screen.shown(by: StackScreen.self), let name = state.screen.subject else { return nil }
        return [.loadStack(name), .preview(name, .update), .checkConnection]
    }
    /// Back from a review or a deploy: the plan is made again (the one shown may be stale or
    /// executed), unless an update was only reviewed, not approved: that plan stays valid.
    static func returned(_ state: inout DashboardState, from leaving: Screen) -> [DashboardCommand] {
        if leaving.shown(by: PlanScreen.self), leaving.operation == .update, let plan = state.deploy.plan {
            state.deploy = DeployState()
            state.deploy.plan = plan
            return []
        }
        state.deploy = DeployState()
        guard let name = state.screen.stackName else { return [] }
        return [.loadStack(name), .preview(name, .update)]
    }
    static func hints(_ state: DashboardState) -> String {
        Dashboard.stackContext(state, state.screen.stackName ?? "", place: true) + (state.readOnly ? "  tab view" : "  p plan  d destroy  R refresh  tab")
    }
    static func help(_ state: DashboardState) -> [String] {
        ["tab 1 2 3  resources, outputs, history", "/          filter resources", "space ← →  fold, unfold the tree"]
            + (state.readOnly ? [] : ["p          review the update plan", "d          review a destroy", "R          refresh: review drift"])
            + ["v          reveal or hide secret outputs"]
    }
}

extension Screen {
    /// A stack: its resources, outputs and history.
    public static func stack(_ name: String) -> Screen { Screen(StackScreen.self, subject: name) }
}
