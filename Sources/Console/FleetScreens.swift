import Fleet
import JSON
import MQTT
import TermCore

/// Where the fleet screens' data comes from (the composition root fills these in over AWS).
public struct FleetData: Sendable {
    /// Every device, page by page (`page` returns false to stop); a query goes to the fleet index.
    public var devices: @Sendable (String?, @escaping @Sendable ([Device]) async -> Bool) async throws -> Void
    public var detail: @Sendable (String) async throws -> FleetLoader.DeviceDetail
    public var groups: @Sendable () async throws -> [GroupInfo]
    public var certificates: @Sendable () async throws -> [CertificateInfo]
    /// Sets a shadow's desired state at a version; throws `ShadowConflict` with the newer document.
    public var updateDesired: @Sendable (String, String, JSONValue, Int64?) async throws -> JSONValue
    public var deleteShadow: @Sendable (String, String) async throws -> Void
    /// Adds things to a group, reporting each (thing, error or nil).
    public var addToGroup: @Sendable ([String], String, @escaping @Sendable (String, String?) -> Void) async -> Void
    public var now: @Sendable () -> Int64
    public var policies: @Sendable () async throws -> [PolicyInfo]
    /// Attaches a policy to the certificates of things, reporting each.
    public var attachPolicy: @Sendable ([String], String, @escaping @Sendable (String, String?) -> Void) async -> Void
    /// What a bulk action would do to each thing, from the account (throws `BulkRefused`).
    public var check: @Sendable (FleetPlan.Action, [String]) async throws -> [String: BulkOutcome]
    /// Which stack resources manage which things, groups, policies and rules.
    public var managed: @Sendable () async throws -> ManagedIndex
    /// The certificates of the devices on screen, in brief.
    public var certificateSummaries: @Sendable ([String]) async -> [String: DeviceCertificate]

    public init(devices: @escaping @Sendable (String?, @escaping @Sendable ([Device]) async -> Bool) async throws -> Void,
                detail: @escaping @Sendable (String) async throws -> FleetLoader.DeviceDetail, groups: @escaping @Sendable () async throws -> [GroupInfo],
                certificates: @escaping @Sendable () async throws -> [CertificateInfo],
                updateDesired: @escaping @Sendable (String, String, JSONValue, Int64?) async throws -> JSONValue,
                deleteShadow: @escaping @Sendable (String, String) async throws -> Void,
                addToGroup: @escaping @Sendable ([String], String, @escaping @Sendable (String, String?) -> Void) async -> Void,
                now: @escaping @Sendable () -> Int64,
                policies: @escaping @Sendable () async throws -> [PolicyInfo] = { [] },
                attachPolicy: @escaping @Sendable ([String], String, @escaping @Sendable (String, String?) -> Void) async -> Void = { things, _, progress in
                    for thing in things { progress(thing, "not available here") } },
                managed: @escaping @Sendable () async throws -> ManagedIndex = { ManagedIndex() },
                certificateSummaries: @escaping @Sendable ([String]) async -> [String: DeviceCertificate] = { _ in [:] },
                check: @escaping @Sendable (FleetPlan.Action, [String]) async throws -> [String: BulkOutcome] = { _, _ in
                    throw BulkRefused(reason: "bulk changes are not available here") }) {
        self.devices = devices
        self.detail = detail
        self.groups = groups
        self.certificates = certificates
        self.updateDesired = updateDesired
        self.deleteShadow = deleteShadow
        self.addToGroup = addToGroup
        self.now = now
        self.policies = policies
        self.attachPolicy = attachPolicy
        self.managed = managed
        self.certificateSummaries = certificateSummaries
        self.check = check
    }
}

