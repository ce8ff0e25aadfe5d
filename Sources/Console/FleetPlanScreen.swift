import FleetValues
import JSON
import MQTT
import TermCore

/// A bulk change to marked devices, reviewed before it runs.
/// The bulk plan on screen: what it does to which items, and how each went.
struct FleetPlanState: ScreenState {
    var plan: FleetPlan?
}

extension DashboardState {
    var fleetPlan: FleetPlanState {
        get { own[FleetPlanState.self] }
        set { own[FleetPlanState.self] = newValue }
        _modify { yield &own[FleetPlanState.self] }
    }
}

extension FleetScreens {
    static func planView(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        guard let plan = state.fleetPlan.plan else { return [] }
        buffer.put(DisplayWidth.pad(" Plan: \(plan.summary)" + (plan.running || !plan.results.isEmpty ? "   \(plan.done)/\(plan.changes.count) done" : ""),
                                    buffer.columns), row: 1, column: 0, style: plan.refused == nil ? theme[.header] : theme[.error])
        let first = Table.firstVisible(selected: state.selected, count: plan.things.count, height: max(0, buffer.rows - 4))
        for (offset, thing) in plan.things.dropFirst(first).prefix(max(0, buffer.rows - 4)).enumerated() {
            let result = plan.results[thing]
            var status = result.map { $0.isEmpty ? "done" : "failed: " + $0 } ?? (plan.running ? "waiting" : "")
            var style = result.map { $0.isEmpty ? theme[.create] : theme[.error] } ?? theme[.update]
            switch plan.outcomes?[thing] {
            case .unchanged(let why)?: (status, style) = ("no change: " + why, theme[.dim])
            case .impossible(let why)?: (status, style) = ("cannot: " + why, theme[.error])
            default: break
            }
            buffer.put(DisplayWidth.pad(" " + plan.row(thing) + "   \(status)", buffer.columns), row: 2 + offset, column: 0, style: style)
        }
        if !plan.running && plan.results.isEmpty && !plan.changes.isEmpty {
            buffer.put(DisplayWidth.pad(" y approve   n back", buffer.columns), row: buffer.rows - 2, column: 0, style: theme[.dim])
        }
        return HitArea.rows(first: first, count: plan.things.count, top: 2, height: max(0, buffer.rows - 4), width: buffer.columns)
    }

    static func planKey(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        guard let plan = state.fleetPlan.plan else { return nil }
        if plan.running { return [] }
        switch event {
        case .character("y") where plan.results.isEmpty:
            if Dashboard.refused(&state, "approving") { return [] }
            if let refused = plan.refused { state.notice = refused; return [] }
            guard plan.outcomes != nil else { state.notice = "the plan is still being checked against the account"; return [] }
            guard !plan.changes.isEmpty else { state.notice = "nothing to do: " + plan.summary; return [] }
            state.fleetPlan.plan?.running = true
            return [FleetPlanScreen.apply(BulkItems(action: plan.action, items: plan.changes))]
        case .character("n"), .character("q"), .key(.escape):
            // Back to the list as it was left: the cursor stays on the row the plan was made for.
            state.fleetPlan.plan = nil
            let commands = Dashboard.back(&state)
            if plan.results.isEmpty {
                state.notice = "not applied: nothing was changed"
                return commands
            }
            if case .setCertificateStatus = plan.action { return commands + [FleetListsScreen.certificates.command] }
            state.devices.marked = []
            return commands + [DevicesScreen.load(state.devices.query)]
        default:
            return nil
        }
    }
}

