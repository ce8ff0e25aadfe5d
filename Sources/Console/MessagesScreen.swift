import FleetValues
import JSON
import MQTT
import TermCore

enum MessagesScreen {
    /// The messages shown: up to the pause point, through the search (newest last).
    static func visible(_ state: DashboardState) -> [StoredMessage] {
        let messages = state.messages
        let store = messages.store
        guard store.count > 0 else { return [] }
        let limit = messages.pausedAt ?? Int.max
        let first = store[0].sequence
        if state.filter.isEmpty {
            return Array((0..<store.count).lazy.map { store[$0] }.filter { $0.sequence <= limit })
        }
        let sequences = messages.matchesFilter == state.filter ? messages.matches : matches(state.filter, in: store, after: 0)
        return sequences.filter { $0 >= first && $0 <= limit }.map { store[$0 - first] }
    }

    static func haystack(_ item: StoredMessage) -> String { item.message.topic + " " + text(item.message.payload) }

    /// Sequence numbers of the held messages after `after` that pass `filter`.
    static func matches(_ filter: String, in store: MessageStore, after: Int) -> [Int] {
        let matcher = TextFilter(filter)
        guard store.count > 0 else { return [] }
        let first = store[0].sequence
        return (max(0, after + 1 - first)..<store.count).compactMap { index in
            matcher.matches(haystack(store[index])) ? store[index].sequence : nil
        }
    }

    /// Brings the search's matches up to date: all of them for a new filter, else only the
    /// messages that arrived since (and forgetting those the ring dropped).
    static func search(_ state: inout DashboardState) {
        var messages = state.messages
        defer { state.messages = messages }
        guard !state.filter.isEmpty else {
            messages.matches = []
            messages.matchesFilter = ""
            return
        }
        if messages.matchesFilter != state.filter {
            messages.matches = matches(state.filter, in: messages.store, after: 0)
        } else {
            messages.matches += matches(state.filter, in: messages.store, after: messages.matchesChecked)
            let first = messages.store.count > 0 ? messages.store[0].sequence : Int.max
            if let keep = messages.matches.firstIndex(where: { $0 >= first }) { messages.matches.removeFirst(keep) } else { messages.matches = [] }
        }
        messages.matchesFilter = state.filter
        messages.matchesChecked = messages.store.received
    }

    /// The last `count` messages shown, cheaply, when there is no filter (the common, fast case).
    static func window(_ state: DashboardState, ending: Int?, count: Int) -> [StoredMessage] {
        guard state.filter.isEmpty else {
            // Searching: only the last `count` matches up to the end are looked up (by binary
            // search in the increasing match list), not every match copied per frame.
            let messages = state.messages, store = messages.store
            guard store.count > 0 else { return [] }
            let first = store[0].sequence
            let sequences = messages.matchesFilter == state.filter ? messages.matches : matches(state.filter, in: store, after: 0)
            func last(upTo limit: Int) -> [StoredMessage] {
                var low = 0, high = sequences.count
                while low < high {
                    let middle = (low + high) / 2
                    if sequences[middle] <= limit { low = middle + 1 } else { high = middle }
                }
                var result: [StoredMessage] = []
                var index = low - 1
                while index >= 0, result.count < count, sequences[index] >= first {
                    result.append(store[sequences[index] - first])
                    index -= 1
                }
                return result.reversed()
            }
            let paused = messages.pausedAt ?? Int.max
            let shown = last(upTo: min(ending ?? Int.max, paused))
            // A selection before every match shows the end, as the list does.
            return shown.isEmpty && ending != nil ? last(upTo: paused) : shown
        }
        let store = state.messages.store
        guard store.count > 0 else { return [] }
        let first = store[0].sequence
        let limit = min(ending ?? Int.max, state.messages.pausedAt ?? Int.max, store[store.count - 1].sequence)
        let end = max(0, limit - first + 1)
        return (max(0, end - count)..<end).map { store[$0] }
    }

