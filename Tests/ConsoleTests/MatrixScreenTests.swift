@testable import Console
import FleetValues
import TermCore
import Testing

/// The fleet x component matrix: versions per device and component, drift and failures stand
/// out, a column's versions summed up, Enter opens the cell on the device's core screen.
@Suite struct MatrixScreenTests {
    static func component(_ name: String, _ version: String, _ state: String = "RUNNING") -> InstalledComponent {
        InstalledComponent(name: name, version: version, state: state, isRoot: true)
    }

    static let matrix = ComponentMatrix([
        ("GG-0001", [component("docker_led", "1.0.3"), component("docker_button", "1.0.2")]),
        ("GG-0002", [component("docker_led", "1.0.3"), component("docker_button", "1.0.2"), component("docker_corrupt", "1.0.0", "BROKEN")]),
        ("GG-0003", [component("docker_led", "1.0.2"), component("docker_button", "1.0.2")]),
        ("GG-0004", [component("docker_led", "1.0.3")]),
    ])

    func opened(columns: Int = 120) -> DashboardState {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        (state.rows, state.columns) = (24, columns)
        for character in ":matrix\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, MatrixScreen.matrix.answered(nil, .success(Self.matrix)))
        return state
    }

    @Test func theMatrixShowsVersionsDriftAndFailures() throws {
        #expect(Self.matrix.components == ["docker_led", "docker_button", "docker_corrupt"])
        #expect(Self.matrix.summary(0) == "docker_led: 1.0.3 (3), 1.0.2 (1) DRIFT")
        var state = opened()
        let frame = Dashboard.view(state, rows: 24, columns: 120)
        let lines = frame.lines
        #expect(lines[1].contains("4 core devices × 3 components · drift in docker_led · 1 failing"), "\(lines[1])")
        #expect(lines[2].contains("docker_led: 1.0.3 (3), 1.0.2 (1) DRIFT"))
        let row = try #require(lines.firstIndex { $0.hasPrefix(" GG-0002") })
        #expect(lines[row].contains("1.0.0 BROKEN"))
        #expect(lines.first { $0.hasPrefix(" GG-0004") }?.contains("-") == true)  // not installed there
        let corrupt = try #require(lines[row].range(of: "1.0.0 BROKEN"))
        #expect(frame[row, lines[row].distance(from: lines[row].startIndex, to: corrupt.lowerBound)].style == DashboardTests.theme[.error])
        let drifted = try #require(lines.firstIndex { $0.hasPrefix(" GG-0003") })
        #expect(frame[drifted, 25].style == DashboardTests.theme[.update])  // 1.0.2 against the common 1.0.3
        for (rows, columns) in [(24, 80), (40, 120), (50, 200)] {
            try DashboardTests().check("matrix-\(columns)x\(rows)", Dashboard.view(state, rows: rows, columns: columns))
        }
        // The next column's versions; a filter keeps the columns.
        _ = Dashboard.update(&state, .key(.key(.right)))
        _ = Dashboard.update(&state, .key(.key(.right)))
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines[2].contains("docker_corrupt: 1.0.0 (1), 1 failing"))
        for character in "/0002\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(state.own[MatrixScreen.State.self].visible == [1])
        // Enter: the device's core screen, opened on that component once read.
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [CoreScreen.detail("GG-0002")])
        #expect(state.screen == .core("GG-0002"))
        _ = Dashboard.update(&state, CoreScreen.detail.answered("GG-0002", .success(CoresScreenTests.broken)))
        #expect(state.inspector.item == "docker_corrupt")
    }

    @Test func onlyWhatIsOnScreenIsDrawnAndTheColumnsScroll() {
        var state = opened(columns: 60)
        #expect(Dashboard.view(state, rows: 24, columns: 60).lines[3].contains("docker_led"))
        for _ in 0..<2 { _ = Dashboard.update(&state, .key(.key(.right))) }
        let header = Dashboard.view(state, rows: 24, columns: 60).lines[3]
        #expect(header.contains("docker_corr…") && !header.contains("docker_led"), "\(header)")
    }
}
