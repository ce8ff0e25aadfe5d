import JSON
import TermCore
#if canImport(Glibc)
import Glibc
#endif

extension DashboardRuntime {
    /// The commands that need the terminal: OSC 52 for the clipboard; a read-only copy of a
    /// value (0400, removed after) shown by `$PAGER` (`less`) or `$VISUAL`/`$EDITOR` (`vi`).
    func act(_ command: DashboardCommand, on terminal: some TerminalDevice) {
        switch command {
        case .copyToClipboard(let text):
            terminal.send("\u{1b}]52;c;" + Base64.encode(Array(text.utf8)) + "\u{07}")
        case .openOutside(let text, let name, let editor):
            let environment = Self.environment()
            let program = editor ? environment["VISUAL"] ?? environment["EDITOR"] ?? "vi" : environment["PAGER"] ?? "less"
            var template = Array(((environment["TMPDIR"] ?? "/tmp") + "/fleetdeck-view-XXXXXX").utf8CString)
            let fd = mkstemp(&template)
            guard fd >= 0 else { perform(Dashboard.update(&state, .notice("cannot make a file to show \(name) in: \(String(cString: strerror(errno)))"))); return }
            let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            defer { unlink(path) }
            let bytes = Array(text.utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            fchmod(fd, 0o400)
            close(fd)
            guard written == bytes.count else { perform(Dashboard.update(&state, .notice("cannot write \(path)"))); return }
            let status = terminal.runOutside(["/bin/sh", "-c", program + " \"$1\"", "sh", path], environment: environment)
            renderer.invalidate()
            perform(Dashboard.update(&state, .notice(status == 0 ? "shown in \(program)" : "\(program) could not show it (exit \(status))")))
        default:
            break
        }
    }

    /// This process's environment.
    nonisolated static func environment() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") { result[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            entry += 1
        }
        return result
    }
}