/// A bulk action on marked devices, reviewed like a plan and approved.
public struct FleetPlan: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        case addToGroup(String)
        case attachPolicy(String)
    }

    public var action: Action
    public var things: [String]
    /// What the action would do to each thing, read from the account (nil while checking).
    public var outcomes: [String: BulkOutcome]?
    /// Why the action cannot be planned at all (its group or policy does not exist).
    public var refused: String?
    /// Per thing: nil waiting, "" done, else the error.
    public var results: [String: String] = [:]
    public var running = false
    public var done: Int { results.values.filter(\.isEmpty).count }
    /// The things the action changes (only these are applied).
    public var changes: [String] { things.filter { outcomes?[$0] == .change } }

    public init(action: Action, things: [String]) {
        self.action = action
        self.things = things
    }

    /// "add to group lab", "attach policy telemetry".
    public var title: String {
        switch action {
        case .addToGroup(let group): return "add to group \(group)"
        case .attachPolicy(let policy): return "attach policy \(policy)"
        }
    }

    func row(_ thing: String) -> String {
        let glyph: String
        switch outcomes?[thing] {
        case .change?: glyph = "+ "
        case .unchanged?: glyph = "  "
        case .impossible?: glyph = "! "
        case nil: glyph = "? "
        }
        switch action {
        case .addToGroup(let group): return "\(glyph) aws:iot:ThingGroupMembership  \(thing) → \(group)"
        case .attachPolicy(let policy): return "\(glyph) aws:iot:PolicyAttachment  \(policy) → certificates of \(thing)"
        }
    }

    /// The plan's one-line summary: what changes, what does not, what cannot.
    var summary: String {
        if let refused { return "refused: " + refused }
        guard let outcomes else { return "checking the account…" }
        let unchanged = outcomes.values.filter { if case .unchanged = $0 { return true }; return false }.count
        let impossible = outcomes.values.filter { if case .impossible = $0 { return true }; return false }.count
        return "~\(changes.count) \(title)" + (unchanged > 0 ? "  (\(unchanged) unchanged)" : "") + (impossible > 0 ? "  (\(impossible) cannot)" : "")
    }
}

/// A shadow edit in progress: the JSON typed so far and whether it parses.
public struct ShadowEdit: Equatable, Sendable {
    public var shadow: String
    public var version: Int64?
    public var line: InputLine
    public var problem: String?
}

/// The fleet screens' state.
public struct FleetState: Equatable, Sendable {
    public var model = FleetModel()
    public var loading = false
    public var query: String?
    /// Indices into the model that the filter lets through, in the chosen order.
    public var visible: [Int] = []
    public var shownFilter = ""
    public var sortColumn: Int?
    public var sortAscending = true
    public var marked: Set<String> = []
    public var detail: FleetLoader.DeviceDetail?
    public var shadowIndex = 0
    /// Every version of each shadow seen this session ("thing/shadow" -> documents, oldest first).
    public var history: [String: [JSONValue]] = [:]
    public var conflict: JSONValue?
    public var edit: ShadowEdit?
    /// The desired document last sent (shadow name, text): after a conflict, `e` starts from it
    /// at the server's version, so the user's edit is not lost.
    public var draft: (shadow: String, text: String)?
    public var groups: [GroupInfo]?
    public var certificates: [CertificateInfo]?
    public var policies: [PolicyInfo]?
    public var managed = ManagedIndex()
    /// The two versions the diff compares (indices into the history, from the newest: 0 latest).
    public var diffFrom = 1
    public var diffTo = 0
    /// The certificates of devices shown so far, loaded for the rows on screen.
    public var deviceCertificates: [String: DeviceCertificate] = [:]
    public var certificatesRequested: Set<String> = []
    public var expiringDays = 30
    public var plan: FleetPlan?
    public var confirmDelete: String?
    public var showDiff = false

    public init() {}

