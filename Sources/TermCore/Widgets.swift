import JSON

/// A table: a sticky header, one selected row kept in view, and sorting by a column.
public struct Table: Sendable {
    public struct Column: Sendable, Equatable {
        public var title: String
        /// Display columns; the last column takes what is left.
        public var width: Int
        public init(_ title: String, _ width: Int) {
            self.title = title
            self.width = width
        }
    }

    public var columns: [Column]
    public var rows: [[String]]
    public init(columns: [Column], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }

    /// Columns as wide as their widest cell plus a gap (at least the title, and in a `sortable`
    /// table the title with its sort mark, so the mark is never cut; at most `limits`); the last
    /// one takes the rest of the line.
    /// In a line `width` wide, the columns give way when they do not all fit, the widest first
    /// (none below its title, or four columns), and the last keeps at least `lastMinimum`.
    public static func fitted(_ titles: [String], rows: [[String]], limits: [Int], sortable: Bool = false, width: Int? = nil,
                              lastMinimum: Int = 6) -> [Column] {
        var columns = titles.enumerated().map { index, title in
            let heading = DisplayWidth.of(title) + (sortable ? 2 : 0)
            let widest = rows.reduce(heading) { max($0, index < $1.count ? DisplayWidth.of($1[index]) : 0) }
            return Column(title, index == titles.count - 1 ? 0 : max(heading + 1, min(widest + 2, index < limits.count ? limits[index] : widest + 2)))
        }
        guard let width, columns.count > 1 else { return columns }
        let minimums = columns.dropLast().map { min($0.width, max(5, DisplayWidth.of($0.title) + (sortable ? 3 : 1))) }
        var excess = 1 + columns.dropLast().reduce(0) { $0 + $1.width } + min(lastMinimum, max(1, width / 4)) - width
        while excess > 0 {
            // The widest that can still give way.
            guard let widest = columns.indices.dropLast().filter({ columns[$0].width > minimums[$0] }).max(by: { columns[$0].width < columns[$1].width })
            else { break }
            columns[widest].width -= 1
            excess -= 1
        }
        return columns
    }

    /// A list's sort: a column (nil: as read) and its direction.
    public struct Order: Equatable, Sendable {
        public var column: Int?
        public var ascending: Bool
        public init(column: Int? = nil, ascending: Bool = true) {
            self.column = column
            self.ascending = ascending
        }

        /// `s`: by the next of `count` columns, after the last as read again.
        public func next(of count: Int) -> Order {
            let next = (column ?? -1) + 1
            return Order(column: next < count ? next : nil)
        }

        /// `S`: the other way (by the first column when unsorted).
        public var reversed: Order { Order(column: column ?? 0, ascending: !ascending) }

        /// A click on a column's header: by it, or the other way when it is already by it.
        public func clicked(_ column: Int) -> Order { Order(column: column, ascending: self.column == column ? !ascending : true) }

        /// The header marks the sorted column (what `draw` takes).
        public var mark: (column: Int, ascending: Bool)? { column.map { ($0, ascending) } }
    }

    /// The row order after sorting by `column` (numbers compare as numbers, text ignoring case).
    public static func order(_ rows: [[String]], by column: Int?, ascending: Bool) -> [Int] {
        guard let column else { return Array(rows.indices) }
        return rows.indices.sorted { a, b in
            let left = column < rows[a].count ? rows[a][column] : "", right = column < rows[b].count ? rows[b][column] : ""
            if left == right { return a < b }
            let before: Bool
            if let x = Double(left), let y = Double(right) { before = x < y } else { before = left.lowercased() < right.lowercased() }
            return ascending ? before : !before
        }
    }

    /// The first row to show so that `selected` is on screen in `height` rows.
    public static func firstVisible(selected: Int, count: Int, height: Int) -> Int {
        guard height > 0 else { return 0 }
        return max(0, min(selected - height + 1, count - height, selected))
    }

