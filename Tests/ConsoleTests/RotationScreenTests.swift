@testable import Console
import FleetValues
import MQTT
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
        #expect(lines[1].contains("2 devices rotating or rotated (from the messages held), 1 done, 1 stuck over 120 s"), "\(lines[1])")
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
    }
}
