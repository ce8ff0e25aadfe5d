import JSON
import TermCore
import Testing

@Suite struct WidgetsTests {
    @Test func tableSortsNumbersAsNumbersAndKeepsTheSelectionInView() {
        let rows = [["b", "10"], ["a", "9"], ["C", "100"]]
        #expect(Table.order(rows, by: 1, ascending: true) == [1, 0, 2])
        #expect(Table.order(rows, by: 0, ascending: true) == [1, 0, 2])  // ignoring case
        #expect(Table.order(rows, by: 0, ascending: false) == [2, 0, 1])
        #expect(Table.order(rows, by: nil, ascending: true) == [0, 1, 2])
        #expect(Table.firstVisible(selected: 0, count: 100, height: 10) == 0)
        #expect(Table.firstVisible(selected: 15, count: 100, height: 10) == 6)
        #expect(Table.firstVisible(selected: 99, count: 100, height: 10) == 90)
        #expect(Table.firstVisible(selected: 3, count: 5, height: 10) == 0)

        var buffer = CellBuffer(rows: 5, columns: 20)
        let first = Table(columns: [Table.Column("NAME", 8), Table.Column("N", 0)], rows: (0..<10).map { ["row\($0)", "\($0)"] })
            .draw(into: &buffer, top: 0, height: 4, selected: 7, sort: (1, false), header: TerminalStyle(bold: true),
                  selectedStyle: TerminalStyle(reverse: true)) { _ in TerminalStyle() }
        #expect(first == 5)
        #expect(buffer.lines[0].hasPrefix(" NAME    N ▼"))  // sticky header with the sort marker
        #expect(buffer.lines[3].hasPrefix(" row7    7"))
        #expect(buffer[3, 1].style.reverse)
    }

    @Test func longCellsAreCutWithAnEllipsisAndNeverTouchTheNextColumn() {
        let columns = [Table.Column("TYPE", 6), Table.Column("CERTIFICATE", 0)]
        // A cell longer than its column, and a title with the sort marker (it read "TYPE ▲CERTIFICATE").
        #expect(Table.line(["aws-native:iot:Thing", "abc"], columns: columns, width: 20) == " aws-… abc" + String(repeating: " ", count: 10))
        #expect(Table.line(["TYPE ▲", "CERTIFICATE"], columns: columns, width: 20) == " TYPE… CERTIFICATE  ")
        #expect(Table.line(["ok", "x"], columns: columns, width: 10) == " ok    x  ")
        #expect(DisplayWidth.ellipsized("日本語テキスト", 5) == "日本…")
    }

    @Test func treeFlattensWithGuidesAndFolds() {
        let tree = [TreeNode(id: "a", label: "a", children: [TreeNode(id: "b", label: "b", children: [TreeNode(id: "d", label: "d")]),
                                                             TreeNode(id: "c", label: "c")]), TreeNode(id: "e", label: "e")]
        #expect(TreeNode.flatten(tree, folded: []).map { $0.prefix + $0.label } == ["▾ a", "├─ ▾ b", "│  └─ d", "└─ c", "e"])
        #expect(TreeNode.flatten(tree, folded: ["b"]).map { $0.prefix + $0.label } == ["▾ a", "├─ ▸ b", "└─ c", "e"])
        #expect(TreeNode.flatten(tree, folded: ["a"]).map(\.label) == ["a", "e"])
    }

    @Test func jsonViewerColoursAndFolds() throws {
        let value = try JSONValue.parse(Array(#"{"name":"s-1","n":3,"ok":true,"tags":["x","y"],"empty":{}}"#.utf8))
        let lines = JSONViewer.lines(value, folded: [])
        #expect(lines.map(\.text) == ["{", "  \"name\": \"s-1\",", "  \"n\": 3,", "  \"ok\": true,", "  \"tags\": [", "    \"x\",", "    \"y\"", "  ],",
                                      "  \"empty\": {}", "}"])
        #expect(lines[1].role == "string" && lines[2].role == "number" && lines[3].role == "literal")
        #expect(lines[4].foldable && lines[4].path == ".tags")
        let folded = JSONViewer.lines(value, folded: [".tags"])
        #expect(folded.map(\.text)[4] == "  \"tags\": […] 2 items,")
        #expect(folded.count == 7)
        #expect(JSONViewer.lines(value, folded: [""]).map(\.text) == ["{…} 5 keys"])
    }

