import FleetValues
import JSON
import TermCore

/// Provisioning attempts (`:provisioning`): what each fleet provisioning template's hook
/// answered each serial number in the last 7 days (from the hook's log), admitted or refused
/// and why, and whether the serial number is on the allowlist the hook reads now (a listed one
/// refused is red); joined with the registry's THING events where the account enables them (the
/// dashboard subscribes to `$aws/events/thing/+/created`: the thing made for an admitted serial
/// number and when, and things no hook answered for). Enter on an admitted one opens its device.
enum ProvisioningScreen: ScreenComponent {
    struct State: SortedState {
        var attempts: [ProvisioningAttempt]?
        /// The registry event types the account enables (nil: not read, or unreadable).
        var events: [String]?
        var order = Table.Order()
        init() {}
    }

    static let attempts = FleetQuery<Void, [ProvisioningAttempt]>("provisioning attempts") { fleet, _ in try await fleet.provisioningAttempts(days: 7) }
    static let events = FleetQuery<Void, [String]>("registry events") { fleet, _ in try await fleet.enabledRegistryEvents() }
    /// The registry's events for things created.
    static let topic = "$aws/events/thing/+/created"
    static let titles = ["TIME", "SERIAL", "ANSWER", "LISTED", "CREATED", "REASON", "TEMPLATE"]

    static func title(_ screen: Screen) -> String { "provisioning" }

    static func joined(_ state: DashboardState) -> [ProvisioningAttempt]? {
        guard let attempts = state.own[State.self].attempts else { return nil }
        let held = state.messages.store.all.filter { $0.message.topic.hasPrefix("$aws/events/thing/") }
        return ProvisioningAttempt.joined(attempts, created: ProvisioningAttempt.thingsCreated(held.map { ($0.message.topic, $0.message.payload, $0.time) }))
    }

    static func rows(_ state: DashboardState) -> [(attempt: ProvisioningAttempt, cells: [String])]? {
        guard let attempts = joined(state) else { return nil }
        return state.own[State.self].order.shown(attempts, filter: state.filter) { attempt in
            [String(CivilTime(secondsSince1970: attempt.time).stamp.prefix(16)), attempt.serial,
             attempt.template == nil ? "created" : attempt.admitted ? "admitted" : "refused", attempt.listed.map { $0 ? "yes" : "no" } ?? "?",
             attempt.thingCreated.map { String(CivilTime(secondsSince1970: $0).iso8601.dropFirst(11).prefix(8)) } ?? "-",
             (attempt.reason ?? "-") + (attempt.wrong ? " (it is on the allowlist)" : ""), attempt.template ?? "-"]
        }.map { (attempt: $0.0, cells: $0.1) }
    }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme, area = listArea(state)
        guard let all = joined(state), let rows = rows(state) else {
            buffer.put(Dashboard.waiting(state, "Reading the provisioning hooks' logs"), row: 2, column: 1, style: theme[.dim])
            return []
        }
        let refused = all.filter { !$0.admitted }.count, wrong = all.filter(\.wrong).count
        var header = " \(all.count) provisioning attempt\(all.count == 1 ? "" : "s") in the last 7 days: \(all.count - refused) admitted, \(refused) refused"
            + (wrong > 0 ? ", \(wrong) of them on the allowlist" : "")
        switch state.own[State.self].events {
        case let types? where types.contains("THING"): header += "; THING events on"
        case .some: header += "; THING events off in the account (the hooks' logs only)"
        case nil: break
        }
        if !state.filter.isEmpty { header += "; \(rows.count) match /\(state.filter)" }
        buffer.put(DisplayWidth.pad(header, buffer.columns), row: 1, column: 0, style: theme[.header])
        return Dashboard.sortedList(state, into: &buffer, area: area, titles: titles, rows: rows.map(\.cells), limits: [17, 24, 8, 6, 8, 40],
                                    sort: state.own[State.self].order.mark,
                                    empty: "No attempts in the hooks' logs of the last 7 days (or no template has a pre-provisioning hook), and no thing created since the dashboard listened.") {
            rows[$0].attempt.wrong ? theme[.error] : rows[$0].attempt.admitted ? theme[.text] : theme[.dim]
        }
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        switch event {
        case .key(.enter):
            guard let rows = rows(state), rows.indices.contains(state.selected) else { return [] }
            let attempt = rows[state.selected].attempt
            guard attempt.admitted else {
                state.notice = "\(attempt.serial) was refused: no thing was made for it"
                return []
            }
            return DeviceScreen.open(&state, attempt.serial)
        default:
            return State.sortKey(&state, event, columns: titles.count)
        }
    }

    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? { State.sortClicked(&state, target) }

    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let list = attempts.answer(in: message)?.value(&state) { state.own[State.self].attempts = list }
        if let answer = events.answer(in: message) {
            // (unreadable: said on the status line, and the header says nothing of events)
            state.own[State.self].events = answer.value(&state)
        }
        return []
    }

    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        state.own[State.self].attempts = nil
        return [attempts.command, events.command]
    }

    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["provisioning"]) { state, _, _ in
            guard CommandMode.replaceTop(&state, with: .provisioning) else { return [] }
            // The registry's thing events join the subscriptions (held from now on).
            let subscribe: [DashboardCommand] = state.messages.filters.contains(topic) ? [] : [.connectBroker, .subscribe([topic])]
            if !state.messages.filters.contains(topic) { state.messages.filters.append(topic) }
            return subscribe + (reload(&state) ?? [])
        }]
    }

    static func rowCount(_ state: DashboardState) -> Int { rows(state)?.count ?? 0 }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (3, max(0, state.rows - 4)) }
    static func filters(_ state: DashboardState) -> Bool { true }
    static func hints(_ state: DashboardState) -> String { "↵ the device  / filter  s sort  r reload" }
    static func help(_ state: DashboardState) -> [String] {
        [":provisioning  what the provisioning hooks answered each serial number (their logs), tied to the allowlist,",
         "           and the things the registry's THING events say were created (where the account enables them)",
         "red        a serial number refused though the allowlist lists it", "enter      the device (admitted ones)",
         "s S        sort by the next column, reverse"]
    }
}

extension Screen {
    /// Provisioning attempts, as the templates' hooks answered them.
    public static let provisioning = Screen(ProvisioningScreen.self)
}
