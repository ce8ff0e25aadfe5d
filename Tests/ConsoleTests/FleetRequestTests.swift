@testable import Console
import FleetValues
import JSON
import Synchronization
import Testing

/// The screens' one data path: every fleet query and change is served by the runtime through
/// the `FleetSource` and answered to the screen that declared it, typed; what changes the
/// account is known from its declaration, so --read-only drops it.
@Suite struct FleetRequestTests {
    /// An in-memory fleet: two groups, certificates that fail to read, bulk steps it records.
    final class Fleet: FleetReader, FleetWriter, @unchecked Sendable {
        let applied = Mutex<[String]>([])
        func now() -> Int64 { 1_800_000_000 }
        /// Three pages of two devices (a query keeps those whose name contains it).
        func devices(query: String?, page: @Sendable ([Device]) async -> Bool) async throws {
            for first in stride(from: 0, to: 6, by: 2) {
                let devices = (first..<first + 2).map { Device(name: "d\($0)") }.filter { query == nil || $0.name.contains(query!) }
                guard await page(devices) else { return }
            }
        }
        func managed() async throws -> ManagedIndex { ManagedIndex(["thing:d1": "dev/sensor"]) }
        func detail(of thing: String) async throws -> DeviceDetail { throw DashboardError(message: "no \(thing)") }
        func groups() async throws -> [GroupInfo] { [GroupInfo(name: "factory", parent: nil, members: 2), GroupInfo(name: "lab", parent: "factory", members: 1)] }
        func certificates() async throws -> [CertificateInfo] { throw DashboardError(message: "AccessDeniedException: not allowed") }
        func policies() async throws -> [PolicyInfo] { [] }
        func certificateSummaries(_ things: [String]) async -> [String: DeviceCertificate] { [:] }
        func related(_ kind: Related, _ id: String) async throws -> [String] { ["\(kind.rawValue) of \(id)"] }
        func check(_ action: BulkAction, _ items: [String]) async throws -> [String: BulkOutcome] { [:] }
        func coreDevices() async throws -> CoreDeviceList { CoreDeviceList(devices: [CoreDeviceSummary(name: "gg-1", status: "HEALTHY")], interval: 60) }
        func coreDeviceDetail(_ thing: String) async throws -> CoreDeviceDetail { throw DashboardError(message: "\(thing) is not a core device") }
        func componentMatrix(group: String?) async throws -> ComponentMatrix { ComponentMatrix() }
        func components() async throws -> [ComponentInfo] { [] }
        func componentVersion(_ name: String, version: String?) async throws -> ComponentVersionDetail { throw DashboardError(message: "no \(name)") }
        func updateDesired(thing: String, shadow: String, desired: JSONValue, version: Int64?) async throws -> JSONValue {
            throw ShadowConflict(current: ["version": 7], message: "409")
        }
        func deleteShadow(thing: String, shadow: String) async throws {}
        func enabledAuditChecks() async throws -> [String] { ["DEVICE_CERTIFICATE_EXPIRING_CHECK"] }
        func enabledRegistryEvents() async throws -> [String] { ["THING"] }
        func jobs(status: String?, namespace: String?, group: String?) async throws -> [Job] { [] }
        func rollout(_ job: String) async throws -> Rollout { Rollout(executions: []) }
        func jobTemplates() async throws -> [JobTemplate] { [] }
        func stuckExecutions(group: String?, limit: Int64) async throws -> [StuckExecution] { [] }
        func deploymentSummaries() async throws -> [DeploymentSummary] { [] }
        func deploymentPlan(file: String) async throws -> DeploymentPlan { throw DashboardError(message: "no \(file)") }
        func deploy(file: String, hash: String) async throws -> (deployment: String, job: String) { ("d", "j") }
        func cancelDeployment(_ id: String) async throws {}
        func cancelJob(_ id: String, force: Bool, comment: String?) async throws {}
        func cancelJobExecution(_ job: String, thing: String, force: Bool) async throws {}
        func startAudit(_ checks: [String]) async throws -> String { "task-1" }
        func auditTasks(days: Int) async throws -> [AuditTask] { [] }
        func auditFindings(task: String) async throws -> [AuditFinding] { [] }
        func provisioningAttempts(days: Int) async throws -> [ProvisioningAttempt] { [] }
        func requestRotation(_ things: [String], progress: @Sendable (String, String?) -> Void) async {}
        func apply(_ action: BulkAction, _ items: [String], progress: @Sendable (String, String?) -> Void) async {
            for item in items {
                applied.withLock { $0.append(item) }
                progress(item, item == "bad" ? "ResourceNotFoundException" : nil)
            }
        }
    }

    func answer(_ command: DashboardCommand, _ fleet: Fleet?) async -> (DashboardMessage, [DashboardMessage]) {
        guard case .fleet(let request) = command else { Issue.record("not a fleet request: \(command)"); return (.notice(""), []) }
        let mailbox = Mailbox()
        let source: (@Sendable () throws -> any FleetSource)? = fleet.map { fleet in { @Sendable in fleet } }
        let message = await DashboardRuntime.run(request, source, mailbox: mailbox, wake: {})
        return (message, mailbox.drain())
    }

