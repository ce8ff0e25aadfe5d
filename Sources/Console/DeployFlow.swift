import JSON
import StackEngine
import TermCore

/// Keys and events of the review, approve and deploy screens.
enum DeployFlowUpdate {
    /// Plan screen keys; nil when the key is not the plan screen's (the common keys apply).
    static func planKey(_ state: inout DashboardState, stack: String, _ event: TerminalEvent) -> [DashboardCommand]? {
        guard let plan = state.deploy.plan else {
            // No plan on screen yet (or it could not be made): every key acts or says why not.
            switch event {
            case .character("n"), .character("q"), .key(.escape): return Dashboard.back(&state)
            case .character("p"), .character("r"): return Dashboard.reload(&state)
            case .character("?"): return nil
            default:
                if let failure = state.deploy.result {
                    state.notice = "no plan to act on (\(failure)): p plans again"
                } else {
                    state.notice = "the plan is being made" + (event == .character("y") ? ": y approves it once it is shown" : "; keys act on it once it is shown")
                }
                return []
            }
        }
        if state.inspector.item != nil { return Inspector.key(&state, event) }
        switch event {
        case .key(.enter):
            if state.deploy.expanded.contains(state.selected) { state.deploy.expanded.remove(state.selected) } else { state.deploy.expanded.insert(state.selected) }
            state.deploy.diffOffset = 0
            return []
        case .character("j"), .key(.down), .character("k"), .key(.up):
            move(&state, plan, down: event == .character("j") || event == .key(.down))
            return []
        case .character("o"):
            // The step's properties whole, in the pager (a policy document as its structure).
            guard plan.rows.indices.contains(state.selected) else { return [] }
            Inspector.open(&state, "step:\(state.selected)")
            return []
        case .character("b") where !plan.blockers.isEmpty:
            Inspector.open(&state, "blockers")
            return []
        case .character("x"):
            state.deploy.onlyDestructive.toggle()
            if state.deploy.onlyDestructive, let first = DeployFlowView.lines(state, plan).first { state.selected = first.0 }
            state.deploy.diffOffset = 0
            return []
        case .character("c") where plan.operation == .destroy && !plan.blockers.isEmpty:
            state.deploy.clearBlockers.toggle()
            return []
        case .character("p"):
            return Dashboard.reload(&state)  // plan again from the files as they are now
        case .character("n"), .character("q"), .key(.escape):
            let commands = Dashboard.back(&state)
            state.notice = "not \(plan.operation == .refresh ? "recorded" : "deployed"): nothing was changed"
            return commands
        case .character("y"):
            if Dashboard.refused(&state, "approving") { return [] }
            guard !plan.rows.isEmpty || !plan.outputChanges.isEmpty else { state.notice = "nothing to do: " + plan.counts; return [] }
            if !plan.blockers.isEmpty, !state.deploy.clearBlockers {
                state.notice = "blocked: press c to clear the blockers (\(plan.remedies.joined(separator: "; "))) as part of the destroy"
                return []
            }
            if plan.needsTypedName {
                state.deploy.typed = ""
                state.notice = nil
                return []
            }
            return start(&state, stack: stack, plan: plan)
        default:
            return nil
        }
    }

    /// j and k: through the open diff of the selected step first (a line at a time, while some of
    /// it is below the screen), then to the next step shown (`x` may hide some).
    static func move(_ state: inout DashboardState, _ plan: PlanView, down: Bool) {
        // The common case costs nothing (a review of thousands of steps scrolls per key): no
        // diff open on the selected step, every step shown.
        if !state.deploy.expanded.contains(state.selected), !state.deploy.onlyDestructive {
            state.selected = down ? min(state.selected + 1, max(0, plan.rows.count - 1)) : max(state.selected - 1, 0)
            state.deploy.diffOffset = 0
            return
        }
        let lines = DeployFlowView.lines(state, plan)
        let height = Dashboard.listArea(state).height
        let steps = lines.filter { $0.1 == nil }.map(\.0)
        if down, state.deploy.expanded.contains(state.selected) {
            let last = lines.lastIndex { $0.0 == state.selected } ?? 0
            if last >= DeployFlowView.firstLine(state, lines, height: height) + height {
                state.deploy.diffOffset += 1
                return
            }
        }
        if !down, state.deploy.diffOffset > 0 {
            state.deploy.diffOffset -= 1
            return
        }
        guard let at = steps.firstIndex(of: state.selected) ?? steps.indices.first else { return }
        let next = steps[down ? min(at + 1, steps.count - 1) : max(at - 1, 0)]
        if next != state.selected { (state.selected, state.deploy.diffOffset) = (next, 0) }
    }

