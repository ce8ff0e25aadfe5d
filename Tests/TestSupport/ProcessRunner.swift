import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The outcome of running a program to completion.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var terminatedBySignal: Bool
}

/// Runs programs for tests with posix_spawn and waitpid. (Foundation's Process on Linux
/// waits for a socket that every descendant inherits, so a daemon such as a tmux server
/// makes it hang; this runner waits for the child itself.)
public enum ProcessRunner {
    /// The package root, found from this file's path.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The debug `fleetdeck` binary built beside the tests (or `FLEETDECK_BIN`).
    public static var fleetdeckBinary: String {
        if let path = ProcessInfo.processInfo.environment["FLEETDECK_BIN"] { return path }
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("fleetdeck").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        return packageRoot.appendingPathComponent(".build/debug/fleetdeck").path
    }

    /// Starts a program from the package root with stdin from /dev/null and the given
    /// stdout/stderr descriptors (-1: /dev/null). Returns its pid.
    public static func spawn(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                             stdout: Int32 = -1, stderr: Int32 = -1) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (target, source) in [(Int32(1), stdout), (Int32(2), stderr)] {
            if source >= 0 {
                posix_spawn_file_actions_adddup2(&actions, source, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            }
        }
        // The child starts with no blocked signals and default handlers, whatever this thread has.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        // env(1) -C sets the working folder (posix_spawn's chdir action is not exported to Swift).
        let argv = ["/usr/bin/env", "-C", packageRoot.path, executable] + arguments
        var pid: pid_t = 0
        let status = withCStrings(argv) { cArgs in
            withCStrings(env) { cEnv in posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, cArgs, cEnv) }
        }
        guard status == 0 else { throw SpawnError(message: "cannot start \(executable): errno \(status)") }
        return pid
    }

    /// Runs a program to completion (killed after `timeout` seconds), collecting its output.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           timeout: TimeInterval = 60) throws -> ProcessResult {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw SpawnError(message: "pipe failed") }
        // Close-on-exec, so that children spawned concurrently by other tests do not inherit them.
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do {
            pid = try spawn(executable, arguments, environment: environment, stdout: outPipe[1], stderr: errPipe[1])
        } catch {
            [outPipe[0], outPipe[1], errPipe[0], errPipe[1]].forEach { close($0) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        var out = [UInt8](), err = [UInt8]()
        var open = [outPipe[0], errPipe[0]]
        let deadline = Date().addingTimeInterval(timeout)
        var killed = false
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let wait = Int32(max(0, min(1000, deadline.timeIntervalSinceNow * 1000)))
            _ = poll(&fds, nfds_t(fds.count), wait)
            for entry in fds where entry.revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    if entry.fd == outPipe[0] { out += buffer[0..<count] } else { err += buffer[0..<count] }
                } else {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
            if Date() > deadline && !killed {
                kill(pid, SIGKILL)
                killed = true
                // Descendants may still hold the pipes; stop reading.
                open.forEach { close($0) }
                open = []
            }
        }
        let status = waitForExit(pid)
        return ProcessResult(status: status.code, stdout: String(decoding: out, as: UTF8.self),
                             stderr: String(decoding: err, as: UTF8.self), terminatedBySignal: status.signaled)
    }

    /// Waits for a child; the exit status, or 128+signal with `signaled` set.
    public static func waitForExit(_ pid: pid_t) -> (code: Int32, signaled: Bool) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        if signal != 0 { return (128 + signal, true) }
        return ((status >> 8) & 0xff, false)
    }

    /// Runs a shell command line (bash -c) from the package root.
    public static func shell(_ command: String, environment: [String: String]? = nil, timeout: TimeInterval = 60) throws -> ProcessResult {
        try run("/bin/bash", ["-c", command], environment: environment, timeout: timeout)
    }

    /// The environment of the test process, with changes (nil removes a variable).
    public static func environment(_ changes: [String: String?]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in changes { env[key] = value }
        return env
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}

public struct SpawnError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
