import Fleet
import StackEngine
import TermCore

/// The frame for a state: title bar, the screen on top, the status line, the help overlay.
extension Dashboard {
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
            case .groups, .certificates, .policies: FleetScreens.listView(state, into: &buffer)
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
        case .groups, .certificates, .policies:
            left += state.inspecting != nil ? "↵ fold  esc back" : "↵ open  / filter  s sort" + (state.screen == .certificates && !state.readOnly ? "  d deactivate  X revoke" : "") + "  esc back  r reload"
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
        let room = columns - keys.count - 1
        // A notice is text (cut with an ellipsis); key hints are cut between hints, not inside one.
        if let notice = state.notice { left = fitted(" " + notice, room, hints: false) } else { left = fitted(left, room, hints: true) }
        // The keys stay at the right edge; the context is cut to what is left.
        let line = columns >= keys.count + 2 ? DisplayWidth.pad(left, room) + keys + " " : DisplayWidth.pad(" " + keys, columns)
        buffer.put(line, row: buffer.rows - 1, column: 0, style: theme[.status])
    }

    /// `text` in `width` columns: key hints (separated by two spaces) lose whole hints from the
    /// end; other text, or a hint that alone is too wide, ends in "…". One column is kept free.
    static func fitted(_ text: String, _ width: Int, hints: Bool) -> String {
        let room = width - 1
        guard room > 0, DisplayWidth.of(text) > room else { return text }
        if hints {
            // The hints are the runs between two spaces; keep the longest head of them that fits.
            let characters = Array(text)
            var end = characters.count
            while end > 0 {
                guard let gap = (1..<end).last(where: { characters[$0] == " " && characters[$0 - 1] == " " }) else { break }
                end = gap - 1
                let head = String(characters[..<end])
                if DisplayWidth.of(head) <= room, head.contains(where: { $0 != " " }) { return head }
            }
        }
        return DisplayWidth.prefix(text, fitting: room - 1).0 + "…"
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
            lines += ["enter      show or hide a step's diff (j k scroll a long one)", "x          only replaces and deletes"]
            if state.deploy.plan?.blockers.isEmpty == false { lines += ["b          every blocker and how it is cleared"] }
            if !state.readOnly { lines += ["y          approve (production: type the name)", "c          destroy: clear the blockers too"] }
            lines += ["n          back without changing anything"]
        case .deploy:
            lines += ["c esc      cancel (asks; in-flight steps finish)", "Ctrl-C     cancel at once; again to quit", "Ctrl-Z     suspend (fg resumes)"]
        case .messages:
            lines += ["space p    pause (messages keep arriving, counted)", "j k g G    scroll back; G follows the newest",
                      "enter      detail: JSON, changes, sparkline; z folds", "PgDn PgUp  scroll the detail (J K a line)", "/          search topics and payloads",
                      "s  :tail F subscribe; :untail F unsubscribes", "P          publish (:publish TOPIC PAYLOAD [qos=1] [retain])",
                      "w t T      wrap, timestamps, topic tree", "R          record to a JSON-lines file", "c          clear the buffer"]
        case .devices:
            lines += ["enter      the device: groups, certificates, policies, shadows", "/          filter (text, or a regex; ! inverts)",
                      ":search Q  the fleet index query language", "space      mark; a adds the marked ones to a group (a plan)",
                      "A          attach a policy to the marked ones' certificates (a plan)", "s S        sort by the next column, reverse"]
        case .device:
            lines += ["tab        next shadow", "e          edit desired (JSON, checked as you type; sent with the version)",
                      "D          delete this named shadow (asks)", "v          what changed between the versions seen ([ ] { } pick them)"]
        case .groups, .certificates, .policies:
            lines += ["enter      open: the whole document, scrolled and folded", "/          filter (text, or a regex; ! inverts)",
                      "s S        sort by the next column, reverse", ":things :groups :certs [DAYS] :policies   the fleet screens"]
            if state.screen == .certificates, !state.readOnly { lines += ["d X        deactivate, revoke (for good) the selected one: a plan, y approves"] }
        case .fleetPlan:
            lines += [":things :groups :certs [DAYS] :policies   the fleet screens"]
        }
        return lines
    }
}
