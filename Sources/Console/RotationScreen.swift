import FleetValues
import JSON
import MQTT
import Synchronization
import TermCore

/// Certificate rotation, device by device (`:rotation`): each device's way through the
/// reference architecture's chain, from the messages the dashboard holds (it subscribes to the
/// chain's topics) and the registry (the old certificate is revoked once the new one is the
/// thing's only certificate): when each step happened, devices stuck at a step longer than
/// `stuckAfter`, and the days left on each device's certificates; devices whose certificate
/// expires within the fleet's window and that are not rotating are listed as due. While a
/// rotation is under way the screen keeps its clock going and reads the registry again (every
/// 5 s, then less often) until the old certificates are revoked; `r` reads it at once. `R` asks
/// the marked devices (space), or the one under the cursor, for a new certificate.
enum RotationScreen: ScreenComponent {
    struct State: SortedState {
        var certificates: [CertificateInfo]?
        /// When the certificates were read (seconds since 1970).
        var readAt: Double = 0
        var order = Table.Order()
        /// How long a step may take before the device counts as stuck (seconds).
        var stuckAfter: Double = 120
        var marked: Set<String> = []
        /// The device to put the cursor on once the list is read (a finding opened it).
        var focus: String?
        /// Registry reads since the last change seen (the wait between them grows).
        var polls = 0
        init() {}
    }

    /// The chain's topics, which the screen subscribes to.
    static let topics = Rotation.topics
    static func stuckAfter(_ state: DashboardState) -> Double { state.own[State.self].stuckAfter }
    static let certificates = FleetQuery<Void, [CertificateInfo]>("rotation certificates") { fleet, _ in try await fleet.certificates() }
    static let titles = [" ", "DEVICE", "STEP", "ASKED", "CSR", "ISSUED", "ACK", "REVOKED", "CERTIFICATES"]

    static func title(_ screen: Screen) -> String { "rotation" }

    /// Now, as the dashboard knows it: its clock, or the newest message held if later (the
    /// clock ticks with fleet loads; messages keep coming).
    static func now(_ state: DashboardState) -> Double { max(Double(state.now), state.messages.store.last?.time ?? 0) }

    static func rotations(_ state: DashboardState) -> [Rotation] {
        let held = state.messages.store.all.filter { stored in
            let topic = stored.message.topic
            return (topic.hasPrefix("device/") || topic.hasPrefix("lambda/")) && (topic.hasSuffix("/csr_req") || topic.hasSuffix("/csr_res")
                || topic.hasSuffix("/crt") || topic.hasSuffix("/crt_ack"))
        }
        return Rotation.follow(held.map { ($0.message.topic, $0.message.payload, $0.time) }, certificates: state.own[State.self].certificates,
                               readAt: state.own[State.self].readAt, expiringDays: state.fleetLists.expiringDays)
    }