    /// The rows the list has on screen (between the header and the detail pane or status line).
    static func listHeight(_ state: DashboardState) -> Int {
        Layout.split(state.rows, [.fixed(2), .fill, .fixed(state.messages.detail ? detailHeight(rows: state.rows) : 0), .fixed(1)])[1].size
    }

    /// The top of the list that keeps `selected` (an index of `shown`) in view, moving the old
    /// top as little as it can: a log scrolled back stays where it is until the cursor leaves it.
    static func top(keeping selected: Int, in shown: [StoredMessage], top: Int?, height: Int) -> Int {
        var index = top.flatMap { sequence in shown.firstIndex { $0.sequence >= sequence } } ?? max(0, selected - height + 1)
        if selected < index { index = selected }
        if selected >= index + max(1, height) { index = selected - max(1, height) + 1 }
        return shown[max(0, index)].sequence
    }

    /// `count` messages from `top` on (through the search, up to the pause point).
    static func window(_ state: DashboardState, from top: Int, count: Int) -> [StoredMessage] {
        let messages = state.messages, store = messages.store
        guard store.count > 0 else { return [] }
        let first = store[0].sequence, limit = messages.pausedAt ?? Int.max
        if state.filter.isEmpty {
            return (max(0, top - first)..<store.count).prefix(count).map { store[$0] }.filter { $0.sequence <= limit }
        }
        let sequences = messages.matchesFilter == state.filter ? messages.matches : matches(state.filter, in: store, after: 0)
        var low = 0, high = sequences.count
        while low < high {
            let middle = (low + high) / 2
            if sequences[middle] < top { low = middle + 1 } else { high = middle }
        }
        return sequences[low...].prefix(count).filter { $0 >= first && $0 <= limit }.map { store[$0 - first] }
    }

    static func text(_ payload: [UInt8]) -> String {
        String(validating: payload, as: UTF8.self) ?? payload.prefix(24).map { Hex.encode([$0]) }.joined(separator: " ")
    }


    static func received(_ state: inout DashboardState, _ batch: [(Message, Double)]) -> [DashboardCommand] {
        for (message, time) in batch { state.messages.store.append(message, time: time) }
        if !state.filter.isEmpty && state.screen == .messages { search(&state) }
        if let path = state.messages.recording, !batch.isEmpty { return [.record(path, batch.map { Record(message: $0.0, time: $0.1) })] }
        return []
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        var messages = state.messages
        defer { state.messages = messages }
        switch event {
        case .character(" "), .character("p"):
            messages.pausedAt = messages.pausedAt == nil ? messages.store.received : nil
        case .key(.pageDown) where messages.detail, .key(.pageUp) where messages.detail, .character("J") where messages.detail, .character("K") where messages.detail:
            state.messages = messages
            let page = max(1, detailHeight(rows: state.rows) - 2)
            scrollDetail(&state, by: event == .key(.pageDown) ? page : event == .key(.pageUp) ? -page : event == .character("J") ? 1 : -1)
            messages = state.messages
        case .character("j"), .key(.down), .character("k"), .key(.up), .key(.pageDown), .key(.pageUp):
            let height = listHeight(state)
            let step = event == .key(.pageDown) || event == .key(.pageUp) ? max(1, height - 1) : 1
            let down = event == .character("j") || event == .key(.down) || event == .key(.pageDown)
            let shown = visible(state)
            guard !shown.isEmpty else { return [] }
            let current = messages.selected.flatMap { sequence in shown.firstIndex { $0.sequence == sequence } } ?? shown.count - 1
            let next = down ? min(shown.count - 1, current + step) : max(0, current - step)
            messages.hold(at: shown[next].sequence)
            messages.top = Self.top(keeping: next, in: shown, top: messages.top, height: height)
        case .character("g"), .key(.home):
            messages.selected = visible(state).first?.sequence
            messages.top = messages.selected
            if messages.pausedAt == nil { messages.pausedAt = messages.store.received }
        case .character("G"), .key(.end):
            messages.selected = nil
            messages.top = nil
            messages.pausedAt = nil
        case .key(.enter):
            messages.detail.toggle()
            messages.folded = []
            messages.detailScroll = 0
        case .character("z") where messages.detail:
            // Folds (or unfolds) every object and array below the top level of the detail's JSON.
            if messages.folded.isEmpty {
                let item = window(state, ending: messages.selected, count: 1).last
                let value = item.flatMap { try? JSONValue.parse($0.message.payload) }
                messages.folded = Set((value.map { JSONViewer.lines($0, folded: []) } ?? []).filter { $0.foldable && $0.indent == 1 }.map(\.path))
            } else {
                messages.folded = []
            }
        case .character("w"): messages.wrap.toggle()
        case .character("t"): messages.timestamps.toggle()
        case .character("T"): messages.showTree.toggle()
        case .character("c"): messages.store = MessageStore(capacity: messages.store.capacity); messages.selected = nil; messages.pausedAt = nil
        case .character("R"):
            if messages.recording != nil {
                state.notice = "recording stopped: \(messages.recording!)"
                messages.recording = nil
            } else {
                messages.recording = "fleetdeck-messages-\(messages.store.received).jsonl"
                state.notice = "recording new messages to \(messages.recording!) (R stops)"
            }
        case .character("s"):
            state.editingCommand = true
            state.command.text = "tail "
            state.command.cursor = 5
        case .character("P"):
            if Dashboard.refused(&state, "publishing") { return [] }
            state.editingCommand = true
            state.command.text = "publish "
            state.command.cursor = 8
        default:
            return nil
        }
        return []
    }

