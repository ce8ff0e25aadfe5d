import JSON
@testable import MQTT
import Testing

@Suite struct SessionTests {
    func connected(keepAlive: UInt16 = 30) -> Session {
        var session = Session(Session.Options(clientID: "c", keepAlive: keepAlive))
        _ = session.opened(now: 0)
        #expect(session.received(.connack(sessionPresent: false, returnCode: 0), now: 0) == [.connected(sessionPresent: false)])
        return session
    }

    @Test func connectSubscribeAndResubscribeAfterAReconnect() {
        var session = Session(Session.Options(clientID: "c", keepAlive: 30))
        // Asked before the connection exists: remembered, sent once connected.
        #expect(session.subscribe([Subscription("device/+/telemetry", qos: .atLeastOnce)], now: 0) == [])
        guard case .send(.connect(let connect))? = session.opened(now: 0).first else { Issue.record("no CONNECT"); return }
        #expect(connect.clientID == "c" && connect.keepAlive == 30 && connect.cleanSession)
        let actions = session.received(.connack(sessionPresent: false, returnCode: 0), now: 1)
        #expect(actions.first == .connected(sessionPresent: false))
        guard case .send(.subscribe(let id, let subscriptions))? = actions.last else { Issue.record("no SUBSCRIBE: \(actions)"); return }
        #expect(subscriptions == [Subscription("device/+/telemetry", qos: .atLeastOnce)])
        #expect(session.received(.suback(packetID: id, returnCodes: [1]), now: 1) == [.subscribed(["device/+/telemetry"], [1])])
        session.closed()
        _ = session.opened(now: 5)
        let again = session.received(.connack(sessionPresent: false, returnCode: 0), now: 5)
        #expect(again.contains { if case .send(.subscribe(_, let subs)) = $0 { return subs.map(\.filter) == ["device/+/telemetry"] }; return false })
        _ = session.unsubscribe(["device/+/telemetry"], now: 6)
        #expect(session.subscriptions.isEmpty)
    }

    @Test func refusedConnectionsNameTheReasonAndOnlyAnUnavailableServerIsRetried() {
        for (code, action) in [(1, Session.Action.refused("the broker refused the connection: unacceptable protocol version")),
                               (2, .refused("the broker refused the connection: client identifier rejected")),
                               (3, .close("the broker refused the connection: server unavailable")),
                               (4, .refused("the broker refused the connection: bad user name or password")),
                               (5, .refused("the broker refused the connection: not authorized"))] {
            var session = Session(Session.Options(clientID: "c"))
            _ = session.opened(now: 0)
            #expect(session.received(.connack(sessionPresent: false, returnCode: UInt8(code)), now: 0) == [action])
        }
    }

    @Test func ourQoS2PublishIsReleasedNotResentAfterPubrecAndAReconnect() {
        var session = connected()
        let message = Message(topic: "t", payload: [7], qos: .exactlyOnce)
        guard case .send(.publish(let sent))? = session.publish(message, now: 1).first, let id = sent.packetID else { Issue.record("no PUBLISH"); return }
        #expect(session.received(.pubrec(id), now: 2) == [.send(.pubrel(id))])
        session.closed()
        _ = session.opened(now: 3)
        // MQTT 3.1.1, 4.3.3: once PUBREC is in, the sender resends PUBREL, never the PUBLISH.
        let resent = session.received(.connack(sessionPresent: true, returnCode: 0), now: 3)
        #expect(resent == [.connected(sessionPresent: true), .send(.pubrel(id))])
        #expect(session.received(.pubcomp(id), now: 4) == [.published(id)])
        #expect(session.inflight.isEmpty && session.releasing.isEmpty)
    }

    @Test func incomingQoS1IsAcknowledgedAndQoS2DeliveredOnce() {
        var session = connected()
        let message = Message(topic: "t", payload: [1], qos: .atLeastOnce)
        #expect(session.received(.publish(Publish(message, packetID: 9)), now: 1) == [.deliver(message), .send(.puback(9))])
        let exactly = Message(topic: "t", payload: [2], qos: .exactlyOnce)
        #expect(session.received(.publish(Publish(exactly, packetID: 4)), now: 1) == [.deliver(exactly), .send(.pubrec(4))])
        #expect(session.received(.publish(Publish(exactly, dup: true, packetID: 4)), now: 1) == [.send(.pubrec(4))])  // a duplicate
        #expect(session.received(.pubrel(4), now: 1) == [.send(.pubcomp(4))])
    }

    @Test func ourQoS1PublishesAreResentWithDupAfterAReconnect() {
        var session = connected()
        let message = Message(topic: "cmd", payload: [1], qos: .atLeastOnce)
        guard case .send(.publish(let first))? = session.publish(message, now: 1).first, let id = first.packetID else { Issue.record("no PUBLISH"); return }
        #expect(!first.dup)
        session.closed()
        #expect(session.publish(Message(topic: "later", payload: []), now: 2) == [])  // queued while disconnected
        _ = session.opened(now: 3)
        let actions = session.received(.connack(sessionPresent: true, returnCode: 0), now: 3)
        #expect(actions.contains(.send(.publish(Publish(message, dup: true, packetID: id)))))
        #expect(actions.contains(.send(.publish(Publish(Message(topic: "later", payload: []))))))
        #expect(session.received(.puback(id), now: 4) == [.published(id)])
        #expect(session.inflight.isEmpty)
    }

