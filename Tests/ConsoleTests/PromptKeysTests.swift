import TermCore
import Testing
@testable import Console

/// Issue 27: every prompt takes readline's keys, as a terminal user expects: Ctrl-U, Ctrl-W,
/// Ctrl-A/E, Ctrl-K, Alt-B/F (the terminal layer reads Esc-b and Esc-f as word moves).
@Suite struct PromptKeysTests {
    @Test func theFilterPromptTakesCtrlUAndCtrlW() {
        var state = DashboardState(project: "iot-ref-arch", theme: DashboardTests.theme)
        _ = Dashboard.update(&state, .stacksLoaded(DashboardTests.stacks))
        _ = Dashboard.update(&state, .key(.character("/")))
        for character in "prod eu" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .key(.character("\u{17}")))  // Ctrl-W: the last word
        #expect(state.filter == "prod ")
        _ = Dashboard.update(&state, .key(.character("\u{15}")))  // Ctrl-U: the whole line, not a literal ^U
        #expect(state.filter == "")
        _ = Dashboard.update(&state, .key(.character("d")))
        #expect(state.filter == "d")
    }

    @Test func theCommandPromptMovesByWords() {
        var line = InputLine()
        for character in "tail device/+ lambda/+" { _ = line.handle(.character(character)) }
        _ = line.handle(.key(.wordLeft))
        _ = line.handle(.character("\u{17}"))  // Ctrl-W before the cursor: "device/+ "
        #expect(line.text == "tail lambda/+" && line.cursor == 5)
        _ = line.handle(.character("\u{01}"))  // Ctrl-A
        _ = line.handle(.key(.wordRight))
        #expect(line.cursor == 4)
        _ = line.handle(.character("\u{0b}"))  // Ctrl-K: to the end
        #expect(line.text == "tail")
        _ = line.handle(.character("\u{05}"))  // Ctrl-E
        #expect(line.cursor == 4)
    }
}
