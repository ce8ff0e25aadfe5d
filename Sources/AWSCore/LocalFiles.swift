#if canImport(Glibc)
import Glibc
#endif
import POSIXFiles

/// Small POSIX file and process helpers, so the AWS layer needs no Foundation.
public enum LocalFiles {
    /// The whole file, or nil when it cannot be read.
    public static func read(_ path: String) -> [UInt8]? { AtomicFile.read(path) }

    /// `~/...` expanded with HOME.
    public static func expandHome(_ path: String, environment: [String: String]) -> String {
        guard path.hasPrefix("~/"), let home = environment["HOME"] else { return path }
        return home + path.dropFirst(1)
    }

    /// Runs `/bin/sh -c command`, returning its exit status and standard output (stderr passes through).
    public static func runShell(_ command: String, environment: [String: String]) -> (status: Int32, output: [UInt8])? {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        posix_spawn_file_actions_addclose(&actions, pipeFDs[1])
        let argv: [UnsafeMutablePointer<CChar>?] = ([String](["/bin/sh", "-c", command])).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        close(pipeFDs[1])
        guard spawned == 0 else { close(pipeFDs[0]); return nil }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = Glibc.read(pipeFDs[0], &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        close(pipeFDs[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }
}