    @Test func keepAlivePingsAndGivesUpOnASilentBroker() {
        var session = connected(keepAlive: 10)
        #expect(session.tick(now: 5) == [])
        #expect(session.nextDeadline() == 10)
        #expect(session.tick(now: 10) == [.send(.pingreq)])
        #expect(session.received(.pingresp, now: 11) == [])
        #expect(session.tick(now: 19) == [])
        #expect(session.tick(now: 20) == [.send(.pingreq)])
        #expect(session.tick(now: 24) == [])
        #expect(session.tick(now: 25) == [.close("no PINGRESP within 5 s: the connection is gone")])
    }

    @Test func backoffDoublesToItsCapAndResets() {
        var backoff = Backoff(initial: 0.5, cap: 4)
        #expect((0..<6).map { _ in backoff.next(jitter: 1) } == [0.5, 1, 2, 4, 4, 4])
        backoff.reset()
        #expect(backoff.next(jitter: 1) == 0.5)
    }
}

@Suite struct MessageStoreTests {
    @Test func ringIsBoundedInCountAndBytesAndCountsDrops() {
        var store = MessageStore(capacity: 3, byteLimit: 1_000_000)
        for index in 0..<5 { store.append(Message(topic: "a/\(index % 2)", payload: [UInt8(index)]), time: Double(index)) }
        #expect(store.count == 3 && store.dropped == 2 && store.received == 5)
        #expect(store.all.map(\.message.payload) == [[2], [3], [4]])
        #expect(store.topics["a/0"]?.count == 3 && store.topics["a/0"]?.last == [4] && store.topics["a/0"]?.previous == [2])
        var small = MessageStore(capacity: 100, byteLimit: 200)
        for _ in 0..<10 { small.append(Message(topic: "t", payload: Array(repeating: 0, count: 50)), time: 0) }
        #expect(small.bytes <= 200 && small.count == 2 && small.dropped == 8)
    }

    @Test func gapsAreMarkedOnTheNextMessage() {
        var store = MessageStore()
        store.append(Message(topic: "t", payload: []), time: 0)
        store.markGap()
        store.append(Message(topic: "t", payload: []), time: 1)
        store.append(Message(topic: "t", payload: []), time: 2)
        #expect(store.all.map(\.afterGap) == [false, true, false])
    }

    @Test func topicTreeCountsLevels() {
        var store = MessageStore()
        for topic in ["device/a/telemetry", "device/a/telemetry", "device/b/telemetry", "device/a/status", "alerts"] {
            store.append(Message(topic: topic, payload: []), time: 0)
        }
        let tree = store.tree()
        #expect(tree.map(\.name) == ["alerts", "device"])
        #expect(tree[1].count == 4)
        #expect(tree[1].children.map { "\($0.name)=\($0.count)" } == ["a=3", "b=1"])
        #expect(tree[1].children[0].children.map(\.path) == ["device/a/status", "device/a/telemetry"])
    }
}

@Suite struct WebSocketTests {
    @Test func acceptKeyFromTheRFC() {
        #expect(WebSocket.accept(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func handshakeResponseChecks() throws {
        let key = "dGhlIHNhbXBsZSBub25jZQ=="
        let good = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: mqtt"
        try WebSocket.checkResponse(good, key: key)
        #expect(throws: WebSocket.HandshakeError.badAccept) { try WebSocket.checkResponse(good.replacingOccurrences(of: "s3pP", with: "XXXX"), key: key) }
        #expect(throws: WebSocket.HandshakeError.notUpgraded("HTTP/1.1 403 Forbidden")) { try WebSocket.checkResponse("HTTP/1.1 403 Forbidden\r\n", key: key) }
        #expect(throws: WebSocket.HandshakeError.noProtocol) { try WebSocket.checkResponse(good.replacingOccurrences(of: "\r\nSec-WebSocket-Protocol: mqtt", with: ""), key: key) }
    }

    @Test func framesAreMaskedAndFragmentsJoined() throws {
        let frame = WebSocket.frame(.binary, [1, 2, 3], mask: [0xFF, 0, 0xFF, 0])
        #expect(frame == [0x82, 0x83, 0xFF, 0, 0xFF, 0, 0xFE, 2, 0xFC])
        #expect(WebSocket.frame(.binary, Array(repeating: 0, count: 300))[1...3] == [0x80 | 126, 0x01, 0x2C])
        var decoder = WebSocket.Decoder()
        decoder.append([0x02, 0x02, 1, 2])  // binary, not final
        #expect(try decoder.next() == nil)
        decoder.append([0x89, 0x01, 9])  // a ping between fragments
        let ping = try decoder.next()
        #expect(ping?.0 == .ping && ping?.1 == [9])
        decoder.append([0x80, 0x01, 3])  // the final continuation
        let joined = try decoder.next()
        #expect(joined?.0 == .binary && joined?.1 == [1, 2, 3])
        decoder.append([0x82, 0x81, 0, 0, 0, 0, 1])
        #expect(throws: WebSocket.FrameError.masked) { _ = try decoder.next() }
    }
}