    /// Where each column is on a line `width` wide: its first screen column and width (the line
    /// starts with a space, which goes with the first; the last column takes the rest).
    public static func spans(_ columns: [Column], width: Int) -> [(start: Int, width: Int)] {
        var edge = 0
        return columns.enumerated().map { index, column in
            let start = edge
            edge = index == columns.count - 1 ? max(width, edge) : edge + column.width + (index == 0 ? 1 : 0)
            return (start, edge - start)
        }
    }

    /// One row: every column but the last keeps at least one space before the next, a cell too
    /// long for its column is cut with an ellipsis (it ran into the next column's text).
    public static func line(_ cells: [String], columns: [Column], width: Int) -> String {
        var text = " "
        for (index, column) in columns.enumerated() {
            let cell = index < cells.count ? cells[index] : ""
            // The last takes the rest of the line, and a value cut at its edge ends with "…" too.
            text += index == columns.count - 1 ? DisplayWidth.ellipsized(cell, max(1, width - DisplayWidth.of(text)))
                : DisplayWidth.pad(DisplayWidth.ellipsized(cell, max(1, column.width - 1)), column.width)
        }
        return DisplayWidth.pad(text, width)
    }

    /// Draws the header on `top` and the rows below it (to `top + height`), the selected row in
    /// `selectedStyle`; `style(row)` colours the others. Returns the first row shown.
    @discardableResult
    public func draw(into buffer: inout CellBuffer, top: Int, height: Int, selected: Int?, sort: (column: Int, ascending: Bool)?,
                     header: TerminalStyle, selectedStyle: TerminalStyle, style: (Int) -> TerminalStyle) -> Int {
        var titled = columns
        if let sort, sort.column < titled.count { titled[sort.column].title += sort.ascending ? " ▲" : " ▼" }
        Self.put(titled.map(\.title), columns: columns, row: top, style: header, into: &buffer)
        let room = max(0, height - 1)
        let first = Self.firstVisible(selected: selected ?? 0, count: rows.count, height: room)
        for (offset, index) in (first..<rows.count).prefix(room).enumerated() {
            Self.put(rows[index], columns: columns, row: top + 1 + offset, style: index == selected ? selectedStyle : style(index), into: &buffer)
        }
        return first
    }

    /// Draws one row (`line`) and records the space before each column but the first as a gap
    /// that must stay blank (what the layout tests check on every screen).
    public static func put(_ cells: [String], columns: [Column], row: Int, style: TerminalStyle, into buffer: inout CellBuffer) {
        buffer.put(line(cells, columns: columns, width: buffer.columns), row: row, column: 0, style: style)
        for span in spans(columns, width: buffer.columns).dropFirst() where span.start > 0 && span.start <= buffer.columns {
            buffer.gaps.insert(row * buffer.columns + span.start - 1)
        }
    }
}

extension DisplayWidth {
    /// The text when it fits in `width` display columns, else its start and "…".
    public static func ellipsized(_ text: String, _ width: Int) -> String {
        guard of(text) > width else { return text }
        return width <= 1 ? "…" : prefix(text, fitting: width - 1).0 + "…"
    }

    /// Pads or cuts text to exactly `width` display columns.
    public static func pad(_ text: String, _ width: Int) -> String {
        guard width > 0 else { return "" }
        let current = of(text)
        return current >= width ? prefix(text, fitting: width).0 : text + String(repeating: " ", count: width - current)
    }
}

/// A tree flattened for display: nodes with children can be folded.
public struct TreeNode: Sendable, Equatable {
    public var id: String
    public var label: String
    public var children: [TreeNode]
    public init(id: String, label: String, children: [TreeNode] = []) {
        self.id = id
        self.label = label
        self.children = children
    }

    public struct Line: Sendable, Equatable {
        public var id: String
        public var depth: Int
        /// The tree drawing before the label ("├─ ", "│  └─ ").
        public var prefix: String
        public var label: String
        public var hasChildren: Bool
        public var folded: Bool
    }

