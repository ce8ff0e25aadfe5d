import Foundation

/// A real terminal for tests: a detached tmux session on a private server socket, driven with
/// send-keys and read with capture-pane, as a person would use the program.
public final class TmuxSession {
    public let socket: String
    public let name = "t"

    /// Starts `command` (a shell command line) in a new session of the given size.
    public init(_ command: String, width: Int = 80, height: Int = 24, environment: [String: String] = [:]) throws {
        socket = "fd-test-\(UUID().uuidString.prefix(8))"
        // swift test runs with NO_COLOR=1; a terminal session starts without it unless asked.
        var exports = "unset NO_COLOR; export LANG=C.UTF-8 TERM=xterm-256color SWIFT_BACKTRACE=interactive=no,color=no;"
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) {
            exports += " export \(key)='\(value)';"
        }
        // The tmux server outlives this call; it must not inherit (and hold open) our pipes.
        let pid = try ProcessRunner.spawn("/usr/bin/tmux", ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", name,
                                                            "-x", "\(width)", "-y", "\(height)", exports + command])
        let status = ProcessRunner.waitForExit(pid)
        guard status.code == 0 else { throw TmuxError(message: "tmux new-session failed with status \(status.code)") }
    }

    deinit {
        _ = try? tmux(["kill-server"])
    }

    @discardableResult
    public func tmux(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run("/usr/bin/tmux", ["-L", socket, "-f", "/dev/null"] + arguments, timeout: 10)
    }

    /// The visible screen, one string per row.
    public func capture() -> [String] {
        guard let result = try? tmux(["capture-pane", "-p", "-t", name]), result.status == 0 else { return [] }
        return result.stdout.components(separatedBy: "\n").dropLast().map { $0 }
    }

    public var screen: String { capture().joined(separator: "\n") }

    /// The screen with its styles as SGR escape sequences (tmux's `capture-pane -e`).
    public var styledScreen: String { (try? tmux(["capture-pane", "-p", "-e", "-t", name]))?.stdout ?? "" }

    public func sendKeys(_ keys: String...) throws {
        try tmux(["send-keys", "-t", name] + keys)
    }

    public func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Waits until the screen satisfies `condition`; returns whether it did.
    @discardableResult
    public func waitFor(timeout: Duration = .seconds(10), _ condition: ([String]) -> Bool) -> Bool {
        eventually(timeout: timeout) { condition(capture()) }
    }

    /// Waits until the screen contains `text`.
    @discardableResult
    public func waitFor(text: String, timeout: Duration = .seconds(10)) -> Bool {
        waitFor(timeout: timeout) { $0.contains { $0.contains(text) } }
    }
}

public struct TmuxError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
