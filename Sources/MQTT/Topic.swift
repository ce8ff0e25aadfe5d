/// Topic names and filters (MQTT 3.1.1 section 4.7).
public enum Topic {
    /// Checks a topic name for publishing: not empty, no wildcards, no U+0000, at most 65535 bytes.
    public static func validateName(_ topic: String) throws(MQTTError) {
        if topic.isEmpty { throw .invalidTopic(topic, reason: "it is empty") }
        if topic.utf8.count > 65535 { throw .invalidTopic(String(topic.prefix(40)) + "…", reason: "it is longer than 65535 bytes") }
        if topic.contains("+") || topic.contains("#") { throw .invalidTopic(topic, reason: "a topic name cannot hold + or #") }
        if topic.unicodeScalars.contains("\u{0}") { throw .invalidTopic(topic, reason: "it holds U+0000") }
    }

    /// Checks a topic filter: `+` fills a whole level, `#` a whole last level.
    public static func validateFilter(_ filter: String) throws(MQTTError) {
        if filter.isEmpty { throw .invalidTopic(filter, reason: "it is empty") }
        if filter.utf8.count > 65535 { throw .invalidTopic(String(filter.prefix(40)) + "…", reason: "it is longer than 65535 bytes") }
        if filter.unicodeScalars.contains("\u{0}") { throw .invalidTopic(filter, reason: "it holds U+0000") }
        let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
        for (index, level) in levels.enumerated() {
            if level.contains("#") && (level != "#" || index != levels.count - 1) {
                throw .invalidTopic(filter, reason: "'#' must be the whole last level")
            }
            if level.contains("+") && level != "+" { throw .invalidTopic(filter, reason: "'+' must be a whole level") }
        }
    }

    /// Whether `topic` matches `filter`. Filters starting with a wildcard do not match topics
    /// starting with `$` (such as `$aws/things/...`).
    public static func matches(_ topic: String, filter: String) -> Bool {
        var topicLevels = topic.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).makeIterator()
        let filterLevels = filter.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        if topic.utf8.first == UInt8(ascii: "$"), let first = filterLevels.first, first.elementsEqual("+".utf8) || first.elementsEqual("#".utf8) {
            return false
        }
        for level in filterLevels {
            if level.elementsEqual("#".utf8) { return true }
            guard let current = topicLevels.next() else { return false }
            if level.elementsEqual("+".utf8) { continue }
            if !level.elementsEqual(current) { return false }
        }
        return topicLevels.next() == nil
    }
}
