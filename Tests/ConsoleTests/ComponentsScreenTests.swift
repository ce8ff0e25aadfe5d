@testable import Console
import FleetValues
import JSON
import TermCore
import Testing

/// The component catalogue screen, and the recipe diff it rests on.
@Suite struct ComponentsScreenTests {
    static let components = [
        ComponentInfo(name: "docker_led", arn: "arn:aws:greengrass:us-east-1:123456789012:components:docker_led", latest: "1.0.3",
                      description: "Turns the LED on and off", publisher: "aws-iot-reference-architecture", platforms: ["linux/aarch64"]),
        ComponentInfo(name: "os_update", arn: "arn:aws:greengrass:us-east-1:123456789012:components:os_update", latest: "1.0.0",
                      description: "apt-get update, then a reboot", publisher: "aws-iot-reference-architecture", platforms: ["linux/aarch64"]),
    ]
    static let led = ComponentVersionDetail(name: "docker_led", version: "1.0.3", arn: "arn:aws:greengrass:us-east-1:123456789012:components:docker_led:versions:1.0.3",
                                            recipe: #"{"RecipeFormatVersion": "2020-01-25", "ComponentName": "docker_led", "ComponentVersion": "1.0.3", "Manifests": [{"Platform": {"os": "linux"}, "Lifecycle": {"Run": "docker run led"}}]}"#,
                                            platforms: ["linux/aarch64"], description: "Turns the LED on and off", publisher: "aws-iot-reference-architecture",
                                            versions: ["1.0.3", "1.0.2"])

    func opened() -> DashboardState {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        (state.rows, state.columns) = (24, 120)
        for character in ":components\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, ComponentsScreen.components.answered(Self.components))
        return state
    }

    @Test func theCatalogueListsAndEnterOpensTheLatestVersionWhole() throws {
        var state = opened()
        let lines = Dashboard.view(state, rows: 24, columns: 120).lines
        #expect(lines[1].contains("2 components in the account's catalogue"))
        #expect(lines.contains { $0.contains("docker_led") && $0.contains("1.0.3") && $0.contains("linux/aarch64") })
        for (rows, columns) in [(24, 80), (40, 120), (50, 200)] {
            try DashboardTests().check("components-\(columns)x\(rows)", Dashboard.view(state, rows: rows, columns: columns))
        }
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [ComponentsScreen.latest("docker_led")])
        _ = Dashboard.update(&state, ComponentsScreen.latest.answered("docker_led", .success(Self.led)))
        #expect(state.inspector.item == "docker_led")
        let shown = Dashboard.view(state, rows: 40, columns: 120).lines.joined(separator: "\n")
        #expect(shown.contains("RecipeFormatVersion") && shown.contains("docker run led") && shown.contains("1.0.2"), "\(shown)")
    }

    @Test func aRecipeDiffShowsWhatChanged() {
        let old = "a\nb\nc\nd", new = "a\nc\nd2\nd\ne"
        #expect(LineDiff.diff(old, new) == ["  a", "- b", "  c", "+ d2", "  d", "+ e"])
        #expect(LineDiff.diff("same", "same") == ["  same"])
    }
}
