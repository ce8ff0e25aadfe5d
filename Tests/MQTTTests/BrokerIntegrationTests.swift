import Foundation
import MQTT
@testable import MQTTNet
import AWSSigning
import Synchronization
import TestSupport
import Testing

/// The client against the sandbox's mosquitto: TCP, TLS with a client certificate (and a
/// wrong CA refused), WebSocket; QoS 0 and 1 both ways.
@Suite struct BrokerIntegrationTests {
    static func env(_ name: String) throws -> String {
        try #require(ProcessInfo.processInfo.environment[name], "run with scripts/test: the sandbox is not running (\(name))")
    }

    static func endpoint(_ variable: String, ca: String? = nil) throws -> BrokerEndpoint {
        try BrokerEndpoint.parse(try env(variable), caFile: ca ?? ProcessInfo.processInfo.environment["FLEETDECK_MQTT_CA"],
                           certFile: ProcessInfo.processInfo.environment["FLEETDECK_MQTT_CERT"], keyFile: ProcessInfo.processInfo.environment["FLEETDECK_MQTT_KEY"])
    }

    /// Events a client reported, for the test to wait on.
    final class Recorder: Sendable {
        let events = Mutex<[Client.Event]>([])
        func record(_ event: Client.Event) { events.withLock { $0.append(event) } }
        var messages: [Message] { events.withLock { $0.compactMap { if case .message(let m, _) = $0 { return m }; return nil } } }
        var subscribed: Bool { events.withLock { $0.contains { if case .subscribed = $0 { return true }; return false } } }
        var connectedCount: Int { events.withLock { $0.filter { if case .connected = $0 { return true }; return false }.count } }
        var published: [UInt16] { events.withLock { $0.compactMap { if case .published(let id) = $0 { return id }; return nil } } }
        var disconnects: [String] { events.withLock { $0.compactMap { if case .disconnected(let why) = $0 { return why }; return nil } } }
    }