    public static func == (lhs: FleetState, rhs: FleetState) -> Bool {
        lhs.model == rhs.model && lhs.visible == rhs.visible && lhs.marked == rhs.marked && lhs.detail == rhs.detail && lhs.edit == rhs.edit
            && lhs.plan == rhs.plan && lhs.groups == rhs.groups && lhs.certificates == rhs.certificates && lhs.shadowIndex == rhs.shadowIndex
            && lhs.conflict == rhs.conflict && lhs.history.count == rhs.history.count && lhs.loading == rhs.loading && lhs.confirmDelete == rhs.confirmDelete
            && lhs.policies == rhs.policies && lhs.managed == rhs.managed && lhs.diffFrom == rhs.diffFrom && lhs.diffTo == rhs.diffTo
            && lhs.deviceCertificates == rhs.deviceCertificates && lhs.certificatesRequested == rhs.certificatesRequested
    }
}

enum FleetScreens {
    static let deviceColumns = ["", "DEVICE", "TYPE", "CERTIFICATE", "STACK", "GROUPS", "CONNECTED", "ATTRIBUTES"]

    static func cells(_ device: Device, marked: Bool, state: DashboardState) -> [String] {
        let fleet = state.fleet
        return [marked ? "✓" : " ", device.name, device.type ?? "-", fleet.deviceCertificates[device.name]?.text(now: state.now) ?? "…",
                fleet.managed.thing(device.name) ?? "unmanaged", device.groups.map { $0.isEmpty ? "-" : $0.joined(separator: ",") } ?? "-",
                device.connected.map { $0 ? "yes" : "no" } ?? "-", device.attributeText]
    }

    /// The devices on screen whose certificates are not known or asked for yet.
    static func requestCertificates(_ state: inout DashboardState) -> [DashboardCommand] {
        guard state.screen == .devices else { return [] }
        let height = max(0, state.rows - 4)
        let first = Table.firstVisible(selected: state.selected, count: state.fleet.visible.count, height: height)
        let names = state.fleet.visible.dropFirst(first).prefix(height).map { state.fleet.model.devices[$0].name }
            .filter { state.fleet.deviceCertificates[$0] == nil && !state.fleet.certificatesRequested.contains($0) }
        guard !names.isEmpty else { return [] }
        state.fleet.certificatesRequested.formUnion(names)
        return [.loadDeviceCertificates(names)]
    }

    /// Recomputes the visible rows (after a page, a filter or a sort change).
    static func refresh(_ state: inout DashboardState) {
        var fleet = state.fleet
        let indices = fleet.model.matching(state.filter)
        if let column = fleet.sortColumn {
            let devices = fleet.model.devices
            let keys = indices.map { index -> String in
                let device = devices[index]
                switch column {
                case 2: return device.type ?? ""
                case 3: return fleet.deviceCertificates[device.name].map { String($0.notAfter ?? 0) } ?? ""
                case 4: return fleet.managed.thing(device.name) ?? "~"
                case 5: return device.groups?.joined(separator: ",") ?? ""
                case 6: return device.connected.map { $0 ? "1" : "0" } ?? ""
                case 7: return device.attributeText
                default: return device.name
                }
            }
            let order = keys.indices.sorted { a, b in
                if keys[a] == keys[b] { return a < b }
                return (keys[a] < keys[b]) == fleet.sortAscending
            }
            fleet.visible = order.map { indices[$0] }
        } else {
            fleet.visible = indices
        }
        fleet.shownFilter = state.filter
        state.fleet = fleet
    }

    static func selectedDevice(_ state: DashboardState) -> Device? {
        state.fleet.visible.indices.contains(state.selected) ? state.fleet.model.devices[state.fleet.visible[state.selected]] : nil
    }

    // MARK: keys

