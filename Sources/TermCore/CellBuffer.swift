/// One screen cell: a grapheme (or nothing: the second half of a wide one) and its style.
public struct Cell: Equatable, Sendable {
    public var text: String
    public var style: TerminalStyle
    /// Columns the grapheme takes (2 for wide); 0 marks the cell a wide grapheme covers.
    public var width: Int

    public static let blank = Cell(text: " ", style: TerminalStyle(), width: 1)
}

/// A frame: what every cell of the screen should show. Widgets only write into it; the
/// terminal compares it with the previous frame and sends only what changed.
public struct CellBuffer: Equatable, Sendable {
    public private(set) var rows: Int
    public private(set) var columns: Int
    public private(set) var cells: [Cell]
    /// Cells a table left blank between two of its columns (row * columns + column): nothing
    /// drawn may fill them, or two cells would touch.
    public var gaps: Set<Int> = []

    public init(rows: Int, columns: Int) {
        self.rows = max(0, rows)
        self.columns = max(0, columns)
        cells = Array(repeating: .blank, count: self.rows * self.columns)
    }

    public subscript(row: Int, column: Int) -> Cell {
        get { cells[row * columns + column] }
        set { cells[row * columns + column] = newValue }
    }

    /// Writes text from (row, column), clipped to `limit` columns and the right edge; a wide
    /// grapheme that would be cut in half is replaced by a space. Returns the columns written.
    @discardableResult
    public mutating func put(_ text: some StringProtocol, row: Int, column: Int, style: TerminalStyle = TerminalStyle(), limit: Int? = nil) -> Int {
        guard row >= 0, row < rows, column < columns else { return 0 }
        let end = min(columns, column + (limit ?? columns))
        var x = column
        for character in text {
            let width = DisplayWidth.of(character)
            if width == 0 {
                // A combining mark joins the previous cell.
                if x > 0, x - 1 >= column, x - 1 < columns { self[row, x - 1].text.append(character) }
                continue
            }
            if x + width > end {
                if x < end { self[row, x] = Cell(text: " ", style: style, width: 1) }
                break
            }
            if x >= 0 {
                clearWide(row: row, column: x)
                self[row, x] = Cell(text: String(character), style: style, width: width)
                if width == 2 { self[row, x + 1] = Cell(text: "", style: style, width: 0) }
            }
            x += width
        }
        return max(0, x - column)
    }

    /// Keeps wide graphemes whole when a cell under one is overwritten.
    mutating func clearWide(row: Int, column: Int) {
        if self[row, column].width == 0, column > 0 { self[row, column - 1] = Cell(text: " ", style: self[row, column - 1].style, width: 1) }
        if self[row, column].width == 2, column + 1 < columns { self[row, column + 1] = Cell(text: " ", style: self[row, column].style, width: 1) }
    }

    /// Fills a rectangle with a style (blank text).
    public mutating func fill(row: Int, column: Int, height: Int, width: Int, style: TerminalStyle) {
        for y in max(0, row)..<min(rows, row + height) {
            for x in max(0, column)..<min(columns, column + width) { self[y, x] = Cell(text: " ", style: style, width: 1) }
        }
    }

    /// The frame as lines of text (wide graphemes once), for snapshot tests.
    public var lines: [String] {
        (0..<rows).map { row in (0..<columns).map { self[row, $0].text }.joined() }
    }

    /// A run of changed cells to send to the terminal.
    public struct Run: Equatable, Sendable {
        public var row: Int
        public var column: Int
        public var text: String
        public var style: TerminalStyle

        public init(row: Int, column: Int, text: String, style: TerminalStyle) {
            self.row = row
            self.column = column
            self.text = text
            self.style = style
        }
    }

    /// What differs from `previous`: runs of changed cells of one style. Everything when the
    /// sizes differ.
    public func changes(since previous: CellBuffer?) -> [Run] {
        var runs: [Run] = []
        let sameSize = previous.map { $0.rows == rows && $0.columns == columns } ?? false
        for row in 0..<rows {
            var current: Run?
            for column in 0..<columns {
                let cell = self[row, column]
                let changed = !sameSize || previous![row, column] != cell
                if changed, cell.width > 0 {
                    if var run = current, run.style == cell.style, run.column + DisplayWidth.of(run.text) == column {
                        run.text += cell.text
                        current = run
                    } else {
                        if let run = current { runs.append(run) }
                        current = Run(row: row, column: column, text: cell.text, style: cell.style)
                    }
                } else if changed, cell.width == 0 {
                    continue
                } else if let run = current {
                    runs.append(run)
                    current = nil
                }
            }
            if let run = current { runs.append(run) }
        }
        return runs
    }
}
