@testable import Console
import MQTT
import TermCore
import Testing

/// The Messages screen: subscribing through `:tail`, the live list, pause with a count of new
/// messages, the detail pane (JSON, what changed, a sparkline), search, gaps, recording.
@Suite struct MessagesScreenTests {
    static let base = 1_795_910_400.0  // 2026-11-29T00:00:00Z

    func telemetry(_ device: Int, _ temperature: Double, _ seq: Int) -> (Message, Double) {
        (Message(topic: "device/sim-00\(device)/telemetry", payload: Array("{\"temperature\":\(temperature),\"humidity\":40,\"seq\":\(seq)}".utf8)),
         Self.base + 8 * 3600 + Double(seq) * 0.25)
    }

    func tailing() -> DashboardState {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        _ = Dashboard.update(&state, .stacksLoaded(DashboardTests.stacks))
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "tail device/+/telemetry" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [.connectBroker, .subscribe(["device/+/telemetry"])])
        #expect(state.screen == .messages)
        _ = Dashboard.update(&state, .broker(.linked("mqtt://127.0.0.1:1883")))
        _ = Dashboard.update(&state, .broker(.connected))
        var batch: [(Message, Double)] = []
        for seq in 0..<12 { batch.append(telemetry(seq % 3 + 1, 20 + Double(seq), seq)) }
        _ = Dashboard.update(&state, .received(batch))
        return state
    }

    func snapshot(_ name: String, _ state: DashboardState) throws {
        for (rows, columns) in [(24, 80), (40, 120), (50, 200)] {
            try DashboardTests().check("\(name)-\(columns)x\(rows)", Dashboard.view(state, rows: rows, columns: columns))
        }
    }

    @Test func liveListFollowsTheNewestAndPauseCountsNewOnes() throws {
        var state = tailing()
        try snapshot("messages", state)
        let frame = Dashboard.view(state, rows: 24, columns: 120)
        #expect(frame.lines.contains { $0.contains("08:00:02.750 device/sim-003/telemetry  {\"temperature\":31.0") })
        _ = Dashboard.update(&state, .key(.character(" ")))
        _ = Dashboard.update(&state, .received([telemetry(1, 99, 12), telemetry(2, 98, 13)]))
        let paused = Dashboard.view(state, rows: 24, columns: 120)
        #expect(paused.lines[1].contains("PAUSED, 2 new"))
        #expect(!paused.lines.contains { $0.contains("temperature\":99") })  // the list stands still
        _ = Dashboard.update(&state, .key(.character(" ")))
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines.contains { $0.contains("temperature\":99") })
    }

    @Test func detailShowsJSONWhatChangedAndASparkline() throws {
        var state = tailing()
        _ = Dashboard.update(&state, .key(.character("\n")))
        try snapshot("messages-detail", state)
        let lines = Dashboard.view(state, rows: 40, columns: 120).lines
        #expect(lines.contains { $0.contains("changed: temperature 28.0 → 31.0") || $0.contains("changed: temperature 28 → 31") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("temperature: ▁▃▆█ 31.0") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("\"humidity\": 40,") })
    }

    /// A 200-key document in the detail pane is read to its last key: PgDn pages, K steps back,
    /// and the header says which lines are shown.
    @Test func theDetailPaneScrollsALongDocument() {
        var state = tailing()
        (state.rows, state.columns) = (40, 120)  // as the runtime keeps them: the scroll is clamped to this screen's last page
        let body = (0..<200).map { "\"key\($0)\":\($0)" }.joined(separator: ",")
        _ = Dashboard.update(&state, .received([(Message(topic: "device/sim-009/config", payload: Array("{\(body)}".utf8)), Self.base + 9 * 3600)]))
        _ = Dashboard.update(&state, .key(.character("\n")))
        func shown() -> [String] { Dashboard.view(state, rows: 40, columns: 120).lines }
        #expect(shown().contains { $0.contains("\"key0\": 0") } && !shown().contains { $0.contains("\"key199\"") })
        #expect(shown().contains { $0.contains("lines 1–") && $0.contains("of 203 (PgDn PgUp)") }, "\(shown().joined(separator: "\n"))")
        for _ in 0..<25 { _ = Dashboard.update(&state, .key(.key(.pageDown))) }
        #expect(shown().contains { $0.contains("\"key199\": 199") } && !shown().contains { $0.contains("\"key0\": 0") }, "\(shown().joined(separator: "\n"))")
        // Back a page from wherever it stopped: the scroll is clamped to the end, not run past it.
        let last = shown()
        _ = Dashboard.update(&state, .key(.character("K")))
        #expect(shown() != last)
        _ = Dashboard.update(&state, .key(.character("k")))  // another message: its detail from the top
        #expect(state.messages.detailScroll == 0)
    }

    /// While searching, the window of matches on screen is found without copying every match:
    /// the same messages as taking them from the whole filtered list, for every selection.
    @Test func theSearchWindowIsTheLastMatchesUpToTheSelection() {
        var state = tailing()
        for character in "/sim-00[12]\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        let all = MessagesScreen.visible(state)
        #expect(all.count == 8)
        for ending in [nil] + (0...13).map(Optional.some) {
            for count in [1, 3, 20] {
                let end = ending.flatMap { sequence in all.lastIndex { $0.sequence <= sequence } }.map { $0 + 1 } ?? all.count
                let expected = all[max(0, end - count)..<end].map(\.sequence)
                #expect(MessagesScreen.window(state, ending: ending, count: count).map(\.sequence) == expected, "ending \(String(describing: ending)), count \(count)")
            }
        }
    }

    @Test func scrollingBackSelectsAndHoldsTheList() {
        var state = tailing()
        _ = Dashboard.update(&state, .key(.character("k")))
        _ = Dashboard.update(&state, .key(.character("k")))
        #expect(state.messages.selected == 10 && state.messages.pausedAt == 12)
        _ = Dashboard.update(&state, .key(.character("G")))
        #expect(state.messages.selected == nil && state.messages.pausedAt == nil)
    }

    @Test func searchGapsAndRecording() {
        var state = tailing()
        _ = Dashboard.update(&state, .key(.character("/")))
        for character in "sim-002\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        let shown = MessagesScreen.visible(state)
        #expect(shown.count == 4 && shown.allSatisfy { $0.message.topic == "device/sim-002/telemetry" })
        _ = Dashboard.update(&state, .broker(.disconnected("the broker closed the connection")))
        _ = Dashboard.update(&state, .broker(.connected))
        _ = Dashboard.update(&state, .key(.character("\u{1b}")))  // (clears nothing: esc on the messages screen goes back)
        state.filter = ""
        state.screens = [.stacks, .messages]
        _ = Dashboard.update(&state, .received([telemetry(1, 50, 20)]))
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines.contains { $0.contains("connection lost: messages may be missing") })
        _ = Dashboard.update(&state, .key(.character("R")))
        let path = state.messages.recording
        #expect(path != nil)
        let commands = Dashboard.update(&state, .received([telemetry(2, 51, 21)]))
        guard case .record(let file, let records)? = commands.first else { Issue.record("no record command: \(commands)"); return }
        #expect(file == path && records.count == 1)
        #expect(records[0].line.hasPrefix("{\"topic\":\"device/sim-002/telemetry\",\"payload\":\"{\\\"temperature\\\":51.0"))
    }

    @Test func publishFromTheCommandLine() {
        var state = tailing()
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "publish device/sim-001/cmd {\"led\":\"on\"} qos=1" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [.publish(Message(topic: "device/sim-001/cmd", payload: Array("{\"led\":\"on\"}".utf8), qos: .atLeastOnce))])
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "publish a/+ x\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(state.notice == "invalid topic 'a/+': a topic name cannot hold + or #")
    }

    @Test func zFoldsTheDetailsNestedJSON() {
        var state = tailing()
        _ = Dashboard.update(&state, .received([(Message(topic: "device/sim-001/state", payload: Array(#"{"a":{"b":1,"c":2},"d":[1,2]}"#.utf8)), Self.base)]))
        _ = Dashboard.update(&state, .key(.character("\n")))
        #expect(Dashboard.view(state, rows: 40, columns: 120).lines.contains { $0.contains("\"b\": 1,") })
        _ = Dashboard.update(&state, .key(.character("z")))
        let folded = Dashboard.view(state, rows: 40, columns: 120).lines
        #expect(folded.contains { $0.contains("\"a\": {…} 2 keys,") } && folded.contains { $0.contains("\"d\": […] 2 items") })
        _ = Dashboard.update(&state, .key(.character("z")))
        #expect(Dashboard.view(state, rows: 40, columns: 120).lines.contains { $0.contains("\"b\": 1,") })
    }

    @Test func theSearchKeepsUpWithArrivalsAndTheRing() {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        state.messages = MessagesState(capacity: 10)
        state.screens = [.stacks, .messages]
        _ = Dashboard.update(&state, .received((0..<6).map { telemetry($0 % 3 + 1, 20, $0) }))
        _ = Dashboard.update(&state, .key(.character("/")))
        for character in "sim-00[12]\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(state.messages.matches == [1, 2, 4, 5])
        _ = Dashboard.update(&state, .received((6..<12).map { telemetry($0 % 3 + 1, 20, $0) }))
        // Two dropped from the ten-message ring (sequences 1 and 2); new matches appended.
        #expect(state.messages.matches == [4, 5, 7, 8, 10, 11])
        #expect(MessagesScreen.visible(state).map(\.sequence) == [4, 5, 7, 8, 10, 11])
        _ = Dashboard.update(&state, .key(.character("/")))
        for character in "!sim-001\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(MessagesScreen.visible(state).allSatisfy { !$0.message.topic.contains("sim-001") })
    }

    /// Issue 27: the list scrolls like a log. Scrolled back to the first message, the page is
    /// full from the top (not one message over blank rows); j moves the cursor down the page
    /// before the page moves; PgDn/PgUp move a page.
    @Test func scrolledBackTheListIsALogWithPages() {
        var state = tailing()
        state.rows = 10
        var batch: [(Message, Double)] = []
        for seq in 12..<60 { batch.append(telemetry(seq % 3 + 1, 20, seq)) }
        _ = Dashboard.update(&state, .received(batch))
        _ = Dashboard.update(&state, .key(.character("g")))
        func listed() -> [String] { Dashboard.view(state, rows: 10, columns: 220).lines.filter { $0.contains("\"seq\":") } }
        #expect(listed().count == MessagesScreen.listHeight(state), "a full page: \(listed())")
        #expect(listed().first?.contains("\"seq\":0}") == true)
        _ = Dashboard.update(&state, .key(.character("j")))
        #expect(listed().first?.contains("\"seq\":0}") == true, "the page stays while the cursor moves down it")
        _ = Dashboard.update(&state, .key(.key(.pageDown)))
        let page = listed()
        #expect(page.contains { $0.contains("\"seq\":\(MessagesScreen.listHeight(state))}") }, "\(page)")
        #expect(!page.contains { $0.contains("\"seq\":0}") })
        _ = Dashboard.update(&state, .key(.key(.pageUp)))
        // A page back up: the cursor is on the second message again, at the top of the page.
        #expect(listed().first?.contains("\"seq\":1}") == true && state.messages.selected == 2, "\(listed())")
        _ = Dashboard.update(&state, .key(.key(.end)))
        #expect(state.messages.selected == nil && state.messages.pausedAt == nil)
    }

    /// A search keeps the "connection lost" marker between the matches it shows; a search with no
    /// match says so; a lost broker says why in the header.
    @Test func markersSurviveSearchesAndEmptySearchesAndLostBrokersSaySo() {
        var state = tailing()
        _ = Dashboard.update(&state, .broker(.disconnected("no PINGRESP within 30 s: the connection is gone")))
        let header = Dashboard.view(state, rows: 24, columns: 160).lines[1]
        #expect(header.contains("○ no PINGRESP within 30 s: the connection is gone; retrying"), "\(header)")
        _ = Dashboard.update(&state, .broker(.connected))
        // The message right after the gap is from another device than the one searched for.
        _ = Dashboard.update(&state, .received([telemetry(2, 30, 100), telemetry(1, 31, 101)]))
        _ = Dashboard.update(&state, .key(.character("/")))
        for character in "sim-001\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        let lines = Dashboard.view(state, rows: 24, columns: 120).lines
        let marker = lines.firstIndex { $0.contains("connection lost") }
        let after = lines.firstIndex { $0.contains("\"seq\":101}") }
        #expect(marker != nil && after != nil && marker! + 1 == after!, "\(lines.joined(separator: "\n"))")
        _ = Dashboard.update(&state, .key(.character("/")))
        for character in "nothing-matches-this\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines.contains { $0.contains("No message matches 'nothing-matches-this' (of 14 held).") })
    }
}
