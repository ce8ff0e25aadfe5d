@testable import Console
import FleetValues
import TermCore
import Testing

/// Device Defender's audits on screen: the tasks with each check's result, a task's findings,
/// a finding's device; `:audit` starts one only once approved.
@Suite struct AuditsScreenTests {
    static let now: Int64 = 1_796_000_000
    static let tasks = [
        AuditTask(id: "a1b2c3d4e5f60718293a4b5c6d7e8f90", type: "ON_DEMAND_AUDIT_TASK", status: "COMPLETED", started: now - 60, scheduledName: nil,
                  checks: [AuditCheckResult(name: "DEVICE_CERTIFICATE_EXPIRING_CHECK", status: "COMPLETED_NON_COMPLIANT", total: 27, nonCompliant: 2)]),
        AuditTask(id: "00ff00ff00ff00ff00ff00ff00ff00ff", type: "SCHEDULED_AUDIT_TASK", status: "COMPLETED", started: now - 86_400,
                  scheduledName: "IoTDeviceDefenderDailyAudit",
                  checks: [AuditCheckResult(name: "DEVICE_CERTIFICATE_EXPIRING_CHECK", status: "COMPLETED_COMPLIANT", total: 25, nonCompliant: 0)]),
    ]
    static let findings = [
        AuditFinding(id: "f1", taskId: tasks[0].id, check: "DEVICE_CERTIFICATE_EXPIRING_CHECK", severity: "MEDIUM", resourceType: "DEVICE_CERTIFICATE",
                     resource: "deviceCertificateId 9c1e", certificateId: "9c1e", reason: "Certificate expires on 2026-12-16",
                     reasonCode: "CERTIFICATE_EXPIRING", suppressed: false, time: now - 60, things: ["GG-0001"]),
        AuditFinding(id: "f2", taskId: tasks[0].id, check: "DEVICE_CERTIFICATE_EXPIRING_CHECK", severity: "MEDIUM", resourceType: "DEVICE_CERTIFICATE",
                     resource: "deviceCertificateId 77aa", certificateId: "77aa", reason: "Certificate expires on 2026-12-16",
                     reasonCode: "CERTIFICATE_EXPIRING", suppressed: true, time: now - 60, things: []),
        AuditFinding(id: "f3", taskId: tasks[0].id, check: "IOT_POLICY_OVERLY_PERMISSIVE_CHECK", severity: "CRITICAL", resourceType: "IOT_POLICY",
                     resource: "policyName GreengrassV2IoTThingPolicy, policyVersionId 1", certificateId: nil,
                     reason: "Policy allows broad access to IoT data plane actions: [iot:Connect]", reasonCode: "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS",
                     suppressed: false, time: now - 60, things: [], policy: "GreengrassV2IoTThingPolicy"),
    ]

    func opened() -> DashboardState {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        (state.rows, state.columns) = (24, 120)
        var commands: [DashboardCommand] = []
        for character in ":audits\n" { commands = Dashboard.update(&state, .key(.character(character))) }
        #expect(commands == [AuditsScreen.tasks.command])
        _ = Dashboard.update(&state, AuditsScreen.tasks.answered(Self.tasks))
        return state
    }

