import FleetValues
import JSON
import TermCore

/// Device Defender's audits (`:audits`): the tasks of the last 30 days, on demand and scheduled,
/// with their status and each check's count of non-compliant resources; Enter opens a task's
/// findings (severity, check, the resource and its things, why, suppressed or not), and Enter on
/// a finding opens the device its certificate belongs to (an expiring certificate's, that
/// device's rotation; a certificate with no thing, the certificates list on it; a policy, the
/// policies list on it). `:audit` starts one: the checks the account enables are read first, and
/// the question names each and what it reads.
enum AuditsScreen: ScreenComponent {
    struct State: SortedState {
        var tasks: [AuditTask]?
        /// The findings of a task (`findingsOf`), once read.
        var findings: [AuditFinding]?
        var findingsOf: String?
        /// `:audit` waits for the enabled checks to ask its question.
        var asking = false
        var order = Table.Order()
        init() {}
    }

    static let tasks = FleetQuery<Void, [AuditTask]>("audit tasks") { fleet, _ in try await fleet.auditTasks(days: 30) }
    static let findings = FleetQuery<String, [AuditFinding]>("audit findings") { try await $0.auditFindings(task: $1) }
    static let checks = FleetQuery<Void, [String]>("audit checks") { fleet, _ in try await fleet.enabledAuditChecks() }
    static let taskTitles = ["STARTED", "TASK", "TYPE", "STATUS", "NON-COMPLIANT", "CHECKS (NON-COMPLIANT/CHECKED)"]
    static let findingTitles = ["SEVERITY", "CHECK", "RESOURCE", "THINGS", "REASON"]

    static func title(_ screen: Screen) -> String { screen.subject.map { "audit \($0.prefix(12))" } ?? "audits" }

    static func taskRows(_ state: DashboardState) -> [(task: AuditTask, cells: [String])]? {
        guard let tasks = state.own[State.self].tasks else { return nil }
        return state.own[State.self].order.shown(tasks, filter: state.filter) { task in
            [task.started.map { String(CivilTime(secondsSince1970: $0).stamp.prefix(16)) } ?? "?", String(task.id.prefix(12)),
             task.type == "SCHEDULED_AUDIT_TASK" ? "scheduled" + (task.scheduledName.map { " (\($0))" } ?? "") : "on demand",
             task.status, "\(task.nonCompliant)",
             task.checks.map { "\($0.name.hasSuffix("_CHECK") ? String($0.name.dropLast(6)) : $0.name) \($0.nonCompliant ?? 0)/\($0.total ?? 0)" }.joined(separator: ", ")]
        }.map { (task: $0.0, cells: $0.1) }
    }