    /// The visible lines: children of folded nodes are left out.
    public static func flatten(_ roots: [TreeNode], folded: Set<String>) -> [Line] {
        var lines: [Line] = []
        func walk(_ nodes: [TreeNode], depth: Int, indent: String) {
            for (index, node) in nodes.enumerated() {
                let last = index == nodes.count - 1
                let isFolded = folded.contains(node.id)
                let marker = node.children.isEmpty ? "" : (isFolded ? "▸ " : "▾ ")
                lines.append(Line(id: node.id, depth: depth, prefix: indent + (depth == 0 ? "" : (last ? "└─ " : "├─ ")) + marker,
                                  label: node.label, hasChildren: !node.children.isEmpty, folded: isFolded))
                if !isFolded { walk(node.children, depth: depth + 1, indent: indent + (depth == 0 ? "" : (last ? "   " : "│  "))) }
            }
        }
        walk(roots, depth: 0, indent: "")
        return lines
    }
}

/// A one-line text input with a cursor, history (↑/↓) and Tab completion.
public struct InputLine: Sendable, Equatable {
    public var text = ""
    public var cursor = 0
    public var history: [String] = []
    private var historyIndex: Int?

    public init(history: [String] = []) { self.history = history }

    public enum Outcome: Equatable, Sendable { case editing, submitted(String), cancelled }

    /// Applies one key; `complete(text)` gives the candidates for Tab (their common prefix is
    /// taken; one candidate is completed with a trailing space).
    public mutating func handle(_ event: TerminalEvent, complete: (String) -> [String] = { _ in [] }) -> Outcome {
        var characters = Array(text)
        switch event.normalized {
        case .key(.enter):
            let line = String(text.trimmingWhitespace())
            if !line.isEmpty, history.last != line { history.append(line) }
            reset()
            return .submitted(line)
        case .key(.escape), .character("\u{07}"):
            reset()
            return .cancelled
        case .character("\u{7f}"), .character("\u{08}"), .key(.backspace):
            if cursor > 0 { characters.remove(at: cursor - 1); cursor -= 1 }
        case .key(.delete):
            if cursor < characters.count { characters.remove(at: cursor) }
        case .key(.wordLeft):
            while cursor > 0, characters[cursor - 1] == " " { cursor -= 1 }
            while cursor > 0, characters[cursor - 1] != " " { cursor -= 1 }
        case .key(.wordRight):
            while cursor < characters.count, characters[cursor] == " " { cursor += 1 }
            while cursor < characters.count, characters[cursor] != " " { cursor += 1 }
        case .key(.left): cursor = max(0, cursor - 1)
        case .key(.right): cursor = min(characters.count, cursor + 1)
        case .character("\u{01}"), .key(.home): cursor = 0
        case .character("\u{05}"), .key(.end): cursor = characters.count
        case .character("\u{15}"): characters.removeFirst(cursor); cursor = 0
        case .character("\u{17}"):  // Ctrl-W: the word before the cursor
            var start = cursor
            while start > 0, characters[start - 1] == " " { start -= 1 }
            while start > 0, characters[start - 1] != " " { start -= 1 }
            characters.removeSubrange(start..<cursor)
            cursor = start
        case .character("\u{0b}"): characters.removeSubrange(cursor...)  // Ctrl-K: to the end
        case .key(.up):  // older
            guard !history.isEmpty else { break }
            let index = max(0, (historyIndex ?? history.count) - 1)
            historyIndex = index
            characters = Array(history[index])
            cursor = characters.count
        case .key(.down):  // newer
            guard let index = historyIndex else { break }
            if index + 1 < history.count {
                historyIndex = index + 1
                characters = Array(history[index + 1])
            } else {
                historyIndex = nil
                characters = []
            }
            cursor = characters.count
        case .character("\t"):
            let candidates = complete(text)
            if candidates.count == 1 {
                characters = Array(candidates[0] + " ")
            } else if let common = Self.commonPrefix(candidates), common.count > characters.count {
                characters = Array(common)
            }
            cursor = characters.count
        case .character(let character) where !character.isNewline && character.asciiValue.map({ $0 >= 32 }) ?? true:
            characters.insert(character, at: cursor)
            cursor += 1
        default:
            break
        }
        text = String(characters)
        return .editing
    }