enum FleetPlanScreen: ScreenComponent {
    static func title(_ screen: Screen) -> String { "plan" }
    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? { FleetScreens.planKey(&state, event) }
    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] { FleetScreens.planView(state, into: &buffer) }
    static func rowCount(_ state: DashboardState) -> Int { state.fleetPlan.plan?.things.count ?? 0 }
    /// `:group-add GROUP` and `:policy-attach POLICY`: a plan for the devices marked on :things.
    static var commands: [ScreenCommand] {
        func bulk(_ name: String, _ usage: String, names: @escaping @Sendable (DashboardState) -> [String],
                  _ action: @escaping @Sendable (String) -> FleetPlan.Action) -> ScreenCommand {
            ScreenCommand(names: [name], arguments: names) { state, argument, _ in
                if Dashboard.refused(&state, "changes") { return [] }
                guard !argument.isEmpty else { state.notice = usage; return [] }
                guard !state.devices.marked.isEmpty else { state.notice = "mark devices with space on :things first"; return [] }
                state.fleetPlan.plan = FleetPlan(action: action(argument), things: state.devices.marked.sorted())
                state.screens.append(.fleetPlan)
                state.selected = 0
                return [check(BulkItems(action: action(argument), items: state.devices.marked.sorted()))]
            }
        }
        return [bulk("group-add", ":group-add GROUP adds the marked devices to it", names: { ($0.fleetLists.groups ?? []).map(\.name) }) { .addToGroup($0) },
                bulk("policy-attach", ":policy-attach POLICY attaches it to the marked devices' certificates",
                     names: { ($0.fleetLists.policies ?? []).map(\.name) }) { .attachPolicy($0) }]
    }
    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        switch message {
        case .fleetStepDone(let thing, let error):
            state.fleetPlan.plan?.results[thing] = error ?? ""
            if error == nil, case .setCertificateStatus(let status)? = state.fleetPlan.plan?.action {
                certificateChanged(&state, thing, status: status)
            }
            if let plan = state.fleetPlan.plan, plan.results.count == plan.changes.count {
                state.fleetPlan.plan?.running = false
                state.notice = "\(plan.title): \(plan.done) of \(plan.changes.count) done" + (plan.done < plan.changes.count ? "; the failures are listed" : "") + "; esc back"
            }
        default:
            switch check.answer(in: message)?.value(&state) {
            case .success(let outcomes)?: state.fleetPlan.plan?.outcomes = outcomes
            case .failure(let refused)?: state.fleetPlan.plan?.refused = refused.reason
            case nil: break
            }
        }
        return []
    }

    /// Reads what a bulk plan would change before it is shown for approval (or why it cannot be planned).
    static let check = FleetQuery<BulkItems, Result<[String: BulkOutcome], BulkRefused>>("bulk check", waits: false) { fleet, bulk in
        do {
            return .success(try await fleet.check(bulk.action, bulk.items))
        } catch let refused as BulkRefused {
            return .failure(refused)
        }
    }
    /// The approved plan's changes, each item reported as it is done.
    static let apply = FleetChange<BulkItems, Void>("bulk apply") { fleet, bulk, progress in await fleet.apply(bulk.action, bulk.items, progress: progress) }
    /// Every screen that shows the certificate sees its new status: the certificates list at
    /// once, the devices' certificate column read again for its things.
    static func certificateChanged(_ state: inout DashboardState, _ id: String, status: String) {
        guard let index = state.fleetLists.certificates?.firstIndex(where: { $0.id == id }) else { return }
        state.fleetLists.certificates?[index].status = status
        for thing in state.fleetLists.certificates?[index].things ?? [] {
            state.devices.deviceCertificates[thing] = nil
            state.devices.certificatesRequested.remove(thing)
        }
    }
    static func hints(_ state: DashboardState) -> String { state.fleetPlan.plan?.results.isEmpty == true ? "y approve  n back" : "esc back" }
    static func help(_ state: DashboardState) -> [String] { [":things :groups :certs [DAYS] :policies   the fleet screens"] }
}

/// A bulk action and the items it acts on.
struct BulkItems: Sendable, CustomStringConvertible {
    var action: BulkAction
    var items: [String]
    var description: String { "\(action), \(items)" }
}

extension Screen {
    /// A bulk change to devices, for approval.
    public static let fleetPlan = Screen(FleetPlanScreen.self)
}
