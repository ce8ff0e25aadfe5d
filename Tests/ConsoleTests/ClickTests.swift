@testable import Console
import FleetValues
import MQTT
import TermCore
import Testing

/// Clicks act on what each screen's view drew (the hit areas it returns with the frame), not on
/// geometry kept apart from the drawing; the wheel moves as the arrow keys do.
@Suite struct ClickTests {
    /// Clicks where `text` is first drawn below the title bar; false when it is not on screen.
    @discardableResult
    func click(_ state: inout DashboardState, on text: String) -> Bool {
        let lines = Dashboard.view(state, rows: state.rows, columns: state.columns).lines
        guard let row = lines.indices.dropFirst().first(where: { lines[$0].contains(text) }), let range = lines[row].range(of: text) else { return false }
        _ = Dashboard.update(&state, .key(.click(row: row, column: DisplayWidth.of(String(lines[row][..<range.lowerBound])))))
        return true
    }

    /// The screen rows the frame's hit areas put each list row (or inspector line) on.
    func rows(_ state: DashboardState, _ pick: (HitArea.Target) -> Int?) -> [(row: Int, index: Int)] {
        Dashboard.frame(state, rows: state.rows, columns: state.columns).hits.compactMap { hit in pick(hit.target).map { (hit.row, $0) } }
    }

    func row(_ target: HitArea.Target) -> Int? { if case .row(let index) = target { return index }; return nil }

    @Test func everyRowAreaIsWhereItsRowIsDrawn() {
        var state = DashboardScreensTests().onStack()
        let lines = Dashboard.view(state, rows: 24, columns: 80).lines
        let tree = StackScreen.treeLines(state)
        #expect(rows(state, row).map(\.index) == Array(tree.indices))
        for (row, index) in rows(state, row) { #expect(lines[row].contains(tree[index].label)) }
        _ = Dashboard.update(&state, .key(.character("q")))
        let stacks = StacksScreen.visible(state)
        let shown = Dashboard.view(state, rows: 24, columns: 80).lines
        #expect(rows(state, row).count == stacks.count)
        for (row, index) in rows(state, row) { #expect(shown[row].hasPrefix(" " + stacks[index].name)) }
        // Under the help overlay nothing takes a click.
        state.showHelp = true
        #expect(Dashboard.frame(state, rows: 24, columns: 80).hits.isEmpty)
    }

    @Test func aTabIsOpenedByClickingIt() {
        var state = DashboardScreensTests().onStack()
        #expect(click(&state, on: "Outputs (2)"))
        #expect(state.stackScreen.tab == .outputs)
        #expect(click(&state, on: "History (2)"))
        #expect(state.stackScreen.tab == .history)
        #expect(click(&state, on: "Resources (4)"))
        #expect(state.stackScreen.tab == .resources)
    }

    @Test func theInspectorTakesClicksAndTheWheel() {
        var state = DashboardScreensTests().onStack()
        _ = Dashboard.update(&state, .key(.character("\n")))  // TesRoleID's properties
        #expect(state.inspector.item == "TesRoleID" && Inspector.lines(state).count > 6)
        let lines = rows(state) { if case .line(let index) = $0 { return index }; return nil }
        #expect(lines.map(\.index) == Array(Inspector.lines(state).indices))
        _ = Dashboard.update(&state, .key(.click(row: lines[4].row, column: 10)))
        #expect(state.inspector.selected == 4)
        // The wheel moves the inspector's cursor, not the list hidden under it.
        _ = Dashboard.update(&state, .key(.wheel(up: false, row: lines[0].row, column: 10)))
        #expect(state.inspector.selected == 7 && state.selected == 0)
        _ = Dashboard.update(&state, .key(.wheel(up: true, row: lines[0].row, column: 10)))
        #expect(state.inspector.selected == 4)
    }

    @Test func aClickOnAStepOrItsDiffSelectsTheStep() {
        var state = DeployFlowTests().reviewing(production: false)
        #expect(click(&state, on: "old"))
        #expect(state.selected == 1)
        _ = Dashboard.update(&state, .key(.character("k")))
        _ = Dashboard.update(&state, .key(.character("\n")))  // the create's diff opens under it
        _ = Dashboard.update(&state, .key(.character("j")))
        _ = Dashboard.update(&state, .key(.character("j")))
        #expect(state.selected == 1)
        #expect(click(&state, on: "thingName"))
        #expect(state.selected == 0)
    }

    @Test func listHeadersSortByTheirColumn() {
        var state = FleetScreensTests().onDevices()
        #expect(click(&state, on: "DEVICE"))
        #expect(state.devices.deviceOrder == Table.Order(column: 1))
        #expect(click(&state, on: "DEVICE"))
        #expect(!state.devices.deviceOrder.ascending && state.devices.model.devices[state.devices.visible[0]].name == "sensor-139")
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "certs\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .certificatesLoaded([
            CertificateInfo(id: "bbbb2222", arn: "a2", status: "INACTIVE", notAfter: nil, subject: nil, things: []),
            CertificateInfo(id: "aaaa1111", arn: "a1", status: "REVOKED", notAfter: nil, subject: nil, things: []),
            CertificateInfo(id: "cccc3333", arn: "a3", status: "ACTIVE", notAfter: nil, subject: nil, things: []),
        ]))
        func ids() -> [String] { FleetScreens.listRows(state)?.ids ?? [] }
        #expect(click(&state, on: "STATUS"))
        #expect(FleetScreens.listOrder(state) == Table.Order(column: 1) && ids() == ["cccc3333", "bbbb2222", "aaaa1111"])
        #expect(click(&state, on: "STATUS"))
        #expect(ids() == ["aaaa1111", "bbbb2222", "cccc3333"])
        #expect(click(&state, on: "cccc3333"))
        #expect(state.selected == 2)
    }

    @Test func aClickOnAMessageSelectsItAndHoldsTheList() {
        var state = MessagesScreenTests().tailing()
        let shown = rows(state, row)
        #expect(shown.count == 12)
        // The topic tree on the left takes no click; the message's line does.
        _ = Dashboard.update(&state, .key(.click(row: shown[3].row, column: 5)))
        #expect(state.messages.selected == nil)
        _ = Dashboard.update(&state, .key(.click(row: shown[3].row, column: 60)))
        #expect(state.messages.selected == shown[3].index && state.messages.pausedAt == 12)
    }
}
