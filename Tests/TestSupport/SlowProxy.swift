import Foundation

/// `scripts/slow-proxy` on a free loopback port, for `http_proxy`: requests held `delayMS` each,
/// plus whatever `arguments` ask (`--lose-creates`, `--throttle`, `--seed`). Call `stop()` when done.
public struct SlowProxy {
    public struct NotReady: Error {}

    public let url: String
    /// The port file; the proxy lists lost and throttled answers beside it (`.lost`, `.throttled`).
    public let portFile: String
    let pid: pid_t

    public init(folder: String, delayMS: Int, arguments: [String] = []) throws {
        portFile = folder + "/proxy-port"
        pid = try ProcessRunner.spawn(ProcessRunner.packageRoot.appendingPathComponent("scripts/slow-proxy").path, ["\(delayMS)", portFile] + arguments)
        let file = portFile
        guard eventually({ FileManager.default.fileExists(atPath: file) }) else {
            kill(pid, SIGTERM)
            _ = ProcessRunner.waitForExit(pid)
            throw NotReady()
        }
        url = "http://127.0.0.1:" + (try String(contentsOfFile: portFile, encoding: .utf8))
    }

    public func stop() {
        kill(pid, SIGTERM)
        _ = ProcessRunner.waitForExit(pid)
    }
}
