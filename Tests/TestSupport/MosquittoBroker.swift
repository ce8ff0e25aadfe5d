import Foundation

/// A mosquitto of a test's own on a free loopback port, to stop and start again (the
/// sandbox's broker is shared by every test).
public final class MosquittoBroker {
    public let folder: String
    public let port: Int
    private var pid: pid_t = 0

    public init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-broker-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        port = Self.freePort()
        var config = "listener \(port) 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\n"
        if geteuid() == 0 { config = "user root\n" + config }
        try config.write(toFile: folder + "/mosquitto.conf", atomically: true, encoding: .utf8)
        try start()
    }

    public var url: String { "mqtt://127.0.0.1:\(port)" }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts connections on the port.
    func listening() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }

    public func start() throws {
        pid = try ProcessRunner.spawn("/usr/sbin/mosquitto", ["-c", folder + "/mosquitto.conf"])
        guard eventually(timeout: .seconds(10), { self.listening() }) else { throw SpawnError(message: "mosquitto did not start on port \(port)") }
    }

    public func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        _ = ProcessRunner.waitForExit(pid)
        pid = 0
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: folder)
    }
}
