@testable import Console
import FleetValues
import JSON
import StackEngine
import StackModel
import TermCore
import Testing

/// The Stack screen's tabs, the destroy and refresh reviews, cancelling, `:` commands,
/// read-only mode, sorting and mouse clicks; each screen as a snapshot at 80x24 and 120x40.
@Suite struct DashboardScreensTests {
    static let theme = DashboardTests.theme
    static let detail = StackDetail(name: "dev", resources: [
        ResourceRow(name: "TesRoleID", type: "aws-native:iam:Role", id: "GreengrassV2TokenExchangeRole",
                    properties: ["roleName": "GreengrassV2TokenExchangeRole", "arn": "arn:aws:iam::111111111111:role/GreengrassV2TokenExchangeRole",
                                 "tags": [["key": "stage", "value": "dev"]]]),
        ResourceRow(name: "TesRoleAliasID", type: "aws-native:iot:RoleAlias", id: "GreengrassCoreTokenExchangeRoleAlias", dependencies: ["TesRoleID"]),
        ResourceRow(name: "TesPolicyID", type: "aws-native:iam:RolePolicy", id: "TesPolicy", dependencies: ["TesRoleID"], status: "pending"),
        ResourceRow(name: "ThingGroupID", type: "aws-native:iot:ThingGroup", id: "GreengrassGroup", protected: true),
    ], outputs: [StackDetailReader.Output(name: "groupArn", value: "arn:aws:iot:us-east-1:111111111111:thinggroup/GreengrassGroup", secret: false),
                 StackDetailReader.Output(name: "token", value: "[secret]", secret: true)],
    pending: ["TesPolicyID (creating)"],
    history: [StackDetailReader.HistoryEntry(kind: "update", start: "2026-11-29T08:00:00Z", end: "2026-11-29T08:01:00Z", result: "succeeded",
                                             changes: "create 4", planHash: "0123456789abcdef", user: "ana"),
              StackDetailReader.HistoryEntry(kind: "destroy", start: "2026-11-28T08:00:00Z", end: "2026-11-28T08:01:00Z", result: "cancelled",
                                             changes: "", planHash: "fedcba9876543210", user: "ci")])

    static func urn(_ name: String, _ type: String = "aws-native:iot:Thing") -> URN { URN(stack: "dev", project: "p", type: type, name: name) }

    static let destroyPlan = Plan(steps: ["TesRoleAliasID", "TesRoleID"].map { name in
        let state = ResourceState(urn: urn(name), id: name, type: urn(name).type, inputs: [:], outputs: [:])
        return Step(kind: .delete, urn: state.urn, type: state.type, old: state, inputs: [:], diffs: [], replaceReasons: [], deleteFirst: false, dependencies: [])
    }, programHash: "", configHash: "", stateHash: "s")

    static let driftPlan: Plan = {
        let state = ResourceState(urn: urn("ThingGroupID"), id: "GreengrassGroup", type: urn("ThingGroupID").type, inputs: [:],
                                  outputs: ["description": .string("old")])
        return Plan(steps: [Step(kind: .refresh, urn: state.urn, type: state.type, old: state, inputs: ["description": .string("edited in the console")],
                                 diffs: [PropertyDiff(path: "description", kind: .update, old: .string("old"), new: .string("edited in the console"), replaces: false)],
                                 replaceReasons: [], deleteFirst: false, dependencies: [])], programHash: "", configHash: "", stateHash: "s")
    }()

    func onStack(readOnly: Bool = false) -> DashboardState {
        var state = DashboardState(project: "iot-ref-arch", theme: Self.theme, readOnly: readOnly)
        _ = Dashboard.update(&state, .stacksLoaded(DashboardTests.stacks))
        _ = Dashboard.update(&state, .connection(.connected("111111111111 us-east-1")))
        _ = Dashboard.update(&state, .key(.character("\n")))
        _ = Dashboard.update(&state, .stackLoaded(Self.detail))
        return state
    }

    func snapshot(_ name: String, _ state: DashboardState) throws {
        for (rows, columns) in [(24, 80), (40, 120), (50, 200)] {
            try DashboardTests().check("\(name)-\(columns)x\(rows)", Dashboard.view(state, rows: rows, columns: columns))
        }
    }

