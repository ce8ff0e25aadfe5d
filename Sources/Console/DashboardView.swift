import FleetValues
import StackEngine
import TermCore

/// The frame for a state: title bar, the screen on top, the status line, the help overlay.
extension Dashboard {
    public static func view(_ state: DashboardState, rows: Int, columns: Int) -> CellBuffer { frame(state, rows: rows, columns: columns).buffer }

    /// The frame, and what a click does on each part of it the screen's component drew (none
    /// under the help overlay, the title bar or the status line).
    static func frame(_ state: DashboardState, rows: Int, columns: Int) -> (buffer: CellBuffer, hits: [HitArea]) {
        var state = state
        state.rows = rows
        state.columns = columns
        let theme = state.theme
        var buffer = CellBuffer(rows: rows, columns: columns)
        guard rows > 0, columns > 0 else { return (buffer, []) }
        titleBar(state, into: &buffer)
        var hits = rows > 2 ? state.screen.component.view(state, into: &buffer) : []
        if rows > 1 { statusLine(state, into: &buffer) }
        if state.showHelp {
            buffer.modal(title: "Keys: \(screenName(state.screen))", lines: help(state), width: 68, style: theme[.selected], titleStyle: theme[.title])
            hits = []
        }
        return (buffer, hits.filter { $0.row > 0 && $0.row < rows - 1 })
    }

    static func screenName(_ screen: Screen) -> String { screen.component.title(screen) }

    /// Breadcrumbs on the left, the AWS connection on the right.
    static func titleBar(_ state: DashboardState, into buffer: inout CellBuffer) {
        let theme = state.theme
        let crumbs = ["Fleetdeck", state.project.isEmpty ? "no project" : state.project] + state.screens.dropFirst().map(screenName)
        let connection: String
        switch state.connection {
        case .checking: connection = "… aws"
        case .connected(let who):
            // Inside a stack: its own account and region (they may not be the credentials' default).
            let parts = who.split(separator: " ").map(String.init)
            if let name = state.screen.stackName, let stack = state.stacks.all.first(where: { $0.name == name }), parts.count == 2 {
                let account = stack.account ?? parts[0], region = stack.region ?? parts[1]
                connection = account == parts[0] ? "● \(account) \(region)" : "○ stack's account \(account), credentials' \(parts[0])"
            } else {
                connection = "● " + who
            }
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
        var left = " " + state.screen.component.hints(state)
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
        // Text is cut between words when it can be (? shows a notice whole).
        let head = DisplayWidth.prefix(text, fitting: room - 1).0
        let endsAWord = text.dropFirst(head.count).first == " "
        if !hints, !endsAWord, let space = head.lastIndex(of: " "), head.distance(from: head.startIndex, to: space) > head.count / 2 {
            return String(head[..<space]) + " …"
        }
        return head + "…"
    }

    /// Every key of the current screen.
    static func help(_ state: DashboardState) -> [String] {
        ["j k ↓ ↑    move          g G   first, last", "PgDn PgUp  page          ?     this help",
         "r          reload        esc q back (q quits at the top)", "Ctrl-L     redraw the whole screen"]
            + commandLines() + state.screen.component.help(state) + noticeLines(state)
    }

    /// The notice on the status line, whole, for when the line had to cut it.
    static func noticeLines(_ state: DashboardState) -> [String] {
        guard let notice = state.notice, DisplayWidth.of(notice) > state.columns - 20 else { return [] }
        var lines = [""], line = "said:      "
        for word in notice.split(separator: " ") {
            if line.count + word.count > 64 { lines.append(line); line = "           " }
            line += word + " "
        }
        return lines + [line]
    }

    /// Every `:` command, wrapped to the help's width (Tab completes them and their arguments).
    static func commandLines() -> [String] {
        var lines: [String] = []
        var line = ":          "
        for name in CommandMode.commands.map({ ":" + $0 }) {
            if line.count + name.count > 64 {
                lines.append(line)
                line = "           "
            }
            line += name + " "
        }
        return lines + [line, "           (Tab completes a command and its arguments)"]
    }
}
