import FleetValues
import JSON
import MQTT
import TermCore

/// One device: its registry entry, certificates, policies, shadows (edit, versions, diff) and recent messages.
/// The Device screen's own state: the device's detail, its shadows as seen this session, an edit.
struct DeviceState: ScreenState {
    var detail: DeviceDetail?
    var shadowIndex = 0
    /// Every version of each shadow seen this session ("thing/shadow" -> documents, oldest first).
    var history: [String: [JSONValue]] = [:]
    var conflict: JSONValue?
    var edit: ShadowEdit?
    /// The desired document last sent (shadow name, text): after a conflict, `e` starts from it
    /// at the server's version, so the user's edit is not lost.
    var draft: ShadowDraft?
    /// The two versions the diff compares (indices into the history, from the newest: 0 latest).
    var diffFrom = 1
    var diffTo = 0
    var showDiff = false
    /// The shadow whose deletion waits for its typed name.
    var confirmDelete: String?
}

extension DashboardState {
    var device: DeviceState {
        get { own[DeviceState.self] }
        set { own[DeviceState.self] = newValue }
        _modify { yield &own[DeviceState.self] }
    }
}

extension FleetScreens {
    static func shadows(_ state: DashboardState) -> [(String, JSONValue)] { state.device.detail?.shadows ?? [] }

    static func deviceKey(_ state: inout DashboardState, name: String, _ event: TerminalEvent) -> [DashboardCommand]? {
        if var edit = state.device.edit {
            switch edit.line.handle(event) {
            case .editing:
                do {
                    _ = try JSONValue.parse(Array(edit.line.text.utf8))
                    edit.problem = nil
                } catch {
                    edit.problem = "\(error)"
                }
                state.device.edit = edit
                return []
            case .cancelled:
                state.device.edit = nil
                return []
            case .submitted(let text):
                guard let desired = try? JSONValue.parse(Array(text.utf8)) else {
                    edit.problem = "not JSON: fix it before sending"
                    edit.line.text = text
                    edit.line.cursor = text.count
                    state.device.edit = edit
                    return []
                }
                state.device.edit = nil
                state.device.draft = ShadowDraft(shadow: edit.shadow, text: text)
                state.notice = "sending desired state at version \(edit.version.map(String.init) ?? "any")…"
                return [DeviceScreen.writeShadow(DeviceScreen.ShadowTarget(thing: name, shadow: edit.shadow, desired: desired, version: edit.version))]
            }
        }
        if let shadow = state.device.confirmDelete {
            state.device.confirmDelete = nil
            if case .character("y") = event { return [DeviceScreen.writeShadow(DeviceScreen.ShadowTarget(thing: name, shadow: shadow))] }
            state.notice = "not deleted"
            return []
        }
        let list = shadows(state)
        switch event {
        case .character("\t"):
            if !list.isEmpty { state.device.shadowIndex = (state.device.shadowIndex + 1) % list.count }
            state.device.conflict = nil
        case .character("e"):
            if Dashboard.refused(&state, "changes") { return [] }
            let current = list.indices.contains(state.device.shadowIndex) ? list[state.device.shadowIndex] : ("", JSONValue.object(JSONObject()))
            var line = InputLine()
            var version = current.1["version"]?.intValue
            if let conflict = state.device.conflict, let draft = state.device.draft, draft.shadow == current.0 {
                // After a conflict: the user's own draft, to be sent at the server's version.
                line.text = draft.text
                version = conflict["version"]?.intValue ?? version
            } else {
                line.text = (current.1["state"]?["desired"] ?? .object(JSONObject())).serialized()
            }
            line.cursor = line.text.count
            state.device.edit = ShadowEdit(shadow: current.0, version: version, line: line, problem: nil)
        case .character("D"):
            if Dashboard.refused(&state, "changes") { return [] }
            guard list.indices.contains(state.device.shadowIndex), !list[state.device.shadowIndex].0.isEmpty else {
                state.notice = "only named shadows are deleted here"
                return []
            }
            state.device.confirmDelete = list[state.device.shadowIndex].0
        case .character("v"):
            state.device.showDiff.toggle()
            state.device.diffFrom = 1
            state.device.diffTo = 0
        case .character("["), .character("]"), .character("{"), .character("}"):
            let key = list.indices.contains(state.device.shadowIndex) ? name + "/" + list[state.device.shadowIndex].0 : ""
            let count = state.device.history[key]?.count ?? 0
            switch event {
            case .character("["): state.device.diffFrom = min(count - 1, state.device.diffFrom + 1)
            case .character("]"): state.device.diffFrom = max(state.device.diffTo + 1, state.device.diffFrom - 1)
            case .character("{"): state.device.diffTo = min(state.device.diffFrom - 1, state.device.diffTo + 1)
            default: state.device.diffTo = max(0, state.device.diffTo - 1)
            }
        case .character("r"):
            return [DeviceScreen.detail(name)]
        case .character("c"):
            // Its Greengrass core device, when it is one: components, deployments.
            guard DeviceScreen.isCore(state) else {
                state.notice = "\(name) is not a Greengrass core device (or that could not be read)"
                return []
            }
            return CoreScreen.open(&state, name)
        default:
            return nil
        }
        return []
    }

