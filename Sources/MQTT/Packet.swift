/// MQTT 3.1.1 packets (OASIS standard, 2014), their encoding and a streaming decoder.

public enum QoS: UInt8, Sendable, Equatable, Comparable, CaseIterable {
    case atMostOnce = 0, atLeastOnce = 1, exactlyOnce = 2
    public static func < (lhs: QoS, rhs: QoS) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An application message.
public struct Message: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: QoS
    public var retain: Bool

    public init(topic: String, payload: [UInt8], qos: QoS = .atMostOnce, retain: Bool = false) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}

public struct Connect: Sendable, Equatable {
    public var clientID: String
    public var cleanSession: Bool
    public var keepAlive: UInt16
    public var username: String?
    public var password: [UInt8]?
    public var will: Message?

    public init(clientID: String, cleanSession: Bool = true, keepAlive: UInt16 = 60, username: String? = nil, password: [UInt8]? = nil, will: Message? = nil) {
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.keepAlive = keepAlive
        self.username = username
        self.password = password
        self.will = will
    }
}

public struct Publish: Sendable, Equatable {
    public var message: Message
    public var dup: Bool
    /// Present for QoS 1 and 2.
    public var packetID: UInt16?

    public init(_ message: Message, dup: Bool = false, packetID: UInt16? = nil) {
        self.message = message
        self.dup = dup
        self.packetID = packetID
    }
}

public struct Subscription: Sendable, Equatable {
    public var filter: String
    public var qos: QoS
    public init(_ filter: String, qos: QoS = .atMostOnce) {
        self.filter = filter
        self.qos = qos
    }
}

public enum Packet: Sendable, Equatable {
    case connect(Connect)
    case connack(sessionPresent: Bool, returnCode: UInt8)
    case publish(Publish)
    case puback(UInt16)
    case pubrec(UInt16)
    case pubrel(UInt16)
    case pubcomp(UInt16)
    case subscribe(packetID: UInt16, [Subscription])
    case suback(packetID: UInt16, returnCodes: [UInt8])
    case unsubscribe(packetID: UInt16, [String])
    case unsuback(UInt16)
    case pingreq
    case pingresp
    case disconnect
}

/// Why bytes are not a valid MQTT packet; each names what is wrong.
public enum MQTTError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedRemainingLength
    case packetTooLarge(size: Int, limit: Int)
    case invalidUTF8(String)
    case malformed(String)
    case invalidTopic(String, reason: String)

    public var description: String {
        switch self {
        case .malformedRemainingLength: return "malformed packet: the remaining length takes more than 4 bytes"
        case .packetTooLarge(let size, let limit): return "packet of \(size) bytes is over the limit of \(limit)"
        case .invalidUTF8(let field): return "malformed packet: \(field) is not valid UTF-8 (or holds U+0000)"
        case .malformed(let why): return "malformed packet: \(why)"
        case .invalidTopic(let topic, let reason): return "invalid topic '\(topic)': \(reason)"
        }
    }
}

// MARK: encoding

public enum PacketEncoder {
    public static func encode(_ packet: Packet) -> [UInt8] {
        var body: [UInt8] = []
        let header: UInt8
        switch packet {
        case .connect(let connect):
            header = 0x10
            string("MQTT", into: &body)
            body.append(4)  // protocol level 3.1.1
            var flags: UInt8 = connect.cleanSession ? 0x02 : 0
            if let will = connect.will { flags |= 0x04 | (will.qos.rawValue << 3) | (will.retain ? 0x20 : 0) }
            if connect.password != nil { flags |= 0x40 }
            if connect.username != nil { flags |= 0x80 }
            body.append(flags)
            u16(connect.keepAlive, into: &body)
            string(connect.clientID, into: &body)
            if let will = connect.will {
                string(will.topic, into: &body)
                bytes(will.payload, into: &body)
            }
            if let username = connect.username { string(username, into: &body) }
            if let password = connect.password { bytes(password, into: &body) }
        case .connack(let present, let code):
            header = 0x20
            body = [present ? 1 : 0, code]
        case .publish(let publish):
            let message = publish.message
            header = 0x30 | (publish.dup ? 0x08 : 0) | (message.qos.rawValue << 1) | (message.retain ? 1 : 0)
            string(message.topic, into: &body)
            if message.qos != .atMostOnce { u16(publish.packetID ?? 0, into: &body) }
            body.append(contentsOf: message.payload)
        case .puback(let id): header = 0x40; u16(id, into: &body)
        case .pubrec(let id): header = 0x50; u16(id, into: &body)
        case .pubrel(let id): header = 0x62; u16(id, into: &body)
        case .pubcomp(let id): header = 0x70; u16(id, into: &body)
        case .subscribe(let id, let subscriptions):
            header = 0x82
            u16(id, into: &body)
            for subscription in subscriptions {
                string(subscription.filter, into: &body)
                body.append(subscription.qos.rawValue)
            }
        case .suback(let id, let codes):
            header = 0x90
            u16(id, into: &body)
            body.append(contentsOf: codes)
        case .unsubscribe(let id, let filters):
            header = 0xA2
            u16(id, into: &body)
            for filter in filters { string(filter, into: &body) }
        case .unsuback(let id): header = 0xB0; u16(id, into: &body)
        case .pingreq: header = 0xC0
        case .pingresp: header = 0xD0
        case .disconnect: header = 0xE0
        }
        var packet: [UInt8] = [header]
        packet.reserveCapacity(body.count + 5)
        var length = body.count
        repeat {
            var byte = UInt8(length % 128)
            length /= 128
            if length > 0 { byte |= 0x80 }
            packet.append(byte)
        } while length > 0
        packet.append(contentsOf: body)
        return packet
    }

