/// A received message with when it arrived (seconds since the epoch) and its place in the stream.
public struct StoredMessage: Sendable, Equatable {
    public var sequence: Int
    public var time: Double
    public var message: Message
    /// Messages may have been missed just before this one (the connection was lost).
    public var afterGap: Bool

    public init(sequence: Int, time: Double, message: Message, afterGap: Bool = false) {
        self.sequence = sequence
        self.time = time
        self.message = message
        self.afterGap = afterGap
    }
}

/// The messages of a tail: a ring buffer bounded in count and bytes (the oldest go first, and
/// are counted), per-topic counts and last payloads, and the topics as a tree.
public struct MessageStore: Sendable {
    public struct TopicStats: Sendable, Equatable {
        public var count: Int
        public var last: [UInt8]
        /// The payload before the last one (for "what changed").
        public var previous: [UInt8]?
        public var lastTime: Double
    }

    public let capacity: Int
    public let byteLimit: Int
    private var ring: [StoredMessage?]
    private var head = 0
    public private(set) var count = 0
    public private(set) var bytes = 0
    /// Messages dropped from the ring to stay within its bounds.
    public private(set) var dropped = 0
    public private(set) var received = 0
    public private(set) var topics: [String: TopicStats] = [:]
    private var gapPending = false
    /// The sequence numbers of the held messages that came after a lost connection, in order.
    public private(set) var gaps: [Int] = []

    public init(capacity: Int = 100_000, byteLimit: Int = 256 * 1024 * 1024) {
        self.capacity = max(1, capacity)
        self.byteLimit = byteLimit
        ring = Array(repeating: nil, count: self.capacity)
    }

    static func size(_ message: Message) -> Int { message.payload.count + message.topic.utf8.count + 48 }

    /// Marks that the connection was lost: the next message carries the gap.
    public mutating func markGap() { gapPending = true }

    public mutating func append(_ message: Message, time: Double) {
        let size = Self.size(message)
        while count > 0 && (count == capacity || bytes + size > byteLimit) { dropOldest() }
        received += 1
        let index = (head + count) % capacity
        ring[index] = StoredMessage(sequence: received, time: time, message: message, afterGap: gapPending)
        if gapPending { gaps.append(received) }
        gapPending = false
        count += 1
        bytes += size
        var stats = topics[message.topic] ?? TopicStats(count: 0, last: [], previous: nil, lastTime: time)
        stats.previous = stats.count > 0 ? stats.last : nil
        stats.count += 1
        stats.last = message.payload
        stats.lastTime = time
        topics[message.topic] = stats
    }

    /// Whether the connection was lost between message `previous` and message `sequence`
    /// (after the first, up to the second): a list that skips messages still shows the gap.
    public func gap(after previous: Int, upTo sequence: Int) -> Bool {
        var low = 0, high = gaps.count
        while low < high {
            let middle = (low + high) / 2
            if gaps[middle] <= previous { low = middle + 1 } else { high = middle }
        }
        return low < gaps.count && gaps[low] <= sequence
    }

    private mutating func dropOldest() {
        if let oldest = ring[head] {
            bytes -= Self.size(oldest.message)
            if gaps.first == oldest.sequence { gaps.removeFirst() }
        }
        ring[head] = nil
        head = (head + 1) % capacity
        count -= 1
        dropped += 1
    }

    /// The `index`-th message held, oldest first.
    public subscript(index: Int) -> StoredMessage { ring[(head + index) % capacity]! }

    public var all: [StoredMessage] { (0..<count).map { self[$0] } }

    public var last: StoredMessage? { count == 0 ? nil : self[count - 1] }

    /// The topics as a tree of levels with message counts (a node's count includes its children's).
    public func tree() -> [TopicNode] {
        var root = TopicNode(name: "", path: "", count: 0, children: [])
        for (topic, stats) in topics {
            var node = root
            insert(&node, levels: topic.split(separator: "/", omittingEmptySubsequences: false).map(String.init), path: "", count: stats.count)
            root = node
        }
        return root.children
    }

    private func insert(_ node: inout TopicNode, levels: [String], path: String, count: Int) {
        node.count += count
        guard let first = levels.first else { return }
        let childPath = path.isEmpty && node.path.isEmpty ? first : node.path + "/" + first
        if let index = node.children.firstIndex(where: { $0.name == first }) {
            insert(&node.children[index], levels: Array(levels.dropFirst()), path: childPath, count: count)
        } else {
            var child = TopicNode(name: first, path: childPath, count: 0, children: [])
            insert(&child, levels: Array(levels.dropFirst()), path: childPath, count: count)
            node.children.append(child)
            node.children.sort { $0.name < $1.name }
        }
    }
}

public struct TopicNode: Sendable, Equatable {
    public var name: String
    public var path: String
    public var count: Int
    public var children: [TopicNode]
}