    @Test func resourcesAreATreeByDependencyAndFold() throws {
        var state = onStack()
        #expect(StackScreen.treeLines(state).map { $0.prefix + $0.label } == ["▾ TesRoleID", "├─ TesRoleAliasID", "└─ TesPolicyID", "ThingGroupID"])
        try snapshot("stack-resources", state)
        _ = Dashboard.update(&state, .key(.character(" ")))
        #expect(StackScreen.treeLines(state).map(\.label) == ["TesRoleID", "ThingGroupID"])
        _ = Dashboard.update(&state, .key(.key(.right)))  // → unfolds
        #expect(StackScreen.treeLines(state).count == 4)
    }

    @Test func enterInspectsAResourceInTheJSONViewerWithFolding() throws {
        var state = onStack()
        _ = Dashboard.update(&state, .key(.character("\n")))
        #expect(state.inspector.item == "TesRoleID")
        try snapshot("stack-inspect", state)
        for _ in 0..<3 { _ = Dashboard.update(&state, .key(.character("j"))) }
        #expect(Inspector.lines(state)[3].text == "  \"tags\": [")
        _ = Dashboard.update(&state, .key(.character("\n")))
        #expect(Inspector.lines(state)[3].text == "  \"tags\": […] 1 item")
        _ = Dashboard.update(&state, .key(.character("\u{1b}")))
        #expect(state.inspector.item == nil && state.screen == .stack("dev"))
    }

    @Test func tabsShowOutputsAndHistoryAndVRevealsSecrets() throws {
        var state = onStack()
        _ = Dashboard.update(&state, .key(.character("\t")))
        #expect(state.stackScreen.tab == .outputs)
        try snapshot("stack-outputs", state)
        #expect(Dashboard.update(&state, .key(.character("v"))) == [.reveal("dev")])
        _ = Dashboard.update(&state, .revealed("dev", [StackDetailReader.Output(name: "token", value: "s3cr3t", secret: true)]))
        #expect(Dashboard.view(state, rows: 24, columns: 80).lines.contains { $0.contains("s3cr3t") })
        _ = Dashboard.update(&state, .key(.character("v")))
        #expect(!Dashboard.view(state, rows: 24, columns: 80).lines.contains { $0.contains("s3cr3t") })
        _ = Dashboard.update(&state, .key(.character("v")))
        _ = Dashboard.update(&state, .revealed("dev", [StackDetailReader.Output(name: "token", value: "s3cr3t", secret: true)]))
        _ = Dashboard.update(&state, .key(.character("q")))
        #expect(state.stackScreen.revealed == nil)  // leaving the stack forgets the secrets
        _ = Dashboard.update(&state, .key(.character("\n")))
        _ = Dashboard.update(&state, .stackLoaded(Self.detail))
        _ = Dashboard.update(&state, .key(.character("3")))
        #expect(state.stackScreen.tab == .history)
        #expect(state.notice == nil, "a notice given on an earlier visit is not shown on later screens")
        try snapshot("stack-history", state)
    }