    static func devicesKey(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        switch event {
        case .character("\n"), .character("\r"), .key(.enter):
            guard let device = selectedDevice(state) else { return [] }
            state.screens.append(.device(device.name))
            state.fleet.detail = nil
            state.fleet.shadowIndex = 0
            state.fleet.conflict = nil
            state.selected = 0
            return [.loadDevice(device.name)]
        case .character(" "):
            guard let device = selectedDevice(state) else { return [] }
            if state.fleet.marked.contains(device.name) { state.fleet.marked.remove(device.name) } else { state.fleet.marked.insert(device.name) }
            state.selected = min(state.selected + 1, max(0, state.fleet.visible.count - 1))
            refresh(&state)
        case .character("s"), .character("S"):
            if event == .character("s") {
                state.fleet.sortColumn = ((state.fleet.sortColumn ?? 0) % (deviceColumns.count - 1)) + 1
                state.fleet.sortAscending = true
            } else {
                state.fleet.sortAscending.toggle()
                if state.fleet.sortColumn == nil { state.fleet.sortColumn = 1 }
            }
            refresh(&state)
        case .character("a"):
            if state.readOnly { state.notice = "read-only: changes are disabled (--read-only)"; return [] }
            guard !state.fleet.marked.isEmpty else { state.notice = "mark devices with space first"; return [] }
            state.editingCommand = true
            state.command.text = "group-add "
            state.command.cursor = state.command.text.count
        case .character("A"):
            if state.readOnly { state.notice = "read-only: changes are disabled (--read-only)"; return [] }
            guard !state.fleet.marked.isEmpty else { state.notice = "mark devices with space first"; return [] }
            state.editingCommand = true
            state.command.text = "policy-attach "
            state.command.cursor = state.command.text.count
        default:
            return nil
        }
        return []
    }

    static func shadows(_ state: DashboardState) -> [(String, JSONValue)] { state.fleet.detail?.shadows ?? [] }

    static func deviceKey(_ state: inout DashboardState, name: String, _ event: TerminalEvent) -> [DashboardCommand]? {
        if var edit = state.fleet.edit {
            switch edit.line.handle(event) {
            case .editing:
                do {
                    _ = try JSONValue.parse(Array(edit.line.text.utf8))
                    edit.problem = nil
                } catch {
                    edit.problem = "\(error)"
                }
                state.fleet.edit = edit
                return []
            case .cancelled:
                state.fleet.edit = nil
                return []
            case .submitted(let text):
                guard let desired = try? JSONValue.parse(Array(text.utf8)) else {
                    edit.problem = "not JSON: fix it before sending"
                    edit.line.text = text
                    edit.line.cursor = text.count
                    state.fleet.edit = edit
                    return []
                }
                state.fleet.edit = nil
                state.fleet.draft = (edit.shadow, text)
                state.notice = "sending desired state at version \(edit.version.map(String.init) ?? "any")…"
                return [.updateShadow(name, edit.shadow, desired, edit.version)]
            }
        }
        if let shadow = state.fleet.confirmDelete {
            state.fleet.confirmDelete = nil
            if case .character("y") = event { return [.deleteShadow(name, shadow)] }
            state.notice = "not deleted"
            return []
        }
        let list = shadows(state)
        switch event {
        case .character("\t"):
            if !list.isEmpty { state.fleet.shadowIndex = (state.fleet.shadowIndex + 1) % list.count }
            state.fleet.conflict = nil
        case .character("e"):
            if state.readOnly { state.notice = "read-only: changes are disabled (--read-only)"; return [] }
            let current = list.indices.contains(state.fleet.shadowIndex) ? list[state.fleet.shadowIndex] : ("", JSONValue.object(JSONObject()))
            var line = InputLine()
            var version = current.1["version"]?.intValue
            if let conflict = state.fleet.conflict, let draft = state.fleet.draft, draft.shadow == current.0 {
                // After a conflict: the user's own draft, to be sent at the server's version.
                line.text = draft.text
                version = conflict["version"]?.intValue ?? version
            } else {
                line.text = (current.1["state"]?["desired"] ?? .object(JSONObject())).serialized()
            }
            line.cursor = line.text.count
            state.fleet.edit = ShadowEdit(shadow: current.0, version: version, line: line, problem: nil)
        case .character("D"):
            if state.readOnly { state.notice = "read-only: changes are disabled (--read-only)"; return [] }
            guard list.indices.contains(state.fleet.shadowIndex), !list[state.fleet.shadowIndex].0.isEmpty else {
                state.notice = "only named shadows are deleted here"
                return []
            }
            state.fleet.confirmDelete = list[state.fleet.shadowIndex].0
        case .character("v"):
            state.fleet.showDiff.toggle()
            state.fleet.diffFrom = 1
            state.fleet.diffTo = 0
        case .character("["), .character("]"), .character("{"), .character("}"):
            let key = list.indices.contains(state.fleet.shadowIndex) ? name + "/" + list[state.fleet.shadowIndex].0 : ""
            let count = state.fleet.history[key]?.count ?? 0
            switch event {
            case .character("["): state.fleet.diffFrom = min(count - 1, state.fleet.diffFrom + 1)
            case .character("]"): state.fleet.diffFrom = max(state.fleet.diffTo + 1, state.fleet.diffFrom - 1)
            case .character("{"): state.fleet.diffTo = min(state.fleet.diffFrom - 1, state.fleet.diffTo + 1)
            default: state.fleet.diffTo = max(0, state.fleet.diffTo - 1)
            }
        case .character("r"):
            return [.loadDevice(name)]
        default:
            return nil
        }
        return []
    }

