/// The MQTT 3.1.1 client session as a pure state machine: events in (the transport opened or
/// closed, a packet arrived, time passed, the application asked for something), actions out
/// (send a packet, deliver a message, close the transport). No I/O and no clock of its own.
public struct Session: Sendable {
    public struct Options: Sendable, Equatable {
        public var clientID: String
        public var keepAlive: UInt16
        public var cleanSession: Bool
        public var username: String?
        public var password: [UInt8]?
        public var will: Message?

        public init(clientID: String, keepAlive: UInt16 = 30, cleanSession: Bool = true, username: String? = nil, password: [UInt8]? = nil,
                    will: Message? = nil) {
            self.clientID = clientID
            self.keepAlive = keepAlive
            self.cleanSession = cleanSession
            self.username = username
            self.password = password
            self.will = will
        }
    }

    public enum State: Sendable, Equatable { case disconnected, connecting, connected }

    public enum Action: Sendable, Equatable {
        case send(Packet)
        case deliver(Message)
        /// CONNACK accepted.
        case connected(sessionPresent: Bool)
        /// A SUBACK: the filters and the broker's return codes (0x80: refused).
        case subscribed([String], [UInt8])
        /// A QoS 1 publish of ours was acknowledged.
        case published(UInt16)
        /// Close the transport (the reason is for the user).
        case close(String)
        /// The broker refused the connection for a reason retrying cannot fix (bad credentials,
        /// not authorised, a rejected client id or protocol): stop.
        case refused(String)
    }

    public let options: Options
    public private(set) var state = State.disconnected
    /// Filters wanted, re-sent after every reconnect.
    public private(set) var subscriptions: [Subscription] = []
    /// Our QoS 1/2 publishes waiting for their acknowledgement, re-sent with DUP on reconnect.
    public private(set) var inflight: [UInt16: Publish] = [:]
    private var inflightOrder: [UInt16] = []
    private var pendingSubscribes: [UInt16: [String]] = [:]
    /// QoS 2 messages received and not yet released (by packet id).
    private var received2: Set<UInt16> = []
    /// Our QoS 2 publishes the broker has received (PUBREC): after a reconnect their PUBREL is
    /// sent again, never the PUBLISH (MQTT 3.1.1, 4.3.3).
    public private(set) var releasing: Set<UInt16> = []
    /// Publishes asked for while not connected.
    private var queued: [Message] = []
    private var nextID: UInt16 = 1
    private var lastSent: Double = 0
    private var pingSent: Double?
    private var connectSent: Double = 0

    public init(_ options: Options) { self.options = options }

    mutating func packetID() -> UInt16 {
        repeat {
            nextID = nextID == UInt16.max ? 1 : nextID + 1
        } while inflight[nextID] != nil || pendingSubscribes[nextID] != nil
        return nextID
    }

    mutating func send(_ packet: Packet, now: Double, into actions: inout [Action]) {
        lastSent = now
        actions.append(.send(packet))
    }

    /// The transport is open: CONNECT goes out.
    public mutating func opened(now: Double) -> [Action] {
        state = .connecting
        connectSent = now
        pingSent = nil
        var actions: [Action] = []
        send(.connect(Connect(clientID: options.clientID, cleanSession: options.cleanSession, keepAlive: options.keepAlive,
                              username: options.username, password: options.password, will: options.will)), now: now, into: &actions)
        return actions
    }

    /// The transport closed (or failed): everything waits for the next `opened`.
    public mutating func closed() {
        state = .disconnected
        pendingSubscribes = [:]
        pingSent = nil
        if options.cleanSession { received2 = [] }
    }

    public mutating func received(_ packet: Packet, now: Double) -> [Action] {
        var actions: [Action] = []
        switch packet {
        case .connack(let present, let code):
            guard state == .connecting else { return [.close("CONNACK out of turn")] }
            // Only "server unavailable" can pass by itself; the other refusals need the user.
            guard code == 0 else { return [code == 3 ? .close(Self.connackReason(code)) : .refused(Self.connackReason(code))] }
            state = .connected
            actions.append(.connected(sessionPresent: present))
            if !subscriptions.isEmpty { subscribeNow(subscriptions, now: now, into: &actions) }
            for id in inflightOrder {
                if releasing.contains(id) {
                    send(.pubrel(id), now: now, into: &actions)
                    continue
                }
                guard var publish = inflight[id] else { continue }
                publish.dup = true
                inflight[id] = publish
                send(.publish(publish), now: now, into: &actions)
            }
            let waiting = queued
            queued = []
            for message in waiting { actions += publish(message, now: now) }
        case .publish(let publish):
            switch publish.message.qos {
            case .atMostOnce:
                actions.append(.deliver(publish.message))
            case .atLeastOnce:
                actions.append(.deliver(publish.message))
                send(.puback(publish.packetID ?? 0), now: now, into: &actions)
            case .exactlyOnce:
                let id = publish.packetID ?? 0
                if !received2.contains(id) {
                    received2.insert(id)
                    actions.append(.deliver(publish.message))
                }
                send(.pubrec(id), now: now, into: &actions)
            }
        case .pubrel(let id):
            received2.remove(id)
            send(.pubcomp(id), now: now, into: &actions)
        case .puback(let id), .pubcomp(let id):
            releasing.remove(id)
            if inflight.removeValue(forKey: id) != nil {
                inflightOrder.removeAll { $0 == id }
                actions.append(.published(id))
            }
        case .pubrec(let id):
            if inflight[id] != nil { releasing.insert(id) }
            send(.pubrel(id), now: now, into: &actions)
        case .suback(let id, let codes):
            if let filters = pendingSubscribes.removeValue(forKey: id) { actions.append(.subscribed(filters, codes)) }
        case .unsuback:
            break
        case .pingresp:
            pingSent = nil
        case .connect, .subscribe, .unsubscribe, .pingreq, .disconnect:
            return [.close("the broker sent a client packet")]
        }
        return actions
    }

