@testable import Console
import FleetValues
import MQTT
import StackEngine
import TermCore
import Testing

/// Certificate rotation, device by device: each step from the chain's messages, the old
/// certificate revoked once the registry shows the new one alone, a device stuck at a step.
@Suite struct RotationScreenTests {
    static let start: Double = 1_796_000_000

    static func message(_ topic: String, _ payload: String = "{}", at offset: Double) -> (Message, Double) {
        (Message(topic: topic, payload: Array(payload.utf8)), start + offset)
    }

    static func certificate(_ id: String, _ thing: String, days: Int64) -> CertificateInfo {
        CertificateInfo(id: id, arn: "arn:aws:iot:us-east-1:123456789012:cert/\(id)", status: "ACTIVE", notAfter: Int64(start) + days * 86_400,
                        subject: nil, things: [thing])
    }

    @Test func eachDeviceThroughTheChainAndOneStuck() throws {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        (state.rows, state.columns) = (24, 120)
        var commands: [DashboardCommand] = []
        for character in ":rotation\n" { commands = Dashboard.update(&state, .key(.character(character))) }
        #expect(state.screen == .rotation)
        #expect(commands == [.connectBroker, .subscribe(RotationScreen.topics), RotationScreen.certificates.command])
        _ = Dashboard.update(&state, .received([
            Self.message("device/GG-0001/csr_req", at: 0), Self.message("device/GG-0002/csr_req", at: 0),
            Self.message("lambda/GG-0001/csr_res", #"{"ThingName":"GG-0001","csr":"..."}"#, at: 1),
            Self.message("lambda/GG-0002/csr_res", #"{"ThingName":"GG-0002","csr":"..."}"#, at: 1),
            Self.message("device/GG-0001/crt", #"{"certificateId":"new1","certificateArn":"arn:aws:iot:us-east-1:123456789012:cert/new1","certificatePem":"p"}"#, at: 2),
            Self.message("device/GG-0002/crt", #"{"certificateId":"new2","certificateArn":"b","certificatePem":"p"}"#, at: 2),
            Self.message("lambda/GG-0001/crt_ack", #"{"ThingName":"GG-0001","certificateArn":"arn:aws:iot:us-east-1:123456789012:cert/new1"}"#, at: 3),
            Self.message("device/GG-0001/telemetry", at: 300),
        ]))
        // The registry: GG-0001 holds its new certificate alone; GG-0002 never acknowledged.
        _ = Dashboard.update(&state, RotationScreen.certificates.answered([
            Self.certificate("new1", "GG-0001", days: 9000), Self.certificate("old2", "GG-0002", days: 9), Self.certificate("new2", "GG-0002", days: 9000),
        ]))
        let lines = Dashboard.view(state, rows: 24, columns: 120).lines
        #expect(lines[1].contains("2 rotating or rotated (from the messages held), 1 done, 1 stuck over 120 s"), "\(lines[1])")
        #expect(lines.contains { $0.contains("GG-0001") && $0.contains("old revoked") }, "\(lines)")
        #expect(lines.contains { $0.contains("GG-0002") && $0.contains("certificate issued (stuck)") && $0.contains("old2 8d") }, "\(lines)")
        try DashboardTests().check("rotation-120x24", Dashboard.view(state, rows: 24, columns: 120))
        // R asks (y approves) and publishes the device's csr_req; its answer is said.
        _ = Dashboard.update(&state, .key(.character("R")))
        #expect(state.notice?.hasPrefix("y to ask GG-0001 for a new certificate now (publish device/GG-0001/csr_req") == true)
        #expect(Dashboard.update(&state, .key(.character("y"))) == [RotationScreen.rotateNow(["GG-0001"])])
        _ = Dashboard.update(&state, RotationScreen.rotateNow.answered(["GG-0001"], .success([:])))
        #expect(state.notice == "asked GG-0001 for a new certificate: the rotation shows here as it goes")
        _ = Dashboard.update(&state, .key(.character("R")))
        _ = Dashboard.update(&state, .key(.character("n")))
        #expect(state.notice?.hasPrefix("not done: ask GG-0001") == true)
        // r reads the registry again; Enter opens the device.
        #expect(Dashboard.update(&state, .key(.character("r"))) == [RotationScreen.certificates.command])
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [DeviceScreen.detail("GG-0001")])
    }

    @Test func markedDevicesDueOnesTheClockAndAProductionFleetsTypedName() {
        var state = DashboardState(project: "fleet", theme: DashboardTests.theme)
        (state.rows, state.columns) = (24, 120)
        // The fleet is the production stack's: its account and region are the connection's.
        state.stacks.all = [StackSummary(name: "dev", account: "123456789012", region: "eu-west-1"),
                            StackSummary(name: "prod", account: "123456789012", region: "us-east-1", production: true)]
        state.connection = .connected("123456789012 us-east-1")
        state.rotationStuckAfter = 20
        for character in ":rotation\n" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.update(&state, .received([Self.message("device/GG-0001/csr_req", at: 0)])) == [.timer(RotationScreen.timer, seconds: 5)])
        // GG-0003's certificate expires in 5 days and it is not rotating: due; GG-0004's is revoked.
        let commands = Dashboard.update(&state, RotationScreen.certificates.answered([
            Self.certificate("a", "GG-0001", days: 9), Self.certificate("c", "GG-0003", days: 5),
            CertificateInfo(id: "d", arn: "arn:aws:iot:us-east-1:123456789012:cert/d", status: "REVOKED", notAfter: Int64(Self.start) + 86_400, subject: nil, things: ["GG-0004"]),
        ]))
        #expect(commands == [.timer(RotationScreen.timer, seconds: 5)])
        var lines = Dashboard.view(state, rows: 24, columns: 120).lines
        #expect(lines[1].contains("1 rotating or rotated (from the messages held), 0 done; 1 due (expiring within 30 days)"), "\(lines[1])")
        #expect(lines.contains { $0.contains("GG-0003") && $0.contains("due: not asked") && $0.contains("c 5d") }, "\(lines)")
        #expect(!lines.contains { $0.contains("GG-0004") })
        // The clock goes on with the timer: 30 s after its request GG-0001 is stuck.
        _ = Dashboard.update(&state, .clock(Int64(Self.start) + 30))
        #expect(Dashboard.update(&state, .timer(RotationScreen.timer)) == [.timer(RotationScreen.timer, seconds: 5)])
        lines = Dashboard.view(state, rows: 24, columns: 120).lines
        #expect(lines.contains { $0.contains("GG-0001") && $0.contains("requested (stuck)") }, "\(lines)")
        // Both marked, R asks for the production stack's name typed; a wrong name does nothing.
        _ = Dashboard.update(&state, .key(.character(" ")))
        _ = Dashboard.update(&state, .key(.character(" ")))
        #expect(Dashboard.view(state, rows: 24, columns: 120).lines[1].contains("; 2 marked"))
        _ = Dashboard.update(&state, .key(.character("R")))
        #expect(state.notice == "type 'prod' and enter to ask 2 devices (GG-0001, GG-0003) for a new certificate now (publish device/<thing>/csr_req, "
                + "as the audit-actions function does) (esc: no): ▏")
        for character in "pro" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(state.notice?.hasSuffix("(esc: no): pro▏") == true)
        #expect(Dashboard.update(&state, .key(.key(.enter))).isEmpty)
        #expect(state.notice == "not done: 'pro' is not 'prod' (the name is typed exactly)")
        _ = Dashboard.update(&state, .key(.character("R")))
        _ = Dashboard.update(&state, .key(.character("y")))
        _ = Dashboard.update(&state, .key(.key(.escape)))
        #expect(state.confirming == nil && state.notice?.hasPrefix("not done: ask 2 devices") == true)
        _ = Dashboard.update(&state, .key(.character("R")))
        for character in "prod" { _ = Dashboard.update(&state, .key(.character(character))) }
        #expect(Dashboard.update(&state, .key(.key(.enter))) == [RotationScreen.rotateNow(["GG-0001", "GG-0003"])])
        _ = Dashboard.update(&state, RotationScreen.rotateNow.answered(["GG-0001", "GG-0003"], .success(["GG-0003": "not connected"])))
        #expect(state.notice == "could not ask GG-0003: not connected")
        // (the one asked is no longer marked; the one that could not be asked still is)
        #expect(state.own[RotationScreen.State.self].marked == ["GG-0003"])
        // Once acknowledged, the timer reads the registry again (the old certificate revoked?).
        _ = Dashboard.update(&state, .received([Self.message("lambda/GG-0001/crt_ack", at: 31)]))
        #expect(Dashboard.update(&state, .timer(RotationScreen.timer)) == [RotationScreen.certificates.command])
        // Off the screen, a timer does nothing; back on it, the rotation is followed again.
        _ = Dashboard.update(&state, .key(.key(.enter)))
        #expect(Dashboard.update(&state, .timer(RotationScreen.timer)).isEmpty)
        #expect(Dashboard.update(&state, .key(.key(.escape))).contains { if case .timer(RotationScreen.timer, _) = $0 { true } else { false } })
    }

    @Test func aNewRequestStartsANewRotation() {
        let rotations = Rotation.follow([("device/d/csr_req", [], 0), ("lambda/d/csr_res", [], 1), ("device/d/csr_req", [], 5)], certificates: nil, readAt: 6)
        #expect(rotations.count == 1 && rotations[0].step == .requested && rotations[0].times[.requested] == 5)
        // A certificate the device did not ask for comes after its own: the acknowledged one is the device's.
        let extra = Rotation.follow([("device/d/csr_req", [], 0), ("device/d/crt", Array(#"{"certificateId":"n"}"#.utf8), 1),
                                     ("lambda/d/crt_ack", Array(#"{"certificateArn":"arn:aws:iot:r:a:cert/n"}"#.utf8), 2),
                                     ("device/d/crt", Array(#"{"certificateId":"other"}"#.utf8), 3)],
                                    certificates: [Self.certificate("n", "d", days: 9000)], readAt: 4)
        #expect(extra[0].newCertificate == "n" && extra[0].done)
        // Acknowledged but the registry still holds the old one: not revoked yet.
        let pending = Rotation.follow([("device/d/csr_req", [], 0), ("device/d/crt", Array(#"{"certificateId":"n"}"#.utf8), 1), ("lambda/d/crt_ack", [], 2)],
                                      certificates: [Self.certificate("o", "d", days: 5), Self.certificate("n", "d", days: 9000)], readAt: 3)
        #expect(pending[0].step == .acknowledged && pending[0].stuck(now: 100, after: 120) == nil && pending[0].stuck(now: 200, after: 120) == .acknowledged)
        // With a window, the devices with an active certificate expiring within it are due (no step).
        let due = Rotation.follow([], certificates: [Self.certificate("o", "d", days: 5), Self.certificate("x", "e", days: 40)], readAt: Self.start, expiringDays: 30)
        #expect(due.map(\.thing) == ["d"] && due[0].step == nil && !due[0].done)
    }
}