    /// Typing the stack's name to approve a production plan or one that replaces or deletes.
    static func typing(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand] {
        guard state.screen.shown(by: PlanScreen.self), let stack = state.screen.subject, let plan = state.deploy.plan else { state.deploy.typed = nil; return [] }
        switch event {
        case .key(.escape):
            state.deploy.typed = nil
            state.notice = "approval cancelled"
        case .key(.enter):
            if state.deploy.typed == stack {
                state.deploy.typed = nil
                return start(&state, stack: stack, plan: plan)
            }
            state.notice = "that is not '\(stack)': type the stack's name exactly, or esc"
            state.deploy.typed = ""
        case .character("\u{7f}"), .character("\u{08}"), .key(.backspace):
            if !(state.deploy.typed ?? "").isEmpty { state.deploy.typed?.removeLast() }
        case .character(let character):
            if !character.isNewline { state.deploy.typed?.append(character) }
        default:
            break
        }
        return []
    }

    static func start(_ state: inout DashboardState, stack: String, plan: PlanView) -> [DashboardCommand] {
        state.screens[state.screens.count - 1] = .deploy(stack, plan.operation)
        state.deploy.rows = plan.rows.map { DeployRow(name: $0.name, kind: $0.kind, status: .waiting) }
        state.deploy.startedAt = state.uptime
        state.deploy.log = ["approved \(plan.title.lowercased()) \(plan.hash)" + (state.deploy.clearBlockers ? ", clearing \(plan.blockers.count) blocker(s)" : "")]
        state.selected = 0
        state.notice = nil
        return [.deploy(stack, hash: plan.hash, clearBlockers: state.deploy.clearBlockers)]
    }

    /// Deploy screen keys while it runs: cancelling asks first; Ctrl-C cancels at once.
    static func deployKey(_ state: inout DashboardState, stack: String, _ event: TerminalEvent) -> [DashboardCommand]? {
        guard state.deploy.result == nil else { return nil }
        if state.deploy.confirmingCancel {
            state.deploy.confirmingCancel = false
            if case .character("y") = event { return cancel(&state, stack: stack) }
            return []
        }
        switch event {
        case .character("c"), .character("q"), .key(.escape):
            if !state.deploy.cancelling { state.deploy.confirmingCancel = true }
            return []
        case .interrupt:
            return state.deploy.cancelling ? [] : cancel(&state, stack: stack)
        case .character("j"), .character("k"), .key(.down), .key(.up), .character("?"):
            return nil
        default:
            state.notice = "\(state.deploy.cancelling ? "cancelling" : "running"): c cancels (the steps in flight finish); other keys act once it has ended"
            return []
        }
    }

    static func cancel(_ state: inout DashboardState, stack: String) -> [DashboardCommand] {
        state.deploy.cancelling = true
        state.deploy.log.append("cancelling: no new step starts; the \(state.deploy.running) in flight finish")
        return [.cancel(stack)]
    }

    static func apply(_ event: EngineEvent, to deploy: inout DeployState) {
        func set(_ name: String, _ status: DeployRow.Status) {
            if let index = deploy.rows.firstIndex(where: { $0.name == name }) { deploy.rows[index].status = status }
        }
        if let line = PlanText.event(event) { deploy.log.append(line) }
        switch event {
        case .stepStarted(let step): set(step.urn.name, .running)
        case .stepFinished(let step, let seconds): set(step.urn.name, .done(seconds))
        case .stepFailed(let step, let error, _): set(step.urn.name, .failed(error))
        default: break
        }
    }
}

