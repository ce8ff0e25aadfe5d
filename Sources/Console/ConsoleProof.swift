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

    /// The frame for a size, as a cell buffer (what the terminal will show).
    public func frame(rows: Int, columns: Int) -> CellBuffer {
        var buffer = CellBuffer(rows: rows, columns: columns)
        guard rows > 0, columns > 0 else { return buffer }
        let bar = TerminalStyle(bold: true, reverse: true)
        buffer.fill(row: 0, column: 0, height: 1, width: columns, style: bar)
        buffer.put(" " + title, row: 0, column: 0, style: bar)
        if rows > 2 {
            buffer.put("No stacks yet.", row: 2, column: 1, style: TerminalStyle(dim: true))
        }
        if rows > 1 {
            let keys = "? help  q quit"
            let left = " " + status
            let line = columns >= left.count + keys.count + 2
                ? pad(left, to: columns - keys.count - 1) + keys + " "
                : pad(" " + keys, to: columns)
            buffer.put(line, row: rows - 1, column: 0, style: TerminalStyle(reverse: true))
        }
        return buffer
    }

    /// Draws the frame for the terminal's current size through `renderer` (changed cells only).
    public func draw(on terminal: some TerminalDevice, renderer: FrameRenderer) {
        let (rows, columns) = terminal.size
        renderer.render(frame(rows: rows, columns: columns), on: terminal)
    }

    /// Draws the whole frame (a fresh renderer).
    public func draw(on terminal: some TerminalDevice) {
        draw(on: terminal, renderer: FrameRenderer())
    }

    /// Runs until `q`, `Q`, Esc or the end of input; redraws on resize.
    public func run(on terminal: some TerminalDevice) {
        let renderer = FrameRenderer()
        draw(on: terminal, renderer: renderer)
        while let event = terminal.nextEvent() {
            switch event {
            case .character("q"), .character("Q"), .character("\u{1b}"):
                return
            case .resize:
                draw(on: terminal, renderer: renderer)
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
