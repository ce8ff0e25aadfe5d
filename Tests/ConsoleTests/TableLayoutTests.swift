import FleetValues
import JSON
import MQTT
import StackEngine
import StackModel
import TermCore
import Testing
@testable import Console

/// Issue 27: tables lay themselves out. Every screen, at 80x24, 120x40 and 200x50, with values
/// longer than any column: no two cells of a table row touch (the blank a table leaves between
/// two columns is never filled), a cut value ends with "…", and nothing is cut while the line
/// has room for it.
@Suite struct TableLayoutTests {
    static let long = "PreProvisioningHookFunctionPermissionWithAVeryLongName"

    /// Every registered screen, reached as a user reaches it, with long values in every column.
    static func screens() -> [(String, DashboardState)] {
        var result: [(String, DashboardState)] = []
        var state = DashboardState(project: "iot-ref-arch", theme: DashboardTests.theme)
        _ = Dashboard.update(&state, .stacksLoaded([
            StackSummary(name: "production-eu-central", lastUpdate: "2026-11-29T10:00:00Z", resourceCount: 33, account: "123456789012",
                         region: "ap-southeast-2", lockedBy: "alice@build-host-with-a-long-name (pid 4242)", deployed: true, production: true),
            StackSummary(name: "dev", resourceCount: 0, region: "us-east-1"),
        ]))
        result.append(("stacks", state))
        _ = Dashboard.update(&state, .key(.character("\n")))
        _ = Dashboard.update(&state, .stackLoaded(StackDetail(name: "production-eu-central", resources: [
            ResourceRow(name: long, type: "aws-native:lambda:Permission", id: String(repeating: "f", count: 90)),
            ResourceRow(name: "IotPolicyAttachmentID", type: "aws:iot/policyAttachment:PolicyAttachment",
                        id: "GreengrassProvisioningClaimPolicy|arn:aws:iot:ap-southeast-2:123456789012:cert/" + String(repeating: "a", count: 64)),
        ], outputs: [StackDetailReader.Output(name: "provisioningTemplateNameWithALongName", value: String(repeating: "v", count: 150), secret: false)])))
        result.append(("stack", state))
        var plan = DeployFlowTests.plan
        plan.steps = plan.steps.map { step in
            var step = step
            step.urn = URN(stack: "production-eu-central", project: "iot-ref-arch", type: step.type, name: long + step.urn.name)
            return step
        }
        _ = Dashboard.update(&state, .key(.character("p")))
        _ = Dashboard.update(&state, .planned(PlanView(stack: "production-eu-central", hash: "0123456789abcdef", plan: plan, production: true), .update))
        result.append(("plan", state))
        var deploying = state
        _ = Dashboard.update(&deploying, .key(.character("y")))
        for character in "production-eu-central\n" { _ = Dashboard.update(&deploying, .key(.character(character))) }
        result.append(("deploy", deploying))

        var fleet = FleetScreensTests().onDevices()
        _ = Dashboard.update(&fleet, .devicesPage([Device(name: long, type: "greengrass-core-device-type-long", attributes: ["model": String(repeating: "m", count: 60)])], done: true))
        result.append(("devices", fleet))
        for (command, message) in [("groups", DashboardMessage.groupsLoaded([GroupInfo(name: long, parent: nil, members: 1200, managedBy: "production-eu-central/" + long)])),
                                   ("certs", .certificatesLoaded([CertificateInfo(id: String(repeating: "c", count: 64), arn: "arn", status: "ACTIVE",
                                                                                  notAfter: FleetScreensTests.now + 86_400, subject: "CN=" + long, things: [long, long + "2"])])),
                                   ("policies", .policiesLoaded([PolicyInfo(name: long, document: "{}", targets: ["arn:aws:iot:ap-southeast-2:123456789012:cert/" + String(repeating: "d", count: 64)],
                                                                            managedBy: "production-eu-central/" + long)]))] {
            var list = fleet
            _ = Dashboard.update(&list, .key(.character(":")))
            for character in command + "\n" { _ = Dashboard.update(&list, .key(.character(character))) }
            _ = Dashboard.update(&list, message)
            result.append((command, list))
        }
        var cores = fleet
        for character in ":cores\n" { _ = Dashboard.update(&cores, .key(.character(character))) }
        _ = Dashboard.update(&cores, CoresScreen.cores.answered(CoreDeviceList(devices: [
            CoreDeviceSummary(name: long, status: "UNHEALTHY", coreVersion: "2.12.6-" + long, platform: "linux-" + long, architecture: "aarch64",
                              lastReport: FleetScreensTests.now - 90_000),
        ], interval: 86_400)))
        result.append(("cores", cores))
        var core = cores
        _ = Dashboard.update(&core, .key(.character("\n")))
        var detail = CoresScreenTests.broken
        detail.device.name = long
        detail.components = detail.components.map { component in
            var component = component
            component.name = long + component.name
            component.statusCodes = [long]
            return component
        }
        _ = Dashboard.update(&core, CoreScreen.detail.answered(long, .success(detail)))
        result.append(("core", core))
        var catalogue = fleet
        for character in ":components\n" { _ = Dashboard.update(&catalogue, .key(.character(character))) }
        _ = Dashboard.update(&catalogue, ComponentsScreen.components.answered([
            ComponentInfo(name: long, arn: "arn", latest: "1.0.0-" + long, description: long + long, publisher: long, platforms: ["linux/" + long]),
        ]))
        result.append(("components", catalogue))
        var audits = fleet
        for character in ":audits\n" { _ = Dashboard.update(&audits, .key(.character(character))) }
        _ = Dashboard.update(&audits, AuditsScreen.tasks.answered([
            AuditTask(id: long, type: "SCHEDULED_AUDIT_TASK", status: long, started: FleetScreensTests.now, scheduledName: long,
                      checks: [AuditCheckResult(name: long, status: long, total: 1, nonCompliant: 1)]),
        ]))
        result.append(("audits", audits))
        var findings = audits
        _ = Dashboard.update(&findings, .key(.character("\n")))
        _ = Dashboard.update(&findings, AuditsScreen.findings.answered(long, .success([
            AuditFinding(id: long, taskId: long, check: long, severity: long, resourceType: long, resource: long, certificateId: long, reason: long,
                         reasonCode: long, suppressed: true, time: nil, things: [long]),
        ])))
        result.append(("audit findings", findings))
        var rotation = fleet
        for character in ":rotation\n" { _ = Dashboard.update(&rotation, .key(.character(character))) }
        _ = Dashboard.update(&rotation, .received([(Message(topic: "device/\(long)/csr_req", payload: []), Double(FleetScreensTests.now))]))
        result.append(("rotation", rotation))
        var provisioning = fleet
        for character in ":provisioning\n" { _ = Dashboard.update(&provisioning, .key(.character(character))) }
        _ = Dashboard.update(&provisioning, ProvisioningScreen.attempts.answered([
            ProvisioningAttempt(template: long, serial: long, admitted: false, reason: long, time: FleetScreensTests.now, listed: true),
        ]))
        result.append(("provisioning", provisioning))
        var jobs = fleet
        for character in ":jobs\n" { _ = Dashboard.update(&jobs, .key(.character(character))) }
        _ = Dashboard.update(&jobs, JobsScreen.jobs.answered([Job(id: long, status: "IN_PROGRESS", targetSelection: "CONTINUOUS",
                                                                  targets: ["arn:aws:iot:us-east-1:1:thinggroup/\(long)"], created: FleetScreensTests.now,
                                                                  counts: ["QUEUED": 10_000, "FAILED": 1])]))
        result.append(("jobs", jobs))
        var executions = jobs
        _ = Dashboard.update(&executions, .key(.key(.enter)))
        _ = Dashboard.update(&executions, JobsScreen.executions.answered(long, .success(Rollout(executions: [JobExecution(job: long, thing: long, status: "FAILED", details: ["reason": long])], waiting: [long], stopped: long))))
        result.append(("job executions", executions))
        var templates = jobs
        _ = Dashboard.update(&templates, .key(.character("t")))
        _ = Dashboard.update(&templates, JobTemplatesScreen.templates.answered([JobTemplate(id: long, description: long, created: FleetScreensTests.now, document: long,
                                                                                           configuration: ["jobExecutionsRolloutConfig": ["maximumPerMinute": 1000]])]))
        result.append(("job templates", templates))
        var stuck = fleet
        for character in ":stuck\n" { _ = Dashboard.update(&stuck, .key(.character(character))) }
        _ = Dashboard.update(&stuck, StuckScreen.stuck.answered([StuckExecution(execution: JobExecution(job: long, thing: long, status: "IN_PROGRESS"),
                                                                               deployment: DeploymentSummary(id: long, name: long, target: "arn:aws:iot:us-east-1:1:thinggroup/\(long)",
                                                                                                             revision: "120", status: "INACTIVE", latest: false,
                                                                                                             created: FleetScreensTests.now, job: long),
                                                                               why: long)]))
        result.append(("stuck", stuck))
        var deployments = fleet
        for character in ":deployments\n" { _ = Dashboard.update(&deployments, .key(.character(character))) }
        _ = Dashboard.update(&deployments, DeploymentsScreen.deployments.answered([DeploymentSummary(id: long, name: long, target: "arn:aws:iot:us-east-1:1:thinggroup/\(long)",
                                                                                                  revision: "120", status: "INACTIVE", latest: false,
                                                                                                  created: FleetScreensTests.now, job: long)]))
        result.append(("deployments", deployments))
        return result
    }

