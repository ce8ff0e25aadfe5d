import FleetValues
import JSON
import TermCore

/// The fleet's groups, certificates and policies: each a table that `/` filters and `s`/`S`
/// sort, where Enter opens the selected item in the inspector (a policy's whole document, a
/// certificate's things, a group's place in the hierarchy).
/// The fleet lists' own state: groups, certificates and policies as read, each list's order, and
/// what opened items are related to.
struct FleetListsState: ScreenState {
    /// What opened items are related to, by "kind:id": the names, or why they could not be read.
    var related: [String: Result<[String], DashboardError>] = [:]
    var groups: [GroupInfo]?
    var certificates: [CertificateInfo]?
    var policies: [PolicyInfo]?
    /// The order of each list (groups, certificates, policies), kept between visits.
    var listOrders: [String: Table.Order] = [:]
    /// Certificates expiring within this many days are shown as such (`:certs DAYS`).
    var expiringDays = 30
    var managed = ManagedIndex()
    /// The item to put the cursor on once the list is read (a finding opened it).
    var focus: String?
}

extension DashboardState {
    var fleetLists: FleetListsState {
        get { own[FleetListsState.self] }
        set { own[FleetListsState.self] = newValue }
        _modify { yield &own[FleetListsState.self] }
    }
}

extension FleetScreens {
    /// One list as shown: column titles, the visible rows (filtered, sorted) and their items' ids.
    struct ListRows {
        var titles: [String]
        var limits: [Int]
        var rows: [[String]] = []
        var ids: [String] = []
        /// What `/` matches for each row: its cells, without the tree's drawing.
        var search: [String] = []
        var title = ""

        /// A row: its id, its cells (what `/` matches), and what is drawn when that differs.
        mutating func add(_ id: String, _ cells: [String], shown: [String]? = nil) {
            ids.append(id)
            rows.append(shown ?? cells)
            search.append(cells.joined(separator: " "))
        }
    }

    /// Whether `/` filters the list on screen (not while the inspector is open).
    static func filters(_ state: DashboardState) -> Bool {
        [.groups, .certificates, .policies].contains(state.screen) && state.inspector.item == nil
    }

