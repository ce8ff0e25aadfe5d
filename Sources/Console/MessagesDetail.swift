import FleetValues
import JSON
import MQTT
import TermCore

/// The Messages screen's detail pane.
extension MessagesScreen {
    /// The selected (or newest) message: pretty JSON with folding (hex for binary), what changed
    /// since the topic's previous message, and a sparkline of its first numeric field.
    static func detail(_ state: DashboardState, top: Int, height: Int, left: Int, width: Int, into buffer: inout CellBuffer) {
        let theme = state.theme
        let messages = state.messages
        guard height > 1, let item = window(state, ending: messages.selected, count: 1).last else { return }
        let lines = detailLines(state, item, width: width)
        // The pane scrolls (PgDn PgUp, J K): a long document is read to its end, not cut off.
        let room = height - 1
        let first = min(messages.detailScroll, max(0, lines.count - room))
        let position = lines.count > room ? "  lines \(first + 1)–\(min(lines.count, first + room)) of \(lines.count) (PgDn PgUp)" : ""
        buffer.put(DisplayWidth.pad(" \(item.message.topic)  QoS \(item.message.qos.rawValue)\(item.message.retain ? " retained" : "")  \(item.message.payload.count) bytes" + position,
                                    width), row: top, column: left, style: theme[.header], limit: width)
        for (index, (line, role)) in lines.dropFirst(first).prefix(room).enumerated() {
            buffer.put(DisplayWidth.pad(" " + line, width), row: top + 1 + index, column: left, style: theme[role], limit: width)
        }
    }

    /// The detail pane's height on a screen of `rows` (half of what the list and it share).
    static func detailHeight(rows: Int) -> Int { max(6, (rows - 4) / 2) }

    /// Scrolls the detail by `lines`, kept between the top and the last page.
    static func scrollDetail(_ state: inout DashboardState, by lines: Int) {
        guard let item = window(state, ending: state.messages.selected, count: 1).last else { return }
        let count = detailLines(state, item, width: state.columns).count
        state.messages.detailScroll = max(0, min(state.messages.detailScroll + lines, count - (detailHeight(rows: state.rows) - 1)))
    }

    static func detailLines(_ state: DashboardState, _ item: StoredMessage, width: Int) -> [(String, Theme.Role)] {
        let messages = state.messages
        var lines: [(String, Theme.Role)] = []
        if let value = try? JSONValue.parse(item.message.payload) {
            let previous = previousPayload(state, before: item).flatMap { try? JSONValue.parse($0) }
            if case .object(let object)? = previous.map({ $0 }), case .object(let now) = value {
                let changed = now.compactMap { key, new -> String? in
                    guard let old = object[key], old != new else { return nil }
                    return "\(key) \(old.serialized()) → \(new.serialized())"
                }
                if !changed.isEmpty { lines.append(("changed: " + changed.joined(separator: ", "), .update)) }
            }
            if case .object(let now) = value, let (key, _) = now.first(where: { $0.value.doubleValue != nil }) {
                let series = numericSeries(state, topic: item.message.topic, key: key)
                lines.append(("\(key): \(Gauge.sparkline(series, width: max(8, min(60, width - key.count - 20)))) \(series.last.map { String($0) } ?? "")", .create))
            }
            lines += JSONViewer.lines(value, folded: messages.folded).map { ($0.text, $0.role == "string" ? .create : $0.role == "number" ? .update : .text) }
        } else if String(validating: item.message.payload, as: UTF8.self) == nil {
            var offset = 0
            while offset < item.message.payload.count {
                let chunk = item.message.payload[offset..<min(offset + 16, item.message.payload.count)]
                let position = Hex.encode([UInt8(offset >> 16 & 0xFF), UInt8(offset >> 8 & 0xFF), UInt8(offset & 0xFF)])
                lines.append((position + "  " + chunk.map { Hex.encode([$0]) }.joined(separator: " "), .text))
                offset += 16
            }
        } else {
            lines += text(item.message.payload).split(separator: "\n", omittingEmptySubsequences: false).map { (String($0), .text) }
        }
        return lines
    }

    static func previousPayload(_ state: DashboardState, before item: StoredMessage) -> [UInt8]? {
        let store = state.messages.store
        var index = store.count - 1
        while index >= 0 && store[index].sequence >= item.sequence { index -= 1 }
        var checked = 0
        while index >= 0 && checked < 5000 {
            if store[index].message.topic == item.message.topic { return store[index].message.payload }
            index -= 1
            checked += 1
        }
        return nil
    }

    /// The last values of a numeric JSON field on a topic (newest last).
    static func numericSeries(_ state: DashboardState, topic: String, key: String, limit: Int = 60) -> [Double] {
        let store = state.messages.store
        var values: [Double] = []
        var index = store.count - 1, checked = 0
        while index >= 0 && values.count < limit && checked < 20_000 {
            let item = store[index]
            if item.message.topic == topic, let value = (try? JSONValue.parse(item.message.payload))?[key]?.doubleValue { values.append(value) }
            index -= 1
            checked += 1
        }
        return values.reversed()
    }
}