    /// A shadow's versions seen this session.
    static func remember(_ state: inout DashboardState, thing: String, shadow: String, document: JSONValue) {
        let key = thing + "/" + shadow
        var seen = state.fleet.history[key] ?? []
        if seen.last?["version"] != document["version"] { seen.append(document) }
        state.fleet.history[key] = seen
    }

    /// `path: old -> new` lines between two documents' states.
    static func diff(_ old: JSONValue, _ new: JSONValue) -> [String] {
        func flatten(_ value: JSONValue, _ path: String, into result: inout [String: String]) {
            if case .object(let object) = value, !object.isEmpty {
                for (key, member) in object { flatten(member, path.isEmpty ? key : path + "." + key, into: &result) }
            } else {
                result[path] = value.serialized()
            }
        }
        var a: [String: String] = [:], b: [String: String] = [:]
        flatten(old["state"] ?? .null, "", into: &a)
        flatten(new["state"] ?? .null, "", into: &b)
        return Set(a.keys).union(b.keys).sorted().compactMap { key in
            switch (a[key], b[key]) {
            case let (x?, y?) where x != y: return "~ \(key): \(x) → \(y)"
            case (nil, let y?): return "+ \(key): \(y)"
            case (let x?, nil): return "- \(key): \(x)"
            default: return nil
            }
        }
    }

    // MARK: views

    static func devicesView(_ state: DashboardState, into buffer: inout CellBuffer) {
        let theme = state.theme
        let fleet = state.fleet
        var header = " \(fleet.visible.count) of \(fleet.model.devices.count) devices" + (fleet.model.complete ? "" : " (loading…)")
        if let query = fleet.query { header += "   search: \(query)" }
        if !fleet.marked.isEmpty { header += "   \(fleet.marked.count) marked (a adds them to a group)" }
        if let error = fleet.model.error { header += "   " + error }
        buffer.put(DisplayWidth.pad(header, buffer.columns), row: 1, column: 0, style: theme[.header])
        let area = (top: 3, height: max(0, buffer.rows - 4))
        let first = Table.firstVisible(selected: state.selected, count: fleet.visible.count, height: area.height)
        let window = fleet.visible.dropFirst(first).prefix(area.height)
        let rows = window.map { cells(fleet.model.devices[$0], marked: fleet.marked.contains(fleet.model.devices[$0].name), state: state) }
        var columns = Table.fitted(deviceColumns, rows: rows, limits: [2, 28, 14, 16, 22, 20, 11])
        columns[0].width = 2
        Table(columns: columns, rows: rows).draw(into: &buffer, top: area.top - 1, height: area.height + 1, selected: state.selected - first,
                                                 sort: fleet.sortColumn.map { ($0, fleet.sortAscending) }, header: theme[.header],
                                                 selectedStyle: theme[.selected]) { index in
            fleet.marked.contains(rows[index][1]) ? theme[.update] : theme[.text]
        }
        if fleet.model.devices.isEmpty { buffer.put(fleet.loading ? "Loading devices…" : "No devices.", row: area.top, column: 1, style: theme[.dim]) }
    }

