import TermCore
import Testing

@Suite struct CellBufferTests {
    @Test func widthsOfWideCombiningAndEmoji() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("日本") == 4)
        #expect(DisplayWidth.of("e\u{301}") == 1)  // e + combining acute
        #expect(DisplayWidth.of("🔥") == 2)
        #expect(DisplayWidth.of("❤️") == 2)
        #expect(DisplayWidth.of("한글") == 4)
        #expect(DisplayWidth.prefix("日本語", fitting: 5).0 == "日本")
    }

    @Test func wideGraphemesAreNeverCutInHalf() {
        var buffer = CellBuffer(rows: 2, columns: 5)
        buffer.put("ab日本", row: 0, column: 0)
        #expect(buffer.lines[0] == "ab日 ")  // 本 would need columns 4-5
        buffer.put("x", row: 0, column: 3)  // overwrite the right half of 日
        #expect(buffer.lines[0] == "ab x ")
        buffer.put("cafe\u{301}", row: 1, column: 0)
        #expect(buffer.lines[1] == "café ")
    }

    @Test func onlyChangedCellsAreSent() {
        var first = CellBuffer(rows: 3, columns: 10)
        first.put("status: ok", row: 0, column: 0)
        first.put("line two", row: 1, column: 0)
        var second = first
        second.put("up", row: 0, column: 8, style: TerminalStyle(bold: true))
        let runs = second.changes(since: first)
        #expect(runs == [CellBuffer.Run(row: 0, column: 8, text: "up", style: TerminalStyle(bold: true))])
        #expect(second.changes(since: second).isEmpty)
        #expect(second.changes(since: CellBuffer(rows: 2, columns: 10)).count >= 3)  // a new size redraws everything
    }
}