    /// A shadow's versions seen this session.
    static func remember(_ state: inout DashboardState, thing: String, shadow: String, document: JSONValue) {
        let key = thing + "/" + shadow
        var seen = state.device.history[key] ?? []
        if seen.last?["version"] != document["version"] { seen.append(document) }
        state.device.history[key] = seen
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

    static func deviceView(_ state: DashboardState, name: String, into buffer: inout CellBuffer) {
        let theme = state.theme
        let fleet = state.device, list = state.devices
        let device = list.model.device(named: name)
        var row = 1
        func line(_ text: String, _ role: Theme.Role = .text) {
            guard row < buffer.rows - 1 else { return }
            buffer.put(DisplayWidth.pad(text, buffer.columns), row: row, column: 0, style: theme[role])
            row += 1
        }
        line(" \(name)  type \(device?.type ?? "-")  version \(device?.version ?? 0)  " + (list.managed.thing(name).map { "managed by \($0)" } ?? "UNMANAGED")
             + "  \(device?.attributeText ?? "")", .header)
        guard let detail = fleet.detail else { line(" " + Dashboard.waiting(state, "Loading"), .dim); return }
        let now = state.now
        line(" groups: " + (detail.groups.isEmpty ? "-" : detail.groups.joined(separator: ", ")))
        switch detail.coreDevice {
        case .success(let core?):
            let reported = core.lastStatusUpdate.map { "  reported \(CivilTime(secondsSince1970: $0).stamp)" } ?? ""
            line(" Greengrass core device: \(core.status)  nucleus \(core.coreVersion ?? "?")  \(core.platform ?? "?")/\(core.architecture ?? "?")" + reported,
                 core.status == "HEALTHY" ? .create : .error)
        case .success(nil): break
        case .failure(let unreadable): line(" Greengrass core device: could not be read (\(unreadable.reason))", .dim)
        }
        for certificate in detail.certificates {
            let days = certificate.daysLeft(now: now)
            line(" certificate \(certificate.id.prefix(12))  \(certificate.status)  expires \(certificate.notAfter.map { CivilTime.dayAndDistance($0, now: now) } ?? "? (unreadable)")",
                 (days ?? 999) <= state.fleetLists.expiringDays || certificate.status != "ACTIVE" ? .error : .text)
        }
        if detail.certificates.isEmpty { line(" no certificates", .dim) }
        for (policy, document) in detail.policies {
            line(" policy \(policy) (\(list.managed.policy(policy) ?? "unmanaged")): " + ((try? JSONValue.parse(Array(document.utf8)))?.serialized() ?? document), .dim)
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
            line(" version \(shown["version"]?.intValue ?? 0)  updated \(shown["timestamp"]?.intValue.map { CivilTime(secondsSince1970: $0).stamp } ?? "-")", .dim)
            // When each top-level field last changed (the shadow's metadata).
            var times: [String] = []
            for key in ["desired", "reported"] {
                for (field, meta) in shown["metadata"]?[key]?.objectValue ?? JSONObject() {
                    if let stamp = meta["timestamp"]?.intValue { times.append("\(key).\(field) \(CivilTime(secondsSince1970: stamp).stamp)") }
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
}

enum DeviceScreen: ScreenComponent {
    static func title(_ screen: Screen) -> String { screen.subject ?? "" }
    /// While a shadow is being edited or a delete asked, every key goes to that first.
    static func firstKey(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        guard state.device.edit != nil || state.device.confirmDelete != nil else { return nil }
        return key(&state, event) ?? []
    }
    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        FleetScreens.deviceKey(&state, name: title(state.screen), event)
    }
    /// The device, its certificates and its shadows: keys move through them, clicks do not.
    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        FleetScreens.deviceView(state, name: title(state.screen), into: &buffer)
        return []
    }
    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["shadow"], arguments: { $0.devices.model.devices.prefix(5000).map(\.name).sorted() }) { state, argument, _ in
            guard !argument.isEmpty else { state.notice = ":shadow THING"; return [] }
            return FleetScreens.open(&state, .devices, query: nil) + open(&state, argument)
        }]
    }
    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let answer = detail.answer(in: message), state.screen == .device(answer.argument), let detail = answer.value(&state) {
            state.device.detail = detail
            for (shadow, document) in detail.shadows { FleetScreens.remember(&state, thing: answer.argument, shadow: shadow, document: document) }
        }
        guard let answer = writeShadow.answer(in: message), let written = answer.value(&state) else { return [] }
        let (thing, shadow) = (answer.argument.thing, answer.argument.shadow)
        switch written {
        case .updated(let document):
            state.device.conflict = nil
            state.notice = "shadow \(shadow.isEmpty ? "classic" : shadow) of \(thing) is at version \(document["version"]?.intValue ?? 0)"
        case .conflict(let current, let message):
            guard state.screen == .device(thing) else { return [] }
            state.device.conflict = current
            FleetScreens.remember(&state, thing: thing, shadow: shadow, document: current)
            state.notice = message
            return []
        case .deleted:
            state.notice = "deleted the shadow '\(shadow)' of \(thing)"
            state.device.shadowIndex = 0
        }
        return state.screen == .device(thing) ? [detail(thing)] : []
    }
    static func hints(_ state: DashboardState) -> String {
        "tab shadow  e edit desired  D delete named  v versions" + (isCore(state) ? "  c core device" : "") + "  r reload"
    }
    static func isCore(_ state: DashboardState) -> Bool {
        if case .success(.some) = state.device.detail?.coreDevice { return true }
        return false
    }
    static func help(_ state: DashboardState) -> [String] {
        ["tab        next shadow", "e          edit desired (JSON, checked as you type; sent with the version)",
         "D          delete this named shadow (asks)", "v          what changed between the versions seen ([ ] { } pick them)",
         "c          its Greengrass core device: components, deployments (when it is one)"]
    }
}

