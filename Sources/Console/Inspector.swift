import JSON
import TermCore

/// The JSON viewer over the item Enter opened (a stack's resource, a group, a certificate, a
/// policy): it scrolls and folds, so a long document is never cut off. `state.inspector.item`
/// names the item; each screen says what its items' documents are.
enum Inspector {
    /// The document of the item being inspected on the current screen, and its title.
    static func document(_ state: DashboardState) -> (title: String, value: JSONValue)? {
        state.inspector.item.flatMap { state.screen.component.inspected(state, $0) }
    }

    static func lines(_ state: DashboardState) -> [JSONViewer.Line] {
        document(state).map { JSONViewer.lines($0.value, folded: state.inspector.folded) } ?? []
    }

    static func open(_ state: inout DashboardState, _ name: String) {
        state.inspector.item = name
        state.inspector.selected = 0
        state.inspector.folded = []
    }

    /// Move, fold, back to the list; nil for the keys every screen shares (help, commands).
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
        case .character("\n"), .character("\r"), .key(.enter), .character(" "):
            guard lines.indices.contains(state.inspector.selected), lines[state.inspector.selected].foldable else { return [] }
            let path = lines[state.inspector.selected].path
            if state.inspector.folded.contains(path) { state.inspector.folded.remove(path) } else { state.inspector.folded.insert(path) }
        case .character("q"), .character("\u{1b}"), .key(.left):
            state.inspector.item = nil
        case .character("?"), .character(":"):
            return nil
        default:
            break
        }
        return []
    }

    /// The title on the row above `area`, the document's lines in it (scrolled to the cursor).
    static func view(_ state: DashboardState, area: (top: Int, height: Int), into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        let title = document(state)?.title ?? state.inspector.item ?? ""
        let lines = lines(state)
        let position = lines.isEmpty ? "" : "   line \(state.inspector.selected + 1) of \(lines.count)"
        buffer.put(DisplayWidth.pad(" \(title)   ↵ fold  esc back" + position, buffer.columns), row: area.top - 1, column: 0, style: theme[.header])
        let first = Table.firstVisible(selected: state.inspector.selected, count: lines.count, height: area.height)
        for (offset, line) in lines.dropFirst(first).prefix(area.height).enumerated() {
            let row = area.top + offset
            let selected = first + offset == state.inspector.selected
            var x = buffer.put(" " + String(repeating: "  ", count: line.indent), row: row, column: 0, style: selected ? theme[.selected] : theme[.text])
            if let key = line.key { x += buffer.put(key, row: row, column: x, style: selected ? theme[.selected] : theme[.header]) }
            let role: Theme.Role = ["string": .create, "number": .update, "literal": .replace][line.role] ?? .dim
            buffer.put(line.value, row: row, column: x, style: selected ? theme[.selected] : theme[role])
        }
        return HitArea.rows(first: first, count: lines.count, top: area.top, height: area.height, width: buffer.columns, HitArea.Target.line)
    }
}