    /// Time passed: keep-alive pings, and giving up on a silent broker.
    public mutating func tick(now: Double) -> [Action] {
        let interval = Double(options.keepAlive)
        switch state {
        case .connecting:
            return now - connectSent >= max(10, interval) ? [.close("no CONNACK within \(Int(max(10, interval))) s")] : []
        case .connected:
            if let sent = pingSent {
                return now - sent >= max(interval / 2, 5) ? [.close("no PINGRESP within \(Int(max(interval / 2, 5))) s: the connection is gone")] : []
            }
            guard interval > 0, now - lastSent >= interval else { return [] }
            pingSent = now
            var actions: [Action] = []
            send(.pingreq, now: now, into: &actions)
            return actions
        case .disconnected:
            return []
        }
    }

    /// When `tick` next has something to do.
    public func nextDeadline() -> Double? {
        let interval = Double(options.keepAlive)
        switch state {
        case .connecting: return connectSent + max(10, interval)
        case .connected:
            if let sent = pingSent { return sent + max(interval / 2, 5) }
            return interval > 0 ? lastSent + interval : nil
        case .disconnected: return nil
        }
    }

    public mutating func subscribe(_ wanted: [Subscription], now: Double) -> [Action] {
        for subscription in wanted {
            subscriptions.removeAll { $0.filter == subscription.filter }
            subscriptions.append(subscription)
        }
        var actions: [Action] = []
        if state == .connected { subscribeNow(wanted, now: now, into: &actions) }
        return actions
    }

    mutating func subscribeNow(_ wanted: [Subscription], now: Double, into actions: inout [Action]) {
        let id = packetID()
        pendingSubscribes[id] = wanted.map(\.filter)
        send(.subscribe(packetID: id, wanted), now: now, into: &actions)
    }

    public mutating func unsubscribe(_ filters: [String], now: Double) -> [Action] {
        subscriptions.removeAll { filters.contains($0.filter) }
        guard state == .connected, !filters.isEmpty else { return [] }
        var actions: [Action] = []
        send(.unsubscribe(packetID: packetID(), filters), now: now, into: &actions)
        return actions
    }

    /// Publishes now when connected, else when the connection is back.
    public mutating func publish(_ message: Message, now: Double) -> [Action] {
        guard state == .connected else {
            queued.append(message)
            return []
        }
        var actions: [Action] = []
        if message.qos == .atMostOnce {
            send(.publish(Publish(message)), now: now, into: &actions)
        } else {
            let id = packetID()
            let publish = Publish(message, packetID: id)
            inflight[id] = publish
            inflightOrder.append(id)
            send(.publish(publish), now: now, into: &actions)
        }
        return actions
    }

    public mutating func disconnect(now: Double) -> [Action] {
        guard state == .connected else { return [] }
        var actions: [Action] = []
        send(.disconnect, now: now, into: &actions)
        state = .disconnected
        return actions
    }

    static func connackReason(_ code: UInt8) -> String {
        switch code {
        case 1: return "the broker refused the connection: unacceptable protocol version"
        case 2: return "the broker refused the connection: client identifier rejected"
        case 3: return "the broker refused the connection: server unavailable"
        case 4: return "the broker refused the connection: bad user name or password"
        case 5: return "the broker refused the connection: not authorized"
        default: return "the broker refused the connection (return code \(code))"
        }
    }
}

/// Reconnect delays: 0.5 s doubling to a cap, with jitter, reset once connected.
public struct Backoff: Sendable {
    public var initial: Double
    public var cap: Double
    private var attempt = 0

    public init(initial: Double = 0.5, cap: Double = 30) {
        self.initial = initial
        self.cap = cap
    }

    public mutating func next(jitter: Double = Double.random(in: 0.8...1.2)) -> Double {
        defer { attempt += 1 }
        return min(cap, initial * Double(1 << min(attempt, 20))) * jitter
    }

    public mutating func reset() { attempt = 0 }
}
