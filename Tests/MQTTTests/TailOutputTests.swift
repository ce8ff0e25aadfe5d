import Glibc
import MQTT
import MQTTNet
import Testing

/// How `fleetdeck tail` writes: in blocks that go out whenever the broker pauses, or one write per
/// message (`--line-buffered`, what mosquitto_sub does and what the throughput benchmark compares).
@Suite struct TailOutputTests {
    /// What has been written to the pipe so far (without waiting).
    static func pending(_ fd: Int32) -> String {
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &bytes, bytes.count)
        return n > 0 ? String(decoding: bytes.prefix(n), as: UTF8.self) : ""
    }

    static func pipe() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        precondition(Glibc.pipe(&fds) == 0)
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        return (fds[0], fds[1])
    }

    @Test func blocksWaitForAPauseWhileEachMessageIsWrittenAtOnce() {
        let message = Message(topic: "device/a/telemetry", payload: Array(#"{"t":1}"#.utf8))
        let blocks = Self.pipe(), lines = Self.pipe()
        defer { [blocks.read, blocks.write, lines.read, lines.write].forEach { close($0) } }
        let buffered = TailOutput(json: true, limit: nil, descriptor: blocks.write)
        let each = TailOutput(json: true, limit: nil, eachMessage: true, descriptor: lines.write)
        _ = buffered.write(message, time: 0)
        _ = each.write(message, time: 0)
        #expect(Self.pending(blocks.read) == "")
        #expect(Self.pending(lines.read) == #"{"topic":"device/a/telemetry","payload":"{\"t\":1}","qos":0,"retain":false,"time":"1970-01-01T00:00:00.000Z"}"# + "\n")
        buffered.flush()  // what the client's idle event does
        #expect(Self.pending(blocks.read).hasPrefix(#"{"topic":"device/a/telemetry""#))
    }
}
