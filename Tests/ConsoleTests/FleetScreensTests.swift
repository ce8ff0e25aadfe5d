@testable import Console
import FleetValues
import JSON
import MQTT
import TermCore
import Testing

/// The fleet screens: devices (filter, sort, marks), a device with its shadows (edit checked as
/// typed, conflicts shown, versions diffed, its own messages), groups, certificates, and a bulk
/// add to a group approved as a plan.
@Suite struct FleetScreensTests {
    static let now: Int64 = 1_795_910_400  // 2026-11-29T00:00:00Z

    func onDevices() -> DashboardState {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        _ = Dashboard.update(&state, .stacksLoaded(DashboardTests.stacks))
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "things" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [DevicesScreen.load(nil), DevicesScreen.managed.command])
        #expect(state.screen == .devices)
        var devices: [Device] = []
        for index in 0..<40 {
            let type: String? = index % 4 == 0 ? "gateway" : nil
            devices.append(Device(name: "sensor-\(100 + index)", type: type, attributes: ["model": "v\(index % 3)"], connected: index % 5 == 0))
        }
        _ = Dashboard.update(&state, .devicesPage(Array(devices.prefix(25)), done: false))
        _ = Dashboard.update(&state, .devicesPage(Array(devices.dropFirst(25)), done: true))
        _ = Dashboard.update(&state, .clock(Self.now))
        _ = Dashboard.update(&state, .managedLoaded(ManagedIndex(["thing:sensor-100": "dev/gateway", "group:lab": "dev/labGroup", "policy:telemetry": "dev/policy"])))
        return state
    }

    func snapshot(_ name: String, _ state: DashboardState) throws {
        for (rows, columns) in [(24, 80), (40, 120), (50, 200)] {
            try DashboardTests().check("\(name)-\(columns)x\(rows)", Dashboard.view(state, rows: rows, columns: columns))
        }
    }

    static let shadow: JSONValue = ["state": ["desired": ["led": "on"], "reported": ["led": "off", "temp": 21], "delta": ["led": "on"]],
                                    "version": 4, "timestamp": 1_795_939_200]

    static let detail = DeviceDetail(
        groups: ["lab"],
        certificates: [CertificateInfo(id: "1a2b3c4d5e6f", arn: "arn:aws:iot:us-east-1:123456789012:cert/1a2b3c4d5e6f", status: "ACTIVE",
                                       notAfter: now + 12 * 86_400, subject: "CN=sensor-112", things: ["sensor-112"])],
        policies: [("telemetry", #"{"Version":"2012-10-17","Statement":[]}"#)],
        shadows: [("", shadow), ("config", ["state": ["desired": ["rate": 5]], "version": 1])])

    /// `:audit` asks first; only `y` starts it; its answer (or AWS's refusal) is said; read-only refuses it.
    @Test func anAuditStartsOnlyOnceApproved() {
        func command(_ state: inout DashboardState, _ line: String) -> [DashboardCommand] {
            _ = Dashboard.update(&state, .key(.character(":")))
            for character in line { _ = Dashboard.update(&state, .key(.character(character))) }
            return Dashboard.update(&state, .key(.character("\n")))
        }
        var state = onDevices()
        let enabled = ["DEVICE_CERTIFICATE_EXPIRING_CHECK"]
        #expect(command(&state, "audit") == [AuditsScreen.checks.command])
        _ = Dashboard.update(&state, AuditsScreen.checks.answered(enabled))
        #expect(state.notice?.hasPrefix("y to start an on-demand Device Defender audit of 1 check: DEVICE_CERTIFICATE_EXPIRING") == true)
        #expect(Dashboard.update(&state, .key(.character("n"))).isEmpty)
        #expect(state.notice?.hasPrefix("not done: start an on-demand") == true)
        #expect(Dashboard.update(&state, .key(.character("j"))).isEmpty && state.confirming == nil)
        _ = command(&state, "audit")
        _ = Dashboard.update(&state, AuditsScreen.checks.answered(enabled))
        #expect(Dashboard.update(&state, .key(.character("y"))) == [AuditsScreen.startAudit(enabled)])
        _ = Dashboard.update(&state, AuditsScreen.startAudit.answered(enabled, .success("audit task t-1 started")))
        #expect(state.notice == "audit task t-1 started")
        _ = command(&state, "audit")
        _ = Dashboard.update(&state, AuditsScreen.checks.answered(enabled))
        _ = Dashboard.update(&state, .key(.character("y")))
        _ = Dashboard.update(&state, AuditsScreen.startAudit.answered(enabled, .failure(DashboardError(message: "AccessDeniedException: not allowed"))))
        #expect(state.notice == "AccessDeniedException: not allowed")
        var readOnly = DashboardState(project: "fleet", theme: DashboardTests.theme, readOnly: true)
        #expect(command(&readOnly, "audit").isEmpty && readOnly.confirming == nil && readOnly.notice?.hasPrefix("read-only") == true)
    }

    @Test func filterSortAndMark() throws {
        var state = onDevices()
        try snapshot("devices", state)
        _ = Dashboard.update(&state, .key(.character("/")))
        for character in "sensor-11" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .key(.character("\n")))
        #expect(state.devices.visible.map { state.devices.model.devices[$0].name } == (110...119).map { "sensor-\($0)" })
        _ = Dashboard.update(&state, .key(.character("S")))  // by name, descending
        #expect(FleetScreens.selectedDevice(state)?.name == "sensor-119")
        _ = Dashboard.update(&state, .key(.character(" ")))
        _ = Dashboard.update(&state, .key(.character(" ")))
        #expect(state.devices.marked == ["sensor-119", "sensor-118"])
        let frame = Dashboard.view(state, rows: 24, columns: 100)
        #expect(frame.lines[1].contains("10 of 40 devices") && frame.lines[1].contains("2 marked"))
        #expect(frame.lines[2].contains("DEVICE ▼"))
        #expect(frame.lines.contains { $0.contains("sensor-119") && $0.contains("unmanaged") })
    }

    @Test func certificatesOfTheRowsOnScreenAreLoadedLazily() {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        state.rows = 10  // six device rows on screen
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "things\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        let page = (0..<20).map { Device(name: "d\($0)") }
        #expect(Dashboard.update(&state, .devicesPage(page, done: true)) == [.loadDeviceCertificates((0..<6).map { "d\($0)" })])
        #expect(Dashboard.update(&state, .key(.character("j"))) == [])  // still the same rows
        for _ in 0..<5 { _ = Dashboard.update(&state, .key(.character("j"))) }
        #expect(Dashboard.update(&state, .key(.character("j"))) == [.loadDeviceCertificates(["d7"])])
        _ = Dashboard.update(&state, .clock(Self.now))
        _ = Dashboard.update(&state, .deviceCertificates(["d7": DeviceCertificate(count: 2, status: "ACTIVE", notAfter: Self.now + 12 * 86_400),
                                                         "d6": DeviceCertificate(count: 0, status: nil, notAfter: nil)]))
        let lines = Dashboard.view(state, rows: 10, columns: 100).lines
        #expect(lines.contains { $0.contains("d7") && $0.contains("ACTIVE 12d +1") })
        #expect(lines.contains { $0.contains("d6") && $0.contains("none") })
        #expect(lines.contains { $0.contains("d5") && $0.contains("…") })
        // A certificate that could not be read says why, and r reads the certificates again.
        _ = Dashboard.update(&state, .deviceCertificates(["d5": DeviceCertificate(count: 0, status: nil, notAfter: nil, problem: "AccessDeniedException")]))
        let unreadable = Dashboard.view(state, rows: 10, columns: 140).lines
        #expect(unreadable.contains { $0.contains("d5") && $0.contains("unreadable") }, "\(unreadable.joined(separator: "\n"))")
        let reload = Dashboard.update(&state, .key(.character("r")))
        #expect(reload.contains(DevicesScreen.load(nil)) && state.devices.deviceCertificates.isEmpty)
        let asked = Dashboard.update(&state, .devicesPage(page, done: true))
        #expect(asked.contains { $0.isFleet("device certificates") && "\($0)".contains("\"d5\"") }, "\(asked)")
    }

    @Test func managedDevicesNameTheirStackResource() {
        let state = onDevices()
        let frame = Dashboard.view(state, rows: 24, columns: 120)
        #expect(frame.lines.contains { $0.contains("sensor-100") && $0.contains("dev/gateway") })
        #expect(frame.lines.contains { $0.contains("sensor-101") && $0.contains("unmanaged") })
    }

    @Test func attachAPolicyToTheMarkedDevicesAsAPlan() {
        var state = onDevices()
        _ = Dashboard.update(&state, .key(.character(" ")))
        _ = Dashboard.update(&state, .key(.character("A")))
        #expect(state.command.text == "policy-attach ")
        for character in "telemetry\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.view(state, rows: 24, columns: 100).lines.contains { $0.contains("?  aws:iot:PolicyAttachment  telemetry → certificates of sensor-100") })
        _ = Dashboard.update(&state, .fleetPlanChecked(.success(["sensor-100": .change])))
        #expect(Dashboard.view(state, rows: 24, columns: 100).lines.contains { $0.contains("+  aws:iot:PolicyAttachment  telemetry → certificates of sensor-100") })
        #expect(Dashboard.update(&state, .key(.character("y"))) == [.attachPolicy(["sensor-100"], "telemetry")])
        _ = Dashboard.update(&state, .fleetStepDone("sensor-100", "no certificate to attach it to"))
        #expect(state.notice == "attach policy telemetry: 0 of 1 done; the failures are listed; esc back")
    }

    @Test func policiesScreenShowsDocumentsAndManagers() throws {
        var state = onDevices()
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "policies" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [FleetListsScreen.policies.command, DevicesScreen.managed.command])
        _ = Dashboard.update(&state, .policiesLoaded([
            PolicyInfo(name: "telemetry", document: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Publish","Resource":"*"}]}"#, targets: ["arn:c1", "arn:c2"]),
            PolicyInfo(name: "claim", document: #"{"Version":"2012-10-17","Statement":[]}"#, targets: []),
        ]))
        try snapshot("policies", state)
        let frame = Dashboard.view(state, rows: 24, columns: 120)
        #expect(frame.lines.contains { $0.contains("telemetry") && $0.contains(" 2 ") && $0.contains("dev/policy") })
        #expect(frame.lines.contains { $0.contains("claim") && $0.contains("unmanaged") })
        // Enter opens the whole document in the inspector, which scrolls: a policy of 60
        // statements is read to its last line (a pane under the table showed 10 lines of it).
        _ = Dashboard.update(&state, .key(.character("\n")))
        var document = Dashboard.view(state, rows: 24, columns: 120)
        #expect(document.lines.contains { $0.contains("\"Action\": \"iot:Publish\"") }, "\(document.lines.joined(separator: "\n"))")
        #expect(document.lines.contains { $0.contains("\"targets\"") } && document.lines.contains { $0.contains("\"arn:c1\"") })
        _ = Dashboard.update(&state, .key(.character("q")))
        #expect(state.inspector.item == nil && state.screen == .policies)
        let statements = (0..<60).map { #"{"Effect":"Allow","Action":"iot:Subscribe","Resource":"arn:aws:iot:*:*:topicfilter/t\#($0)"}"# }
        _ = Dashboard.update(&state, .policiesLoaded([PolicyInfo(name: "big", document: #"{"Version":"2012-10-17","Statement":["# + statements.joined(separator: ",") + "]}", targets: [])]))
        _ = Dashboard.update(&state, .key(.character("\n")))
        _ = Dashboard.update(&state, .key(.character("G")))
        document = Dashboard.view(state, rows: 24, columns: 120)
        #expect(document.lines.contains { $0.contains("topicfilter/t59") }, "\(document.lines.joined(separator: "\n"))")
        #expect(!document.lines.contains { $0.contains("topicfilter/t0\"") })
    }

    /// A load that does not answer (a hung endpoint) counts its seconds, and after fifteen says
    /// so and what to do, instead of "Loading…" for the two minutes a request may take.
    @Test func aSlowLoadCountsItsSeconds() {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        state.uptime = 100
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "groups\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        func placeholder() -> String { Dashboard.view(state, rows: 24, columns: 120).lines[2] }
        #expect(placeholder().contains("Loading groups…") && !placeholder().contains(" s"))
        state.uptime = 105.4
        #expect(placeholder().contains("Loading groups… 5 s"), "\(placeholder())")
        state.uptime = 121
        #expect(placeholder().contains("Loading groups… 21 s: no answer yet (r asks again"), "\(placeholder())")
        _ = Dashboard.update(&state, .key(.character("r")))  // asked again: counted from now
        #expect(placeholder().contains("Loading groups…") && !placeholder().contains("21 s"))
        // The broker: still connecting after a while, with why and that it retries.
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "tail #\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .broker(.linked("mqtt://10.0.0.1:1883")))
        _ = Dashboard.update(&state, .broker(.disconnected("connection refused")))
        state.uptime += 30
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines.contains { $0.contains("Connecting to mqtt://10.0.0.1:1883… 30 s (connection refused; retrying)") },
                "\(Dashboard.view(state, rows: 24, columns: 120).lines.joined(separator: "\n"))")
    }

    /// `d` deactivates and `X` revokes the selected certificate as a plan: checked against the
    /// account, approved with y, applied, and the list read again after.
    @Test func certificateDeactivateAndRevokeArePlans() {
        var state = onDevices()
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "certs\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .certificatesLoaded([
            CertificateInfo(id: "aaaa1111", arn: "a1", status: "ACTIVE", notAfter: Self.now + 5 * 86_400, subject: nil, things: ["sensor-100"]),
            CertificateInfo(id: "bbbb2222", arn: "a2", status: "ACTIVE", notAfter: Self.now + 200 * 86_400, subject: nil, things: ["sensor-101"]),
        ]))
        _ = Dashboard.update(&state, .key(.character("j")))
        #expect(Dashboard.update(&state, .key(.character("d"))) == [.checkFleetPlan(.setCertificateStatus("INACTIVE"), ["bbbb2222"])])
        #expect(state.screen == .fleetPlan)
        #expect(Dashboard.update(&state, .key(.character("y"))) == [])  // not before the account has been read
        _ = Dashboard.update(&state, .fleetPlanChecked(.success(["bbbb2222": .change])))
        let review = Dashboard.view(state, rows: 24, columns: 100).lines
        // The plan names the certificate's thing and its status, old -> new.
        #expect(review[1].contains("~1 deactivate") && review.contains { $0.contains("~  aws:iot:Certificate  bbbb2222  sensor-101  ACTIVE → INACTIVE") },
                "\(review.joined(separator: "\n"))")
        #expect(Dashboard.update(&state, .key(.character("y"))) == [.setCertificateStatus(["bbbb2222"], "INACTIVE")])
        _ = Dashboard.update(&state, .deviceCertificates(["sensor-101": DeviceCertificate(count: 1, status: "ACTIVE", notAfter: nil)]))
        _ = Dashboard.update(&state, .fleetStepDone("bbbb2222", nil))
        #expect(state.notice?.hasPrefix("deactivate: 1 of 1 done") == true, "\(String(describing: state.notice))")
        // Every list that shows it knows at once: the certificates list, and the device's
        // certificate column is read again.
        #expect(state.fleetLists.certificates?.first { $0.id == "bbbb2222" }?.status == "INACTIVE")
        #expect(state.devices.deviceCertificates["sensor-101"] == nil)
        #expect(Dashboard.update(&state, .key(.character("\u{1b}"))) == [.loadCertificates])
        #expect(state.screen == .certificates)
        // Back on the row the plan was made for, not the first (the claim certificate, in the demo).
        #expect(state.selected == 1)
        _ = Dashboard.update(&state, .key(.character("X")))
        #expect(state.fleetPlan.plan?.things == ["bbbb2222"])
        _ = Dashboard.update(&state, .key(.character("n")))
        #expect(state.selected == 1 && state.notice == "not applied: nothing was changed")
        // Revoking says it is for good; one already revoked cannot be planned.
        _ = Dashboard.update(&state, .key(.character("k")))
        _ = Dashboard.update(&state, .key(.character("X")))
        _ = Dashboard.update(&state, .fleetPlanChecked(.success(["aaaa1111": .impossible("revoked: a revoked certificate stays revoked")])))
        #expect(Dashboard.view(state, rows: 24, columns: 100).lines[1].contains("revoke (for good)"))
        #expect(Dashboard.update(&state, .key(.character("y"))) == [])
        // Read-only: refused before any plan is made.
        var readOnly = state
        readOnly.readOnly = true
        _ = Dashboard.update(&readOnly, .key(.character("n")))
        #expect(Dashboard.update(&readOnly, .key(.character("d"))) == [] && readOnly.screen == .certificates)
    }

    /// Opening a group reads its things, a certificate its policies, a policy its versions: the
    /// inspector says "loading…" until they come, then lists them (or says why it could not).
    @Test func openingAnItemReadsWhatItIsRelatedTo() {
        var state = onDevices()
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "groups\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .groupsLoaded([GroupInfo(name: "factory", parent: nil, members: 2)]))
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [.loadRelated(.groupMembers, "factory")])
        func shown() -> String { Dashboard.view(state, rows: 30, columns: 100).lines.joined(separator: "\n") }
        #expect(shown().contains("\"things\": \"loading…\""), "\(shown())")
        _ = Dashboard.update(&state, .relatedLoaded(.groupMembers, "factory", .success(["sensor-100", "sensor-101"])))
        #expect(shown().contains("\"sensor-100\"") && shown().contains("\"sensor-101\"") && shown().contains("\"thingCount\": 2"), "\(shown())")

        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "certs\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .certificatesLoaded([CertificateInfo(id: "aaaa1111", arn: "arn:cert/aaaa1111", status: "ACTIVE", notAfter: nil, subject: nil, things: [])]))
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [.loadRelated(.certificatePolicies, "arn:cert/aaaa1111")])
        _ = Dashboard.update(&state, .relatedLoaded(.certificatePolicies, "arn:cert/aaaa1111", .failure(DashboardError(message: "AccessDeniedException"))))
        #expect(shown().contains("\"policies\": \"could not be read: AccessDeniedException\""), "\(shown())")

        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "policies\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .policiesLoaded([PolicyInfo(name: "telemetry", document: "{}", targets: [])]))
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [.loadRelated(.policyVersions, "telemetry")])
        _ = Dashboard.update(&state, .relatedLoaded(.policyVersions, "telemetry", .success(["v2 (default)", "v1"])))
        #expect(shown().contains("\"v2 (default)\""), "\(shown())")
    }

    /// A device that is a Greengrass core device shows its status (green when healthy, red
    /// otherwise); one whose core device could not be read says why; a plain thing says nothing.
    @Test func aCoreDeviceShowsItsGreengrassStatus() {
        var state = onDevices()
        _ = Dashboard.update(&state, .key(.character("\n")))
        let name = state.screen == .device("sensor-100") ? "sensor-100" : Dashboard.screenName(state.screen)
        func line(_ core: Result<CoreDevice?, CoreDeviceUnreadable>) -> (String, TerminalStyle)? {
            var copy = state
            _ = Dashboard.update(&copy, .deviceLoaded(name, DeviceDetail(groups: [], certificates: [], policies: [], shadows: [], coreDevice: core)))
            let frame = Dashboard.view(copy, rows: 24, columns: 120)
            guard let row = frame.lines.firstIndex(where: { $0.contains("Greengrass core device") }) else { return nil }
            return (frame.lines[row], frame[row, 2].style)
        }
        let healthy = line(.success(CoreDevice(status: "HEALTHY", coreVersion: "2.12.0", platform: "linux", architecture: "aarch64", lastStatusUpdate: Self.now)))
        #expect(healthy?.0.contains("Greengrass core device: HEALTHY  nucleus 2.12.0  linux/aarch64  reported ") == true, "\(String(describing: healthy))")
        #expect(healthy?.1 == DashboardTests.theme[.create])
        #expect(line(.success(CoreDevice(status: "UNHEALTHY")))?.1 == DashboardTests.theme[.error])
        #expect(line(.failure(CoreDeviceUnreadable(reason: "AccessDeniedException")))?.0.contains("could not be read (AccessDeniedException)") == true)
        #expect(line(.success(nil)) == nil)
    }

    /// The status line's key hints lose whole hints when the screen is narrow, never half of
    /// one; a notice (free text) ends in an ellipsis.
    @Test func statusHintsAreCutBetweenHints() {
        #expect(Dashboard.fitted(" ↵ open  space mark  s sort  / filter", 30, hints: true) == " ↵ open  space mark  s sort")
        #expect(Dashboard.fitted(" ↵ open  s sort", 30, hints: true) == " ↵ open  s sort")
        #expect(Dashboard.fitted(" a-very-long-single-hint-without-gaps", 12, hints: true) == " a-very-lo…")
        #expect(Dashboard.fitted(" the stack changed on disk: planned again", 20, hints: false) == " the stack changed…")
        // Cut between words, never inside one.
        #expect(Dashboard.fitted(" the stack changed on disk: planned again", 24, hints: false) == " the stack changed on …")
    }

    /// GROUPS and CONNECTED come from the fleet index; from the registry's list (no index) they
    /// would only ever say "-", so they are not shown, and `s` skips them.
    @Test func indexOnlyColumnsAreHiddenWithoutTheFleetIndex() throws {
        let indexed = onDevices()
        #expect(Dashboard.view(indexed, rows: 24, columns: 140).lines[2].contains("CONNECTED"))
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "things\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .devicesPage((0..<5).map { Device(name: "plain-\($0)", attributes: ["model": "v\($0)"]) }, done: true))
        let header = Dashboard.view(state, rows: 24, columns: 140).lines[2]
        #expect(header.contains("DEVICE") && header.contains("ATTRIBUTES") && !header.contains("GROUPS") && !header.contains("CONNECTED"), "\(header)")
        var sorted: [Int?] = []
        for _ in 0..<6 {
            _ = Dashboard.update(&state, .key(.character("s")))
            sorted.append(state.devices.deviceOrder.column)
        }
        #expect(sorted == [1, 2, 3, 4, 7, 1])
    }

    /// `/` filters and `s` sorts the groups, certificates and policies as it does the other lists.
    @Test func fleetListsFilterAndSort() throws {
        var state = onDevices()
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "certs\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .certificatesLoaded([
            CertificateInfo(id: "bbbb2222", arn: "a2", status: "ACTIVE", notAfter: Self.now + 200 * 86_400, subject: nil, things: ["sensor-101"]),
            CertificateInfo(id: "aaaa1111", arn: "a1", status: "INACTIVE", notAfter: Self.now + 5 * 86_400, subject: nil, things: ["sensor-100"]),
            CertificateInfo(id: "cccc3333", arn: "a3", status: "REVOKED", notAfter: nil, subject: nil, things: []),
        ]))
        func ids() -> [String] { FleetScreens.listRows(state)?.ids ?? [] }
        #expect(ids() == ["bbbb2222", "aaaa1111", "cccc3333"])
        _ = Dashboard.update(&state, .key(.character("s")))  // by ID
        #expect(ids() == ["aaaa1111", "bbbb2222", "cccc3333"])
        _ = Dashboard.update(&state, .key(.character("S")))  // reversed
        #expect(ids() == ["cccc3333", "bbbb2222", "aaaa1111"])
        #expect(Dashboard.view(state, rows: 24, columns: 100).lines.contains { $0.contains("ID ▼") })
        for character in "/sensor\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(ids() == ["bbbb2222", "aaaa1111"])
        #expect(Dashboard.view(state, rows: 24, columns: 100).lines[1].contains("2 match /sensor"))
        for character in "/!ACTIVE\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(ids() == ["cccc3333"])  // INACTIVE contains ACTIVE too
        // The inspector on a certificate names its things; Esc is back on the list.
        for character in "/\nj\n" { _ = Dashboard.update(&state, .key(.character(character))) }  // bbbb2222
        #expect(Dashboard.view(state, rows: 24, columns: 100).lines.contains { $0.contains("\"things\"") } && Inspector.lines(state).contains { $0.value.contains("sensor-101") })
        _ = Dashboard.update(&state, .key(.character("\u{1b}")))
        #expect(state.screen == .certificates && state.inspector.item == nil)

        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "groups\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .groupsLoaded([GroupInfo(name: "factory", parent: nil, members: 2), GroupInfo(name: "lab", parent: "factory", members: 3),
                                                   GroupInfo(name: "field", parent: nil, members: 0)]))
        #expect(ids() == ["factory", "lab", "field"])  // the hierarchy
        for character in "/^f\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(ids() == ["factory", "field"])
        for character in "/\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .key(.character("s")))
        _ = Dashboard.update(&state, .key(.character("s")))  // by THINGS
        #expect(ids() == ["field", "factory", "lab"])
        _ = Dashboard.update(&state, .key(.character("G")))
        _ = Dashboard.update(&state, .key(.character("\n")))
        let frame = Dashboard.view(state, rows: 24, columns: 100)
        #expect(frame.lines.contains { $0.contains("\"parent\": \"factory\"") }, "\(frame.lines.joined(separator: "\n"))")
    }

    @Test func bulkAddToAGroupIsAPlanApprovedWithY() throws {
        var state = onDevices()
        for _ in 0..<4 { _ = Dashboard.update(&state, .key(.character(" "))) }
        _ = Dashboard.update(&state, .key(.character("a")))
        #expect(state.editingCommand && state.command.text == "group-add ")
        var commands: [DashboardCommand] = []
        for character in "lab\n" { commands = Dashboard.update(&state, .key(.character(character))) }
        #expect(state.screen == .fleetPlan)
        // The plan is read from the account before it can be approved.
        let marked = ["sensor-100", "sensor-101", "sensor-102", "sensor-103"]
        #expect(commands == [.checkFleetPlan(.addToGroup("lab"), marked)])
        #expect(Dashboard.update(&state, .key(.character("y"))) == [])
        #expect(state.notice == "the plan is still being checked against the account")
        _ = Dashboard.update(&state, .fleetPlanChecked(.success(["sensor-100": .change, "sensor-101": .change, "sensor-102": .change,
                                                                  "sensor-103": .unchanged("already a member")])))
        try snapshot("fleet-plan", state)
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines.contains { $0.contains("~3 add to group lab  (1 unchanged)") })
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines.contains { $0.contains("sensor-103 → lab   no change: already a member") })
        #expect(Dashboard.update(&state, .key(.character("y"))) == [.addToGroup(["sensor-100", "sensor-101", "sensor-102"], "lab")])
        _ = Dashboard.update(&state, .fleetStepDone("sensor-100", nil))
        _ = Dashboard.update(&state, .fleetStepDone("sensor-101", "ResourceNotFoundException"))
        #expect(Dashboard.update(&state, .key(.character("\u{1b}"))) == [])  // running: esc waits
        _ = Dashboard.update(&state, .fleetStepDone("sensor-102", nil))
        #expect(state.notice == "add to group lab: 2 of 3 done; the failures are listed; esc back")
        #expect(Dashboard.update(&state, .key(.character("\u{1b}"))) == [DevicesScreen.load(nil)])
        #expect(state.screen == .devices && state.devices.marked.isEmpty)
    }

    @Test func aPlanForAMissingGroupIsRefusedBeforeApproval() {
        var state = onDevices()
        _ = Dashboard.update(&state, .key(.character(" ")))
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "group-add nosuch\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .fleetPlanChecked(.failure(BulkRefused(reason: "there is no thing group 'nosuch': nothing was changed"))))
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines.contains { $0.contains("Plan: refused: there is no thing group 'nosuch'") })
        #expect(Dashboard.update(&state, .key(.character("y"))) == [])
        #expect(state.notice == "there is no thing group 'nosuch': nothing was changed")
    }

    @Test func aPlanWithNothingToChangeCannotBeApproved() {
        var state = onDevices()
        _ = Dashboard.update(&state, .key(.character(" ")))
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "policy-attach telemetry\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .fleetPlanChecked(.success(["sensor-100": .unchanged("already attached")])))
        #expect(Dashboard.update(&state, .key(.character("y"))) == [])
        #expect(state.notice == "nothing to do: ~0 attach policy telemetry  (1 unchanged)")
    }

    @Test func noLeavesThePlanUnapplied() {
        var state = onDevices()
        _ = Dashboard.update(&state, .key(.character(" ")))
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "group-add lab\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.update(&state, .key(.character("n"))) == [])
        #expect(state.notice == "not applied: nothing was changed" && state.devices.marked == ["sensor-100"])
    }

    @Test func deviceShowsShadowsEditsWithVersionAndShowsConflicts() throws {
        var state = onDevices()
        for _ in 0..<12 { _ = Dashboard.update(&state, .key(.character("j"))) }
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [.loadDevice("sensor-112")])
        _ = Dashboard.update(&state, .deviceLoaded("sensor-112", Self.detail))
        _ = Dashboard.update(&state, .received([(Message(topic: "device/sensor-112/telemetry", payload: Array(#"{"temperature":21.5}"#.utf8)), Double(Self.now))]))
        try snapshot("device", state)
        let lines = Dashboard.view(state, rows: 40, columns: 120).lines
        #expect(lines.contains { $0.contains("certificate 1a2b3c4d5e6f  ACTIVE  expires 2026-12-11 (12 d)") })
        #expect(lines.contains { $0.contains("device/sensor-112/telemetry  {\"temperature\":21.5}") })  // its own messages

        _ = Dashboard.update(&state, .key(.character("e")))
        #expect(state.device.edit?.line.text == #"{"led":"on"}"# && state.device.edit?.version == 4)
        _ = Dashboard.update(&state, .key(.key(.backspace)))  // backspace: no longer JSON
        #expect(state.device.edit?.problem != nil)
        #expect(Dashboard.view(state, rows: 24, columns: 100).lines[22].hasPrefix(" ✗ "))
        _ = Dashboard.update(&state, .key(.character("}")))
        #expect(state.device.edit?.problem == nil)
        #expect(Dashboard.update(&state, .key(.character("\n"))) == [.updateShadow("sensor-112", "", ["led": "on"], 4)])

        let newer: JSONValue = ["state": ["desired": ["led": "blue"], "reported": ["led": "off", "temp": 22]], "version": 5]
        _ = Dashboard.update(&state, .shadowConflict("sensor-112", "", newer, "version conflict: the shadow is at version 5 now"))
        let conflict = Dashboard.view(state, rows: 40, columns: 120).lines
        #expect(conflict.contains { $0.contains("CONFLICT: the shadow moved on; the server's document (version 5)") })
        #expect(conflict.contains { $0.contains("\"led\": \"blue\"") })
        _ = Dashboard.update(&state, .key(.character("v")))
        let versions = Dashboard.view(state, rows: 40, columns: 120).lines
        #expect(versions.contains { $0.contains("changes from version 4 to 5 (of 4, 5 seen") })
        #expect(versions.contains { $0.contains("~ desired.led: \"on\" → \"blue\"") })
        #expect(versions.contains { $0.contains("~ reported.temp: 21 → 22") })
        // A third version; [ picks an older "from": 4 → 6 then.
        let third: JSONValue = ["state": ["desired": ["led": "red"], "reported": ["led": "off", "temp": 22]], "version": 6,
                                "metadata": ["desired": ["led": ["timestamp": 1_795_939_500]]]]
        _ = Dashboard.update(&state, .shadowConflict("sensor-112", "", third, "version conflict"))
        #expect(Dashboard.view(state, rows: 40, columns: 120).lines.contains { $0.contains("changes from version 5 to 6") })
        _ = Dashboard.update(&state, .key(.character("[")))
        let wider = Dashboard.view(state, rows: 40, columns: 120).lines
        #expect(wider.contains { $0.contains("changes from version 4 to 6 (of 4, 5, 6 seen") })
        #expect(wider.contains { $0.contains("~ desired.led: \"on\" → \"red\"") })
        #expect(wider.contains { $0.contains("changed: desired.led 2026-11-29 08:05:00 UTC") })  // the shadow's metadata times
    }

    @Test func namedShadowsAreDeletedOnlyAfterYes() {
        var state = onDevices()
        _ = Dashboard.update(&state, .key(.character("\n")))
        _ = Dashboard.update(&state, .deviceLoaded("sensor-100", Self.detail))
        _ = Dashboard.update(&state, .key(.character("D")))
        #expect(state.notice == "only named shadows are deleted here")
        _ = Dashboard.update(&state, .key(.character("\t")))
        _ = Dashboard.update(&state, .key(.character("D")))
        #expect(state.device.confirmDelete == "config")
        #expect(Dashboard.update(&state, .key(.character("n"))) == [])
        _ = Dashboard.update(&state, .key(.character("D")))
        #expect(Dashboard.update(&state, .key(.character("y"))) == [.deleteShadow("sensor-100", "config")])
    }

    @Test func groupsAndCertificates() throws {
        var state = onDevices()
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "groups\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .groupsLoaded([GroupInfo(name: "factory", parent: nil, members: 2), GroupInfo(name: "lab", parent: "factory", members: 3),
                                                   GroupInfo(name: "field", parent: nil, members: 0)]))
        try snapshot("groups", state)
        _ = Dashboard.update(&state, .key(.character(":")))
        for character in "certs 30\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        _ = Dashboard.update(&state, .certificatesLoaded([
            CertificateInfo(id: "aaaa1111", arn: "a1", status: "ACTIVE", notAfter: Self.now + 5 * 86_400, subject: nil, things: ["sensor-100"], policies: ["GreengrassV2IoTThingPolicy"]),
            CertificateInfo(id: "bbbb2222", arn: "a2", status: "ACTIVE", notAfter: Self.now + 200 * 86_400, subject: nil, things: ["sensor-101"]),
            CertificateInfo(id: "cccc3333", arn: "a3", status: "REVOKED", notAfter: nil, subject: nil, things: []),
        ]))
        try snapshot("certificates", state)
        _ = Dashboard.update(&state, .key(.character("G")))  // select the last: the others show their own colours
        let frame = Dashboard.view(state, rows: 24, columns: 100)
        #expect(frame.lines.contains { $0.contains("aaaa1111") && $0.contains("2026-12-04 (5 d)") })
        #expect(frame[frame.lines.firstIndex { $0.contains("aaaa1111") }!, 2].style == DashboardTests.theme[.error])  // expiring: red
        #expect(frame[frame.lines.firstIndex { $0.contains("bbbb2222") }!, 2].style == DashboardTests.theme[.text])
    }
}
