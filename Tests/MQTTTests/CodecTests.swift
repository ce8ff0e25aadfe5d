@testable import MQTT
import TestSupport
import Testing

@Suite struct CodecTests {
    static let packets: [Packet] = [
        .connect(Connect(clientID: "fleetdeck-1", cleanSession: true, keepAlive: 30)),
        .connect(Connect(clientID: "dev", cleanSession: false, keepAlive: 0, username: "ana", password: [1, 2, 3],
                         will: Message(topic: "device/dev/status", payload: Array("gone".utf8), qos: .atLeastOnce, retain: true))),
        .connack(sessionPresent: true, returnCode: 0),
        .connack(sessionPresent: false, returnCode: 5),
        .publish(Publish(Message(topic: "device/s-1/telemetry", payload: Array(#"{"t":21.5}"#.utf8)))),
        .publish(Publish(Message(topic: "a/b", payload: [], qos: .atLeastOnce, retain: true), dup: true, packetID: 7)),
        .publish(Publish(Message(topic: "センサー/温度", payload: [0, 255, 128], qos: .exactlyOnce), packetID: 65535)),
        .puback(1), .pubrec(2), .pubrel(3), .pubcomp(4),
        .subscribe(packetID: 10, [Subscription("device/+/telemetry", qos: .atLeastOnce), Subscription("$aws/things/#")]),
        .suback(packetID: 10, returnCodes: [1, 0x80]),
        .unsubscribe(packetID: 11, ["device/+/telemetry"]),
        .unsuback(11), .pingreq, .pingresp, .disconnect,
    ]

    @Test(arguments: packets)
    func roundTrips(_ packet: Packet) throws {
        let bytes = PacketEncoder.encode(packet)
        var decoder = PacketDecoder()
        decoder.append(bytes)
        #expect(try decoder.next() == packet)
        #expect(try decoder.next() == nil)
        // Byte by byte: nothing comes out until the last byte.
        var slow = PacketDecoder()
        for (index, byte) in bytes.enumerated() {
            slow.append([byte])
            let decoded = try slow.next()
            #expect((decoded != nil) == (index == bytes.count - 1))
        }
    }

    @Test func knownBytes() {
        #expect(PacketEncoder.encode(.pingreq) == [0xC0, 0x00])
        #expect(PacketEncoder.encode(.subscribe(packetID: 1, [Subscription("a", qos: .atLeastOnce)])) == [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x01])
        #expect(Array(PacketEncoder.encode(.connect(Connect(clientID: "c", keepAlive: 60))).prefix(12)) == [0x10, 13, 0, 4, 0x4D, 0x51, 0x54, 0x54, 4, 0x02, 0, 60])
    }

    @Test(arguments: [0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152])
    func remainingLengthEdges(size: Int) throws {
        let packet = Packet.publish(Publish(Message(topic: "t", payload: Array(repeating: 7, count: max(0, size - 3)))))
        let bytes = PacketEncoder.encode(packet)
        let lengthBytes = size < 128 ? 1 : size < 16_384 ? 2 : size < 2_097_152 ? 3 : 4
        #expect(bytes.count == 1 + lengthBytes + max(3, size))
        var decoder = PacketDecoder()
        decoder.append(bytes)
        #expect(try decoder.next() == packet)
    }

    @Test func malformedInputIsACleanError() {
        func decode(_ bytes: [UInt8], limit: Int = 1 << 20) -> MQTTError? {
            var decoder = PacketDecoder(limit: limit)
            decoder.append(bytes)
            do { _ = try decoder.next(); return nil } catch { return error }
        }
        #expect(decode([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) == .malformedRemainingLength)
        #expect(decode([0x30, 0xFF, 0xFF, 0x7F], limit: 1000) == .packetTooLarge(size: 2_097_151, limit: 1000))  // refused before it is buffered
        #expect(decode([0x30, 0x04, 0x00, 0x02, 0xC3, 0x28]) == .invalidUTF8("topic name"))
        #expect(decode([0x30, 0x04, 0x00, 0x02, 0x61, 0x00]) == .invalidUTF8("topic name"))
        #expect(decode([0x30, 0x03, 0x00, 0x05, 0x61]) == .malformed("topic name is longer (5) than the packet"))
        #expect(decode([0x30, 0x03, 0x00, 0x01, 0x23]) == .invalidTopic("#", reason: "a topic name has no wildcards"))
        #expect(decode([0x36, 0x03, 0x00, 0x01, 0x61]) == .malformed("PUBLISH with QoS 3"))
        #expect(decode([0x40, 0x01, 0x00]) == .malformed("packet identifier is missing"))
        #expect(decode([0x62 & 0xF0, 0x02, 0x00, 0x01]) == .malformed("PUBREL with reserved flags 0"))
        #expect(decode([0xC0, 0x01, 0x00]) == .malformed("1 extra byte(s) after PINGREQ"))
        #expect(decode([0xF0, 0x00]) == .malformed("packet type 15 is reserved"))
        #expect(decode([0x82, 0x02, 0x00, 0x01]) == .malformed("SUBSCRIBE without a topic filter"))
        #expect(decode([0x90, 0x03, 0x00, 0x01, 0x05]) == .malformed("SUBACK return code 5"))
        #expect(decode([0x30]) == nil)  // a partial packet waits
    }

    /// The fuzz target: random and mutated bytes never crash the decoder, and whatever it
    /// accepts encodes back to bytes that decode to the same packet.
    @Test func fuzzTheDecoder() throws {
        var generator = SplitMix(seed: 0x5EED)
        let seeds = Self.packets.map(PacketEncoder.encode)
        var accepted = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 1...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                bytes = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let index = Int.random(in: 0..<bytes.count, using: &generator)
                    switch Int.random(in: 0...2, using: &generator) {
                    case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                    case 1: bytes.remove(at: index); if bytes.isEmpty { bytes = [0] }
                    default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                    }
                }
            }
            var decoder = PacketDecoder(limit: 4096)
            decoder.append(bytes)
            while true {
                let packet: Packet?
                do { packet = try decoder.next() } catch { break }
                guard let packet else { break }
                accepted += 1
                var again = PacketDecoder()
                again.append(PacketEncoder.encode(packet))
                #expect(try again.next() == packet, "re-encoding \(packet) from \(bytes)")
            }
        }
        #expect(accepted > 100)  // the mutations keep many packets valid
    }
}

@Suite struct TopicTests {
    @Test func matching() {
        let cases: [(String, String, Bool)] = [
            ("device/s-1/telemetry", "device/+/telemetry", true),
            ("device/s-1/status", "device/+/telemetry", false),
            ("device/s-1/telemetry/x", "device/+/telemetry", false),
            ("sport/tennis/player1", "sport/#", true),
            ("sport", "sport/#", true),
            ("sport/", "sport/+", true),
            ("/finance", "+/+", true),
            ("/finance", "/+", true),
            ("/finance", "+", false),
            ("$aws/things/t/shadow/update", "#", false),
            ("$aws/things/t/shadow/update", "+/things/#", false),
            ("$aws/things/t/shadow/update", "$aws/things/+/shadow/#", true),
            ("a/b", "a/b", true),
            ("a/b", "a/b/c", false),
            ("a/b/c", "a/b", false),
        ]
        for (topic, filter, expected) in cases {
            #expect(Topic.matches(topic, filter: filter) == expected, "\(topic) vs \(filter)")
        }
    }

    @Test func validation() throws {
        try Topic.validateFilter("device/+/telemetry")
        try Topic.validateFilter("#")
        try Topic.validateFilter("a/+/#")
        #expect(throws: MQTTError.invalidTopic("a/#/b", reason: "'#' must be the whole last level")) { try Topic.validateFilter("a/#/b") }
        #expect(throws: MQTTError.invalidTopic("a/b#", reason: "'#' must be the whole last level")) { try Topic.validateFilter("a/b#") }
        #expect(throws: MQTTError.invalidTopic("a+/b", reason: "'+' must be a whole level")) { try Topic.validateFilter("a+/b") }
        #expect(throws: MQTTError.invalidTopic("", reason: "it is empty")) { try Topic.validateFilter("") }
        try Topic.validateName("device/s-1/telemetry")
        #expect(throws: MQTTError.invalidTopic("a/+", reason: "a topic name cannot hold + or #")) { try Topic.validateName("a/+") }
    }
}