/// The review and deploy screens.
enum DeployFlowView {
    static func role(_ kind: StepKind) -> Theme.Role {
        switch kind {
        case .create, .import: return .create
        case .update, .refresh: return .update
        case .replace: return .replace
        case .delete: return .delete
        default: return .text
        }
    }

    /// The plan's visible lines: (step index, nil) for a step, (step index, line) for its diff.
    static func lines(_ state: DashboardState, _ plan: PlanView) -> [(Int, String?)] {
        var lines: [(Int, String?)] = []
        for (index, row) in plan.rows.enumerated() where !state.deploy.onlyDestructive || row.kind == .replace || row.kind == .delete {
            lines.append((index, nil))
            if state.deploy.expanded.contains(index) { lines += row.diff.map { (index, $0) } }
        }
        return lines
    }

    /// The first line shown: the selected step in view; when its diff is open, as much of the
    /// diff as fits under it, and further down by the lines j has scrolled.
    static func firstLine(_ state: DashboardState, _ lines: [(Int, String?)], height: Int) -> Int {
        let position = lines.firstIndex { $0.0 == state.selected && $0.1 == nil } ?? 0
        var first = Table.firstVisible(selected: position, count: lines.count, height: height)
        if state.deploy.expanded.contains(state.selected), let last = lines.lastIndex(where: { $0.0 == state.selected }) {
            first = max(first, min(position, last - height + 1)) + state.deploy.diffOffset
            first = min(first, max(0, last - height + 1), position + state.deploy.diffOffset)
        }
        return max(0, first)
    }

    /// Rows above the steps: the header, and for a blocked destroy the blockers (3 of them; `b`
    /// lists them all).
    static func planTop(_ plan: PlanView) -> Int { plan.blockers.isEmpty ? 2 : 3 + min(plan.blockers.count, 3) + (plan.blockers.count > 3 ? 1 : 0) }

    /// The blockers of a destroy and how each is cleared, for the inspector (`b`).
    static func blockersDocument(_ plan: PlanView) -> JSONValue {
        .array(zip(plan.blockers, plan.remedies).map { blocker, remedy in
            var object = JSONObject()
            object["blocker"] = .string(blocker)
            object["clearedBy"] = .string(remedy)
            return .object(object)
        })
    }

    /// The review; a click on a step or its diff selects the step.
    static func plan(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        guard let plan = state.deploy.plan else {
            buffer.put(state.deploy.result ?? Dashboard.waiting(state, "Planning"), row: 2, column: 1, style: state.deploy.result == nil ? theme[.dim] : theme[.error])
            return []
        }
        let columns = buffer.columns
        let header = " \(plan.title) \(plan.hash): \(plan.counts)" + (plan.massDelete.map { "  ! \($0)" } ?? "")
        buffer.put(DisplayWidth.pad(header, columns), row: 1, column: 0, style: plan.massDelete == nil ? theme[.header] : theme[.error])
        if !plan.blockers.isEmpty {
            let mark = state.deploy.clearBlockers ? "[x]" : "[ ]"
            buffer.put(" \(mark) c: clear \(plan.blockers.count) blocker\(plan.blockers.count == 1 ? "" : "s") the stack does not own, then destroy",
                       row: 2, column: 0, style: theme[.error])
            for (offset, blocker) in plan.blockers.prefix(3).enumerated() {
                buffer.put("     ! " + blocker, row: 3 + offset, column: 0, style: theme[.error])
            }
            if plan.blockers.count > 3 {
                buffer.put("     … and \(plan.blockers.count - 3) more: b lists them all", row: 6, column: 0, style: theme[.error])
            }
        }
        let top = planTop(plan)
        if state.inspector.item != nil { return Inspector.view(state, area: (top, max(0, buffer.rows - 2 - top)), into: &buffer) }
        let height = max(0, buffer.rows - 2 - top)
        let lines = lines(state, plan)
        let first = firstLine(state, lines, height: height)
        // Steps in columns that give way on a narrow screen, never touching.
        let table = Table.fitted(["", "TYPE", "NAME", "CHANGE"], rows: plan.rows.map { ["", $0.type, $0.name, $0.summary] }, limits: [3, 60, 64],
                                 width: columns, lastMinimum: 14)
        var hits: [HitArea] = []
        for (offset, (index, diff)) in lines.dropFirst(first).prefix(height).enumerated() {
            hits.append(HitArea(row: top + offset, width: columns, target: .row(index)))
            if let diff {
                buffer.put(diff, row: top + offset, column: 0, style: theme[.dim])
                continue
            }
            let step = plan.rows[index]
            Table.put([step.kind.glyph, step.type, step.name, step.summary], columns: table, row: top + offset,
                      style: index == state.selected ? theme[.selected] : theme[role(step.kind)], into: &buffer)
        }
        if plan.rows.isEmpty { buffer.put("Nothing to do: \(plan.counts).", row: top, column: 1, style: theme[.dim]) }
        if let typed = state.deploy.typed {
            let prompt = " Type '\(plan.stack)' to approve\(plan.production ? " (production)" : "") this \(plan.title.lowercased()): \(typed)▏"
            buffer.put(DisplayWidth.pad(prompt, columns), row: buffer.rows - 2, column: 0, style: theme[.production])
        }
        return hits
    }