    static func rows(_ state: DashboardState) -> [(rotation: Rotation, cells: [String])] {
        let certificates = state.own[State.self].certificates ?? []
        // (times of day, UTC)
        return state.own[State.self].order.shown(rotations(state), filter: state.filter) { rotation in
            let stuck = rotation.stuck(now: now(state), after: stuckAfter(state))
            let held = certificates.filter { $0.things.contains(rotation.thing) }
            return [state.own[State.self].marked.contains(rotation.thing) ? "✓" : " ", rotation.thing,
                    (rotation.step?.name ?? "due: not asked") + (stuck != nil ? " (stuck)" : "")]
                + Rotation.Step.allCases.map { step in rotation.times[step].map { String(CivilTime(secondsSince1970: Int64($0)).iso8601.dropFirst(11).prefix(8)) } ?? "-" }
                + [held.map { "\($0.id.prefix(6)) \($0.daysLeft(now: Int64(now(state))).map { "\($0)d" } ?? "?")" }.joined(separator: ", ")]
        }.map { (rotation: $0.0, cells: $0.1) }
    }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme, area = listArea(state)
        let rows = rows(state), all = rotations(state)
        let stuck = all.filter { $0.stuck(now: now(state), after: stuckAfter(state)) != nil }.count, due = all.filter { $0.step == nil }.count
        let marked = state.own[State.self].marked.count
        var header = " \(all.count - due) rotating or rotated (from the messages held), \(all.filter(\.done).count) done"
            + (stuck > 0 ? ", \(stuck) stuck over \(Int(stuckAfter(state))) s" : "")
            + (due > 0 ? "; \(due) due (expiring within \(state.fleetLists.expiringDays) days)" : "") + (marked > 0 ? "; \(marked) marked" : "")
        if state.own[State.self].certificates == nil { header += "; reading the registry…" }
        if !state.filter.isEmpty { header += "; \(rows.count) match /\(state.filter)" }
        buffer.put(DisplayWidth.pad(header, buffer.columns), row: 1, column: 0, style: theme[.header])
        return Dashboard.sortedList(state, into: &buffer, area: area, titles: titles, rows: rows.map(\.cells), limits: [1, 24, 28, 9, 9, 9, 9, 9],
                                    sort: state.own[State.self].order.mark,
                                    empty: "No rotation in the messages held and no certificate due: an audit's findings (:audit) or a device's csr_req start one.") {
            rows[$0].rotation.stuck(now: now(state), after: stuckAfter(state)) != nil ? theme[.error] : rows[$0].rotation.step == nil ? theme[.update] : theme[.text]
        }
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        switch event {
        case .key(.enter):
            let rows = rows(state)
            guard rows.indices.contains(state.selected) else { return [] }
            return DeviceScreen.open(&state, rows[state.selected].rotation.thing)
        case .character(" "):
            let rows = rows(state)
            guard rows.indices.contains(state.selected) else { return [] }
            let thing = rows[state.selected].rotation.thing
            if state.own[State.self].marked.remove(thing) == nil { state.own[State.self].marked.insert(thing) }
            state.selected = min(state.selected + 1, rows.count - 1)
            return []
        case .character("R"):
            // Rotate now: asked first, as every change to the fleet is (the production stack's
            // name typed where the fleet is its).
            if Dashboard.refused(&state, "changes") { return [] }
            let rows = rows(state)
            let marked = state.own[State.self].marked
            let things = marked.isEmpty ? rows.indices.contains(state.selected) ? [rows[state.selected].rotation.thing] : [] : marked.sorted()
            guard !things.isEmpty else { return [] }
            let question = "ask \(things.count == 1 ? things[0] : "\(things.count) devices (\(things.joined(separator: ", ")))") for a new certificate now"
                + " (publish device/\(things.count == 1 ? things[0] : "<thing>")/csr_req, as the audit-actions function does)"
            Dashboard.confirm(&state, question, [rotateNow(things)])
            return []
        default:
            return State.sortKey(&state, event, columns: titles.count)
        }
    }

    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? { State.sortClicked(&state, target) }

    /// `R`, once approved: each thing asked for a CSR.
    static let rotateNow = FleetChange<[String], [String: String]>("rotate now") { fleet, things, _ in
        let failures = Mutex<[String: String]>([:])
        await fleet.requestRotation(things) { thing, error in
            if let error { failures.withLock { $0[thing] = error } }
        }
        return failures.withLock { $0 }
    }

    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let answer = rotateNow.answer(in: message), let failures = answer.value(&state) {
            let asked = answer.argument.filter { failures[$0] == nil }
            state.own[State.self].marked.subtract(asked)
            state.notice = failures.isEmpty ? "asked \(asked.joined(separator: ", ")) for a new certificate: the rotation shows here as it goes"
                : "could not ask " + failures.map { "\($0.key): \($0.value)" }.sorted().joined(separator: "; ")
        }
        if let list = certificates.answer(in: message)?.value(&state) {
            let changed = list != state.own[State.self].certificates
            state.own[State.self].certificates = list
            state.own[State.self].readAt = now(state)
            state.own[State.self].polls = changed ? 0 : state.own[State.self].polls + 1
            if let focus = state.own[State.self].focus, let row = rows(state).firstIndex(where: { $0.rotation.thing == focus }) {
                state.selected = row
                state.own[State.self].focus = nil
            }
            return follow(state)
        }
        if case .received(let batch) = message, state.screen == .rotation,
           batch.contains(where: { message, _ in topics.contains { Topic.matches(message.topic, filter: $0) } }) {
            state.own[State.self].polls = 0
            return follow(state)
        }
        if case .timer(timer) = message, state.screen == .rotation {
            // The clock went on (stuck devices show); the registry is read again while an
            // acknowledged device's old certificate is not yet seen revoked.
            return rotations(state).contains { $0.step == .acknowledged } ? [certificates.command] : follow(state)
        }
        return []
    }

    static let timer = "rotation"

    /// While a rotation is under way on screen: a timer, 5 s after a change, then less often
    /// (up to a minute) while nothing changes.
    static func follow(_ state: DashboardState) -> [DashboardCommand] {
        guard state.screen == .rotation, rotations(state).contains(where: { $0.step != nil && !$0.done }) else { return [] }
        return [.timer(timer, seconds: min(60, 5 * Double(1 << min(state.own[State.self].polls, 4))))]
    }

    /// Back on top (from a device): the rotation is followed again.
    static func returned(_ state: inout DashboardState, from leaving: Screen) -> [DashboardCommand] {
        state.deploy = DeployState()
        return follow(state)
    }

    /// Opens the rotation screen over the one on screen, the cursor on `focus` once it is read.
    static func open(_ state: inout DashboardState, focus: String) -> [DashboardCommand] {
        state.screens.append(.rotation)
        state.selected = 0
        state.own[State.self].focus = focus
        return subscribe(&state) + (reload(&state) ?? [])
    }

    /// The chain's topics join the subscriptions (the messages hold what arrives from now on).
    static func subscribe(_ state: inout DashboardState) -> [DashboardCommand] {
        let missing = topics.filter { !state.messages.filters.contains($0) }
        state.messages.filters += missing
        return missing.isEmpty ? [] : [.connectBroker, .subscribe(missing)]
    }

    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        state.own[State.self].certificates = nil
        return [certificates.command]
    }

    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["rotation"]) { state, _, _ in
            guard CommandMode.replaceTop(&state, with: .rotation) else { return [] }
            return subscribe(&state) + (reload(&state) ?? [])
        }]
    }

    static func rowCount(_ state: DashboardState) -> Int { rows(state).count }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (3, max(0, state.rows - 4)) }
    static func filters(_ state: DashboardState) -> Bool { true }
    static func hints(_ state: DashboardState) -> String { "↵ the device  space mark  R rotate now  r re-read the registry  / filter  s sort" }
    static func help(_ state: DashboardState) -> [String] {
        [":rotation  certificate rotation device by device: requested, CSR received, issued, acknowledged, old revoked",
         "due        not rotating, a certificate expiring within \(state.fleetLists.expiringDays) days",
         "stuck      no step for \(Int(stuckAfter(state))) s and not done", "r          read the registry again (old certificates revoked?)",
         "enter      the device", "space      mark a device", "R          rotate now: ask the marked devices (or this one) for a CSR (y approves; a production fleet's stack name typed)",
         "s S        sort by the next column, reverse"]
    }
}

extension Screen {
    /// Certificate rotation, device by device.
    public static let rotation = Screen(RotationScreen.self)
}

extension DashboardState {
    /// How long a rotation step may take before the device shows as stuck (seconds; 120 unless set).
    public var rotationStuckAfter: Double {
        get { own[RotationScreen.State.self].stuckAfter }
        set { own[RotationScreen.State.self].stuckAfter = newValue }
    }
}