    /// The screens without a table, and why: every other registered screen must be walked above.
    static let tableless: [any ScreenComponent.Type] = [
        MessagesScreen.self,  // a log, drawn line by line (MessagesScreenTests checks its columns)
        DeviceScreen.self,  // a document: the device's facts and its shadows
        FleetPlanScreen.self,  // a plan's lines, as the review's
        MatrixScreen.self,  // a grid of fixed-width cells, each cut with "…" inside its width (MatrixScreenTests)
        DeploymentReviewScreen.self,  // a plan's lines, as the stack review's
    ]

    @Test func everyScreenWithATableIsWalked() {
        let walked = Set(Self.screens().map { ObjectIdentifier($0.1.screen.component) })
        let expected = Set(Dashboard.components.map(ObjectIdentifier.init)).subtracting(Self.tableless.map(ObjectIdentifier.init))
        let missing = Dashboard.components.filter { expected.subtracting(walked).contains(ObjectIdentifier($0)) }
        #expect(missing.isEmpty, "registered screens not walked: \(missing)")
    }

    @Test(arguments: [(24, 80), (40, 120), (50, 200)])
    func noTwoCellsTouchOnAnyScreen(rows: Int, columns: Int) {
        let screens = Self.screens()
        #expect(screens.count == 20)
        for (name, state) in screens {
            let buffer = Dashboard.view(state, rows: rows, columns: columns)
            #expect(!buffer.gaps.isEmpty, "\(name) at \(columns)x\(rows) draws no table")
            for gap in buffer.gaps.sorted() {
                let (row, column) = (gap / columns, gap % columns)
                #expect(buffer[row, column].text == " ", "\(name) at \(columns)x\(rows): row \(row) is filled at column \(column): \(Self.line(buffer, row))")
            }
        }
    }