    /// The deploy as it runs: nothing in it takes a click.
    static func deploy(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        let deploy = state.deploy
        let width = max(10, min(40, buffer.columns - 40))
        let elapsed = PlanText.format(deploy.elapsed)
        buffer.put(" \(Gauge.progress(done: deploy.done, total: deploy.rows.count, width: width)) \(deploy.done)/\(deploy.rows.count)  \(elapsed)s",
                   row: 1, column: 0, style: theme[.header])
        // Title, progress, the steps, the event log, the result line, the status line.
        let parts = Layout.split(buffer.rows, [.fixed(1), .fixed(1), .min(2), .fixed(6), .fixed(1), .fixed(1)])
        let (listHeight, logHeight) = (parts[2].size, parts[3].size)
        // Keep the running steps in view: start at the first step not done.
        let firstPending = deploy.rows.firstIndex { if case .done = $0.status { return false }; return true } ?? max(0, deploy.rows.count - 1)
        let first = max(0, min(firstPending, deploy.rows.count - listHeight))
        let table = Table.fitted(["", "NAME", "STATUS"], rows: deploy.rows.map { ["", $0.name, ""] }, limits: [3, 40], width: buffer.columns, lastMinimum: 16)
        for (offset, item) in deploy.rows.dropFirst(first).prefix(listHeight).enumerated() {
            let (text, role): (String, Theme.Role)
            switch item.status {
            case .waiting: (text, role) = ("waiting", .dim)
            case .running: (text, role) = ("running…", .update)
            case .done(let seconds): (text, role) = ("done \(PlanText.format(seconds))s", .create)
            case .failed(let error): (text, role) = ("failed: \(error)", .error)
            }
            Table.put([item.kind.glyph, item.name, text], columns: table, row: 2 + offset, style: theme[role], into: &buffer)
        }
        let logTop = parts[3].offset
        for (offset, line) in deploy.log.suffix(logHeight).enumerated() {
            buffer.put(line, row: logTop + offset, column: 0, style: theme[.dim])
        }
        if let result = deploy.result {
            buffer.put(DisplayWidth.pad(" " + result, buffer.columns), row: buffer.rows - 2, column: 0, style: deploy.failed ? theme[.error] : theme[.create])
        } else if deploy.confirmingCancel {
            let inFlight = deploy.running == 0 ? "No step is in flight; none starts after this."
                : deploy.running == 1 ? "The step in flight finishes and is recorded." : "The \(deploy.running) steps in flight finish and are recorded."
            buffer.put(DisplayWidth.pad(" Cancel the deploy? \(inFlight) y cancel, any other key goes on",
                                        buffer.columns), row: buffer.rows - 2, column: 0, style: theme[.production])
        }
        return []
    }
}