    @Test func tasksThenFindingsThenTheDevice() throws {
        var state = opened()
        let lines = Dashboard.view(state, rows: 24, columns: 120).lines
        #expect(lines[1].contains("2 audit tasks in the last 30 days, 1 with findings"), "\(lines[1])")
        #expect(lines.contains { $0.contains("on demand") && $0.contains("DEVICE_CERTIFICATE_EXPIRING 2/27") }, "\(lines)")
        #expect(lines.contains { $0.contains("scheduled (IoTDeviceDefe") }, "\(lines)")
        try DashboardTests().check("audits-120x24", Dashboard.view(state, rows: 24, columns: 120))
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [AuditsScreen.findings(Self.tasks[0].id)])
        #expect(state.screen == .audit(Self.tasks[0].id))
        _ = Dashboard.update(&state, AuditsScreen.findings.answered(Self.tasks[0].id, .success(Self.findings)))
        let found = Dashboard.view(state, rows: 24, columns: 120).lines
        #expect(found[1].contains("audit task \(Self.tasks[0].id): 3 findings (1 suppressed)"), "\(found[1])")
        #expect(found.contains { $0.contains("MEDIUM") && $0.contains("deviceCertificateId 9c1e") && $0.contains("GG-0001") })
        #expect(found.contains { $0.contains("MEDIUM, suppressed") && $0.contains("77aa") })
        try DashboardTests().check("audit-findings-120x24", Dashboard.view(state, rows: 24, columns: 120))
        // An expiring certificate's finding leads to its device's rotation (the cursor on it once
        // read); one with no thing says so.
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [.connectBroker, .subscribe(RotationScreen.topics), RotationScreen.certificates.command])
        #expect(state.screen == .rotation)
        _ = Dashboard.update(&state, .clock(Int64(RotationScreenTests.start)))
        _ = Dashboard.update(&state, RotationScreen.certificates.answered([
            RotationScreenTests.certificate("aaaa", "GG-0000", days: 5), RotationScreenTests.certificate("9c1e", "GG-0001", days: 9),
        ]))
        let rotation = Dashboard.view(state, rows: 24, columns: 120).lines
        #expect(rotation.contains { $0.contains("GG-0001") && $0.contains("due: not asked") && $0.contains("9c1e 9d") }, "\(rotation)")
        #expect(state.selected == 1)
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [DeviceScreen.detail("GG-0001")])
        #expect(state.screen == .device("GG-0001"))
        _ = Dashboard.update(&state, .key(.key(.escape)))
        _ = Dashboard.update(&state, .key(.key(.escape)))
        // A certificate with no thing: the certificates list, on it; a policy: the policies list, on it.
        _ = Dashboard.update(&state, .key(.character("j")))
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [FleetListsScreen.certificates.command])
        _ = Dashboard.update(&state, FleetListsScreen.certificates.answered([RotationScreenTests.certificate("11bb", "GG-0002", days: 9),
                                                                            CertificateInfo(id: "77aa", arn: "a", status: "ACTIVE", notAfter: nil, subject: nil, things: [])]))
        #expect(state.screen == .certificates && state.selected == 1)
        _ = Dashboard.update(&state, .key(.key(.escape)))
        #expect(state.screen == .audit(Self.tasks[0].id))
        _ = Dashboard.update(&state, .key(.character("j")))
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [FleetListsScreen.policies.command, DevicesScreen.managed.command])
        _ = Dashboard.update(&state, FleetListsScreen.policies.answered([PolicyInfo(name: "a-policy", document: "{}", targets: []),
                                                                        PolicyInfo(name: "GreengrassV2IoTThingPolicy", document: "{}", targets: [])]))
        #expect(state.screen == .policies && state.selected == 1)
        _ = Dashboard.update(&state, .key(.key(.escape)))
        // Back on the list, r reads the tasks again.
        _ = Dashboard.update(&state, .key(.key(.escape)))
        #expect(Dashboard.update(&state, .key(.character("r"))) == [AuditsScreen.tasks.command])
    }

    @Test func anAuditStartedFromTheListShowsInIt() {
        var state = opened()
        var commands: [DashboardCommand] = []
        for character in ":audit\n" { commands = Dashboard.update(&state, .key(.character(character))) }
        // The question names each enabled check and what it reads.
        #expect(commands == [AuditsScreen.checks.command])
        let enabled = ["DEVICE_CERTIFICATE_EXPIRING_CHECK", "LOGGING_DISABLED_CHECK"]
        _ = Dashboard.update(&state, AuditsScreen.checks.answered(enabled))
        #expect(state.notice == "y to start an on-demand Device Defender audit of 2 checks: DEVICE_CERTIFICATE_EXPIRING (reads every device certificate (its notAfter)), "
                + "LOGGING_DISABLED (reads the account's logging settings); its findings go to the audit's SNS target; any other key: no")
        #expect(Dashboard.update(&state, .key(.character("y"))) == [AuditsScreen.startAudit(enabled)])
        #expect(Dashboard.update(&state, AuditsScreen.startAudit.answered(enabled, .success("audit task t-2 started"))) == [AuditsScreen.tasks.command])
        #expect(state.notice == "audit task t-2 started")
    }
}
