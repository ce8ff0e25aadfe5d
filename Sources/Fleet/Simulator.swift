import AWSCore
import AWSServices
import FleetValues
import JSON
import MQTT
#if canImport(Glibc)
import Glibc
#endif

/// Simulated devices: things in the registry, JSON telemetry on `device/<name>/telemetry`,
/// reported shadow state, and, as Greengrass core devices, their nucleus's status reports on the
/// reserved health topic (at start, then every `statusInterval` seconds). For demos and load.
public struct Simulator: Sendable {
    public var names: [String]
    public let rate: Double
    /// How often a nucleus reports its status: `FLEETDECK_GG_STATUS_INTERVAL_SECONDS` (the
    /// sandbox shortens it), else AWS's default, a day.
    public var statusInterval: Double = 86_400
    /// Whether the devices are Greengrass cores reporting their status (AWS IoT refuses these
    /// reserved topics from anything but a real nucleus: the sandbox and `--greengrass` only).
    public var greengrass = false
    /// The deployment the simulated cores took (`arn:aws:greengrass:REGION:ACCOUNT:configuration:thinggroup/GROUP:1`).
    public var configuration = "arn:aws:greengrass:us-east-1:123456789012:configuration:thinggroup/GreengrassGroup:1"

    public init(names: [String], rate: Double, statusInterval: Double = 86_400, greengrass: Bool = false, configuration: String? = nil) {
        self.names = names
        self.rate = rate
        self.statusInterval = statusInterval
        self.greengrass = greengrass
        if let configuration { self.configuration = configuration }
    }

    /// The configuration ARN of the deployment to a thing group, as the nucleus reports it.
    public static func configuration(region: String, account: String, group: String, revision: Int = 1) -> String {
        "arn:aws:greengrass:\(region):\(account):configuration:thinggroup/\(group):\(revision)"
    }

    /// The components every simulated core runs (upstream's, deployed to GreengrassGroup), with
    /// their versions; every tenth device runs upstream's deliberately broken image too.
    static let components: [(name: String, version: String, root: Bool)] = [
        ("aws.greengrass.Nucleus", "2.12.6", false), ("aws.greengrass.Cli", "2.12.6", true),
        ("aws.greengrass.DockerApplicationManager", "2.0.12", false), ("aws.greengrass.TokenExchangeService", "2.0.3", false),
        ("docker_led", "1.0.3", true), ("docker_button", "1.0.2", true), ("docker_certificate_rotator", "1.1.0", true),
    ]

    /// The root components device `index` runs at first (what its status reports list as root).
    public static func installed(index: Int) -> [String: String] {
        var installed: [String: String] = [:]
        for component in components where component.root {
            installed[component.name] = index % 4 == 3 && component.name == "docker_led" ? "1.0.2" : component.version
        }
        if index % 10 == 9 { installed["docker_corrupt"] = "1.0.0" }
        return installed
    }

    public static func statusInterval(_ environment: [String: String]) -> Double {
        environment["FLEETDECK_GG_STATUS_INTERVAL_SECONDS"].flatMap(Double.init).map { max(1, $0) } ?? 86_400
    }

    /// Device `index`'s nucleus status report, as a Greengrass nucleus publishes it.
    public static func healthReport(name: String, index: Int, sequence: Int, trigger: String, now: Double, configuration: String) -> Message {
        var components: [JSONValue] = components.map { component in
            ["componentName": .string(component.name), "version": .string(index % 4 == 3 && component.name == "docker_led" ? "1.0.2" : component.version),
             "isRoot": .bool(component.root), "status": "RUNNING", "fleetConfigArns": [.string(configuration)]]
        }
        let broken = index % 10 == 9
        if broken {
            components.append(["componentName": "docker_corrupt", "version": "1.0.0", "isRoot": true, "status": "BROKEN", "fleetConfigArns": [.string(configuration)],
                               "componentStatusDetails": ["statusCode": ["RUN_ERROR"], "statusReason": "the container exited with status 1"]])
        }
        let report: JSONValue = ["ggcVersion": index % 5 == 4 ? "2.12.0" : "2.12.6", "platform": "linux", "architecture": "aarch64",
                                 "thing": .string(name), "overallDeviceStatus": broken ? "UNHEALTHY" : "HEALTHY",
                                 "sequenceNumber": .integer(Int64(sequence)), "timestamp": .integer(Int64(now * 1000)),
                                 "messageType": "COMPLETE", "trigger": .string(trigger), "components": .array(components),
                                 "deploymentInformation": broken
                                     ? ["status": "FAILED", "fleetConfigurationArnForStatus": .string(configuration),
                                        "statusDetails": ["detailedStatus": "FAILED_ROLLBACK_COMPLETE",
                                                          "failureCause": "docker_corrupt: the component broke after 3 restarts (exit status 1); rolled back",
                                                          "errorStack": ["DEPLOYMENT_FAILURE", "COMPONENT_UPDATE_ERROR", "COMPONENT_BROKEN"],
                                                          "errorTypes": ["COMPONENT_ERROR"]]]
                                     : ["status": "SUCCEEDED", "fleetConfigurationArnForStatus": .string(configuration),
                                        "statusDetails": ["detailedStatus": "SUCCESSFUL"]]]
        return Message(topic: "$aws/things/\(name)/greengrassv2/health/json", payload: report.bytes, qos: .atLeastOnce)
    }

