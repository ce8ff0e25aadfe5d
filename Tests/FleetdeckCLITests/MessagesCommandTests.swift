import Foundation
import TestSupport
import Testing

/// `tail`, `publish` and `simulate` against the sandbox's mosquitto (and moto for the
/// simulator's things and shadows).
@Suite(.serialized) struct MessagesCommandTests {
    static func environment() throws -> [String: String] {
        try #require(ProcessInfo.processInfo.environment["FLEETDECK_MQTT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        return ProcessInfo.processInfo.environment
    }

    @Test func tailPrintsAThousandJSONLinesOverTCPTLSAndSecureWebSocket() throws {
        let env = try Self.environment()
        let prefix = "acc\(UUID().uuidString.prefix(4).lowercased())"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-tail-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let simulator = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["simulate", "--devices", "25", "--rate", "20", "--prefix", prefix, "--duration", "120"])
        defer { kill(simulator, SIGTERM); _ = ProcessRunner.waitForExit(simulator) }
        for variable in ["FLEETDECK_MQTT_URL", "FLEETDECK_MQTT_TLS_URL", "FLEETDECK_MQTT_WSS_URL"] {
            let url = try #require(env[variable])
            let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["tail", "device/+/telemetry", "--json", "--count", "1000", "--url", url], timeout: 60)
            #expect(result.status == 0, "\(variable): \(result.stderr)")
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count == 1000, "\(variable): \(lines.count) lines")
            var devices: Set<String> = []
            for line in lines {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
                let topic = try #require(object["topic"] as? String)
                // Other tests' simulators may publish on device/+/telemetry at the same time.
                #expect(topic.wholeMatch(of: /device\/[^\/]+\/telemetry/) != nil, "\(topic)")
                if topic.hasPrefix("device/\(prefix)-") { devices.insert(topic) }
                let payload = try #require((object["payload"] as? String).map { Data($0.utf8) })
                let telemetry = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
                #expect(telemetry["temperature"] is Double || telemetry["temperature"] is Int)
                #expect((object["time"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
                #expect(object["qos"] as? Int == 0 && object["retain"] as? Bool == false)
            }
            #expect(devices.count == 25, "\(variable): messages from \(devices.count) devices")
        }
        // The simulator's things exist and report their state.
        let shadow = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["shadow", "get", "\(prefix)-007", "--json"])
        #expect(shadow.status == 0 && shadow.stdout.contains("\"firmware\""), "\(shadow.stderr)")
    }

    @Test func publishRetainedAtQoS1ThenTailSeesIt() throws {
        let env = try Self.environment()
        let topic = "retained/\(UUID().uuidString.prefix(8))"
        let published = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["publish", topic, "{\"on\":true}", "--qos", "1", "--retain", "--url", env["FLEETDECK_MQTT_TLS_URL"]!])
        #expect(published.status == 0, "\(published.stderr)")
        #expect(published.stdout == "Published 11 bytes to \(topic) (QoS 1, retained).\n")
        let tail = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["tail", topic, "--count", "1", "--json"], timeout: 20)
        #expect(tail.stdout.hasPrefix("{\"topic\":\"\(topic)\",\"payload\":\"{\\\"on\\\":true}\",\"qos\":0,\"retain\":true,\"time\":\""), "\(tail.stdout)")
        let text = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["tail", topic, "--count", "1"], timeout: 20)
        #expect(text.stdout.hasSuffix(" \(topic) {\"on\":true}\n"), "\(text.stdout)")
    }

    @Test func badTopicsAndURLsAreOneLineErrors() throws {
        _ = try Self.environment()
        let publish = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["publish", "a/+/b", "x"])
        #expect(publish.status == 1 && publish.stderr == "fleetdeck: invalid topic 'a/+/b': a topic name cannot hold + or #\n")
        let tail = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["tail", "a/#/b", "--count", "1"])
        #expect(tail.status == 1 && tail.stderr == "fleetdeck: invalid topic 'a/#/b': '#' must be the whole last level\n")
        let url = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["publish", "a", "x", "--url", "http://127.0.0.1:1"])
        #expect(url.status == 1 && url.stderr == "fleetdeck: unknown scheme 'http' in 'http://127.0.0.1:1' (mqtt, mqtts, ws, wss)\n")
        let refused = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["publish", "a", "x", "--url", "mqtt://127.0.0.1:1"], timeout: 30)
        #expect(refused.status == 1 && refused.stderr.hasPrefix("fleetdeck: could not reach mqtt://127.0.0.1:1: could not connect to 127.0.0.1:1"), "\(refused.stderr)")
    }

    @Test func aBrokerRestartDuringATailShowsTheGapAndTheTailGoesOn() throws {
        let broker = try MosquittoBroker()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("fd-gap-\(UUID().uuidString.prefix(6))").path
        let out = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let tail = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["tail", "g/#", "--json", "--url", broker.url, "--client-id", "gap-tail"], stdout: out)
        close(out)
        defer { try? FileManager.default.removeItem(atPath: output) }
        func lines() -> [String] { ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
        // Publish until the tail has the first message (its subscription is then in place).
        #expect(eventually {
            _ = try? ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["publish", "g/1", "before", "--url", broker.url])
            return lines().count >= 1
        })
        broker.stop()
        try broker.start()
        #expect(eventually(timeout: .seconds(15)) {
            _ = try? ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["publish", "g/2", "after", "--url", broker.url])
            return lines().contains { $0.contains("\"payload\":\"after\"") }
        })
        kill(tail, SIGTERM)
        _ = ProcessRunner.waitForExit(tail)
        // Messages before the loss, one gap line, messages after (several of each may have been sent).
        let all = lines()
        let gap = try #require(all.firstIndex { $0.hasPrefix("{\"gap\":true,\"reason\":") }, "\(all)")
        #expect(gap > 0 && all[..<gap].allSatisfy { $0.contains("\"payload\":\"before\"") }, "\(all)")
        #expect(all[(gap + 1)...].allSatisfy { $0.contains("\"payload\":\"after\"") } && gap + 1 < all.count, "\(all)")
    }

    /// Without FLEETDECK_MQTT_URL the broker is the account's AWS IoT endpoint over wss://,
    /// presigned with SigV4: the host DescribeEndpoint names (the sandbox's device endpoint), on
    /// 443. Without FLEETDECK_MQTT_CA the sandbox's server certificate is not trusted: refused
    /// (the signed connection itself is tested in DeviceEndpointCLITests).
    @Test func theDefaultBrokerIsTheAccountsDataATSEndpointOverSignedWebSocket() throws {
        var environment = try Self.environment()
        for key in environment.keys where key.hasPrefix("FLEETDECK_MQTT") { environment[key] = nil }
        let host = try #require(environment["FLEETDECK_DEVICE_ENDPOINT_HOST"], "run with scripts/test: the sandbox is not running")
        let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["publish", "a/b", "x"], environment: environment, timeout: 60)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("fleetdeck: could not reach wss://\(host):443/mqtt: could not connect to \(host):443: ") && result.stderr.hasSuffix("\n"),
                "\(result.stderr)")
        #expect(!result.stderr.contains("X-Amz-Signature"))  // the signed URL is never shown
    }
}