    static func findingRows(_ state: DashboardState) -> [(finding: AuditFinding, cells: [String])]? {
        guard let list = state.own[State.self].findings, state.own[State.self].findingsOf == state.screen.subject else { return nil }
        return state.own[State.self].order.shown(list, filter: state.filter) { finding in
            [finding.severity + (finding.suppressed ? ", suppressed" : ""), finding.check, finding.resource,
             finding.thingsText, finding.reason]
        }.map { (finding: $0.0, cells: $0.1) }
    }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme, area = listArea(state)
        let titles: [String], cells: [[String]], failing: [Bool], header: String, empty: String
        if let task = state.screen.subject {
            guard let rows = findingRows(state) else {
                buffer.put(Dashboard.waiting(state, "Reading the findings of \(task)"), row: 2, column: 1, style: theme[.dim])
                return []
            }
            let all = state.own[State.self].findings ?? []
            let suppressed = all.filter(\.suppressed).count
            (titles, cells, failing) = (findingTitles, rows.map(\.cells), rows.map { !$0.finding.suppressed })
            header = " audit task \(task): \(all.count) finding\(all.count == 1 ? "" : "s")" + (suppressed > 0 ? " (\(suppressed) suppressed)" : "")
            empty = "No findings: every resource the task checked complies."
        } else {
            guard let rows = taskRows(state) else {
                buffer.put(Dashboard.waiting(state, "Loading the audit tasks"), row: 2, column: 1, style: theme[.dim])
                return []
            }
            let all = state.own[State.self].tasks ?? []
            (titles, cells, failing) = (taskTitles, rows.map(\.cells), rows.map { $0.task.nonCompliant > 0 || $0.task.status == "FAILED" })
            header = " \(all.count) audit task\(all.count == 1 ? "" : "s") in the last 30 days, \(all.filter { $0.nonCompliant > 0 }.count) with findings"
            empty = "No audit tasks in the last 30 days: :audit starts one."
        }
        buffer.put(DisplayWidth.pad(header + (state.filter.isEmpty ? "" : "; \(cells.count) match /\(state.filter)"), buffer.columns),
                   row: 1, column: 0, style: theme[.header])
        return Dashboard.sortedList(state, into: &buffer, area: area, titles: titles, rows: cells,
                                    limits: state.screen.subject == nil ? [17, 13, 26, 10, 14] : [19, 34, 30, 28],
                                    sort: state.own[State.self].order.mark, empty: empty) { failing[$0] ? theme[.error] : theme[.text] }
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        switch event {
        case .key(.enter):
            if state.screen.subject == nil {
                guard let rows = taskRows(state), rows.indices.contains(state.selected) else { return [] }
                let task = rows[state.selected].task.id
                state.screens.append(.audit(task))
                state.selected = 0
                return [findings(task)]
            }
            guard let rows = findingRows(state), rows.indices.contains(state.selected) else { return [] }
            let finding = rows[state.selected].finding
            if let policy = finding.policy { return FleetListsScreen.open(&state, .policies, focus: policy) }
            guard let thing = finding.things.first else {
                if finding.resourceDeleted {
                    state.notice = "this finding's resource (\(finding.resource)) is deleted since the audit"
                    return []
                }
                if let certificate = finding.certificateId, finding.resourceType == "DEVICE_CERTIFICATE" {
                    return FleetListsScreen.open(&state, .certificates, focus: certificate)
                }
                state.notice = "this finding's resource (\(finding.resource)) has no screen here"
                return []
            }
            // An expiring certificate is a rotation to follow (or start); anything else, the device.
            if finding.check == "DEVICE_CERTIFICATE_EXPIRING_CHECK" { return RotationScreen.open(&state, focus: thing) }
            return DeviceScreen.open(&state, thing)
        default:
            return State.sortKey(&state, event, columns: state.screen.subject == nil ? taskTitles.count : findingTitles.count)
        }
    }

    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? { State.sortClicked(&state, target) }

    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let list = tasks.answer(in: message)?.value(&state) { state.own[State.self].tasks = list }
        if let answer = findings.answer(in: message), let list = answer.value(&state) {
            (state.own[State.self].findings, state.own[State.self].findingsOf) = (list, answer.argument)
        }
        if let answer = checks.answer(in: message), state.own[State.self].asking {
            state.own[State.self].asking = false
            guard let enabled = answer.value(&state) else { return [] }
            let question = "start an on-demand Device Defender audit of \(enabled.count) check\(enabled.count == 1 ? "" : "s"): "
                + enabled.map { "\($0.hasSuffix("_CHECK") ? String($0.dropLast(6)) : $0) (reads \(AuditCheckResult.reads($0)))" }.joined(separator: ", ")
                + "; its findings go to the audit's SNS target"
            Dashboard.confirm(&state, question, [startAudit(enabled)])
        }
        if let answer = startAudit.answer(in: message) {
            guard let started = answer.value(&state) else { return [] }
            state.notice = started
            // A task started here shows in the list.
            if state.screen == .audits { return reload(&state) ?? [] }
        }
        return []
    }

    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        if let task = state.screen.subject {
            state.own[State.self].findings = nil
            return [findings(task)]
        }
        state.own[State.self].tasks = nil
        return [tasks.command]
    }

    /// `:audit`, once approved.
    static let startAudit = FleetChange<[String], String>("audit") { fleet, checks, _ in
        "audit task \(try await fleet.startAudit(checks)) started (\(checks.joined(separator: ", "))): its findings go to the audit's SNS target"
    }

    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["audits"]) { state, _, _ in
            CommandMode.replaceTop(&state, with: .audits) ? reload(&state) ?? [] : []
         },
         ScreenCommand(names: ["audit"]) { state, _, _ in
             if Dashboard.refused(&state, "changes") { return [] }
             state.own[State.self].asking = true
             state.notice = "reading the account's enabled audit checks…"
             return [checks.command]
         }]
    }

    static func rowCount(_ state: DashboardState) -> Int { (state.screen.subject == nil ? taskRows(state)?.count : findingRows(state)?.count) ?? 0 }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (3, max(0, state.rows - 4)) }
    static func filters(_ state: DashboardState) -> Bool { true }
    static func hints(_ state: DashboardState) -> String {
        state.screen.subject == nil ? "↵ findings  :audit start one  / filter  s sort  r reload" : "↵ the device  / filter  s sort  r reload  esc back"
    }
    static func help(_ state: DashboardState) -> [String] {
        [":audits    Device Defender's audit tasks of the last 30 days",
         "enter      a task's findings; on a finding, its certificate's device (an expiring one: the device's rotation),",
         "           a certificate with no thing on :certs, a policy on :policies",
         ":audit     start an on-demand audit of the enabled checks, each named with what it reads (y approves)", "s S        sort by the next column, reverse"]
    }
}

extension Screen {
    /// Device Defender's audit tasks, and one task's findings.
    public static let audits = Screen(AuditsScreen.self)
    public static func audit(_ task: String) -> Screen { Screen(AuditsScreen.self, subject: task) }
}
