import FleetValues
import MQTT
import StackEngine
import TermCore

/// `:` commands, with Tab completion of command names and their arguments, and history. The
/// screens bring their own (`ScreenComponent.commands`); these are the ones every screen shares.
enum CommandMode {
    static let shared = ["help", "quit", "reload", "theme"]

    /// The screens' commands.
    static var screenCommands: [ScreenCommand] { Dashboard.components.flatMap { $0.commands } }

    /// Every command's name, as listed (aliases are not).
    static var commands: [String] { (shared + screenCommands.compactMap(\.names.first)).sorted() }

    /// Completions for the text typed so far: command names, then the command's arguments.
    static func candidates(_ state: DashboardState, for text: String) -> [String] {
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if words.count <= 1 {
            return commands.filter { $0.hasPrefix(words.first ?? "") }
        }
        let argument = words.dropFirst().joined(separator: " ")
        let options = words[0] == "theme" ? Theme.embedded.keys.sorted() : screenCommands.first { $0.names.contains(words[0]) }?.arguments(state) ?? []
        return options.filter { $0.hasPrefix(argument) }.map { words[0] + " " + $0 }
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand] {
        let snapshot = state
        switch state.command.handle(event, complete: { candidates(snapshot, for: $0) }) {
        case .editing:
            return []
        case .cancelled:
            state.editingCommand = false
            return []
        case .submitted(let line):
            state.editingCommand = false
            return run(&state, line)
        }
    }

    static func run(_ state: inout DashboardState, _ line: String) -> [DashboardCommand] {
        let words = line.split(separator: " ").map(String.init)
        guard let name = words.first else { return [] }
        let argument = words.dropFirst().joined(separator: " ")
        switch name {
        case "q", "quit":
            state.quit = true
        case "help":
            state.showHelp = true
        case "reload":
            return Dashboard.reload(&state)
        case "theme":
            guard !argument.isEmpty else { state.notice = "themes: " + Theme.embedded.keys.sorted().joined(separator: ", ") + " (or \(Theme.userFile("NAME", home: "~")))"; return [] }
            return [.loadTheme(argument)]
        default:
            if let command = screenCommands.first(where: { $0.names.contains(name) }) { return command.run(&state, argument, line) }
            state.notice = "unknown command ':\(name)' (commands: \(commands.joined(separator: ", ")))"
        }
        return []
    }

    /// Whether a running deploy keeps the screen (until it ends or is cancelled), said if so.
    static func deployHolds(_ state: inout DashboardState) -> Bool {
        guard Dashboard.deployRunning(state) else { return false }
        state.notice = "a deploy is running: wait for it, or cancel it with c"
        return true
    }

    /// Opens `screen` as the only one over the stacks, unless a deploy is running; false then.
    static func replaceTop(_ state: inout DashboardState, with screen: Screen) -> Bool {
        if deployHolds(&state) { return false }
        state.screens = [.stacks, screen]
        state.filter = ""
        state.selected = 0
        state.inspector.item = nil
        return true
    }
}