    /// One line of the list.
    static func line(_ item: StoredMessage, state: MessagesState) -> String {
        var text = ""
        if state.timestamps { text += clock(item.time) + " " }
        text += item.message.topic + "  " + MessagesScreen.text(item.message.payload).replacingNewlines()
        return text
    }

    /// `09:30:12.345` (UTC).
    static func clock(_ time: Double) -> String {
        let millis = Int((time - Double(Int(time))) * 1000)
        return CivilTime(secondsSince1970: Int64(time)).clock + "." + (millis < 10 ? "00" : millis < 100 ? "0" : "") + "\(millis)"
    }

    /// The tail; a click on a message selects it (and holds the list still, as scrolling back does).
    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        let messages = state.messages
        let store = messages.store
        var header = " \(messages.filters.isEmpty ? "no subscriptions (s subscribes)" : messages.filters.joined(separator: "  "))"
        header += "   \(store.received) received"
        if store.dropped > 0 { header += ", \(store.dropped) dropped from the buffer" }
        if let paused = messages.pausedAt { header += "   PAUSED, \(store.received - paused) new" }
        // The broker's state and why, not only a hollow glyph.
        if !messages.connected, messages.broker != nil, let why = messages.lastError { header += "   ○ \(why); retrying" }
        if messages.recording != nil { header += "   ● REC" }
        buffer.put(DisplayWidth.pad(header, buffer.columns), row: 1, column: 0, style: messages.pausedAt == nil ? theme[.header] : theme[.update])
        let columns = Layout.split(buffer.columns, [messages.showTree && buffer.columns >= 80 ? .percent(28) : .fixed(0), .fill])
        let detailRows = messages.detail ? detailHeight(rows: buffer.rows) : 0
        let rows = Layout.split(buffer.rows, [.fixed(2), .fill, .fixed(detailRows), .fixed(1)])
        if columns[0].size > 0 { tree(state, top: rows[1].offset, height: rows[1].size + rows[2].size, width: columns[0].size - 1, into: &buffer) }
        let listLeft = columns[1].offset, listWidth = columns[1].size
        // Scrolled back, the list is a log: it stands from its top, the cursor moving in it.
        var shown = messages.top.map { window(state, from: $0, count: rows[1].size) } ?? []
        if messages.selected == nil || !shown.contains(where: { $0.sequence == messages.selected }) {
            shown = window(state, ending: messages.selected, count: rows[1].size)
        }
        if shown.isEmpty {
            let hint = store.count > 0 && !state.filter.isEmpty ? "No message matches '\(state.filter)' (of \(store.count) held)."
                : messages.connected ? "Waiting for messages…"
                : "Connecting to \(messages.broker ?? "the broker")…" + Dashboard.elapsed(state) + (messages.lastError.map { " (\($0); retrying)" } ?? "")
            buffer.put(hint, row: rows[1].offset, column: listLeft + 1, style: theme[.dim])
        }
        var row = rows[1].offset
        var hits: [HitArea] = []
        var previous: Int?
        for item in shown where row < rows[1].offset + rows[1].size {
            // A lost connection between two shown messages is marked, whatever the search hides.
            defer { previous = item.sequence }
            if item.afterGap || previous.map({ store.gap(after: $0, upTo: item.sequence) }) == true {
                buffer.put(DisplayWidth.pad("  ─── connection lost: messages may be missing ───", listWidth), row: row, column: listLeft, style: theme[.error], limit: listWidth)
                row += 1
                if row >= rows[1].offset + rows[1].size { break }
            }
            let style = item.sequence == messages.selected ? theme[.selected] : theme[.text]
            let text = " " + line(item, state: messages)
            let start = row
            defer { hits += (start..<row).map { HitArea(row: $0, column: listLeft, width: listWidth, target: .row(item.sequence)) } }
            if messages.wrap {
                var rest = Substring(text)
                while !rest.isEmpty && row < rows[1].offset + rows[1].size {
                    let (part, _) = DisplayWidth.prefix(String(rest), fitting: listWidth)
                    buffer.put(DisplayWidth.pad(part, listWidth), row: row, column: listLeft, style: style, limit: listWidth)
                    rest = rest.dropFirst(max(1, part.count))
                    row += 1
                }
            } else {
                buffer.put(DisplayWidth.pad(text, listWidth), row: row, column: listLeft, style: style, limit: listWidth)
                row += 1
            }
        }
        if messages.detail { detail(state, top: rows[2].offset, height: rows[2].size, left: listLeft, width: listWidth, into: &buffer) }
        return hits
    }

    static func tree(_ state: DashboardState, top: Int, height: Int, width: Int, into buffer: inout CellBuffer) {
        let theme = state.theme
        func nodes(_ list: [TopicNode]) -> [TreeNode] { list.map { TreeNode(id: $0.path, label: "\($0.name.isEmpty ? "(empty)" : $0.name) \($0.count)", children: nodes($0.children)) } }
        let lines = TreeNode.flatten(nodes(state.messages.store.tree()), folded: [])
        for (offset, line) in lines.prefix(height).enumerated() {
            buffer.put(DisplayWidth.pad(" " + line.prefix + line.label, width), row: top + offset, column: 0, style: theme[.dim], limit: width)
        }
        for row in top..<(top + height) { buffer.put("│", row: row, column: width, style: theme[.dim]) }
    }
}