    @Test func answersComeBackTypedToTheirScreen() async throws {
        var state = DashboardState(project: "p")
        state.screens = [.stacks, .groups]
        let (groups, _) = await answer(FleetListsScreen.groups.command, Fleet())
        _ = Dashboard.update(&state, groups)
        #expect(state.fleetLists.groups?.map(\.name) == ["factory", "lab"])
        // A failed read says why on the screen's status line; nothing is shown as empty.
        state.screens = [.stacks, .certificates]
        let (certificates, _) = await answer(FleetListsScreen.certificates.command, Fleet())
        _ = Dashboard.update(&state, certificates)
        #expect(state.fleetLists.certificates == nil)
        #expect(state.notice?.contains("AccessDeniedException") == true, "\(state.notice ?? "no notice")")
        // The argument comes back with the answer: the related list is kept under its item.
        let (related, _) = await answer(FleetListsScreen.related(.init(kind: .groupMembers, id: "factory")), Fleet())
        _ = Dashboard.update(&state, related)
        #expect(state.fleetLists.related["groupMembers:factory"] == .success(["groupMembers of factory"]))
        // Without a fleet, the answer says so.
        let (none, _) = await answer(FleetListsScreen.groups.command, nil)
        _ = Dashboard.update(&state, none)
        #expect(state.notice == "no AWS access for the fleet")
    }

    @Test func devicesArriveAPageAtATimeAndAReplacedLoadIsNotShown() async throws {
        var state = DashboardState(project: "p")
        state.screens = [.stacks]
        let opened = Dashboard.update(&state, .key(.character(":"))) + "things".flatMap { Dashboard.update(&state, .key(.character($0))) }
            + Dashboard.update(&state, .key(.character("\n")))
        #expect(opened == [DevicesScreen.load(nil), DevicesScreen.managed.command])
        #expect(opened.allSatisfy { if case .fleet(let request) = $0 { return !request.changes } else { return false } })
        let (last, pages) = await answer(DevicesScreen.load(nil), Fleet())
        #expect(pages.filter { if case .answered = $0 { return true } else { return false } }.count == 3)
        for page in pages { _ = Dashboard.update(&state, page) }
        #expect(state.devices.model.devices.map(\.name) == ["d0", "d1", "d2", "d3", "d4", "d5"] && state.devices.loading)
        _ = Dashboard.update(&state, last)
        #expect(state.devices.model.complete && !state.devices.loading)
        let (managed, _) = await answer(DevicesScreen.managed.command, Fleet())
        _ = Dashboard.update(&state, managed)
        #expect(state.devices.managed.thing("d1") == "dev/sensor")
        // :search replaces the load: a page of the one before that is still on its way is not shown.
        #expect(Dashboard.update(&state, .key(.character(":"))) + "search 3".flatMap { Dashboard.update(&state, .key(.character($0))) }
            + Dashboard.update(&state, .key(.character("\n"))) == [DevicesScreen.load("3"), DevicesScreen.managed.command])
        _ = Dashboard.update(&state, .devicesPage([Device(name: "late")], done: false))
        #expect(state.devices.model.devices.isEmpty)
        let (_, searched) = await answer(DevicesScreen.load("3"), Fleet())
        for page in searched { _ = Dashboard.update(&state, page) }
        #expect(state.devices.model.devices.map(\.name) == ["d3"])
    }

    @Test func aFailedDeviceLoadSaysWhyAndStopsLoading() async throws {
        var state = DashboardState(project: "p")
        state.screens = [.stacks, .devices]
        state.devices.loading = true
        let (failed, _) = await answer(DevicesScreen.load(nil), nil)
        _ = Dashboard.update(&state, failed)
        #expect(!state.devices.loading && state.devices.model.complete)
        #expect(state.notice == "no AWS access for the fleet")
    }

    @Test func aShadowConflictReachesTheDeviceWithTheServersDocument() async throws {
        var state = DashboardState(project: "p")
        state.screens = [.stacks, .devices, .device("sensor-1")]
        let (written, _) = await answer(.updateShadow("sensor-1", "", ["led": "on"], 6), Fleet())
        _ = Dashboard.update(&state, written)
        #expect(state.device.conflict == ["version": 7])
        #expect(state.notice?.contains("version conflict") == true)
    }

    @Test func changesAreKnownFromTheirDeclarationAndReadOnlyDropsThem() async throws {
        let change = DashboardCommand.addToGroup(["a", "bad"], "lab")
        #expect(change.changes && !change.loads)
        #expect(!FleetListsScreen.groups.command.changes && FleetListsScreen.groups.command.loads)
        #expect(!DevicesScreen.certificates(["a"]).loads)  // read for rows on screen: nothing waits for it
        // Each item of a change is reported as it is done.
        let fleet = Fleet()
        let (_, progress) = await answer(change, fleet)
        #expect(fleet.applied.withLock { $0 } == ["a", "bad"])
        let steps = progress.compactMap { message -> String? in
            if case .fleetStepDone(let item, let error) = message { return item + ":" + (error ?? "done") }
            return nil
        }
        #expect(steps == ["a:done", "bad:ResourceNotFoundException"])
        // Read-only: the plan's approval is refused, whatever asked for the change.
        var state = DashboardState(project: "p", readOnly: true)
        state.screens = [.stacks, .devices, .fleetPlan]
        state.fleetPlan.plan = FleetPlan(action: .addToGroup("lab"), things: ["a"])
        state.fleetPlan.plan?.outcomes = ["a": .change]
        #expect(Dashboard.update(&state, .key(.character("y"))).isEmpty)
        #expect(state.notice?.hasPrefix("read-only") == true)
    }
}