    static func deviceView(_ state: DashboardState, name: String, into buffer: inout CellBuffer) {
        let theme = state.theme
        let fleet = state.fleet
        let device = fleet.model.device(named: name)
        var row = 1
        func line(_ text: String, _ role: Theme.Role = .text) {
            guard row < buffer.rows - 1 else { return }
            buffer.put(DisplayWidth.pad(text, buffer.columns), row: row, column: 0, style: theme[role])
            row += 1
        }
        line(" \(name)  type \(device?.type ?? "-")  version \(device?.version ?? 0)  " + (fleet.managed.thing(name).map { "managed by \($0)" } ?? "UNMANAGED")
             + "  \(device?.attributeText ?? "")", .header)
        guard let detail = fleet.detail else { line(" Loading…", .dim); return }
        let now = state.now
        line(" groups: " + (detail.groups.isEmpty ? "-" : detail.groups.joined(separator: ", ")))
        for certificate in detail.certificates {
            let days = certificate.daysLeft(now: now)
            line(" certificate \(certificate.id.prefix(12))  \(certificate.status)  expires in \(days.map { "\($0) days" } ?? "?")",
                 (days ?? 999) <= fleet.expiringDays || certificate.status != "ACTIVE" ? .error : .text)
        }
        if detail.certificates.isEmpty { line(" no certificates", .dim) }
        for (policy, document) in detail.policies {
            line(" policy \(policy) (\(fleet.managed.policy(policy) ?? "unmanaged")): " + ((try? JSONValue.parse(Array(document.utf8)))?.serialized() ?? document), .dim)
        }
        let shadows = shadows(state)
        let tabs = shadows.enumerated().map { $0.offset == fleet.shadowIndex ? "[\($0.element.0.isEmpty ? "classic" : $0.element.0)]" : ($0.element.0.isEmpty ? "classic" : $0.element.0) }
        line(" shadows: " + (tabs.isEmpty ? "none" : tabs.joined(separator: "  ")) + "   tab next  e edit desired  D delete named  v versions", .header)
        if let conflict = fleet.conflict {
            line(" CONFLICT: the shadow moved on; the server's document (version \(conflict["version"]?.intValue ?? 0)) is below; e edits it", .error)
        }
        if shadows.indices.contains(fleet.shadowIndex) {
            let (shadowName, document) = shadows[fleet.shadowIndex]
            let shown = fleet.conflict ?? document
            line(" version \(shown["version"]?.intValue ?? 0)  updated \(shown["timestamp"]?.intValue.map { CivilTime(secondsSince1970: $0).clock + " UTC" } ?? "-")", .dim)
            // When each top-level field last changed (the shadow's metadata).
            var times: [String] = []
            for key in ["desired", "reported"] {
                for (field, meta) in shown["metadata"]?[key]?.objectValue ?? JSONObject() {
                    if let stamp = meta["timestamp"]?.intValue { times.append("\(key).\(field) \(CivilTime(secondsSince1970: stamp).clock + " UTC")") }
                }
            }
            if !times.isEmpty { line(" changed: " + times.joined(separator: ", "), .dim) }
            let width = max(10, (buffer.columns - 4) / 3)
            let panes = ["desired", "reported", "delta"].map { key -> [String] in
                [key.uppercased()] + (shown["state"]?[key].map { $0.pretty(sortedKeys: true).split(separator: "\n").map(String.init) } ?? ["-"])
            }
            let height = min(panes.map(\.count).max() ?? 0, max(0, buffer.rows - row - 8))
            for offset in 0..<height where row < buffer.rows - 1 {
                for (index, pane) in panes.enumerated() {
                    let text = offset < pane.count ? pane[offset] : ""
                    buffer.put(DisplayWidth.pad(" " + text, width), row: row, column: index * (width + 1), style: offset == 0 ? theme[.header] : (index == 2 ? theme[.update] : theme[.text]))
                }
                row += 1
            }
            if fleet.showDiff {
                let seen = fleet.history[name + "/" + shadowName] ?? []
                if seen.count >= 2 {
                    let from = seen[max(0, seen.count - 1 - min(fleet.diffFrom, seen.count - 1))], to = seen[max(0, seen.count - 1 - min(fleet.diffTo, seen.count - 1))]
                    line(" changes from version \(from["version"]?.intValue ?? 0) to \(to["version"]?.intValue ?? 0) (of \(seen.map { String($0["version"]?.intValue ?? 0) }.joined(separator: ", ")) seen; [ ] older/newer from, { } to):", .header)
                    for change in diff(from, to) { line("   " + change, .update) }
                } else {
                    line(" one version seen so far", .dim)
                }
            }
        }
        if let edit = fleet.edit {
            buffer.put(DisplayWidth.pad(" desired> " + edit.line.display, buffer.columns), row: buffer.rows - 3, column: 0, style: theme[.selected])
            buffer.put(DisplayWidth.pad(edit.problem.map { " ✗ " + $0 } ?? " ✓ valid JSON: enter sends it at version \(edit.version.map(String.init) ?? "any"), esc cancels",
                                        buffer.columns), row: buffer.rows - 2, column: 0, style: edit.problem == nil ? theme[.create] : theme[.error])
            return
        }
        if let shadow = fleet.confirmDelete {
            buffer.put(DisplayWidth.pad(" Delete the named shadow '\(shadow)'? y deletes, any other key keeps it", buffer.columns), row: buffer.rows - 2, column: 0,
                       style: theme[.production])
            return
        }
        // Its own recent messages (from the Messages screen's buffer).
        let store = state.messages.store
        var recent: [StoredMessage] = []
        var index = store.count - 1
        while index >= 0 && recent.count < 4 && store.count - index < 50_000 {
            if store[index].message.topic.contains("/\(name)/") || store[index].message.topic.hasSuffix("/\(name)") { recent.append(store[index]) }
            index -= 1
        }
        if row < buffer.rows - 2 {
            line(" recent messages" + (state.messages.filters.isEmpty ? " (:tail to subscribe)" : ""), .header)
            for item in recent.reversed() { line(" " + MessagesScreen.line(item, state: state.messages), .dim) }
        }
    }

