import Crypto
import JSON

/// RFC 6455 client framing: the opening handshake's key and accept check, masked frames out,
/// frames in (fragments joined, control frames answered by the caller).
public enum WebSocket {
    /// The handshake request for `path` on `host` with a random 16-byte key (base64).
    public static func handshake(host: String, path: String, key: String, protocols: [String] = ["mqtt"]) -> [UInt8] {
        var request = "GET \(path.isEmpty ? "/" : path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        if !protocols.isEmpty { request += "Sec-WebSocket-Protocol: \(protocols.joined(separator: ", "))\r\n" }
        return Array((request + "\r\n").utf8)
    }

    /// The Sec-WebSocket-Accept value a server must answer `key` with.
    public static func accept(for key: String) -> String {
        Base64.encode(Array(Insecure.SHA1.hash(data: Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))))
    }

    public static func randomKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    public enum HandshakeError: Error, Equatable, CustomStringConvertible {
        case notUpgraded(String)
        case badAccept
        case noProtocol

        public var description: String {
            switch self {
            case .notUpgraded(let status): return "the WebSocket handshake was refused: \(status)"
            case .badAccept: return "the WebSocket handshake failed: Sec-WebSocket-Accept does not match the key"
            case .noProtocol: return "the WebSocket server did not agree to the 'mqtt' subprotocol"
            }
        }
    }

    /// Checks a complete response head (up to the blank line).
    public static func checkResponse(_ head: String, key: String) throws(HandshakeError) {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: true).map(String.init)
        guard let status = lines.first, status.hasPrefix("HTTP/1.1 101") else { throw .notUpgraded(lines.first ?? "no response") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...].trimmingWhitespace())
        }
        guard headers["sec-websocket-accept"] == accept(for: key) else { throw .badAccept }
        guard headers["sec-websocket-protocol"]?.lowercased() == "mqtt" else { throw .noProtocol }
    }

    public enum Opcode: UInt8, Sendable { case continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 }

    /// One masked frame (clients always mask).
    public static func frame(_ opcode: Opcode, _ payload: [UInt8], mask: [UInt8]? = nil) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let key = mask ?? (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var out: [UInt8] = [0x80 | opcode.rawValue]
        out.reserveCapacity(payload.count + 14)
        if payload.count < 126 {
            out.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            out += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            out.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((UInt64(payload.count) >> UInt64(shift)) & 0xFF)) }
        }
        out += key
        for (index, byte) in payload.enumerated() { out.append(byte ^ key[index & 3]) }
        return out
    }

    public enum FrameError: Error, Equatable, CustomStringConvertible {
        case masked
        case tooLarge(Int)
        case badFragment
        case reservedBits

        public var description: String {
            switch self {
            case .masked: return "the WebSocket server sent a masked frame"
            case .tooLarge(let size): return "a WebSocket frame of \(size) bytes is too large"
            case .badFragment: return "a WebSocket continuation frame without a start"
            case .reservedBits: return "a WebSocket frame uses reserved bits"
            }
        }
    }

    /// Frames from the server as they arrive; data frames (fragments joined) and control frames.
    public struct Decoder: Sendable {
        public var limit = 64 * 1024 * 1024
        private var buffer: [UInt8] = []
        private var start = 0
        private var fragments: [UInt8]?

        public init() {}

        public mutating func append(_ bytes: UnsafeRawBufferPointer) {
            if start > 0 && start >= buffer.count / 2 {
                buffer.removeFirst(start)
                start = 0
            }
            buffer.append(contentsOf: bytes)
        }

        public mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

        /// The next complete message or control frame: (opcode, payload).
        public mutating func next() throws(FrameError) -> (Opcode, [UInt8])? {
            while true {
                let available = buffer.count - start
                guard available >= 2 else { return nil }
                let first = buffer[start], second = buffer[start + 1]
                if first & 0x70 != 0 { throw .reservedBits }
                if second & 0x80 != 0 { throw .masked }
                var length = Int(second & 0x7F), offset = 2
                if length == 126 {
                    guard available >= 4 else { return nil }
                    length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
                    offset = 4
                } else if length == 127 {
                    guard available >= 10 else { return nil }
                    var value: UInt64 = 0
                    for index in 0..<8 { value = value << 8 | UInt64(buffer[start + 2 + index]) }
                    guard value <= UInt64(limit) else { throw .tooLarge(Int(clamping: value)) }
                    length = Int(value)
                    offset = 10
                }
                if length > limit { throw .tooLarge(length) }
                guard available >= offset + length else { return nil }
                let payload = Array(buffer[(start + offset)..<(start + offset + length)])
                start += offset + length
                let fin = first & 0x80 != 0
                guard let opcode = Opcode(rawValue: first & 0x0F) else { throw .reservedBits }
                switch opcode {
                case .close, .ping, .pong:
                    return (opcode, payload)
                case .continuation:
                    guard fragments != nil else { throw .badFragment }
                    fragments! += payload
                    if fin {
                        defer { fragments = nil }
                        return (.binary, fragments!)
                    }
                case .text, .binary:
                    if fin { return (opcode, payload) }
                    fragments = payload
                }
            }
        }
    }
}
