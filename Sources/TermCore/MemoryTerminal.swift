/// An in-memory terminal: a grid of characters, a queue of keys to hand out, and a count
/// of refreshes. Screens draw into it in tests exactly as they would into ncurses.
@MainActor
public final class MemoryTerminal: TerminalDevice {
    public private(set) var rows: Int
    public private(set) var columns: Int
    private var grid: [[Character]]
    public private(set) var styles: [[TerminalStyle]]
    public var pendingEvents: [TerminalEvent]
    public private(set) var refreshCount = 0

    public init(rows: Int, columns: Int, events: [TerminalEvent] = []) {
        self.rows = rows
        self.columns = columns
        grid = Array(repeating: Array(repeating: " ", count: columns), count: rows)
        styles = Array(repeating: Array(repeating: TerminalStyle(), count: columns), count: rows)
        pendingEvents = events
    }

    public var size: (rows: Int, columns: Int) { (rows, columns) }

    /// Changes the size and queues the resize event a real terminal would deliver.
    public func resize(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        erase()
    }

    public func erase() {
        grid = Array(repeating: Array(repeating: " ", count: columns), count: rows)
        styles = Array(repeating: Array(repeating: TerminalStyle(), count: columns), count: rows)
    }

    public func put(row: Int, column: Int, _ text: String, style: TerminalStyle, limit: Int?) {
        guard row >= 0, row < rows, column >= 0, column < columns else { return }
        let room = min(limit ?? columns - column, columns - column)
        for (offset, character) in text.prefix(room).enumerated() {
            grid[row][column + offset] = character
            styles[row][column + offset] = style
        }
    }

    public func refresh() { refreshCount += 1 }

    /// The escape sequences sent, and the programs run outside the screen, in order.
    public private(set) var sent: [String] = []
    public private(set) var ranOutside: [[String]] = []
    public func send(_ sequence: String) { sent.append(sequence) }
    public func runOutside(_ arguments: [String], environment: [String: String]) -> Int32 {
        ranOutside.append(arguments)
        return 0
    }

    public func nextEvent() -> TerminalEvent? {
        pendingEvents.isEmpty ? nil : pendingEvents.removeFirst()
    }

    /// The screen as lines of text, trailing spaces kept so widths can be asserted.
    public var lines: [String] { grid.map { String($0) } }
}
