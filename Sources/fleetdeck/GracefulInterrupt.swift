import CFleetdeckSupport
import MQTTNet
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C during a command-line deploy or destroy: the first one cancels gracefully (no new
/// step starts; the ones in flight finish and are recorded), a second one stops at once.
enum GracefulInterrupt {
    /// Runs `body` with Ctrl-C calling `cancel` (once, on a thread of its own).
    static func during<T>(cancel: @escaping @Sendable () -> Void, _ body: () async throws -> T) async throws -> T {
        let fd = fd_graceful_interrupt_open()
        guard fd >= 0 else { return try await body() }
        let watcher = startThread {
            var byte: UInt8 = 0
            while true {
                let n = read(fd, &byte, 1)
                if n == 1 {
                    writeStandardError("^C: cancelling: no new step starts; the steps in flight finish and are recorded (Ctrl-C again stops at once)\n")
                    cancel()
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                return
            }
        }
        defer {
            fd_graceful_interrupt_close()
            pthread_join(watcher, nil)
            fd_graceful_interrupt_release()
        }
        return try await body()
    }
}