    static func groupsView(_ state: DashboardState, into buffer: inout CellBuffer) {
        let theme = state.theme
        guard let groups = state.fleet.groups else { buffer.put("Loading groups…", row: 2, column: 1, style: theme[.dim]); return }
        func nodes(_ parent: String?) -> [TreeNode] {
            groups.filter { $0.parent == parent }.map { group in
                TreeNode(id: group.name, label: "\(group.name)  \(group.members) thing\(group.members == 1 ? "" : "s")  " + (state.fleet.managed.group(group.name) ?? "unmanaged"),
                         children: nodes(group.name))
            }
        }
        let lines = TreeNode.flatten(nodes(nil), folded: [])
        buffer.put(DisplayWidth.pad(" \(groups.count) group\(groups.count == 1 ? "" : "s")", buffer.columns), row: 1, column: 0, style: theme[.header])
        for (offset, line) in lines.prefix(max(0, buffer.rows - 3)).enumerated() {
            buffer.put(DisplayWidth.pad(" " + line.prefix + line.label, buffer.columns), row: 2 + offset, column: 0,
                       style: offset == state.selected ? theme[.selected] : theme[.text])
        }
    }

    static func certificatesView(_ state: DashboardState, into buffer: inout CellBuffer) {
        let theme = state.theme
        guard let certificates = state.fleet.certificates else { buffer.put("Loading certificates…", row: 2, column: 1, style: theme[.dim]); return }
        let now = state.now
        let rows = certificates.map { certificate -> [String] in
            let days = certificate.daysLeft(now: now)
            return [String(certificate.id.prefix(16)), certificate.status, days.map { "\($0) days" } ?? "unreadable", certificate.things.joined(separator: ",")]
        }
        buffer.put(DisplayWidth.pad(" \(certificates.count) certificate\(certificates.count == 1 ? "" : "s"); within \(state.fleet.expiringDays) days of expiry in red", buffer.columns), row: 1, column: 0,
                   style: theme[.header])
        Table(columns: Table.fitted(["ID", "STATUS", "EXPIRES IN", "THINGS"], rows: rows, limits: [18, 12, 14]), rows: rows).draw(
            into: &buffer, top: 2, height: max(0, buffer.rows - 3), selected: state.selected, sort: nil, header: theme[.header], selectedStyle: theme[.selected]
        ) { index in
            (certificates[index].daysLeft(now: now) ?? .max) <= state.fleet.expiringDays || certificates[index].status != "ACTIVE" ? theme[.error] : theme[.text]
        }
    }