    /// The regions, the names and the types are whole when the line has room; what is cut says so.
    @Test func valuesAreWholeWhenThereIsRoomAndCutOnesEndWithAnEllipsis() {
        let screens = Dictionary(Self.screens().map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        let wide = Dashboard.view(screens["stacks"]!, rows: 40, columns: 200)
        #expect((0..<40).contains { Self.line(wide, $0).contains("ap-southeast-2") && Self.line(wide, $0).contains("production-eu-central") })
        let narrow = Dashboard.view(screens["plan"]!, rows: 24, columns: 80)
        let cut = (0..<24).map { Self.line(narrow, $0) }.filter { $0.contains("PreProvisioning") }
        #expect(!cut.isEmpty && cut.allSatisfy { $0.contains("…") }, "\(cut)")
        let roomy = Dashboard.view(screens["plan"]!, rows: 50, columns: 200)
        #expect((0..<50).contains { Self.line(roomy, $0).contains(Self.long) }, "a 200-column review shows the whole name")
    }

    /// Inside a stack the title bar shows the stack's own account and region, not the
    /// credentials' default region; a stack of another account says so.
    @Test func theTitleShowsTheOpenStacksAccountAndRegion() {
        var state = Self.screens()[1].1
        _ = Dashboard.update(&state, .connection(.connected("123456789012 us-east-1")))
        #expect(Self.line(Dashboard.view(state, rows: 24, columns: 120), 0).contains("● 123456789012 ap-southeast-2"))
        _ = Dashboard.update(&state, .connection(.connected("999999999999 us-east-1")))
        #expect(Self.line(Dashboard.view(state, rows: 24, columns: 120), 0).contains("○ stack's account 123456789012, credentials' 999999999999"))
        _ = Dashboard.update(&state, .key(.character("\u{1b}")))
        #expect(Self.line(Dashboard.view(state, rows: 24, columns: 120), 0).contains("● 999999999999 us-east-1"))
    }

    static func line(_ buffer: CellBuffer, _ row: Int) -> String { (0..<buffer.columns).map { buffer[row, $0].text }.joined() }
}
