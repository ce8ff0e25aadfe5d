@testable import Console
import TermCore
import Testing

/// The runtime on an in-memory terminal: the frame reaches the terminal, only changed cells
/// after the first frame, resizes redraw, q and the end of input end the run.
@MainActor
@Suite struct DashboardRuntimeTests {
    func runtime() -> DashboardRuntime {
        DashboardRuntime(state: DashboardState(project: "", theme: DashboardTests.theme),
                         data: DashboardData(stacks: { [] }, stack: { _ in throw DashboardError(message: "no project") }), wake: {})
    }

    @Test func drawsResizesAndQuits() {
        let terminal = MemoryTerminal(rows: 24, columns: 80, events: [.resize, .character("q")])
        runtime().run(on: terminal)
        #expect(terminal.lines[0].hasPrefix(" Fleetdeck › no project"))
        #expect(terminal.lines[23].hasSuffix("? help  q quit "))
        #expect(terminal.refreshCount == 3)  // first frame, after the resize, after q
    }

    @Test func endOfInputEnds() {
        let terminal = MemoryTerminal(rows: 24, columns: 80, events: [])
        runtime().run(on: terminal)
        #expect(terminal.refreshCount == 1)
    }
}

@MainActor
@Suite struct FrameRendererTests {
    @Test func onlyChangedCellsAreWrittenAfterTheFirstFrame() {
        let terminal = MemoryTerminal(rows: 24, columns: 80)
        let renderer = FrameRenderer()
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        _ = Dashboard.update(&state, .stacksLoaded(DashboardTests.stacks))
        renderer.render(Dashboard.view(state, rows: 24, columns: 80), on: terminal)
        #expect(renderer.lastCellsWritten == 24 * 80)
        _ = Dashboard.update(&state, .key(.character("j")))  // the selection moves: two rows change
        renderer.render(Dashboard.view(state, rows: 24, columns: 80), on: terminal)
        #expect(renderer.lastCellsWritten > 0 && renderer.lastCellsWritten <= 2 * 80, "\(renderer.lastCellsWritten) cells for a selection move")
        renderer.render(Dashboard.view(state, rows: 24, columns: 80), on: terminal)
        #expect(renderer.lastCellsWritten == 0)
    }
}