    @Test func destroyReviewShowsBlockersAndNeedsThemClearedAndTheNameTyped() throws {
        var state = onStack()
        #expect(Dashboard.update(&state, .key(.character("d"))) == [.preview("dev", .destroy)])
        _ = Dashboard.update(&state, .planned(PlanView(stack: "dev", hash: "d1", plan: Self.destroyPlan, production: false, operation: .destroy,
                                                       blockers: [("policy P is attached to cert/abc, which this stack does not own (TesRoleID)", "detach P from cert/abc")]),
                                              .destroy))
        try snapshot("destroy", state)
        #expect(Dashboard.update(&state, .key(.character("y"))) == [])
        #expect(state.notice?.hasPrefix("blocked: press c to clear the blockers (detach P from cert/abc)") == true)
        _ = Dashboard.update(&state, .key(.character("c")))
        #expect(Dashboard.update(&state, .key(.character("y"))) == [])
        #expect(state.deploy.typed == "")
        for character in "dev" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [.deploy("dev", hash: "d1", clearBlockers: true)])
        #expect(state.screen == .deploy("dev", .destroy))
    }

    /// The router's table: every screen's component is registered once (so it hears the results
    /// of background work and brings its commands), and names it, draws it and lists its keys.
    @Test func everyScreenIsShownByARegisteredComponent() {
        let screens: [Screen] = [.stacks, .stack("dev"), .plan("dev", .update), .plan("dev", .destroy), .deploy("dev", .refresh), .messages, .devices,
                                 .device("d1"), .groups, .certificates, .policies, .fleetPlan]
        #expect(Set(Dashboard.components.map(ObjectIdentifier.init)).count == Dashboard.components.count)
        for screen in screens {
            #expect(Dashboard.components.filter { screen.shown(by: $0) }.count == 1, "\(screen)")
            var state = onStack()
            state.screens = [.stacks, screen]
            #expect(!Dashboard.screenName(screen).isEmpty && Dashboard.help(state).count > 5, "\(screen)")
            #expect(Dashboard.view(state, rows: 24, columns: 80).lines[0].contains(Dashboard.screenName(screen)), "\(screen)")
        }
    }

    /// Where quitting cleans up (the demo), `q` on the first screen asks and Ctrl-C quits the
    /// same way; elsewhere `q` quits at once and Ctrl-C is no key outside a deploy.
    @Test func quittingAsksWhereItCleansUp() {
        var state = DashboardState(project: "iot-ref-arch", theme: Self.theme)
        _ = Dashboard.update(&state, .key(.character("q")))
        #expect(state.quit)
        state = DashboardState(project: "iot-ref-arch", theme: Self.theme)
        _ = Dashboard.update(&state, .key(.interrupt))
        #expect(!state.quit)
        state.quitAsks = "Quit the demo? Its devices and stacks are removed."
        _ = Dashboard.update(&state, .key(.character("q")))
        #expect(!state.quit && state.notice == "Quit the demo? Its devices and stacks are removed. y quits, any other key stays")
        _ = Dashboard.update(&state, .key(.character("n")))
        #expect(!state.quit && state.notice == nil)
        _ = Dashboard.update(&state, .key(.character("q")))
        _ = Dashboard.update(&state, .key(.character("y")))
        #expect(state.quit)
        state.quit = false
        _ = Dashboard.update(&state, .key(.interrupt))
        #expect(state.quit)
    }

    /// A blocked destroy names three blockers on the review and says how many more; `b` lists
    /// every one with its remedy in the inspector, which scrolls to the last.
    @Test func aDestroyWithManyBlockersListsThemAll() throws {
        var state = onStack()
        _ = Dashboard.update(&state, .key(.character("d")))
        let blockers = (1...25).map { ("policy P\($0) is attached to cert/c\($0), which this stack does not own", "detach P\($0) from cert/c\($0)") }
        _ = Dashboard.update(&state, .planned(PlanView(stack: "dev", hash: "d1", plan: Self.destroyPlan, production: false, operation: .destroy, blockers: blockers), .destroy))
        var frame = Dashboard.view(state, rows: 24, columns: 80)
        #expect(frame.lines.contains { $0.contains("… and 22 more: b lists them all") }, "\(frame.lines.joined(separator: "\n"))")
        #expect(frame.lines.contains { $0.contains("TesRoleAliasID") })  // the steps still below
        _ = Dashboard.update(&state, .key(.character("b")))
        _ = Dashboard.update(&state, .key(.character("G")))
        frame = Dashboard.view(state, rows: 24, columns: 80)
        #expect(frame.lines.contains { $0.contains("detach P25 from cert/c25") }, "\(frame.lines.joined(separator: "\n"))")
        _ = Dashboard.update(&state, .key(.character("\u{1b}")))
        #expect(state.inspector.item == nil && state.screen == .plan("dev", .destroy))
    }

    /// A step's diff longer than the screen (80x24) is read to its end: after G and Enter, j
    /// scrolls through the diff a line at a time, k back, and only then moves between steps.
    @Test func aLongStepDiffScrollsWithJAndK() throws {
        var state = onStack()
        _ = Dashboard.update(&state, .key(.character("p")))
        let urn = Self.urn("Big")
        let diffs = (0..<40).map { PropertyDiff(path: "attributes.k\($0)", kind: .add, old: nil, new: .string("v\($0)"), replaces: false) }
        let big = Step(kind: .update, urn: urn, type: urn.type, old: ResourceState(urn: urn, id: "big", type: urn.type, inputs: [:], outputs: [:]),
                       inputs: [:], diffs: diffs, replaceReasons: [], deleteFirst: false, dependencies: [])
        let creates = ["a", "b"].map { name in
            Step(kind: .create, urn: Self.urn(name), type: Self.urn(name).type, old: nil, inputs: [:], diffs: [], replaceReasons: [], deleteFirst: false, dependencies: [])
        }
        let plan = Plan(steps: creates + [big], programHash: "", configHash: "", stateHash: "")  // Big is the last row
        _ = Dashboard.update(&state, .planned(PlanView(stack: "dev", hash: "u1", plan: plan, production: false), .update))
        _ = Dashboard.update(&state, .key(.character("G")))
        _ = Dashboard.update(&state, .key(.character("\n")))
        func shown() -> [String] { Dashboard.view(state, rows: 24, columns: 80).lines }
        #expect(shown().contains { $0.contains("Big") } && shown().contains { $0.contains("k0") }, "\(shown().joined(separator: "\n"))")
        #expect(!shown().contains { $0.contains("k39") })
        for _ in 0..<40 { _ = Dashboard.update(&state, .key(.character("j"))) }
        #expect(shown().contains { $0.contains("k39") }, "\(shown().joined(separator: "\n"))")
        #expect(state.deploy.plan?.rows[state.selected].name == "Big")
        let scrolled = state.deploy.diffOffset
        #expect(scrolled > 0)
        for _ in 0..<scrolled { _ = Dashboard.update(&state, .key(.character("k"))) }
        #expect(shown().contains { $0.contains("k0") } && state.deploy.plan?.rows[state.selected].name == "Big")
        _ = Dashboard.update(&state, .key(.character("k")))
        #expect(state.deploy.plan?.rows[state.selected].name != "Big")
    }

    @Test func refreshReviewShowsDriftAndRecordsWithoutTypingOnDev() throws {
        var state = onStack()
        #expect(Dashboard.update(&state, .key(.character("R"))) == [.preview("dev", .refresh)])
        _ = Dashboard.update(&state, .planned(PlanView(stack: "dev", hash: "r1", plan: Self.driftPlan, production: false, operation: .refresh), .refresh))
        #expect(state.deploy.plan?.counts == "~1 drifted")
        _ = Dashboard.update(&state, .key(.character("\n")))
        try snapshot("refresh", state)
        #expect(Dashboard.update(&state, .key(.character("y"))) == [.deploy("dev", hash: "r1", clearBlockers: false)])
        // A late update plan for the stack does not land on the refresh screen's state.
        _ = Dashboard.update(&state, .planned(PlanView(stack: "dev", hash: "u", plan: Self.destroyPlan, production: false), .update))
        #expect(state.deploy.plan?.hash == "r1")
    }

    @Test func cancellingAsksAndCtrlCCancelsAtOnce() throws {
        var state = onStack()
        _ = Dashboard.update(&state, .key(.character("p")))
        _ = Dashboard.update(&state, .planned(PlanView(stack: "dev", hash: "u1", plan: DeployFlowTests.plan, production: false), .update))
        _ = Dashboard.update(&state, .key(.character("y")))
        for character in "dev" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [.deploy("dev", hash: "u1", clearBlockers: false)])
        #expect(Dashboard.deployRunning(state))
        _ = Dashboard.update(&state, .engine(.stepStarted(DeployFlowTests.plan.steps[0])))
        _ = Dashboard.update(&state, .tick(3.5))
        #expect(Dashboard.update(&state, .key(.character("q"))) == [])  // q does not leave a running deploy: it asks
        #expect(state.deploy.confirmingCancel)
        try snapshot("deploy-cancel", state)
        #expect(Dashboard.update(&state, .key(.character("n"))) == [])
        #expect(!state.deploy.confirmingCancel && !state.deploy.cancelling)
        _ = Dashboard.update(&state, .key(.character("c")))
        #expect(Dashboard.update(&state, .key(.character("y"))) == [.cancel("dev")])
        #expect(state.deploy.cancelling)
        #expect(state.deploy.log.last == "cancelling: no new step starts; the 1 in flight finish")
        #expect(Dashboard.update(&state, .key(.interrupt)) == [])  // already cancelling
        _ = Dashboard.update(&state, .deployFinished("cancelled after 1 of 2 changes", failed: true))
        #expect(!Dashboard.deployRunning(state))

        var other = onStack()
        _ = Dashboard.update(&other, .key(.character("p")))
        _ = Dashboard.update(&other, .planned(PlanView(stack: "dev", hash: "u1", plan: DeployFlowTests.plan, production: false), .update))
        _ = Dashboard.update(&other, .key(.character("y")))
        for character in "dev\n" { _ = Dashboard.update(&other, .key(.character(character))) }
        #expect(Dashboard.update(&other, .key(.interrupt)) == [.cancel("dev")])
    }

    @Test func reviewRowsAreGroupedByKindInPlanOrder() {
        func step(_ name: String, _ kind: StepKind) -> Step {
            Step(kind: kind, urn: Self.urn(name), type: Self.urn(name).type, old: kind == .create ? nil : ResourceState(urn: Self.urn(name), id: name, type: Self.urn(name).type, inputs: [:], outputs: [:]),
                 inputs: [:], diffs: [], replaceReasons: [], deleteFirst: false, dependencies: [])
        }
        let plan = Plan(steps: [step("a", .delete), step("b", .create), step("c", .update), step("d", .create), step("e", .same), step("f", .replace)],
                        programHash: "", configHash: "", stateHash: "")
        let view = PlanView(stack: "dev", hash: "h", plan: plan, production: false)
        #expect(view.rows.map(\.name) == ["b", "d", "c", "f", "a"])
        #expect(view.counts == "+2 create  ~1 update  +-1 replace  -1 delete  (1 unchanged)")
    }

    @Test func changedSourcesPlanAgainOnTheStackAndInTheReviewButNotWhileApproving() {
        var state = onStack()
        func plan(_ hash: String, sources: String, production: Bool = false) -> PlanView {
            var view = PlanView(stack: "dev", hash: hash, plan: DeployFlowTests.plan, production: production)
            view.sources = sources
            return view
        }
        _ = Dashboard.update(&state, .planned(plan("u0", sources: "f1"), .update))
        #expect(Dashboard.update(&state, .sourcesChanged("dev", fingerprint: "f2")) == [.loadStack("dev"), .preview("dev", .update)])
        #expect(Dashboard.update(&state, .sourcesChanged("other", fingerprint: "f2")) == [])
        _ = Dashboard.update(&state, .key(.character("p")))
        // The watcher's word while the plan is being made, or on a plan already made from what it
        // found, throws nothing away (a y pressed on that plan was lost this way).
        #expect(Dashboard.update(&state, .sourcesChanged("dev", fingerprint: "f2")) == [])
        // A y before the plan is shown is answered, not dropped in silence.
        #expect(Dashboard.update(&state, .key(.character("y"))) == [] && state.notice == "the plan is being made: y approves it once it is shown")
        _ = Dashboard.update(&state, .planned(plan("u1", sources: "f2"), .update))
        #expect(Dashboard.update(&state, .sourcesChanged("dev", fingerprint: "f2")) == [] && state.deploy.plan?.hash == "u1")
        _ = Dashboard.update(&state, .key(.character("y")))
        #expect(state.deploy.typed == "", "y on the plan just shown starts its approval (it deletes: the name is typed)")
        _ = Dashboard.update(&state, .key(.character("\u{1b}")))
        _ = Dashboard.update(&state, .key(.character("\u{1b}")))
        _ = Dashboard.update(&state, .key(.character("p")))
        _ = Dashboard.update(&state, .planned(plan("u1", sources: "f2"), .update))
        #expect(Dashboard.update(&state, .sourcesChanged("dev", fingerprint: "f3")) == [.loadStack("dev"), .preview("dev", .update)])
        #expect(state.deploy.plan == nil && state.notice == "the program, config or state changed on disk: this is the new plan")
        // `p` in the review plans again too.
        _ = Dashboard.update(&state, .planned(PlanView(stack: "dev", hash: "u2", plan: DeployFlowTests.plan, production: false), .update))
        #expect(Dashboard.update(&state, .key(.character("p"))) == [.loadStack("dev"), .preview("dev", .update), .checkConnection])
        // While the stack's name is being typed to approve, nothing moves under the user.
        _ = Dashboard.update(&state, .planned(plan("u3", sources: "f3", production: true), .update))
        _ = Dashboard.update(&state, .key(.character("y")))
        #expect(state.deploy.typed == "")
        #expect(Dashboard.update(&state, .sourcesChanged("dev", fingerprint: "f4")) == [])
        #expect(state.deploy.plan?.hash == "u3")
    }

    @Test func readOnlyRefusesApprovalButAllowsReview() {
        var state = onStack(readOnly: true)
        #expect(Dashboard.view(state, rows: 24, columns: 100).lines[0].contains("READ-ONLY"))
        _ = Dashboard.update(&state, .key(.character("p")))
        _ = Dashboard.update(&state, .planned(PlanView(stack: "dev", hash: "u1", plan: DeployFlowTests.plan, production: false), .update))
        #expect(Dashboard.update(&state, .key(.character("y"))) == [])
        #expect(state.notice == "read-only: approving is disabled (--read-only)")
        #expect(state.deploy.typed == nil && state.screen == .plan("dev", .update))
    }

    /// Read-only holds whatever the keys: from the stack, its review, the devices (marked), a
    /// device's shadow and the messages, every key and typed command is tried and nothing that
    /// changes anything comes out (the check is on the commands, not on each key).
    @Test func readOnlyLetsNoChangingCommandOut() {
        var state = onStack(readOnly: true)
        _ = Dashboard.update(&state, .key(.character("p")))
        _ = Dashboard.update(&state, .planned(PlanView(stack: "dev", hash: "u1", plan: DeployFlowTests.plan, production: false), .update))
        let keys: [TerminalEvent] = "yYcdeEDaAPpsS \n".map { .character($0) } + [.key(.enter), .interrupt]
        let typed = [":group-add lab\n", ":policy-attach p\n", ":publish t {}\n", "dev\n", "prod\n", "{\"a\":1}\n"]
        var emitted: [DashboardCommand] = []
        func tryEverything(_ state: DashboardState) {
            for key in keys {
                var copy = state
                emitted += Dashboard.update(&copy, .key(key))
                for text in typed { for character in text { emitted += Dashboard.update(&copy, .key(.character(character))) } }
                for key in keys { emitted += Dashboard.update(&copy, .key(key)) }
            }
        }
        tryEverything(state)
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "things\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .devicesPage([Device(name: "d1"), Device(name: "d2")], done: true))
        _ = Dashboard.update(&state, .key(.character(" ")))
        tryEverything(state)
        _ = Dashboard.update(&state, .key(.character("\n")))
        _ = Dashboard.update(&state, .deviceLoaded("d1", DeviceDetail(groups: [], certificates: [], policies: [], shadows: [("", .object(JSONObject()))])))
        tryEverything(state)
        #expect(!emitted.contains { $0.changes }, "\(emitted.filter(\.changes))")
        #expect(emitted.contains { $0.isFleet("device") })  // reading still works
    }

    @Test func commandModeCompletesRunsAndRemembers() throws {
        var state = onStack()
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "th\t" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(state.command.text == "th")  // theme and things: nothing in common beyond "th"
        for character in "e\t" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(state.command.text == "theme ")
        for character in "l\t" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(state.command.text == "theme light ")
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [.loadTheme("light")])
        let light = try Theme.parse(Theme.embedded["light"]!, file: "light.yaml")
        _ = Dashboard.update(&state, .themeLoaded(light, problem: nil))
        #expect(state.theme == light && state.notice == "theme light")

        _ = Dashboard.update(&state, .key(.character(":")))
        try snapshot("command", state)
        for character in "stack pr\t" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [.loadStack("prod"), .preview("prod", .update)])
        #expect(state.screens == [.stacks, .stack("prod")])

        _ = Dashboard.update(&state, .key(.character(":")))
        _ = Dashboard.update(&state, .key(.key(.up)))  // ↑ recalls the last command
        #expect(state.command.text == "stack prod")
        _ = Dashboard.update(&state, .key(.character("\u{1b}")))
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "frobnicate\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(state.notice == "unknown command ':frobnicate' (commands: \(CommandMode.commands.joined(separator: ", ")))")
        #expect(CommandMode.commands.contains("things") && CommandMode.commands.contains("tail"))
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "stacks\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(state.screens == [.stacks])
    }

    @Test func sortingByKeyAndHeaderClickAndClickingSelects() {
        var state = onStack()
        _ = Dashboard.update(&state, .key(.character("q")))
        _ = Dashboard.update(&state, .key(.character("s")))  // by STACK, ascending
        #expect(StacksScreen.visible(state).map(\.name) == ["dev", "prod"])
        _ = Dashboard.update(&state, .key(.character("S")))
        #expect(StacksScreen.visible(state).map(\.name) == ["prod", "dev"])
        #expect(Dashboard.view(state, rows: 24, columns: 80).lines[1].contains("STACK ▼"))
        // A click on the RESOURCES header sorts by resource count (9 < 33).
        _ = Dashboard.update(&state, .key(.click(row: 1, column: 45)))
        #expect(state.stacks.order == Table.Order(column: 3) && StacksScreen.visible(state).map(\.name) == ["dev", "prod"])
        _ = Dashboard.update(&state, .key(.click(row: 3, column: 10)))
        #expect(state.selected == 1)
        _ = Dashboard.update(&state, .key(.wheel(up: true, row: 2, column: 10)))  // wheel up
        #expect(state.selected == 0)
        _ = Dashboard.update(&state, .key(.click(row: 20, column: 10)))  // below the list: nothing
        #expect(state.selected == 0)
    }

    /// Back from a screen opened over another, that one is as it was left: its cursor and its
    /// filter (the screen opened over it starts unfiltered).
    @Test func goingBackFindsTheScreenAsItWasLeft() {
        var state = onStack()
        for character in "/Tes\nj" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(state.selected == 1 && StackScreen.treeLines(state).count == 3)
        _ = Dashboard.update(&state, .key(.character("p")))
        #expect(state.screen == .plan("dev", .update) && state.filter.isEmpty && state.selected == 0)
        _ = Dashboard.update(&state, .planned(PlanView(stack: "dev", hash: "u1", plan: DeployFlowTests.plan, production: false), .update))
        _ = Dashboard.update(&state, .key(.character("j")))
        _ = Dashboard.update(&state, .key(.character("n")))
        #expect(state.screen == .stack("dev") && state.filter == "Tes" && state.selected == 1)
        #expect(StackScreen.treeLines(state)[state.selected].label == "TesRoleAliasID")
        // Down to the stacks and in again: a stack opens fresh, the stacks list is as it was.
        _ = Dashboard.update(&state, .key(.character("q")))
        #expect(state.screen == .stacks && state.filter.isEmpty && StacksScreen.visible(state)[state.selected].name == "dev")
    }

    /// The stacks, the groups, the certificates each keep their own order, between visits too.
    @Test func eachListKeepsItsOwnOrder() {
        var state = onStack()
        func command(_ text: String) { for character in ":" + text + "\n" { _ = Dashboard.update(&state, .key(.character(character))) } }
        _ = Dashboard.update(&state, .key(.character("q")))
        _ = Dashboard.update(&state, .key(.character("S")))  // by STACK, descending
        command("groups")
        _ = Dashboard.update(&state, .groupsLoaded([GroupInfo(name: "lab", parent: nil, members: 1), GroupInfo(name: "factory", parent: nil, members: 3)]))
        #expect(FleetScreens.listRows(state)?.ids == ["lab", "factory"])
        _ = Dashboard.update(&state, .key(.character("s")))
        _ = Dashboard.update(&state, .key(.character("s")))  // by THINGS
        #expect(FleetScreens.listRows(state)?.ids == ["lab", "factory"] && FleetScreens.listOrder(state) == Table.Order(column: 1))
        command("certs")
        #expect(FleetScreens.listOrder(state) == Table.Order())
        command("stacks")
        #expect(StacksScreen.visible(state).map(\.name) == ["prod", "dev"] && Dashboard.view(state, rows: 24, columns: 80).lines[1].contains("STACK ▼"))
        command("groups")
        #expect(FleetScreens.listOrder(state) == Table.Order(column: 1) && Dashboard.view(state, rows: 24, columns: 80).lines[2].contains("THINGS ▲"), "\(Dashboard.view(state, rows: 24, columns: 80).lines[2])")
    }

    @Test func connectionStateIsInTheTitleBar() {
        var state = onStack()
        #expect(Dashboard.view(state, rows: 24, columns: 80).lines[0].hasSuffix("● 111111111111 us-east-1 "))
        _ = Dashboard.update(&state, .connection(.offline("could not connect to 127.0.0.1:1")))
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines[0].contains("○ offline: could not connect"))
    }
}
