import Fleet
import JSON
import MQTT
import TermCore

/// The fleet's groups, certificates and policies.
extension FleetScreens {
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
}