    func roundTrip(_ endpoint: BrokerEndpoint) throws {
        let topic = "it/\(UUID().uuidString.prefix(8))"
        let receiver = Recorder(), sender = Recorder()
        let subscriber = Client(options: Session.Options(clientID: "sub-\(UUID().uuidString.prefix(6))"), open: { () throws(TransportError) in try endpoint.open() },
                                onEvent: receiver.record)
        subscriber.start()
        defer { subscriber.stop() }
        subscriber.subscribe([Subscription(topic + "/+", qos: .atLeastOnce)])
        #expect(eventually { receiver.subscribed }, "\(receiver.disconnects)")
        let publisher = Client(options: Session.Options(clientID: "pub-\(UUID().uuidString.prefix(6))"), open: { () throws(TransportError) in try endpoint.open() },
                               onEvent: sender.record)
        publisher.start()
        defer { publisher.stop() }
        publisher.publish(Message(topic: topic + "/a", payload: Array(#"{"n":1}"#.utf8)))
        publisher.publish(Message(topic: topic + "/b", payload: [0, 1, 2, 255], qos: .atLeastOnce))
        publisher.publish(Message(topic: topic + "/c/deeper", payload: []))  // does not match topic/+
        #expect(eventually { receiver.messages.count >= 2 }, "\(receiver.disconnects) \(sender.disconnects)")
        #expect(eventually { sender.published.count == 1 })  // the QoS 1 publish was acknowledged
        let messages = receiver.messages
        #expect(messages.map(\.topic) == [topic + "/a", topic + "/b"])
        #expect(messages[1].payload == [0, 1, 2, 255] && messages[1].qos == .atLeastOnce)
    }

    @Test func tcp() throws { try roundTrip(try Self.endpoint("FLEETDECK_MQTT_URL")) }

    @Test func tlsWithClientCertificate() throws { try roundTrip(try Self.endpoint("FLEETDECK_MQTT_TLS_URL")) }

    @Test func webSocket() throws { try roundTrip(try Self.endpoint("FLEETDECK_MQTT_WS_URL")) }

    @Test func tlsWithTheWrongCAIsRefused() throws {
        let endpoint = try Self.endpoint("FLEETDECK_MQTT_TLS_URL", ca: try Self.env("FLEETDECK_SANDBOX_OTHER_CA"))
        #expect(throws: TransportError.self) { _ = try endpoint.open() }
        do {
            _ = try endpoint.open()
        } catch {
            #expect(error.description.hasPrefix("could not connect to 127.0.0.1:"), "\(error)")
        }
    }

    @Test func endpointParsing() throws {
        #expect(try BrokerEndpoint.parse("mqtt://broker") == BrokerEndpoint(kind: .tcp, host: "broker", port: 1883))
        #expect(try BrokerEndpoint.parse("mqtts://a.iot.eu-west-1.amazonaws.com:8883").port == 8883)
        let ws = try BrokerEndpoint.parse("wss://a-ats.iot.us-east-1.amazonaws.com/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256")
        #expect(ws.kind == .secureWebSocket && ws.port == 443 && ws.path == "/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256")
        #expect(ws.description == "wss://a-ats.iot.us-east-1.amazonaws.com:443/mqtt")  // no signature in what is shown
        #expect(throws: BrokerEndpoint.Invalid.self) { try BrokerEndpoint.parse("http://x") }
        #expect(throws: BrokerEndpoint.Invalid.self) { try BrokerEndpoint.parse("mqtt://x:99999") }
    }
}

extension BrokerIntegrationTests {
    @Test func secureWebSocket() throws { try roundTrip(try Self.endpoint("FLEETDECK_MQTT_WSS_URL")) }
}

/// A broker of the test's own, stopped and started again under a subscribed client: it
/// reconnects, subscribes again, and the gap is reported.
@Suite struct BrokerRestartTests {
    @Test func aRestartedBrokerIsReconnectedAndResubscribedWithinFiveSeconds() throws {
        let broker = try MosquittoBroker()
        let endpoint = try BrokerEndpoint.parse("mqtt://127.0.0.1:\(broker.port)")
        let events = BrokerIntegrationTests.Recorder()
        let client = Client(options: Session.Options(clientID: "restart", keepAlive: 5), open: { () throws(TransportError) in try endpoint.open(timeoutSeconds: 2) },
                            onEvent: events.record)
        client.subscribe([Subscription("r/#")])
        client.start()
        defer { client.stop() }
        #expect(eventually { events.subscribed })
        let publisher = Client(options: Session.Options(clientID: "restart-pub"), open: { () throws(TransportError) in try endpoint.open(timeoutSeconds: 2) },
                               onEvent: { _ in })
        publisher.start()
        publisher.publish(Message(topic: "r/1", payload: [1]))
        #expect(eventually { events.messages.count == 1 })

        broker.stop()
        #expect(eventually { !events.disconnects.isEmpty })  // the gap is reported
        let clock = ContinuousClock(), restarted = clock.now
        try broker.start()
        #expect(eventually(timeout: .seconds(10)) { events.connectedCount == 2 && events.events.withLock { $0.filter { if case .subscribed = $0 { return true }; return false }.count } == 2 })
        #expect(clock.now - restarted < .seconds(5), "reconnected after \(clock.now - restarted)")
        publisher.publish(Message(topic: "r/2", payload: [2]))  // the publisher reconnects too and sends it
        #expect(eventually(timeout: .seconds(10)) { events.messages.map(\.topic) == ["r/1", "r/2"] })
        publisher.stop()
    }
}

/// AWS IoT's wss:// endpoint is presigned anew for every connection attempt.
@Suite struct PresignedEndpointTests {
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "tok/en")

    @Test func eachAttemptIsSignedAtItsOwnTime() {
        let endpoint = BrokerEndpoint.awsIoT(host: "a1b2c3-ats.iot.eu-west-1.amazonaws.com", region: "eu-west-1", credentials: Self.credentials)
        #expect(endpoint.description == "wss://a1b2c3-ats.iot.eu-west-1.amazonaws.com:443/mqtt")
        let first = endpoint.currentPath(now: 1_795_939_200), later = endpoint.currentPath(now: 1_795_939_200 + 86_400 * 2)
        #expect(first.hasPrefix("/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261129%2Feu-west-1%2Fiotdevicegateway%2Faws4_request"))
        #expect(first.contains("X-Amz-Date=20261129T080000Z") && later.contains("X-Amz-Date=20261201T080000Z"))
        #expect(first.hasSuffix("&X-Amz-Security-Token=tok%2Fen"))  // appended after signing, as AWS IoT wants
        #expect(first != later)
    }

    @Test func aSignedEndpointConnects() throws {
        // mosquitto ignores the path and query, so the sandbox's wss:// listener stands in for AWS IoT.
        var endpoint = try BrokerIntegrationTests.endpoint("FLEETDECK_MQTT_WSS_URL")
        endpoint.signing = ("us-east-1", Self.credentials)
        let transport = try endpoint.open()
        try transport.write(PacketEncoder.encode(.connect(Connect(clientID: "signed"))))
        var decoder = PacketDecoder()
        #expect(eventually {
            decoder.append((try? transport.read()) ?? [])
            return (try? decoder.next()) == .connack(sessionPresent: false, returnCode: 0)
        })
        transport.close()
    }
}
