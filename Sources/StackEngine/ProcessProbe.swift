#if canImport(Glibc)
import Glibc
#endif

enum ProcessProbe {
    /// Whether a process with this pid exists on this host.
    static func isRunning(_ pid: Int) -> Bool {
        guard pid > 0 else { return false }
        guard kill(pid_t(pid), 0) == 0 || errno == EPERM else { return false }
        // A zombie (killed, not yet reaped) holds nothing any more.
        if let stat = AtomicFile.read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: 41), close + 2 < stat.count {
            return stat[close + 2] != 90  // 'Z'
        }
        return true
    }
}
