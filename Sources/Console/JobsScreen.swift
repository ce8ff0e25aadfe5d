import FleetValues
import JSON
import MQTT
import TermCore

/// AWS IoT Jobs (`:jobs`): the jobs, newest first, with their status, targets and how many
/// executions are in each state (`t`: the job templates); Enter opens a job's executions device by device (status, when,
/// what the device said; those the rollout has not reached yet, dimmed), followed live while any
/// runs (read again every 5 s), the failures grouped by reason under the counts; Enter opens a
/// device's deployments and components (the core device screen). On a job, `C`
/// cancels it (a plan: which devices will not get it, which carry on; `y`, or a production
/// fleet's stack name) and `F` stops the selected device's execution in progress (its name typed:
/// the device may be left half-way).
public enum JobsScreen: ScreenComponent {
    struct State: SortedState {
        var jobs: [Job]?
        /// The executions of `executionsOf`, once read; each one's cells and what `/` matches,
        /// and the counts with the most common failure (made once per read: a rollout has
        /// thousands of devices and is drawn at every key).
        var executions: [JobExecution]?
        var executionsOf: String?
        var cells: [[String]] = []
        var search: [String] = []
        var summary = ""
        /// Why the job stopped (or, while it runs, how it stands against its abort threshold) and
        /// the failures grouped by what the devices said, a line each.
        var errors: [String] = []
        /// A read of the executions asked for by a job event and not answered yet (events come
        /// by the thousand in a rollout: one read at a time).
        var eventRead = false
        var order = Table.Order()
        init() {}
    }

    public static let jobs = FleetQuery<Void, [Job]>("jobs") { fleet, _ in try await fleet.jobs(status: nil, namespace: nil, group: nil) }
    /// A job's rollout: its executions and the targets it has not reached (or never will).
    public static let executions = FleetQuery<String, Rollout>("job executions") { try await $0.rollout($1) }
    /// The account's job and job execution events (where it enables them).
    static let eventTopics = ["$aws/events/jobExecution/#", "$aws/events/job/#"]
    /// The most lines the failures take under the counts.
    static let maxErrorLines = 4
    /// What a target the rollout has not reached shows as its status.
    static let notReached = "NOT REACHED"
    static let jobTitles = ["CREATED", "JOB", "STATUS", "EXECUTIONS", "SELECTION", "TARGETS"]
    static let executionTitles = ["DEVICE", "STATUS", "UPDATED", "DETAILS"]
    static let timer = "job"

    static func title(_ screen: Screen) -> String { screen.subject.map { "job \($0)" } ?? "jobs" }

    static func jobRows(_ state: DashboardState) -> [(job: Job, cells: [String])]? {
        guard let jobs = state.own[State.self].jobs else { return nil }
        return state.own[State.self].order.shown(jobs, filter: state.filter) { job in
            [job.created.map { String(CivilTime(secondsSince1970: $0).stamp.prefix(16)) } ?? "?", job.id,
             job.status + (job.forceCanceled ? " (forced)" : ""), job.countsText, job.targetSelection.lowercased(), job.targetsText]
        }.map { (job: $0.0, cells: $0.1) }
    }

    static func executionRows(_ state: DashboardState) -> [(execution: JobExecution, cells: [String])]? {
        let own = state.own[State.self]
        guard let list = own.executions, own.executionsOf == state.screen.subject else { return nil }
        let matcher = TextFilter(state.filter)
        let kept = state.filter.isEmpty ? Array(list.indices) : list.indices.filter { matcher.matches(own.search[$0]) }
        return Table.order(kept.map { own.cells[$0] }, by: own.order.column, ascending: own.order.ascending).map { (execution: list[kept[$0]], cells: own.cells[kept[$0]]) }
    }

    /// A read of a job's rollout, with what the screen draws of it made once: a row per device,
    /// those the rollout has not reached last.
    static func take(_ state: inout DashboardState, _ rollout: Rollout, of job: String) {
        let list = rollout.executions
            + rollout.waiting.map { JobExecution(job: job, thing: $0, status: notReached, details: ["reason": "the rollout reaches it at its rate"]) }
            + rollout.unreached.map { JobExecution(job: job, thing: $0, status: notReached, details: ["reason": "the job ended before the rollout reached it"]) }
        // An execution unchanged since the last read keeps its cells (a read moves a few of thousands).
        let before = state.own[State.self]
        let same = before.executionsOf == job ? before.executions ?? [] : []
        var cells: [[String]] = [], search: [String] = []
        cells.reserveCapacity(list.count)
        search.reserveCapacity(list.count)
        for (index, execution) in list.enumerated() {
            if index < same.count, same[index] == execution {
                cells.append(before.cells[index])
                search.append(before.search[index])
                continue
            }
            let row = [execution.thing, execution.status, execution.updated.map { String(CivilTime(secondsSince1970: $0).stamp.prefix(19)) } ?? "-", execution.detailsText]
            cells.append(row)
            search.append(row.joined(separator: " "))
        }
        state.own[State.self].executions = list
        state.own[State.self].executionsOf = job
        state.own[State.self].cells = cells
        state.own[State.self].search = search
        state.own[State.self].summary = rollout.summary.split(separator: "\n").first.map(String.init) ?? ""
        // Every kind of failure across the devices, the largest first, and why the job stopped.
        var errors = (rollout.stopped.map { ["the rollout stopped: \($0)"] } ?? []) + (rollout.running ? rollout.abortCounts : [])
            + rollout.errors.map { "\($0.devices.count) × \($0.reason)" }
        if errors.count > maxErrorLines { errors = errors.prefix(maxErrorLines - 1) + ["… and \(errors.count - maxErrorLines + 1) more kinds of failure"] }
        state.own[State.self].errors = errors
    }