extension MessagesScreen: ScreenComponent {
    static func title(_ screen: Screen) -> String { "messages" }
    static func rowCount(_ state: DashboardState) -> Int { state.messages.store.count }
    /// Its rows are messages (by sequence number).
    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? {
        guard case .row(let sequence) = target else { return nil }
        state.messages.hold(at: sequence)
        return []
    }
    /// Opens it (connecting to the broker on first use).
    static func open(_ state: inout DashboardState) -> [DashboardCommand] {
        if state.screen != .messages, !CommandMode.replaceTop(&state, with: .messages) { return [] }
        return state.messages.broker == nil ? [.connectBroker] : []
    }
    static func topics(_ state: DashboardState) -> [String] { Array(state.messages.store.topics.keys.sorted().prefix(200)) }
    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["messages"]) { state, _, _ in open(&state) },
         ScreenCommand(names: ["tail"], arguments: topics) { state, argument, _ in
             let words = argument.split(separator: " ").map(String.init)
             let filters = words.isEmpty ? ["#"] : words
             for filter in filters {
                 do { try Topic.validateFilter(filter) } catch { state.notice = "\(error)"; return [] }
             }
             let fresh = filters.filter { !state.messages.filters.contains($0) }
             state.messages.filters += fresh
             return open(&state) + (fresh.isEmpty ? [] : [.subscribe(fresh)])
         },
         ScreenCommand(names: ["untail"], arguments: { $0.messages.filters }) { state, argument, _ in
             let words = argument.split(separator: " ").map(String.init)
             let filters = words.isEmpty ? state.messages.filters : words
             state.messages.filters.removeAll { filters.contains($0) }
             return filters.isEmpty ? [] : [.unsubscribe(filters)]
         },
         ScreenCommand(names: ["publish"], arguments: topics) { state, argument, line in
             if Dashboard.refused(&state, "publishing") { return [] }
             var parts = argument.split(separator: " ").map(String.init)
             var qos = QoS.atMostOnce, retain = false
             while let last = parts.last, last == "retain" || last.hasPrefix("qos=") {
                 if last == "retain" { retain = true } else { qos = last == "qos=1" ? .atLeastOnce : .atMostOnce }
                 parts.removeLast()
             }
             guard parts.count >= 1 else { state.notice = ":publish TOPIC PAYLOAD [qos=1] [retain]"; return [] }
             do { try Topic.validateName(parts[0]) } catch { state.notice = "\(error)"; return [] }
             let payload = line.drop { $0 == " " }.dropFirst("publish".count).drop { $0 == " " }.dropFirst(parts[0].count).drop { $0 == " " }
             var text = String(payload)
             for suffix in [" retain", " qos=1", " qos=0"] where text.hasSuffix(suffix) { text.removeLast(suffix.count) }
             state.notice = "published \(text.utf8.count) bytes to \(parts[0])"
             return open(&state) + [.publish(Message(topic: parts[0], payload: Array(text.utf8), qos: qos, retain: retain))]
         }]
    }
    /// Messages and the broker's state arrive whatever screen is on top (the tail keeps them).
    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        switch message {
        case .received(let batch):
            return received(&state, batch)
        case .broker(.message(let message, let time)):
            return received(&state, [(message, time)])
        case .broker(.linked(let name)):
            state.messages.broker = name
        case .broker(.connected):
            state.messages.connected = true
            state.messages.lastError = nil
        case .broker(.disconnected(let why)):
            if state.messages.connected { state.messages.store.markGap() }
            state.messages.connected = false
            state.messages.lastError = why
        default:
            break
        }
        return []
    }
    static func filters(_ state: DashboardState) -> Bool { true }
    static func filterChanged(_ state: inout DashboardState) { search(&state) }
    static func hints(_ state: DashboardState) -> String {
        let messages = state.messages
        return (messages.connected ? "● " : "○ ") + (messages.broker ?? "no broker") + (messages.pausedAt == nil ? "  space pause" : "  space resume  G newest")
            + "  ↵ detail  s subscribe  P publish"
    }
    static func help(_ state: DashboardState) -> [String] {
        ["space p    pause (messages keep arriving, counted)", "j k g G    scroll back; G follows the newest",
         "enter      detail: JSON, changes, sparkline; z folds", "PgDn PgUp  scroll the detail (J K a line)", "/          search topics and payloads",
         "s  :tail F subscribe; :untail F unsubscribes", "P          publish (:publish TOPIC PAYLOAD [qos=1] [retain])",
         "w t T      wrap, timestamps, topic tree", "R          record to a JSON-lines file", "c          clear the buffer"]
    }
}

extension Screen {
    /// Device messages: the tail.
    public static let messages = Screen(MessagesScreen.self)
}
