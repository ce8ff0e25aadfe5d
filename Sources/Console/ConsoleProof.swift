import TermCore

/// The first dashboard frame: a title bar, an empty body and a status line with the keys.
/// It proves the terminal stack end to end (draw, resize, quit); the real screens replace it.
@MainActor
public struct ConsoleProof {
    public var title: String
    public var status: String

    public init(title: String, status: String) {
        self.title = title
        self.status = status
    }

    /// Draws the frame for the terminal's current size.
    public func draw(on terminal: some TerminalDevice) {
        let (rows, columns) = terminal.size
        terminal.erase()
        guard rows > 0, columns > 0 else { return }
        let bar = TerminalStyle(bold: true, reverse: true)
        terminal.put(row: 0, column: 0, pad(" " + title, to: columns), style: bar)
        if rows > 2 {
            terminal.put(row: 2, column: 1, "No stacks yet.", style: TerminalStyle(dim: true))
        }
        if rows > 1 {
            let keys = "? help  q quit"
            let left = " " + status
            let line = columns >= left.count + keys.count + 2
                ? pad(left, to: columns - keys.count - 1) + keys + " "
                : pad(" " + keys, to: columns)
            terminal.put(row: rows - 1, column: 0, line, style: TerminalStyle(reverse: true))
        }
        terminal.refresh()
    }

    /// Runs until `q`, `Q`, Esc or the end of input; redraws on resize.
    public func run(on terminal: some TerminalDevice) {
        draw(on: terminal)
        while let event = terminal.nextEvent() {
            switch event {
            case .character("q"), .character("Q"), .character("\u{1b}"):
                return
            case .resize:
                draw(on: terminal)
            default:
                continue
            }
        }
    }

    private func pad(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if text.count >= width { return String(text.prefix(width)) }
        return text + String(repeating: " ", count: width - text.count)
    }
}
