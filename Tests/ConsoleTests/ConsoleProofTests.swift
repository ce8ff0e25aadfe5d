import Console
import TermCore
import Testing

@MainActor
@Suite struct ConsoleProofTests {
    let proof = ConsoleProof(title: "Fleetdeck 0.1.0", status: "no stack selected")

    @Test func drawsTitleBodyAndKeysAt80x24() {
        let terminal = MemoryTerminal(rows: 24, columns: 80)
        proof.draw(on: terminal)
        let lines = terminal.lines
        #expect(lines[0] == " Fleetdeck 0.1.0" + String(repeating: " ", count: 64))
        #expect(lines[2].hasPrefix(" No stacks yet."))
        #expect(lines[23] == " no stack selected" + String(repeating: " ", count: 47) + "? help  q quit ")
        #expect(terminal.styles[0][0].reverse && terminal.styles[0][0].bold)
        #expect(terminal.styles[23][79].reverse)
    }

    @Test func keysStayVisibleWhenTheStatusDoesNotFit() {
        let terminal = MemoryTerminal(rows: 12, columns: 20)
        proof.draw(on: terminal)
        #expect(terminal.lines[11] == " ? help  q quit     ")
    }

    @Test(arguments: [(1, 1), (2, 5), (3, 10), (0, 0)])
    func tinySizesDoNotBreak(rows: Int, columns: Int) {
        let terminal = MemoryTerminal(rows: rows, columns: columns)
        proof.draw(on: terminal)
        #expect(terminal.lines.count == rows)
        #expect(terminal.lines.allSatisfy { $0.count == columns })
    }

    @Test func resizeRedrawsAndQuitEnds() {
        let terminal = MemoryTerminal(rows: 24, columns: 80, events: [.character("x"), .resize, .character("q"), .character("x")])
        proof.run(on: terminal)
        #expect(terminal.refreshCount == 2)
        #expect(terminal.pendingEvents == [.character("x")])
    }

    @Test func endOfInputEnds() {
        let terminal = MemoryTerminal(rows: 24, columns: 80, events: [])
        proof.run(on: terminal)
        #expect(terminal.refreshCount == 1)
    }
}

@MainActor
@Suite struct FrameRendererTests {
    @Test func onlyChangedCellsAreWrittenAfterTheFirstFrame() {
        let terminal = MemoryTerminal(rows: 24, columns: 80)
        let renderer = FrameRenderer()
        ConsoleProof(title: "Fleetdeck", status: "no stack selected").draw(on: terminal, renderer: renderer)
        #expect(renderer.lastCellsWritten == 24 * 80)
        ConsoleProof(title: "Fleetdeck", status: "stack dev   ").draw(on: terminal, renderer: renderer)
        #expect(renderer.lastCellsWritten > 0 && renderer.lastCellsWritten <= 17, "\(renderer.lastCellsWritten) cells for a status change")
        #expect(terminal.lines[23].hasPrefix(" stack dev"))
        ConsoleProof(title: "Fleetdeck", status: "stack dev   ").draw(on: terminal, renderer: renderer)
        #expect(renderer.lastCellsWritten == 0)
    }
}
