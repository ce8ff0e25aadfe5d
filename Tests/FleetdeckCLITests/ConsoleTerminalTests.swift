import Foundation
import TestSupport
import Testing

/// The dashboard outside a project, driven as a person would, in tmux, against the real binary:
/// frames, resizes, every exit path restoring the terminal.
@Suite(.serialized) struct ConsoleTerminalTests {
    static let modeProbe = "stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '"

    /// Starts the console in tmux; afterwards the shell prints the exit status and the tty modes.
    func startConsole(width: Int = 80, height: Int = 24, extra: String = "", waitForFrame: Bool = true) throws -> (TmuxSession, String) {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("fd-pid-\(UUID().uuidString)").path
        // The outer shell shares the process group, so it must survive the Ctrl-C meant for
        // the console (a trap, not an ignore, which the console would inherit).
        let command = "trap true INT; bash -c 'echo $$ > \(pidFile); exec \(ProcessRunner.fleetdeckBinary) console \(extra)'; echo EXIT=$?; echo MODES $(\(Self.modeProbe)); sleep 600"
        let session = try TmuxSession(command, width: width, height: height)
        if waitForFrame {
            #expect(session.waitFor(text: "? help  q quit"), "the frame never appeared: \(session.screen)")
        }
        return (session, pidFile)
    }

    func exitLine(_ session: TmuxSession) -> String? {
        var line: String?
        session.waitFor { lines in
            line = lines.first { $0.hasPrefix("EXIT=") }
            return line != nil && lines.contains { $0.hasPrefix("MODES ") }
        }
        return line
    }

    func assertTerminalRestored(_ session: TmuxSession) {
        let modes = session.capture().first { $0.hasPrefix("MODES ") } ?? ""
        #expect(modes.contains("MODES icanon echo"), "terminal left in raw mode: \(modes)")
    }

    @Test func frameSurvivesResizeAndQuitsCleanly() throws {
        let (session, _) = try startConsole()
        let lines = session.capture()
        #expect(lines[0].hasPrefix(" Fleetdeck › no project"))
        #expect(lines[23].hasSuffix("? help  q quit"))
        #expect(lines.contains { $0.contains("The fleet and its messages work anywhere: :things") })
        try session.resize(width: 40, height: 12)
        #expect(session.waitFor { $0.count == 12 && $0[11].hasSuffix("? help  q quit") && $0[11].count <= 40 && $0[0].hasPrefix(" Fleetdeck") },
                "after resize to 40x12: \(session.screen)")
        try session.resize(width: 80, height: 24)
        #expect(session.waitFor { $0.count == 24 && $0[23].hasSuffix("? help  q quit") && $0[23].count > 60 },
                "after resize back: \(session.screen)")
        try session.sendKeys("q")
        #expect(exitLine(session) == "EXIT=0")
        assertTerminalRestored(session)
    }

    @Test func controlCRestoresTheTerminal() throws {
        let (session, _) = try startConsole()
        try session.sendKeys("C-c")
        #expect(exitLine(session) == "EXIT=130")
        assertTerminalRestored(session)
    }

    @Test(arguments: [("TERM", 143), ("HUP", 129)])
    func signalsRestoreTheTerminal(signal: String, status: Int) throws {
        let (session, pidFile) = try startConsole()
        let pid = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try ProcessRunner.run("/bin/kill", ["-\(signal)", pid])
        #expect(exitLine(session) == "EXIT=\(status)")
        assertTerminalRestored(session)
    }

    @Test func aCrashRestoresTheTerminal() throws {
        let (session, _) = try startConsole(extra: "--debug-crash-after-draw 2>/dev/null", waitForFrame: false)
        let line = exitLine(session)
        #expect(line != nil && line != "EXIT=0", "crash exit: \(String(describing: line))")
        assertTerminalRestored(session)
    }

    @Test func refusesWithoutATerminal() throws {
        let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["console"])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "fleetdeck: console: the dashboard needs a terminal: standard input and output must be a TTY (use the command line, e.g. 'fleetdeck stack ls', in scripts)\n")
    }

    @Test func refusesAnUnknownTerminalTypeAndLeavesTheTerminalAlone() throws {
        let session = try TmuxSession("TERM=nonexistent \(ProcessRunner.fleetdeckBinary) console; echo EXIT=$?; echo MODES $(\(Self.modeProbe)); sleep 600", width: 200)
        #expect(exitLine(session) == "EXIT=1")
        let screen = session.capture().filter { !$0.isEmpty }
        #expect(screen.first == "fleetdeck: console: the dashboard cannot drive terminal type 'nonexistent': no terminfo entry (try TERM=xterm-256color)")
        assertTerminalRestored(session)
    }
}