    static func u16(_ value: UInt16, into body: inout [UInt8]) {
        body.append(UInt8(value >> 8))
        body.append(UInt8(value & 0xFF))
    }

    static func string(_ text: String, into body: inout [UInt8]) { bytes(Array(text.utf8), into: &body) }

    static func bytes(_ data: [UInt8], into body: inout [UInt8]) {
        u16(UInt16(min(data.count, 65535)), into: &body)
        body.append(contentsOf: data.prefix(65535))
    }
}

// MARK: decoding

/// Reads packets from a byte stream as it arrives: `append` what was received, then call `next`
/// until it returns nil (a partial packet waits for more bytes).
public struct PacketDecoder: Sendable {
    /// The largest packet accepted (bytes after the fixed header); bigger ones are an error
    /// before they are buffered.
    public var limit: Int
    private var buffer: [UInt8] = []
    private var start = 0

    public init(limit: Int = 16 * 1024 * 1024) { self.limit = limit }

    public var buffered: Int { buffer.count - start }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    private mutating func compact() {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
    }

    /// The next whole packet, nil when more bytes are needed; throws on malformed input (the
    /// stream cannot be trusted after that).
    public mutating func next() throws(MQTTError) -> Packet? {
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        var length = 0, multiplier = 1, index = start + 1
        while true {
            guard index < buffer.count else { return nil }
            let byte = buffer[index]
            length += Int(byte & 0x7F) * multiplier
            index += 1
            if byte & 0x80 == 0 { break }
            multiplier *= 128
            if index - start - 1 >= 4 { throw .malformedRemainingLength }
        }
        if length > limit { throw .packetTooLarge(size: length, limit: limit) }
        guard buffer.count - index >= length else { return nil }
        let header = buffer[start]
        let packet = try buffer.withUnsafeBufferPointer { all throws(MQTTError) -> Packet in
            var reader = Reader(bytes: UnsafeBufferPointer(rebasing: all[index..<(index + length)]))
            return try Self.decode(header: header, &reader)
        }
        start = index + length
        return packet
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var offset = 0
        var remaining: Int { bytes.count - offset }

        mutating func u8(_ what: String) throws(MQTTError) -> UInt8 {
            guard offset < bytes.count else { throw .malformed("\(what) is missing") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func u16(_ what: String) throws(MQTTError) -> UInt16 {
            UInt16(try u8(what)) << 8 | UInt16(try u8(what))
        }

        mutating func data(_ what: String) throws(MQTTError) -> [UInt8] {
            let count = Int(try u16(what))
            guard count <= remaining else { throw .malformed("\(what) is longer (\(count)) than the packet") }
            defer { offset += count }
            return Array(bytes[offset..<(offset + count)])
        }

        mutating func string(_ what: String) throws(MQTTError) -> String {
            let count = Int(try u16(what))
            guard count <= remaining else { throw .malformed("\(what) is longer (\(count)) than the packet") }
            defer { offset += count }
            let slice = UnsafeBufferPointer(rebasing: bytes[offset..<(offset + count)])
            guard let text = String(validating: slice, as: UTF8.self), !slice.contains(0) else { throw .invalidUTF8(what) }
            return text
        }

        mutating func rest() -> [UInt8] {
            defer { offset = bytes.count }
            return Array(bytes[offset...])
        }
    }

    static func decode(header: UInt8, _ reader: inout Reader) throws(MQTTError) -> Packet {
        let type = header >> 4, flags = header & 0x0F
        func requireFlags(_ expected: UInt8, _ name: String) throws(MQTTError) {
            if flags != expected { throw .malformed("\(name) with reserved flags \(flags)") }
        }
        func finished(_ name: String) throws(MQTTError) {
            if reader.remaining != 0 { throw .malformed("\(reader.remaining) extra byte(s) after \(name)") }
        }
        switch type {
        case 1:
            try requireFlags(0, "CONNECT")
            guard try reader.string("protocol name") == "MQTT" else { throw .malformed("CONNECT for another protocol") }
            let level = try reader.u8("protocol level")
            guard level == 4 else { throw .malformed("protocol level \(level) (3.1.1 is 4)") }
            let connectFlags = try reader.u8("connect flags")
            if connectFlags & 0x01 != 0 { throw .malformed("CONNECT's reserved flag is set") }
            let keepAlive = try reader.u16("keep alive")
            let clientID = try reader.string("client identifier")
            var will: Message?
            if connectFlags & 0x04 != 0 {
                let topic = try reader.string("will topic")
                let payload = try reader.data("will message")
                guard let qos = QoS(rawValue: (connectFlags >> 3) & 0x03) else { throw .malformed("will QoS 3") }
                will = Message(topic: topic, payload: payload, qos: qos, retain: connectFlags & 0x20 != 0)
            }
            let username = connectFlags & 0x80 != 0 ? try reader.string("user name") : nil
            let password = connectFlags & 0x40 != 0 ? try reader.data("password") : nil
            try finished("CONNECT")
            return .connect(Connect(clientID: clientID, cleanSession: connectFlags & 0x02 != 0, keepAlive: keepAlive, username: username,
                                    password: password, will: will))
        case 2:
            try requireFlags(0, "CONNACK")
            let present = try reader.u8("acknowledge flags")
            let code = try reader.u8("return code")
            try finished("CONNACK")
            return .connack(sessionPresent: present & 1 != 0, returnCode: code)
        case 3:
            guard let qos = QoS(rawValue: (flags >> 1) & 0x03) else { throw .malformed("PUBLISH with QoS 3") }
            let topic = try reader.string("topic name")
            if topic.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") }) { throw .invalidTopic(topic, reason: "a topic name has no wildcards") }
            let id = qos == .atMostOnce ? nil : try reader.u16("packet identifier")
            return .publish(Publish(Message(topic: topic, payload: reader.rest(), qos: qos, retain: flags & 1 != 0), dup: flags & 0x08 != 0, packetID: id))
        case 4, 5, 6, 7, 11:
            let names = [4: "PUBACK", 5: "PUBREC", 6: "PUBREL", 7: "PUBCOMP", 11: "UNSUBACK"]
            try requireFlags(type == 6 ? 2 : 0, names[Int(type)]!)
            let id = try reader.u16("packet identifier")
            try finished(names[Int(type)]!)
            switch type {
            case 4: return .puback(id)
            case 5: return .pubrec(id)
            case 6: return .pubrel(id)
            case 7: return .pubcomp(id)
            default: return .unsuback(id)
            }
        case 8:
            try requireFlags(2, "SUBSCRIBE")
            let id = try reader.u16("packet identifier")
            var subscriptions: [Subscription] = []
            while reader.remaining > 0 {
                let filter = try reader.string("topic filter")
                let options = try reader.u8("requested QoS")
                guard options & 0xFC == 0, let qos = QoS(rawValue: options) else { throw .malformed("requested QoS byte \(options)") }
                subscriptions.append(Subscription(filter, qos: qos))
            }
            if subscriptions.isEmpty { throw .malformed("SUBSCRIBE without a topic filter") }
            return .subscribe(packetID: id, subscriptions)
        case 9:
            try requireFlags(0, "SUBACK")
            let id = try reader.u16("packet identifier")
            let codes = reader.rest()
            if let bad = codes.first(where: { $0 > 2 && $0 != 0x80 }) { throw .malformed("SUBACK return code \(bad)") }
            return .suback(packetID: id, returnCodes: codes)
        case 10:
            try requireFlags(2, "UNSUBSCRIBE")
            let id = try reader.u16("packet identifier")
            var filters: [String] = []
            while reader.remaining > 0 { filters.append(try reader.string("topic filter")) }
            if filters.isEmpty { throw .malformed("UNSUBSCRIBE without a topic filter") }
            return .unsubscribe(packetID: id, filters)
        case 12, 13, 14:
            let name = ["PINGREQ", "PINGRESP", "DISCONNECT"][Int(type) - 12]
            try requireFlags(0, name)
            try finished(name)
            return type == 12 ? .pingreq : type == 13 ? .pingresp : .disconnect
        default:
            throw .malformed("packet type \(type) is reserved")
        }
    }
}
