import JSON
import TermCore

/// The pager over the item Enter (or `o` on a review step) opened: a stack's resource, a group, a
/// certificate, a policy, a step's properties. It shows the value whole: it scrolls and folds,
/// a JSON document inside a string is shown as its structure and text of several lines as its
/// lines, long lines wrap (`w`) or scroll sideways (←/→), `/` searches (`n`/`N`), `c` copies it
/// to the clipboard (OSC 52), `v` and `e` open a read-only copy in `$PAGER` and `$EDITOR`.
/// `state.inspector.item` names the item; each screen says what its items' documents are.
enum Inspector {
    /// The document of the item being inspected on the current screen, and its title.
    static func document(_ state: DashboardState) -> (title: String, value: JSONValue)? {
        state.inspector.item.flatMap { state.screen.component.inspected(state, $0) }
    }

    static func lines(_ state: DashboardState) -> [JSONViewer.Line] {
        document(state).map { JSONViewer.lines($0.value, folded: state.inspector.folded) } ?? []
    }

    static func open(_ state: inout DashboardState, _ name: String) {
        state.inspector = InspectorState()
        state.inspector.item = name
    }

    /// Move, fold, search, wrap, copy, hand to a pager; back to the list. nil for the keys every
    /// screen shares (help, commands).
    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        let lines = lines(state)
        let last = max(0, lines.count - 1)
        switch event {
        case .character("j"), .key(.down): state.inspector.selected = min(state.inspector.selected + 1, last)
        case .character("k"), .key(.up): state.inspector.selected = max(0, state.inspector.selected - 1)
        case .key(.pageDown): state.inspector.selected = min(state.inspector.selected + 10, last)
        case .key(.pageUp): state.inspector.selected = max(0, state.inspector.selected - 10)
        case .character("g"), .key(.home): state.inspector.selected = 0
        case .character("G"), .key(.end): state.inspector.selected = last
        case .key(.enter), .character(" "):
            guard lines.indices.contains(state.inspector.selected), lines[state.inspector.selected].foldable else { return [] }
            let path = lines[state.inspector.selected].path
            if state.inspector.folded.contains(path) { state.inspector.folded.remove(path) } else { state.inspector.folded.insert(path) }
        case .character("/"):
            state.inspector.search = ""
        case .character("n"), .character("N"):
            find(&state, lines, forward: event == .character("n"))
        case .character("w"):
            state.inspector.wrap.toggle()
            state.inspector.offset = 0
        case .character("l"), .key(.right):
            if state.inspector.wrap { state.notice = "the lines wrap: w scrolls sideways instead" } else { state.inspector.offset += 8 }
        case .character("h") where state.inspector.offset > 0, .key(.left) where state.inspector.offset > 0:
            state.inspector.offset = max(0, state.inspector.offset - 8)
        case .character("c"):
            guard let document = document(state) else { return [] }
            state.notice = "copied \(document.title) to the clipboard (OSC 52: the terminal must allow it)"
            return [.copyToClipboard(text(document.value))]
        case .character("v"), .character("e"):
            guard let document = document(state) else { return [] }
            return [.openOutside(text(document.value), name: document.title, editor: event == .character("e"))]
        case .character("q"), .key(.escape), .key(.left), .character("h"):
            state.inspector = InspectorState()
        case .character("?"), .character(":"):
            return nil
        default:
            state.notice = "j k scroll  ↵ fold  / search  n N next  w wrap  ← → sideways  c copy  v pager  e editor  esc back"
        }
        return []
    }

    /// The document as text, as the pager and the clipboard get it: pretty JSON, a JSON string
    /// shown as its structure, text of several lines as its lines.
    static func text(_ value: JSONValue) -> String {
        JSONViewer.lines(value, folded: []).map(\.text).joined(separator: "\n") + "\n"
    }

    /// Typing a search: Enter finds it from the cursor on, Esc gives up; Ctrl-U clears.
    static func searchKey(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand] {
        switch event {
        case .key(.enter):
            state.inspector.query = state.inspector.search ?? ""
            state.inspector.search = nil
            state.inspector.selected = max(0, state.inspector.selected - 1)
            find(&state, lines(state), forward: true)
        case .key(.escape):
            state.inspector.search = nil
        default:
            state.inspector.search = InputLine.edited(state.inspector.search ?? "", by: event)
        }
        return []
    }

    /// Moves to the next (or previous) line holding the query, wrapping around; says when there
    /// is none.
    static func find(_ state: inout DashboardState, _ lines: [JSONViewer.Line], forward: Bool) {
        let query = state.inspector.query
        guard !query.isEmpty else { state.notice = "/ searches first"; return }
        let count = lines.count
        for step in 1...max(1, count) {
            let index = ((state.inspector.selected + (forward ? step : -step)) % count + count) % count
            if match(query, in: lines[index].text) != nil {
                let wrapped = forward ? index <= state.inspector.selected : index >= state.inspector.selected
                state.inspector.selected = index
                state.notice = wrapped ? "search wrapped: '\(query)'" : nil
                return
            }
        }
        state.notice = "no match for '\(query)'"
    }

    /// Where `query` first occurs in `text`, ignoring case (character positions).
    static func match(_ query: String, in text: String) -> Range<Int>? {
        let needle = Array(query.lowercased()), haystack = Array(text.lowercased())
        guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start..<start + needle.count
        }
        return nil
    }

    /// The title on the row above `area`, the document's lines in it (scrolled to the cursor;
    /// wrapped or shifted sideways; matches of the search marked).
    static func view(_ state: DashboardState, area: (top: Int, height: Int), into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        let inspector = state.inspector
        let title = document(state)?.title ?? inspector.item ?? ""
        let lines = lines(state)
        let position = lines.isEmpty ? "" : "   line \(inspector.selected + 1) of \(lines.count)" + (inspector.offset > 0 ? ", from column \(inspector.offset + 1)" : "")
        // The keys when they fit beside the title and the position; never cut mid-word.
        let head = " \(title)" + position, keys = "   / search  w wrap  v pager  esc back"
        buffer.put(DisplayWidth.pad(head + (DisplayWidth.of(head + keys) <= buffer.columns ? keys : ""), buffer.columns), row: area.top - 1, column: 0,
                   style: theme[.header])
        var height = area.height
        if let search = inspector.search, height > 0 {
            height -= 1
            buffer.put(DisplayWidth.pad(" /" + search + "▏", buffer.columns), row: area.top + height, column: 0, style: theme[.header])
        }
        let width = max(1, buffer.columns - 1)
        // The rows each line takes: one, or as many as its wrapped text needs.
        func rows(_ line: JSONViewer.Line) -> Int { inspector.wrap ? max(1, (line.text.count + width - 1) / width) : 1 }
        var first = Table.firstVisible(selected: inspector.selected, count: lines.count, height: height)
        if inspector.wrap {
            // The cursor's line stays on screen whole (from its first row).
            var used = lines.indices.contains(inspector.selected) ? rows(lines[inspector.selected]) : 0
            first = inspector.selected
            while first > 0, used + rows(lines[first - 1]) <= height { first -= 1; used += rows(lines[first]) }
        }
        var row = area.top
        var hits: [HitArea] = []
        for (index, line) in lines.enumerated().dropFirst(first) where row < area.top + height {
            let selected = index == inspector.selected
            let role: Theme.Role = ["string": .create, "number": .update, "literal": .replace][line.role] ?? .dim
            var found = theme[.update]
            found.reverse = true
            let keyEnd = line.indent * 2 + (line.key?.count ?? 0)
            let characters = Array(line.text)
            let match = Self.match(inspector.query, in: line.text)
            let chunks: [Range<Int>] = inspector.wrap
                ? stride(from: 0, to: max(1, characters.count), by: width).map { $0..<min(characters.count, $0 + width) }
                : [min(inspector.offset, characters.count)..<min(characters.count, inspector.offset + width)]
            for chunk in chunks where row < area.top + height {
                var x = buffer.put(inspector.offset > 0 && !inspector.wrap ? "…" : " ", row: row, column: 0, style: theme[.dim])
                for position in chunk {
                    let style = selected ? theme[.selected] : match?.contains(position) == true ? found
                        : position < keyEnd ? (position < line.indent * 2 ? theme[.text] : theme[.header]) : theme[role]
                    x += buffer.put(String(characters[position]), row: row, column: x, style: style)
                }
                if !inspector.wrap, characters.count > chunk.upperBound { buffer.put("…", row: row, column: buffer.columns - 1, style: theme[.dim]) }
                if selected, x < buffer.columns { buffer.put(String(repeating: " ", count: buffer.columns - x), row: row, column: x, style: theme[.selected]) }
                hits.append(HitArea(row: row, column: 0, width: buffer.columns, target: .line(index)))
                row += 1
            }
        }
        return hits
    }
}
