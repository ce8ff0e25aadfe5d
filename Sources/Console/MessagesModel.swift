import FleetValues
import JSON
import MQTT
import TermCore

/// The broker as the dashboard uses it (the composition root connects it over MQTTNet).
public struct BrokerLink: Sendable {
    public var name: String
    public var subscribe: @Sendable ([String]) -> Void
    public var unsubscribe: @Sendable ([String]) -> Void
    public var publish: @Sendable (Message) -> Void
    public var stop: @Sendable () -> Void

    public init(name: String, subscribe: @escaping @Sendable ([String]) -> Void, unsubscribe: @escaping @Sendable ([String]) -> Void,
                publish: @escaping @Sendable (Message) -> Void, stop: @escaping @Sendable () -> Void) {
        self.name = name
        self.subscribe = subscribe
        self.unsubscribe = unsubscribe
        self.publish = publish
        self.stop = stop
    }
}

public enum BrokerEvent: Sendable {
    /// The link is made (to the broker with this name); the connection follows.
    case linked(String)
    case connected
    case disconnected(String)
    case message(Message, time: Double)
}

extension MessageStore: Equatable {
    /// Stores compare by what they have taken in (the dashboard's state comparisons need no more).
    public static func == (lhs: MessageStore, rhs: MessageStore) -> Bool {
        lhs.received == rhs.received && lhs.dropped == rhs.dropped && lhs.capacity == rhs.capacity
    }
}

/// The Messages screen's state: the ring of received messages and how it is looked at.
public struct MessagesState: Equatable, Sendable {
    public var store = MessageStore()
    public var filters: [String] = []
    public var broker: String?
    public var connected = false
    public var lastError: String?
    /// Paused at this many received messages: the list stands still, new ones are counted.
    public var pausedAt: Int?
    /// The selected message's sequence number (nil: following the newest).
    public var selected: Int?
    /// While scrolled back, the message at the top of the list (it moves only to keep the
    /// selection in view, as a log does).
    public var top: Int?
    public var detail = false
    public var wrap = false
    public var timestamps = true
    public var showTree = true
    /// The JSON-lines file messages are recorded to, while recording.
    public var recording: String?
    public var folded: Set<String> = []
    /// Lines of the detail scrolled past (PgDn/PgUp a page, J/K a line).
    public var detailScroll = 0
    /// The `/` search's matches (sequence numbers), kept up to date as messages arrive, and
    /// the filter and last sequence they were computed for.
    public var matches: [Int] = []
    public var matchesFilter = ""
    public var matchesChecked = 0

    public init(capacity: Int = 100_000) { store = MessageStore(capacity: capacity) }

    /// Selects a message and holds the list still (scrolling back or clicking one pauses it).
    mutating func hold(at sequence: Int) {
        selected = sequence
        detailScroll = 0
        if pausedAt == nil { pausedAt = store.received }
    }
}

/// A message for the recording file.
public struct Record: Sendable, Equatable {
    public var message: Message
    public var time: Double

    /// One JSON line: topic, payload (text, or base64 for binary), QoS, retain, time.
    public var line: String {
        var object: JSONObject = ["topic": .string(message.topic)]
        if let text = String(validating: message.payload, as: UTF8.self) { object["payload"] = .string(text) } else {
            object["payloadBase64"] = .string(Base64.encode(message.payload))
        }
        object["qos"] = .integer(Int64(message.qos.rawValue))
        object["retain"] = .bool(message.retain)
        object["time"] = .double(time)
        return JSONValue.object(object).serialized() + "\n"
    }
}

extension String {
    func replacingNewlines() -> String { contains("\n") ? split(separator: "\n").joined(separator: " ⏎ ") : self }
}