    static func listRows(_ state: DashboardState) -> ListRows? {
        var list: ListRows
        let managed = state.fleetLists.managed
        switch state.screen {
        case .groups:
            guard let groups = state.fleetLists.groups else { return nil }
            list = ListRows(titles: ["GROUP", "THINGS", "STACK", "DESCRIPTION"], limits: [40, 8, 24])
            // The hierarchy as a tree; sorted, the names stand alone (a tree cannot be reordered).
            func nodes(_ parent: String?) -> [TreeNode] {
                groups.filter { $0.parent == parent }.map { TreeNode(id: $0.name, label: $0.name, children: nodes($0.name)) }
            }
            let byName = Dictionary(groups.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            for line in TreeNode.flatten(nodes(nil), folded: []) {
                guard let group = byName[line.id] else { continue }
                let cells = [group.name, String(group.members), managed.group(group.name) ?? "unmanaged", group.description ?? ""]
                list.add(group.name, cells, shown: [(listOrder(state).column == nil ? line.prefix : "") + cells[0]] + cells.dropFirst())
            }
            list.title = "\(groups.count) group\(groups.count == 1 ? "" : "s")"
        case .certificates:
            guard let certificates = state.fleetLists.certificates else { return nil }
            list = ListRows(titles: ["ID", "STATUS", "EXPIRES", "FLAGS", "THINGS", "POLICIES"], limits: [18, 12, 20, 24, 28])
            for certificate in certificates {
                list.add(certificate.id, [String(certificate.id.prefix(16)), certificate.status,
                                          certificate.notAfter.map { CivilTime.dayAndDistance($0, now: state.now) } ?? "unreadable",
                                          certificate.flags(now: state.now, expiringDays: state.fleetLists.expiringDays).joined(separator: ","),
                                          certificate.things.joined(separator: ","), certificate.policies.joined(separator: ",")])
            }
            // Red only where there is colour (NO_COLOR shows the error role by its attributes).
            let marked = state.theme[.error].foreground >= 0 ? "in red" : "highlighted"
            list.title = "\(certificates.count) certificate\(certificates.count == 1 ? "" : "s"); within \(state.fleetLists.expiringDays) days of expiry, or not active, \(marked)"
        case .policies:
            guard let policies = state.fleetLists.policies else { return nil }
            list = ListRows(titles: ["POLICY", "TARGETS", "STACK", "DOCUMENT"], limits: [32, 9, 24])
            for policy in policies {
                list.add(policy.name, [policy.name, String(policy.targets.count), managed.policy(policy.name) ?? "unmanaged",
                                       (try? JSONValue.parse(Array(policy.document.utf8)))?.serialized() ?? policy.document])
            }
            list.title = "\(policies.count) polic\(policies.count == 1 ? "y" : "ies")"
        default:
            return nil
        }
        let matcher = TextFilter(state.filter)
        let kept = list.rows.indices.filter { matcher.matches(list.search[$0]) }
        let order = Table.order(kept.map { list.rows[$0] }, by: listOrder(state).column, ascending: listOrder(state).ascending).map { kept[$0] }
        if !state.filter.isEmpty { list.title += "; \(order.count) match /\(state.filter)" }
        list.rows = order.map { list.rows[$0] }
        list.ids = order.map { list.ids[$0] }
        return list
    }

    /// What an item's inspector reads when it opens: a group's things, a certificate's policies
    /// (by its ARN), a policy's versions.
    static func related(_ state: DashboardState, of id: String) -> (Related, String)? {
        switch state.screen {
        case .groups: return (.groupMembers, id)
        case .certificates: return state.fleetLists.certificates?.first { $0.id == id }.map { (.certificatePolicies, $0.arn) }
        case .policies: return (.policyVersions, id)
        default: return nil
        }
    }

    /// What the inspector shows for an item of these lists.
    static func document(_ state: DashboardState, of id: String) -> JSONValue? {
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        var object = JSONObject()
        // The related list: its names once read, "loading…" until then, or why it could not be.
        func relatedValue() -> JSONValue {
            guard let (kind, key) = related(state, of: id) else { return .null }
            switch state.fleetLists.related["\(kind.rawValue):\(key)"] {
            case .success(let names)?: return .array(names.map { .string($0) })
            case .failure(let error)?: return .string("could not be read: \(error)")
            case nil: return .string("loading…")
            }
        }
        switch state.screen {
        case .groups:
            guard let group = state.fleetLists.groups?.first(where: { $0.name == id }) else { return nil }
            object["name"] = .string(group.name)
            object["parent"] = text(group.parent)
            object["children"] = .array((state.fleetLists.groups ?? []).filter { $0.parent == id }.map { .string($0.name) })
            object["thingCount"] = .integer(Int64(group.members))
            object["things"] = relatedValue()
            object["description"] = text(group.description)
            object["stack"] = text(state.fleetLists.managed.group(id))
        case .certificates:
            guard let certificate = state.fleetLists.certificates?.first(where: { $0.id == id }) else { return nil }
            object["certificateId"] = .string(certificate.id)
            object["arn"] = .string(certificate.arn)
            object["status"] = .string(certificate.status)
            object["subject"] = text(certificate.subject)
            object["notAfter"] = certificate.notAfter.map { .string(CivilTime(secondsSince1970: $0).stamp) } ?? .null
            object["daysLeft"] = certificate.daysLeft(now: state.now).map { .integer(Int64($0)) } ?? .null
            object["things"] = .array(certificate.things.map { .string($0) })
            object["policies"] = relatedValue()
        case .policies:
            guard let policy = state.fleetLists.policies?.first(where: { $0.name == id }) else { return nil }
            object["policyName"] = .string(policy.name)
            object["stack"] = text(state.fleetLists.managed.policy(id))
            object["targets"] = .array(policy.targets.map { .string($0) })
            object["document"] = (try? JSONValue.parse(Array(policy.document.utf8))) ?? .string(policy.document)
            object["versions"] = relatedValue()
        default:
            return nil
        }
        return .object(object)
    }

    static func listKey(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        if state.inspector.item != nil { return Inspector.key(&state, event) }
        guard let list = listRows(state) else { return nil }
        switch event {
        case .key(.enter):
            guard list.ids.indices.contains(state.selected) else { return [] }
            let id = list.ids[state.selected]
            Inspector.open(&state, id)
            guard let (kind, key) = related(state, of: id) else { return [] }
            return [FleetListsScreen.related(FleetListsScreen.RelatedItem(kind: kind, id: key))]
        case .character("d") where state.screen == .certificates, .character("X") where state.screen == .certificates:
            // Deactivate or revoke the selected certificate: a plan, checked against the account
            // and approved with y, as bulk changes to devices are.
            if Dashboard.refused(&state, "changes") { return [] }
            guard list.ids.indices.contains(state.selected) else { return [] }
            let certificate = list.ids[state.selected]
            let action = FleetPlan.Action.setCertificateStatus(event == .character("X") ? "REVOKED" : "INACTIVE")
            state.fleetPlan.plan = FleetPlan(action: action, things: [certificate])
            if let info = state.fleetLists.certificates?.first(where: { $0.id == certificate }) {
                state.fleetPlan.plan?.about[certificate] = (info.things.isEmpty ? "no thing" : info.things.joined(separator: ", ")) + "  " + info.status
            }
            state.screens.append(.fleetPlan)
            state.selected = 0
            return [FleetPlanScreen.check(BulkItems(action: action, items: [certificate]))]
        case .character("s"):
            sortList(&state, listOrder(state).next(of: list.titles.count))
            return []
        case .character("S"):
            sortList(&state, listOrder(state).reversed)
            return []
        default:
            return nil
        }
    }

    /// The order of the list on screen (each list keeps its own).
    static func listOrder(_ state: DashboardState) -> Table.Order { state.fleetLists.listOrders[FleetListsScreen.title(state.screen)] ?? Table.Order() }

    /// Sorts the list on screen in `order`, the selected item staying selected.
    static func sortList(_ state: inout DashboardState, _ order: Table.Order) {
        let selected = listRows(state).flatMap { $0.ids.indices.contains(state.selected) ? $0.ids[state.selected] : nil }
        state.fleetLists.listOrders[FleetListsScreen.title(state.screen)] = order
        state.selected = listRows(state)?.ids.firstIndex { $0 == selected } ?? 0
    }

    /// A list; a click on a row selects it, on a column's header sorts by it.
    static func listView(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        guard let list = listRows(state) else {
            buffer.put(Dashboard.waiting(state, "Loading \(Dashboard.screenName(state.screen))"), row: 2, column: 1, style: theme[.dim])
            return []
        }
        let area = Dashboard.listArea(state)
        if state.inspector.item != nil { return Inspector.view(state, area: area, into: &buffer) }
        buffer.put(DisplayWidth.pad(" " + list.title, buffer.columns), row: 1, column: 0, style: theme[.header])
        let certificates = state.fleetLists.certificates ?? []
        return Dashboard.sortedList(state, into: &buffer, area: area, titles: list.titles, rows: list.rows, limits: list.limits,
                                    sort: listOrder(state).mark, empty: "None.") { index in
            guard state.screen == .certificates, let certificate = certificates.first(where: { $0.id == list.ids[index] }) else { return theme[.text] }
            return (certificate.daysLeft(now: state.now) ?? .max) <= state.fleetLists.expiringDays || certificate.status != "ACTIVE" ? theme[.error] : theme[.text]
        }
    }
}

enum FleetListsScreen: ScreenComponent {
    static func inspected(_ state: DashboardState, _ id: String) -> (title: String, value: JSONValue)? {
        FleetScreens.document(state, of: id).map { (id, $0) }
    }
    static func title(_ screen: Screen) -> String { screen.variant ?? "" }
    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? { FleetScreens.listKey(&state, event) }
    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] { FleetScreens.listView(state, into: &buffer) }
    static func rowCount(_ state: DashboardState) -> Int {
        state.inspector.item != nil ? Inspector.lines(state).count : FleetScreens.listRows(state)?.rows.count ?? 0
    }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (3, max(0, state.rows - 4)) }
    static func filters(_ state: DashboardState) -> Bool { FleetScreens.filters(state) }
    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["groups"]) { state, _, _ in FleetScreens.open(&state, .groups, query: nil) },
         ScreenCommand(names: ["certs"]) { state, argument, _ in
             if let days = Int(argument) { state.fleetLists.expiringDays = days }
             return FleetScreens.open(&state, .certificates, query: nil)
         },
         ScreenCommand(names: ["policies"]) { state, _, _ in FleetScreens.open(&state, .policies, query: nil) }]
    }
    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? {
        guard case .sort(let column) = target else { return nil }
        FleetScreens.sortList(&state, FleetScreens.listOrder(state).clicked(column))
        return []
    }
    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let groups = groups.answer(in: message)?.value(&state) { state.fleetLists.groups = groups }
        if let certificates = certificates.answer(in: message)?.value(&state) { state.fleetLists.certificates = certificates }
        if let policies = policies.answer(in: message)?.value(&state) { state.fleetLists.policies = policies }
        if let focus = state.fleetLists.focus, let row = FleetScreens.listRows(state)?.ids.firstIndex(of: focus) {
            state.selected = row
            state.fleetLists.focus = nil
        }
        if let answer = related.answer(in: message) { state.fleetLists.related[answer.argument.key] = answer.result }
        // (the Devices screen says when it could not be read)
        if case .success(let managed)? = DevicesScreen.managed.answer(in: message)?.result { state.fleetLists.managed = managed }
        return []
    }
    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        [state.screen == .groups ? groups.command : state.screen == .certificates ? certificates.command : policies.command]
    }

    /// Opens the certificates or policies over the screen on top (Esc goes back to it), the
    /// cursor on `focus` once the list is read.
    static func open(_ state: inout DashboardState, _ screen: Screen, focus: String) -> [DashboardCommand] {
        state.screens.append(screen)
        state.selected = 0
        state.fleetLists.focus = focus
        return (reload(&state) ?? []) + (screen == .policies ? [DevicesScreen.managed.command] : [])
    }

    static let groups = FleetQuery<Void, [GroupInfo]>("groups") { fleet, _ in try await fleet.groups() }
    static let certificates = FleetQuery<Void, [CertificateInfo]>("certificates") { fleet, _ in try await fleet.certificates() }
    static let policies = FleetQuery<Void, [PolicyInfo]>("policies") { fleet, _ in try await fleet.policies() }
    /// What an opened item is related to (a group's things, a certificate's policies, a policy's
    /// versions): kept with the item, or why it could not be read.
    static let related = FleetQuery<RelatedItem, [String]>("related", waits: false) { try await $0.related($1.kind, $1.id) }

    struct RelatedItem: Sendable, CustomStringConvertible {
        var kind: Related
        var id: String
        var key: String { "\(kind.rawValue):\(id)" }
        var description: String { key }
    }
    static func hints(_ state: DashboardState) -> String {
        state.inspector.item != nil ? "↵ fold  esc back"
            : "↵ open  / filter  s sort" + (state.screen == .certificates && !state.readOnly ? "  d deactivate  X revoke" : "") + "  esc back  r reload"
    }
    static func help(_ state: DashboardState) -> [String] {
        ["enter      open: the whole document, scrolled and folded", "/          filter (text, or a regex; ! inverts)",
         "s S        sort by the next column, reverse", ":things :groups :certs [DAYS] :policies   the fleet screens"]
            + (state.screen == .certificates && !state.readOnly ? ["d X        deactivate, revoke (for good) the selected one: a plan, y approves"] : [])
    }
}

extension Screen {
    /// The fleet's thing groups, certificates and policies.
    public static let groups = Screen(FleetListsScreen.self, variant: "groups")
    public static let certificates = Screen(FleetListsScreen.self, variant: "certificates")
    public static let policies = Screen(FleetListsScreen.self, variant: "policies")
}
