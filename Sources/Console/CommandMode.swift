import StackEngine
import TermCore

/// `:` commands, with Tab completion of command names and their arguments, and history.
enum CommandMode {
    static let commands = ["help", "quit", "reload", "stack", "stacks", "theme"]

    /// Completions for the text typed so far: command names, then stack or theme names.
    static func candidates(_ state: DashboardState, for text: String) -> [String] {
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if words.count <= 1 {
            return commands.filter { $0.hasPrefix(words.first ?? "") }
        }
        let argument = words.dropFirst().joined(separator: " ")
        let options: [String]
        switch words[0] {
        case "stack": options = state.stacks.map(\.name).sorted()
        case "theme": options = Theme.embedded.keys.sorted()
        default: options = []
        }
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
            if let stack = state.screen.stackName { return [.loadStack(stack), .checkConnection] }
            state.loadingStacks = true
            return [.loadStacks, .checkConnection]
        case "stacks":
            while state.screens.count > 1 { Dashboard.back(&state) }
            return [.loadStacks]
        case "stack":
            guard !argument.isEmpty else { state.notice = ":stack needs a stack's name (Tab completes)"; return [] }
            guard state.stacks.contains(where: { $0.name == argument }) else {
                state.notice = "no stack '\(argument)' (stacks: \(state.stacks.map(\.name).sorted().joined(separator: ", ")))"
                return []
            }
            if Dashboard.deployRunning(state) { state.notice = "a deploy is running: wait for it, or cancel it with c"; return [] }
            return Dashboard.open(&state, stack: argument)
        case "theme":
            guard !argument.isEmpty else { state.notice = "themes: " + Theme.embedded.keys.sorted().joined(separator: ", ") + " (or ~/.config/fleetdeck/themes/NAME.yaml)"; return [] }
            return [.loadTheme(argument)]
        default:
            state.notice = "unknown command ':\(name)' (commands: \(commands.joined(separator: ", ")))"
        }
        return []
    }
}