    /// The telemetry of device `index` at `seconds` into the run: smooth, different per device.
    public static func telemetry(index: Int, seconds: Double, sequence: Int) -> [UInt8] {
        let phase = Double(index) * 0.7
        let temperature = 21 + 4 * sin(seconds / 20 + phase)
        let humidity = 45 + 10 * cos(seconds / 35 + phase)
        let battery = max(5, 100 - seconds / 60 - Double(index % 7) * 3)
        func fixed(_ value: Double) -> String { String(Double(Int(value * 100)) / 100) }
        return Array("{\"temperature\":\(fixed(temperature)),\"humidity\":\(fixed(humidity)),\"battery\":\(fixed(battery)),\"seq\":\(sequence)}".utf8)
    }

    /// Creates the things that do not exist yet.
    public func ensureThings(client: AWSClient) async throws -> Int {
        var created = 0
        for name in names {
            do {
                _ = try await client.call(IoTOperations.service, IoTOperations.describeThing, ["thingName": .string(name)])
            } catch let error as AWSError {
                guard case .service(_, 404, _, _, _) = error else { throw error }
                _ = try await client.call(IoTOperations.service, IoTOperations.createThing, [
                    "thingName": .string(name), "attributePayload": ["attributes": ["simulated": "true", "model": .string(index(name) % 2 == 0 ? "sensor-v2" : "sensor-v1")]],
                ])
                created += 1
            }
        }
        return created
    }

    func index(_ name: String) -> Int { names.firstIndex(of: name) ?? 0 }

    /// Removes the devices: their certificates detached, deactivated and deleted, then the things.
    public func remove(client: AWSClient) async {
        let iot = IoTOperations.self
        for name in names {
            let principals = (try? await client.all(iot.service, iot.listThingPrincipals, ["thingName": .string(name)], key: "principals")) ?? []
            for arn in principals.compactMap(\.stringValue) {
                for policy in (try? await client.all(iot.service, iot.listAttachedPolicies, ["target": .string(arn)], key: "policies")) ?? [] {
                    if let policyName = policy["policyName"]?.stringValue {
                        _ = try? await client.call(iot.service, iot.detachPolicy, ["policyName": .string(policyName), "target": .string(arn)])
                    }
                }
                _ = try? await client.call(iot.service, iot.detachThingPrincipal, ["thingName": .string(name), "principal": .string(arn)])
                if let id = arn.split(separator: "/").last.map(String.init) {
                    _ = try? await client.call(iot.service, iot.updateCertificate, ["certificateId": .string(id), "newStatus": "INACTIVE"])
                    _ = try? await client.call(iot.service, iot.deleteCertificate, ["certificateId": .string(id)])
                }
            }
            _ = try? await client.call(iot.service, iot.deleteThing, ["thingName": .string(name)])
            // AWS keeps a core device after its thing is gone (404: it never reported).
            _ = try? await client.call(GreengrassV2Operations.service, GreengrassV2Operations.deleteCoreDevice, ["coreDeviceThingName": .string(name)])
        }
    }

    /// What device `index` reports in its classic shadow.
    public static func reported(index: Int, seconds: Double) -> JSONValue {
        let telemetry = try? JSONValue.parse(telemetry(index: index, seconds: seconds, sequence: 0))
        return ["connected": true, "firmware": .string(index % 3 == 0 ? "1.4.2" : "1.5.0"), "temperature": telemetry?["temperature"] ?? .null]
    }

    /// Reports each device's state in its classic shadow.
    public func reportShadows(client: AWSClient, seconds: Double) async throws {
        for (index, name) in names.enumerated() {
            let document: JSONValue = ["state": ["reported": Self.reported(index: index, seconds: seconds)]]
            _ = try await client.callIoTData(IoTDataPlaneOperations.updateThingShadow, ["thingName": .string(name)], payload: document.bytes)
        }
    }

    /// Publishes telemetry at `rate` messages per second per device until `stop` says so or
    /// `total` messages went out; returns the number sent.
    public func publish(_ send: (Message) -> Void, total: Int?, stop: () -> Bool) -> Int {
        let clock = ContinuousClock(), began = clock.now
        func monotonic() -> Double { Self.seconds(clock.now - began) }
        let start = monotonic()
        var sent = 0
        let interval = 1 / max(0.001, rate * Double(names.count))
        var reports = 0, reported = -Double.infinity
        while !stop() {
            if let total, sent >= total { break }
            if greengrass, monotonic() - reported >= statusInterval {
                reported = monotonic()
                for (index, name) in names.enumerated() {
                    send(Self.healthReport(name: name, index: index, sequence: reports, trigger: reports == 0 ? "NUCLEUS_LAUNCH" : "CADENCE",
                                                   now: Double(AWSClient.wallClock()), configuration: configuration))
                }
                reports += 1
            }
            let index = sent % names.count
            send(Message(topic: "device/\(names[index])/telemetry",
                                 payload: Self.telemetry(index: index, seconds: monotonic() - start, sequence: sent / names.count)))
            sent += 1
            // Paced against the start, so a slow moment is caught up rather than drifting.
            let due = start + Double(sent) * interval
            let wait = due - monotonic()
            if wait > 0 {
                var time = timespec(tv_sec: Int(wait), tv_nsec: Int((wait - Double(Int(wait))) * 1e9))
                nanosleep(&time, nil)
            }
        }
        return sent
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