    static func failing(_ status: String) -> Bool { ["FAILED", "REJECTED", "TIMED_OUT"].contains(status) }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme, area = listArea(state)
        let titles: [String], cells: [[String]], styles: [TerminalStyle], header: String, empty: String, limits: [Int]
        if let id = state.screen.subject {
            guard let rows = executionRows(state) else {
                buffer.put(Dashboard.waiting(state, "Reading the executions of \(id)"), row: 2, column: 1, style: theme[.dim])
                return []
            }
            let job = state.own[State.self].jobs?.first { $0.id == id }
            // The counts and the most common failure first: the job's name is in the title bar.
            header = " " + state.own[State.self].summary + (job.map { " · job \($0.status), \($0.targetsText)" } ?? "")
            for (index, line) in state.own[State.self].errors.enumerated() {
                buffer.put(DisplayWidth.pad(" " + DisplayWidth.ellipsized(line, buffer.columns - 2), buffer.columns), row: 2 + index, column: 0, style: theme[.error])
            }
            (titles, cells, limits) = (executionTitles, rows.map(\.cells), [30, 12, 20])
            styles = rows.map { failing($0.execution.status) ? theme[.error] : $0.execution.status == "IN_PROGRESS" ? theme[.update]
                : $0.execution.status == notReached ? theme[.dim] : theme[.text] }
            empty = "No executions: the job's targets had no things when it was made."
        } else {
            guard let rows = jobRows(state) else {
                buffer.put(Dashboard.waiting(state, "Loading the jobs"), row: 2, column: 1, style: theme[.dim])
                return []
            }
            let all = state.own[State.self].jobs ?? []
            header = " \(all.count) job\(all.count == 1 ? "" : "s"), \(all.filter { $0.status == "IN_PROGRESS" }.count) in progress"
            (titles, cells, limits) = (jobTitles, rows.map(\.cells), [17, 36, 14, 48, 10])
            styles = rows.map { row in Job.states.filter(failing).contains { (row.job.counts[$0] ?? 0) > 0 } ? theme[.error] : theme[.text] }
            empty = "No jobs in the account (Greengrass deployments are jobs too: they show here)."
        }
        buffer.put(DisplayWidth.pad(header + (state.filter.isEmpty ? "" : "; \(cells.count) match /\(state.filter)"), buffer.columns),
                   row: 1, column: 0, style: theme[.header])
        return Dashboard.sortedList(state, into: &buffer, area: area, titles: titles, rows: cells, limits: limits,
                                    sort: state.own[State.self].order.mark, empty: empty) { styles[$0] }
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        guard let id = state.screen.subject else {
            if event == .character("t") {
                state.screens.append(.jobTemplates)
                state.selected = 0
                return JobTemplatesScreen.reload(&state) ?? []
            }
            guard event == .key(.enter) else { return State.sortKey(&state, event, columns: jobTitles.count) }
            guard let rows = jobRows(state), rows.indices.contains(state.selected) else { return [] }
            let job = rows[state.selected].job.id
            state.screens.append(.job(job))
            state.selected = 0
            return [executions(job)]
        }
        switch event {
        case .key(.enter):
            // The device's own history of deployments (and what it runs), one key away.
            guard let rows = executionRows(state), rows.indices.contains(state.selected) else { return [] }
            return CoreScreen.open(&state, rows[state.selected].execution.thing)
        case .character("C"):
            if Dashboard.refused(&state, "changes") { return [] }
            guard let all = state.own[State.self].executions, state.own[State.self].executionsOf == id else { return [] }
            if let job = state.own[State.self].jobs?.first(where: { $0.id == id }), job.ended {
                state.notice = "job \(id) is \(job.status): there is nothing to cancel"
                return []
            }
            let executions = all.filter { $0.status != notReached }, unreached = all.count - executions.count
            let plan = JobCancelPlan(job: id, executions: executions, force: false)
            Dashboard.confirm(&state, "cancel job \(id): \(plan.canceled.count) queued will not run, "
                              + (unreached > 0 ? "\(unreached) not reached yet never will be, " : "")
                              + "\(plan.carryOn.count) in progress carry on, \(plan.ended.count) ended keep their outcome", [cancel(JobTarget(job: id, thing: nil))])
            return []
        case .character("F"):
            if Dashboard.refused(&state, "changes") { return [] }
            guard let rows = executionRows(state), rows.indices.contains(state.selected) else { return [] }
            let execution = rows[state.selected].execution
            guard execution.status == "IN_PROGRESS" else {
                state.notice = "\(execution.thing)'s execution is \(execution.status): F stops one in progress" + (execution.status == "QUEUED" ? " (C cancels the queued ones)" : "")
                return []
            }
            Dashboard.confirm(&state, "STOP \(execution.thing)'s execution of \(id) where it is (the device may be left half-way)",
                              [cancel(JobTarget(job: id, thing: execution.thing))], typed: execution.thing)
            return []
        default:
            return State.sortKey(&state, event, columns: executionTitles.count)
        }
    }

    static func clicked(_ state: inout DashboardState, _ target: HitArea.Target) -> [DashboardCommand]? { State.sortClicked(&state, target) }

    /// A job to cancel, or one device's execution of it (forced: it is in progress).
    struct JobTarget: Sendable, Equatable, CustomStringConvertible {
        var job: String
        var thing: String?
        var description: String { thing.map { "\(job) on \($0)" } ?? job }
    }

    /// `C` and `F`, once approved.
    static let cancel = FleetChange<JobTarget, String>("cancel job") { fleet, target, _ in
        if let thing = target.thing {
            try await fleet.cancelJobExecution(target.job, thing: thing, force: true)
            return "stopped \(thing)'s execution of \(target.job)"
        }
        try await fleet.cancelJob(target.job, force: false, comment: nil)
        return "job \(target.job) canceled: its queued executions will not run; those in progress carry on"
    }

    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let list = jobs.answer(in: message)?.value(&state) { state.own[State.self].jobs = list }
        if let answer = executions.answer(in: message) {
            state.own[State.self].eventRead = false
            guard let rollout = answer.value(&state) else { return [] }
            take(&state, rollout, of: answer.argument)
            // Followed while any runs or is still to be reached: by the account's job events
            // where it publishes them (subscribed once, held from then: they show in :messages
            // too), and read again every 5 s.
            if state.screen == .job(answer.argument), rollout.running {
                let fresh = eventTopics.filter { !state.messages.filters.contains($0) }
                state.messages.filters += fresh
                return [.timer(timer, seconds: 5)] + (fresh.isEmpty ? [] : [.subscribe(fresh)])
            }
        }
        // A job event of the job on screen: its executions read now.
        if case .received(let batch) = message, let id = state.screen.subject, state.screen == .job(id), !state.own[State.self].eventRead,
           batch.contains(where: { message, _ in ["$aws/events/jobExecution/\(id)/+", "$aws/events/job/\(id)/+"].contains { Topic.matches(message.topic, filter: $0) } }) {
            state.own[State.self].eventRead = true
            return [executions(id)]
        }
        // (the executions only: the jobs list is one DescribeJob per job)
        if case .timer(timer) = message, let id = state.screen.subject, state.screen == .job(id) { return [executions(id)] }
        if let answer = cancel.answer(in: message) {
            guard let said = answer.value(&state) else { return [] }
            state.notice = said
            if state.screen == .job(answer.argument.job) { return [executions(answer.argument.job), jobs.command] }
        }
        return []
    }

    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        if let id = state.screen.subject {
            state.own[State.self].executions = nil
            return [executions(id), jobs.command]
        }
        state.own[State.self].jobs = nil
        return [jobs.command]
    }

    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["jobs"]) { state, _, _ in CommandMode.replaceTop(&state, with: .jobs) ? reload(&state) ?? [] : [] }]
    }

    static func rowCount(_ state: DashboardState) -> Int { (state.screen.subject == nil ? jobRows(state)?.count : executionRows(state)?.count) ?? 0 }
    /// On a job, the lines under the header say why the job stopped and what failed (grouped).
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) {
        let lines = state.screen.subject == nil ? 0 : state.own[State.self].errors.count
        return (3 + lines, max(0, state.rows - 4 - lines))
    }
    static func filters(_ state: DashboardState) -> Bool { true }
    static func hints(_ state: DashboardState) -> String {
        state.screen.subject == nil ? "↵ executions  t templates  / filter  s sort  r reload" : "↵ device's deployments  C cancel the job  F stop this device's  / filter  s sort  r reload  esc back"
    }
    static func help(_ state: DashboardState) -> [String] {
        [":jobs      AWS IoT jobs (Greengrass deployments too): status, targets, executions by state",
         "enter      a job's executions, device by device (read again every 5 s while any runs or is not reached yet)",
         "enter      on a device: its deployments, components and groups (the core device screen)",
         "t          the account's job templates (:templates)",
         "C          cancel the job: queued executions will not run, those in progress carry on (y approves)",
         "F          stop the selected device's execution in progress (its name typed)", "s S        sort by the next column, reverse"]
    }
}

extension Screen {
    /// AWS IoT jobs, and one job's executions.
    public static let jobs = Screen(JobsScreen.self)
    public static func job(_ id: String) -> Screen { Screen(JobsScreen.self, subject: id) }
}
