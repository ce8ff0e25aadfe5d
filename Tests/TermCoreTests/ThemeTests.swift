import Foundation
import TermCore
import Testing

@Suite struct ThemeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func builtInThemesParseAndMatchTheirFiles() throws {
        #expect(Set(Theme.embedded.keys) == ["default", "light", "high-contrast", "monochrome"])
        for (name, text) in Theme.embedded {
            let file = try String(contentsOf: Self.root.appendingPathComponent("themes/\(name).yaml"), encoding: .utf8)
            #expect(file == text, "themes/\(name).yaml changed: run scripts/embed-themes")
            let theme = try Theme.parse(text, file: "themes/\(name).yaml")
            #expect(Set(theme.styles.keys) == Set(Theme.Role.allCases), "\(name) misses roles")
        }
        let theme = try Theme.parse(Theme.embedded["default"]!, file: "default.yaml")
        #expect(theme[.title] == TerminalStyle(bold: true, foreground: 15, background: 4))
        #expect(try Theme.parse(Theme.embedded["monochrome"]!, file: "m").styles.values.allSatisfy { $0.foreground == -1 && $0.background == -1 })
    }

    @Test func brokenThemesNameTheLineAndFallBack() {
        #expect(throws: Theme.Problem(file: "mine.yaml", line: 4, column: 16, message: "unknown colour 'purpel' (black...white, bright-NAME, colorN, default)")) {
            try Theme.parse("name: mine\nroles:\n  title: {bold: true}\n  status: {fg: purpel}\n", file: "mine.yaml")
        }
        #expect(throws: Theme.Problem(file: "t.yaml", line: 3, column: 3, message: "unknown role 'titel' (roles: title, status, keys, header, text, dim, selected, create, update, replace, delete, error, production)")) {
            try Theme.parse("name: t\nroles:\n  titel: {}\n", file: "t.yaml")
        }
        let (theme, problem) = Theme.load(named: "mine", userFile: { _ in "name: mine\nroles: [oops\n" }, environment: [:])
        #expect(theme.name == "default")
        #expect(problem?.description.hasPrefix("~/.config/fleetdeck/themes/mine.yaml:") == true)
        // A theme that does not exist has no file position to give (it said themes:1:1).
        let (_, missing) = Theme.load(named: "nosuch", userFile: { _ in nil }, environment: [:])
        #expect(missing?.description.hasPrefix("themes: no theme named 'nosuch' (built in: ") == true, "\(String(describing: missing))")
        let (plain, _) = Theme.load(named: "default", userFile: { _ in nil }, environment: ["NO_COLOR": "1"])
        #expect(plain[.title].foreground == -1 && plain[.title].bold)
        // Without colours the selected row (and the bars) stay visible: reverse video, as in monochrome.
        #expect(plain[.selected].reverse && plain[.selected].background == -1, "NO_COLOR left the selected row without an attribute")
        #expect(plain[.status].reverse)
        // The light theme leaves text in the terminal's own colour (it set black, unreadable on a dark one).
        let (light, _) = Theme.load(named: "light", userFile: { _ in nil }, environment: [:])
        #expect(light[.text].foreground == -1 && light[.text].background == -1)
    }
}