    mutating func reset() {
        text = ""
        cursor = 0
        historyIndex = nil
    }

    /// `text` after one key typed at its end, as any prompt edits (readline's keys included).
    public static func edited(_ text: String, by event: TerminalEvent) -> String {
        var line = InputLine()
        line.text = text
        line.cursor = text.count
        _ = line.handle(event)
        return line.text
    }

    static func commonPrefix(_ words: [String]) -> String? {
        guard var prefix = words.first else { return nil }
        for word in words.dropFirst() {
            while !word.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }

    /// The text with a cursor bar, for drawing.
    public var display: String {
        let characters = Array(text)
        return String(characters[..<cursor]) + "▏" + String(characters[cursor...])
    }
}

/// Sparklines and progress bars: text drawings of numbers.
public enum Gauge {
    static let ticks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The last `width` values as ▁..█ between their minimum and maximum.
    public static func sparkline(_ values: [Double], width: Int) -> String {
        let shown = values.suffix(max(0, width))
        guard let low = shown.min(), let high = shown.max() else { return "" }
        let span = high - low
        return String(shown.map { value in
            span <= 0 ? ticks[3] : ticks[min(7, Int((value - low) / span * 7.999))]
        })
    }

    /// `done` of `total` as a bar of `width` cells.
    public static func progress(done: Int, total: Int, width: Int) -> String {
        let width = max(0, width)
        let filled = total <= 0 ? 0 : min(width, width * done / total)
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    }
}

extension CellBuffer {
    /// A centred box with a title and lines (modal confirms, help); returns its frame.
    @discardableResult
    public mutating func modal(title: String, lines: [String], width wanted: Int, style: TerminalStyle, titleStyle: TerminalStyle) -> (top: Int, left: Int, height: Int, width: Int)? {
        let width = min(columns - 2, wanted), height = min(rows - 2, lines.count + 3)
        guard width > 10, height > 3 else { return nil }
        let top = max(1, (rows - height) / 2), left = max(1, (columns - width) / 2)
        fill(row: top, column: left, height: height, width: width, style: style)
        put(" " + title, row: top, column: left, style: titleStyle, limit: width)
        for (index, line) in lines.prefix(height - 3).enumerated() {
            put(" " + line, row: top + 2 + index, column: left, style: style, limit: width)
        }
        return (top, left, height, width)
    }
}

/// Splits a length (rows or columns) among parts by constraints: fixed sizes first, then
/// percentages, then minimums; what is left is shared by the fills.
public enum Layout {
    public enum Constraint: Sendable, Equatable {
        case fixed(Int)
        case percent(Int)
        case min(Int)
        case fill
    }

    /// Offsets and sizes of each part; parts that do not fit get size 0.
    public static func split(_ total: Int, _ constraints: [Constraint]) -> [(offset: Int, size: Int)] {
        var left = max(0, total)
        var sizes = Array(repeating: 0, count: constraints.count)
        for (index, constraint) in constraints.enumerated() {
            let wanted: Int
            switch constraint {
            case .fixed(let size): wanted = size
            case .percent(let percent): wanted = total * percent / 100
            case .min(let size): wanted = size
            case .fill: continue
            }
            sizes[index] = min(max(0, wanted), left)
            left -= sizes[index]
        }
        let growing = constraints.indices.filter { index in
            switch constraints[index] {
            case .fill, .min: return true
            default: return false
            }
        }
        for (position, index) in growing.enumerated() {
            let share = left / (growing.count - position)
            sizes[index] += share
            left -= share
        }
        var offset = 0
        return sizes.map { size in
            defer { offset += size }
            return (offset, size)
        }
    }
}