    @Test func inputLineEditsCompletesAndRemembers() {
        var line = InputLine()
        for character in "sta" { _ = line.handle(.character(character)) }
        _ = line.handle(.character("\t")) { _ in ["stack", "stacks"] }
        #expect(line.text == "stack")  // the common prefix
        _ = line.handle(.character("s"))
        _ = line.handle(.character("\t")) { _ in ["stacks"] }
        #expect(line.text == "stacks ")
        _ = line.handle(.key(.left))  // ←
        _ = line.handle(.key(.backspace))  // backspace before the cursor
        #expect(line.text == "stack " && line.display == "stack▏ ")
        #expect(line.handle(.character("\n")) == .submitted("stack"))
        for character in "theme" { _ = line.handle(.character(character)) }
        #expect(line.handle(.character("\r")) == .submitted("theme"))
        _ = line.handle(.key(.up))
        #expect(line.text == "theme")
        _ = line.handle(.key(.up))
        #expect(line.text == "stack")
        _ = line.handle(.key(.down))
        _ = line.handle(.key(.down))
        #expect(line.text == "")
        #expect(line.handle(.character("\u{1b}")) == .cancelled)
    }

    @Test func sparklineAndProgress() {
        #expect(Gauge.sparkline([0, 1, 2, 3, 4, 5, 6, 7], width: 8) == "▁▂▃▄▅▆▇█")
        #expect(Gauge.sparkline([5, 5, 5], width: 8) == "▄▄▄")
        #expect(Gauge.sparkline([0, 10, 0, 10, 100], width: 2) == "▁█")  // the last values, scaled among themselves
        #expect(Gauge.sparkline([], width: 5) == "")
        #expect(Gauge.progress(done: 1, total: 4, width: 8) == "██░░░░░░")
        #expect(Gauge.progress(done: 0, total: 0, width: 3) == "░░░")
    }
}

@Suite struct ColorFoldTests {
    @Test func foldsTheXtermPaletteToSixteenAndEight() {
        #expect(ColorFold.fold(-1, available: 8) == -1)
        #expect(ColorFold.fold(3, available: 8) == 3)
        #expect(ColorFold.fold(200, available: 256) == 200)
        #expect(ColorFold.fold(196, available: 16) == 9)  // pure red, bright
        #expect(ColorFold.fold(196, available: 8) == 1)
        #expect(ColorFold.fold(22, available: 16) == 2)  // dark green
        #expect(ColorFold.fold(226, available: 16) == 11)  // yellow
        #expect(ColorFold.fold(33, available: 16) == 12)  // a blue with some green: blue wins
        #expect(ColorFold.fold(244, available: 16) == 8)  // mid grey
        #expect(ColorFold.fold(255, available: 16) == 15)
        #expect(ColorFold.fold(8, available: 8) == 7)  // bright black stays visible
        #expect(ColorFold.fold(15, available: 8) == 7)
        #expect(ColorFold.fold(16, available: 8) == 0)
    }
}

@Suite struct LayoutTests {
    @Test func splitsByConstraints() {
        #expect(Layout.split(24, [.fixed(1), .fill, .fixed(6), .fixed(1)]).map(\.size) == [1, 16, 6, 1])
        #expect(Layout.split(24, [.fixed(1), .fill, .fixed(6), .fixed(1)]).map(\.offset) == [0, 1, 17, 23])
        #expect(Layout.split(100, [.percent(30), .fill]).map(\.size) == [30, 70])
        #expect(Layout.split(10, [.min(3), .fill]).map(\.size) == [6, 4])  // a minimum also grows
        #expect(Layout.split(5, [.fixed(4), .fixed(4), .fill]).map(\.size) == [4, 1, 0])  // what does not fit gets less
        #expect(Layout.split(0, [.fixed(1), .fill]).map(\.size) == [0, 0])
    }
}
