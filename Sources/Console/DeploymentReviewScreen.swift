import FleetValues
import JSON
import TermCore

/// A Greengrass deployment reviewed before it is made (`:deploy FILE`, upstream's
/// deployment.json): its plan, component by component and device by device, removals, platform
/// failures, reboots and resets marked. `y` approves: at once for a plan without them on a fleet
/// that is not production, else with the target's name typed. What is created is what was
/// reviewed: a plan that changed since (the target's deployment, its devices) is refused and the
/// plan as it is now shown in its place. Once made, its rollout opens, followed live.
enum DeploymentReviewScreen: ScreenComponent {
    struct State: ScreenState {
        var plan: DeploymentPlan?
        var deploying = false
        init() {}
    }

    static let plan = FleetQuery<String, DeploymentPlan>("deployment plan") { try await $0.deploymentPlan(file: $1) }
    static let deploy = FleetChange<Approved, Outcome>("deploy") { fleet, approved, _ in
        do {
            let made = try await fleet.deploy(file: approved.file, hash: approved.hash)
            return .created(deployment: made.deployment, job: made.job)
        } catch let changed as DeploymentPlanChanged {
            return .changed(changed.plan)
        }
    }

    /// What approving did: the deployment made, or nothing because the plan is another now.
    enum Outcome: Sendable, Equatable {
        case created(deployment: String, job: String)
        case changed(DeploymentPlan)
    }

    struct Approved: Sendable, Equatable, CustomStringConvertible {
        var file: String
        var hash: String
        var description: String { "\(file) \(hash)" }
    }

    static func title(_ screen: Screen) -> String { "deploy \(screen.subject ?? "")" }

    static func lines(_ plan: DeploymentPlan) -> [String] { plan.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    static func view(_ state: DashboardState, into buffer: inout CellBuffer) -> [HitArea] {
        let theme = state.theme
        guard let plan = state.own[State.self].plan else {
            buffer.put(Dashboard.waiting(state, "Planning \(state.screen.subject ?? "the deployment") against the target and its devices"), row: 2, column: 1, style: theme[.dim])
            return []
        }
        let header = " Plan \(plan.hash): " + (plan.dangers.isEmpty ? "nothing removed, no platform failure" : plan.dangers.joined(separator: "; "))
        buffer.put(DisplayWidth.pad(header, buffer.columns), row: 1, column: 0, style: plan.dangers.isEmpty ? theme[.header] : theme[.production])
        let all = lines(plan), height = max(0, buffer.rows - 4), first = min(state.selected, max(0, all.count - height))
        for (offset, line) in all.dropFirst(first).prefix(height).enumerated() {
            let marked = ["REMOVE", "FAILS", "DOWNGRADE", "RESTARTS", "RESET", "!!"].contains { line.contains($0) }
            buffer.put(DisplayWidth.pad(" " + line, buffer.columns), row: 2 + offset, column: 0, style: marked ? theme[.error] : theme[.text])
        }
        if state.own[State.self].deploying {
            buffer.put(DisplayWidth.pad(" Deploying…", buffer.columns), row: buffer.rows - 2, column: 0, style: theme[.dim])
        }
        return []
    }

    static func key(_ state: inout DashboardState, _ event: TerminalEvent) -> [DashboardCommand]? {
        guard let file = state.screen.subject else { return nil }
        switch event {
        case .character("y"):
            if Dashboard.refused(&state, "approving") { return [] }
            guard let plan = state.own[State.self].plan, !state.own[State.self].deploying else { return [] }
            let command = deploy(Approved(file: file, hash: plan.hash))
            let target = plan.spec.targetName?.name ?? plan.spec.target
            if plan.dangers.isEmpty && Dashboard.productionFleet(state) == nil {
                state.own[State.self].deploying = true
                return [command]
            }
            Dashboard.confirm(&state, "deploy to \(target): " + (plan.dangers.isEmpty ? "a production fleet" : plan.dangers.joined(separator: "; ")), [command],
                              typed: target)
            return []
        case .character("n"):
            state.notice = "not deployed: nothing was created"
            return Dashboard.back(&state)
        default:
            return nil
        }
    }

    static func receive(_ state: inout DashboardState, _ message: DashboardMessage) -> [DashboardCommand] {
        if let answer = plan.answer(in: message), state.screen.subject == answer.argument, let made = answer.value(&state) {
            state.own[State.self].plan = made
        }
        guard let answer = deploy.answer(in: message) else { return [] }
        state.own[State.self].deploying = false
        switch answer.value(&state) {
        case .created(let deployment, let job)?:
            // The rollout, live, in the review's place.
            if state.screen.shown(by: DeploymentReviewScreen.self) { state.screens.removeLast() }
            state.screens.append(.job(job))
            state.selected = 0
            state.notice = "deployment \(deployment) created: its rollout, device by device"
            return [JobsScreen.executions(job)]
        case .changed(let now)?:
            state.own[State.self].plan = now
            state.selected = 0
            state.notice = "not deployed: the plan changed since it was reviewed (the target's deployment or its devices); this is the plan now, y approves it"
            return []
        case nil:
            return []
        }
    }

    static func reload(_ state: inout DashboardState) -> [DashboardCommand]? {
        guard let file = state.screen.subject else { return nil }
        state.own[State.self].plan = nil
        return [plan(file)]
    }

    static var commands: [ScreenCommand] {
        [ScreenCommand(names: ["deploy"]) { state, argument, _ in
            guard !argument.isEmpty else {
                state.notice = ":deploy FILE: a deployment document (upstream's deployment.json)"
                return []
            }
            state.screens.append(Screen(DeploymentReviewScreen.self, subject: argument))
            state.selected = 0
            return reload(&state) ?? []
        }]
    }

    static func rowCount(_ state: DashboardState) -> Int { state.own[State.self].plan.map { lines($0).count } ?? 0 }
    static func listArea(_ state: DashboardState) -> (top: Int, height: Int) { (2, max(0, state.rows - 4)) }
    static func hints(_ state: DashboardState) -> String { "y deploy  n back  j k scroll  r plan again" }
    static func help(_ state: DashboardState) -> [String] {
        [":deploy FILE  a Greengrass deployment's plan: each component, each device, removals and platform failures marked",
         "y          deploy (the target's name typed when it removes, fails, restarts, resets, or the fleet is production)",
         "n          back, nothing deployed", "r          plan again"]
    }
}