    static func policiesView(_ state: DashboardState, into buffer: inout CellBuffer) {
        let theme = state.theme
        guard let policies = state.fleet.policies else { buffer.put("Loading policies…", row: 2, column: 1, style: theme[.dim]); return }
        let rows = policies.map { [$0.name, "\($0.targets.count)", state.fleet.managed.policy($0.name) ?? "unmanaged",
                                   (try? JSONValue.parse(Array($0.document.utf8)))?.serialized() ?? $0.document] }
        buffer.put(DisplayWidth.pad(" \(policies.count) polic\(policies.count == 1 ? "y" : "ies")", buffer.columns), row: 1, column: 0, style: theme[.header])
        let selected = state.selected
        let height = max(0, buffer.rows - 3 - (policies.isEmpty ? 0 : 10))
        Table(columns: Table.fitted(["POLICY", "TARGETS", "STACK", "DOCUMENT"], rows: rows, limits: [32, 9, 24]), rows: rows).draw(
            into: &buffer, top: 2, height: height, selected: selected, sort: nil, header: theme[.header], selectedStyle: theme[.selected]) { _ in theme[.text] }
        guard policies.indices.contains(selected), let document = try? JSONValue.parse(Array(policies[selected].document.utf8)) else { return }
        for (offset, line) in JSONViewer.lines(document, folded: []).prefix(10).enumerated() where 2 + height + offset < buffer.rows - 1 {
            buffer.put(DisplayWidth.pad(" " + line.text, buffer.columns), row: 2 + height + offset, column: 0, style: line.role == "string" ? theme[.create] : theme[.dim])
        }
    }

    static func planView(_ state: DashboardState, into buffer: inout CellBuffer) {
        let theme = state.theme
        guard let plan = state.fleet.plan else { return }
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
    }

    static func planKey(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        guard let plan = state.fleet.plan else { return nil }
        if plan.running { return [] }
        switch event {
        case .character("y") where plan.results.isEmpty:
            if state.readOnly { state.notice = "read-only: approving is disabled (--read-only)"; return [] }
            if let refused = plan.refused { state.notice = refused; return [] }
            guard plan.outcomes != nil else { state.notice = "the plan is still being checked against the account"; return [] }
            guard !plan.changes.isEmpty else { state.notice = "nothing to do: " + plan.summary; return [] }
            state.fleet.plan?.running = true
            switch plan.action {
            case .addToGroup(let group): return [.addToGroup(plan.changes, group)]
            case .attachPolicy(let policy): return [.attachPolicy(plan.changes, policy)]
            }
        case .character("n"), .character("q"), .character("\u{1b}"):
            if plan.results.isEmpty { state.notice = "not applied: nothing was changed" } else { state.fleet.marked = [] }
            state.fleet.plan = nil
            state.screens.removeLast()
            state.selected = 0
            return plan.results.isEmpty ? [] : [.loadDevices(state.fleet.query)]
        default:
            return nil
        }
    }
}
