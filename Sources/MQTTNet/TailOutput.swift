import JSON
import MQTT
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Formats messages for `fleetdeck tail` (text or JSON lines) on the client's thread and writes
/// them to standard output in large blocks (written whenever the broker pauses), or one write per
/// message with `eachMessage`; a lost connection is marked in the stream, once.
public final class TailOutput: @unchecked Sendable {
    private let json: Bool
    private let limit: Int?
    private let eachMessage: Bool
    private let descriptor: Int32
    private let lock = Mutex<Void>(())
    private var buffer: [UInt8] = []
    private var written = 0
    private var secondCache: (Int64, [UInt8]) = (-1, [])

    public init(json: Bool, limit: Int?, eachMessage: Bool = false, descriptor: Int32 = 1) {
        self.descriptor = descriptor
        self.json = json
        self.limit = limit
        self.eachMessage = eachMessage
        buffer.reserveCapacity(1 << 17)
    }

    /// Adds a message; true once the limit is reached (later ones are dropped).
    public func write(_ message: Message, time: Double) -> Bool {
        lock.withLock { _ in
            if let limit, written >= limit { return true }
            written += 1
            if json {
                buffer += Array(#"{"topic":"#.utf8)
                appendString(message.topic)
                if let text = String(validating: message.payload, as: UTF8.self) {
                    buffer += Array(#","payload":"#.utf8)
                    appendString(text)
                } else {
                    buffer += Array(#","payloadBase64":""#.utf8) + Array(Base64.encode(message.payload).utf8) + [UInt8(ascii: "\"")]
                }
                buffer += Array(#","qos":"#.utf8) + [UInt8(ascii: "0") + message.qos.rawValue]
                buffer += Array((message.retain ? #","retain":true,"time":""# : #","retain":false,"time":""#).utf8)
                appendTime(time)
                buffer += [UInt8(ascii: "\""), UInt8(ascii: "}"), 10]
            } else {
                appendTime(time)
                buffer += [32] + Array(message.topic.utf8) + [32]
                if let text = String(validating: message.payload, as: UTF8.self) { buffer += Array(text.utf8) } else {
                    buffer += Array("<\(message.payload.count) bytes> \(Hex.encode(message.payload.prefix(32)))".utf8)
                }
                buffer.append(10)
            }
            if eachMessage || buffer.count >= 1 << 16 { flushLocked() }
            if let limit, written >= limit {
                flushLocked()
                return true
            }
            return false
        }
    }

    public func flush() { lock.withLock { _ in flushLocked() } }

    private var wasConnected = false
    private var gapMarked = false

    public func connected() { lock.withLock { _ in wasConnected = true; gapMarked = false } }

    /// Marks a lost connection in the stream, once per loss: messages may be missing here.
    public func gap(_ reason: String) {
        lock.withLock { _ in
            guard wasConnected, !gapMarked else { return }
            gapMarked = true
            wasConnected = false
            if json {
                buffer += Array(#"{"gap":true,"reason":"#.utf8)
                appendString(reason)
                buffer += Array(#","time":""#.utf8)
                appendTime(Client.wallClock())
                buffer += [UInt8(ascii: "\""), UInt8(ascii: "}"), 10]
            } else {
                buffer += Array("--- connection lost (\(reason)): messages may be missing ---\n".utf8)
            }
            flushLocked()
        }
    }

    private func flushLocked() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func appendString(_ text: String) { JSONValue.writeString(text, to: &buffer) }

    /// `2026-11-29T09:30:12.123Z`, the date part made once per second.
    private func appendTime(_ time: Double) {
        let seconds = Int64(time)
        if secondCache.0 != seconds {
            secondCache = (seconds, Array((String(CivilTime(secondsSince1970: seconds).iso8601.dropLast()) + ".").utf8))
        }
        buffer += secondCache.1
        let millis = min(999, Int((time - Double(seconds)) * 1000))
        buffer += [UInt8(ascii: "0") + UInt8(millis / 100), UInt8(ascii: "0") + UInt8(millis / 10 % 10), UInt8(ascii: "0") + UInt8(millis % 10), UInt8(ascii: "Z")]
    }
}
