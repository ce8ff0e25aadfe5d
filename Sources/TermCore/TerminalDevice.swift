/// What a screen needs from a terminal: its size, positioned styled text, a flush and keys.
/// `NcursesTerminal` is the real one; `MemoryTerminal` keeps the screen as text for tests.
@MainActor
public protocol TerminalDevice: AnyObject {
    var size: (rows: Int, columns: Int) { get }
    func erase()
    func put(row: Int, column: Int, _ text: String, style: TerminalStyle, limit: Int?)
    func refresh()
    func nextEvent() -> TerminalEvent?
    /// Whether the first Ctrl-C is delivered as `.interrupt` rather than ending the process.
    func interruptible(_ on: Bool)
    /// Writes an escape sequence the terminal acts on (OSC 52: copy to the clipboard).
    func send(_ sequence: String)
    /// Leaves the screen to `arguments` (a pager, an editor) until it ends, then takes the screen
    /// back; returns its exit status (-1: it could not be started).
    func runOutside(_ arguments: [String], environment: [String: String]) -> Int32
}

/// A terminal that keeps the last frame it showed and writes only the cells that changed.
@MainActor
public final class FrameRenderer {
    public private(set) var previous: CellBuffer?
    /// Cells written by the last `render` (for the "only changed cells" benchmark and tests).
    public private(set) var lastCellsWritten = 0

    public init() {}

    /// Draws `frame`: everything after a resize (or the first time), else only the changes.
    public func render(_ frame: CellBuffer, on terminal: some TerminalDevice) {
        if let previous, previous.rows != frame.rows || previous.columns != frame.columns { terminal.erase() }
        let runs = frame.changes(since: previous)
        lastCellsWritten = 0
        for run in runs {
            terminal.put(row: run.row, column: run.column, run.text, style: run.style, limit: nil)
            lastCellsWritten += DisplayWidth.of(run.text)
        }
        terminal.refresh()
        previous = frame
    }

    /// Forgets the last frame (the screen was cleared behind our back).
    public func invalidate() { previous = nil }
}

extension TerminalDevice {
    public func interruptible(_ on: Bool) {}

    public func put(row: Int, column: Int, _ text: String, style: TerminalStyle = TerminalStyle()) {
        put(row: row, column: column, text, style: style, limit: nil)
    }
}

/// What the terminal hands the UI loop: a key, a resize, or a wake-up from background work.
public enum TerminalEvent: Equatable, Sendable {
    case character(Character)
    /// A key that is not a character (the terminal layer names it; other function keys are dropped).
    case key(Key)
    case resize
    case wake
    /// A mouse press at a cell.
    case click(row: Int, column: Int)
    /// A wheel notch (up or down) at a cell.
    case wheel(up: Bool, row: Int, column: Int)
    /// Ctrl-C while the dashboard asked for it (a running deploy).
    case interrupt
}

extension TerminalEvent {
    /// The event as the screens read it: Enter (Return, or Ctrl-J) and Escape as named keys,
    /// whatever sent them (the terminal layer names them already; a test or a script may send
    /// the characters).
    public var normalized: TerminalEvent {
        switch self {
        case .character("\n"), .character("\r"): return .key(.enter)
        case .character("\u{1b}"): return .key(.escape)
        default: return self
        }
    }
}

/// The keys the dashboard reads that are not characters.
public enum Key: Equatable, Sendable, CaseIterable {
    case up, down, left, right, home, end, pageUp, pageDown, enter, escape, backspace, delete, backTab
    /// Alt-B and Alt-F: a word back, a word on (readline's keys in a prompt).
    case wordLeft, wordRight
}

/// Text attributes for one run of text.
public struct TerminalStyle: Equatable, Hashable, Sendable {
    public var bold = false
    public var reverse = false
    public var dim = false
    public var underline = false
    public var colorPair: Int16 = 0
    /// Colour numbers (0-255), or -1 for the terminal's default.
    public var foreground: Int16 = -1
    public var background: Int16 = -1

    public init(bold: Bool = false, reverse: Bool = false, dim: Bool = false, underline: Bool = false, colorPair: Int16 = 0,
                foreground: Int16 = -1, background: Int16 = -1) {
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
        self.underline = underline
        self.colorPair = colorPair
        self.foreground = foreground
        self.background = background
    }
}


/// Colours for terminals with fewer of them: the xterm 256-colour palette folded to the
/// nearest of 16 or 8.
public enum ColorFold {
    /// `color` (0-255, or -1 for the default) as one of the `available` colours.
    public static func fold(_ color: Int16, available: Int) -> Int16 {
        guard color >= 0, Int(color) >= available else { return color }
        let sixteen: Int16
        if color < 16 {
            sixteen = color
        } else if color >= 232 {
            // The grey ramp: black, bright black, white, bright white by level.
            let level = Int(color) - 232
            sixteen = level < 6 ? 0 : level < 13 ? 8 : level < 20 ? 7 : 15
        } else {
            let cube = Int(color) - 16
            let (r, g, b) = (cube / 36, cube / 6 % 6, cube % 6)
            let high = max(r, g, b)
            if high == 0 {
                sixteen = 0
            } else {
                // Each channel counts when it is at least half the brightest one.
                let bits = (r * 2 >= high && r > 0 ? 1 : 0) | (g * 2 >= high && g > 0 ? 2 : 0) | (b * 2 >= high && b > 0 ? 4 : 0)
                sixteen = Int16(bits) + (high >= 4 ? 8 : 0)
            }
        }
        guard available < 16, sixteen >= 8 else { return sixteen }
        // Eight colours: bright ones lose their brightness; bright black (grey) becomes white.
        return sixteen == 8 ? 7 : sixteen - 8
    }
}