extension DeviceScreen {
    /// One device's groups, certificates, policies, shadows and core device.
    static let detail = FleetQuery<String, DeviceDetail>("device") { try await $0.detail(of: $1) }

    /// A shadow to set the desired state of (at a version: the optimistic lock), or to delete.
    struct ShadowTarget: Sendable, CustomStringConvertible {
        var thing: String
        var shadow: String
        /// Nil: delete the shadow.
        var desired: JSONValue?
        var version: Int64?
        var description: String { "\(thing), \(shadow)" + (desired.map { ", \($0.serialized()), \(version.map(String.init) ?? "any")" } ?? ", delete") }
    }

    enum ShadowWritten: Sendable {
        /// The new document.
        case updated(JSONValue)
        /// Refused: the shadow moved on; the server's document and AWS's message.
        case conflict(JSONValue, String)
        case deleted
    }

    /// Opens `thing`'s screen over the one on screen and reads it.
    static func open(_ state: inout DashboardState, _ thing: String) -> [DashboardCommand] {
        state.screens.append(.device(thing))
        state.device.detail = nil
        state.device.shadowIndex = 0
        state.device.conflict = nil
        state.selected = 0
        return [detail(thing)]
    }

    static let writeShadow = FleetChange<ShadowTarget, ShadowWritten>("shadow") { fleet, target, _ in
        guard let desired = target.desired else {
            try await fleet.deleteShadow(thing: target.thing, shadow: target.shadow)
            return .deleted
        }
        do {
            return .updated(try await fleet.updateDesired(thing: target.thing, shadow: target.shadow, desired: desired, version: target.version))
        } catch let conflict as ShadowConflict {
            return .conflict(conflict.current, conflict.description)
        }
    }
}

extension Screen {
    /// One device: its groups, certificates, policies and shadows.
    public static func device(_ name: String) -> Screen { Screen(DeviceScreen.self, subject: name) }
}
