import AWSCore
import AWSServices
import Fleet
import FleetValues
import Foundation
import JSON
import MQTTNet
import Synchronization
import Testing
import TestSupport

/// Issue 23's acceptance on 25 simulated cores (one of them x86_64) in a group, through the
/// command line: upstream's components published, a deployment built as deploy-apps.yml builds it
/// (with a staged rollout and an abort threshold) planned, deployed and watched: docker_corrupt
/// fails on every core that gets it, the x86_64 one fails for its platform, the rollout aborts at
/// its threshold and never reaches the rest; the revision without docker_corrupt is planned as its
/// removal from the group's 25 devices, and after it every core is HEALTHY. In ap-northeast-1:
/// the component catalogue is the region's, so upstream's names are this test's own.
@Suite struct GreengrassRolloutTests {
    static let region = "ap-northeast-1"
    static let components = ["docker_button", "docker_certificate_rotator", "docker_corrupt", "docker_led", "os_update"]

    @Test func aStagedRolloutAbortsAtItsThresholdAndTheRevisionWithoutTheBrokenComponentHeals() async throws {
        let client = try Sandbox.client(["AWS_REGION": Self.region, "AWS_DEFAULT_REGION": Self.region])
        let url = try Sandbox.require("FLEETDECK_DEVICE_ENDPOINT_URL"), ca = try Sandbox.require("FLEETDECK_MQTT_CA")
        let iot = IoTOperations.self, loader = FleetLoader(client: client)
        let group = Sandbox.unique("GreengrassGroup"), folder = FileManager.default.temporaryDirectory.appendingPathComponent(group).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try await client.call(iot.service, iot.createThingGroup, ["thingGroupName": .string(group)])
        _ = try await client.call(iot.service, iot.createPolicy, ["policyName": .string(group), "policyDocument": .string(
            JSONValue.object(["Version": "2012-10-17", "Statement": [["Effect": "Allow", "Action": "iot:*", "Resource": "*"]]]).serialized())])
        // The first core is x86_64 (Greengrass says amd64): it is the first the rollout reaches.
        let things = (0..<25).map { String(format: "\(group)-%02d", $0) }, x86 = things[0]
        for thing in things {
            _ = try await client.call(iot.service, iot.createThing, ["thingName": .string(thing)])
            _ = try await client.call(iot.service, iot.addThingToThingGroup, ["thingGroupName": .string(group), "thingName": .string(thing)])
            let made = try await client.call(iot.service, iot.createKeysAndCertificate, ["setAsActive": true])
            try made["certificatePem"]?.stringValue?.write(toFile: ClaimedDevices.certificateFile(folder, thing), atomically: true, encoding: .utf8)
            try made["keyPair"]?["PrivateKey"]?.stringValue?.write(toFile: ClaimedDevices.keyFile(folder, thing), atomically: true, encoding: .utf8)
            let arn = made["certificateArn"]?.stringValue ?? ""
            _ = try await client.call(iot.service, iot.attachPolicy, ["policyName": .string(group), "target": .string(arn)])
            _ = try await client.call(iot.service, iot.attachThingPrincipal, ["thingName": .string(thing), "principal": .string(arn)])
        }
        let environment = ProcessRunner.environment(["AWS_REGION": Self.region, "AWS_DEFAULT_REGION": Self.region])
        func fleetdeck(_ arguments: [String]) throws -> ProcessResult {
            try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments, environment: environment, timeout: 180)
        }
        // Upstream's components, published as its build-apps workflow does (again: nothing new).
        let root = ProcessRunner.packageRoot.path + "/examples/iot-ref-arch/components/"
        let published = try fleetdeck(["gg", "components", "publish", "--yes"] + Self.components.map { root + $0 })
        #expect(published.status == 0, "\(published.stdout)\(published.stderr)")
        #expect(try fleetdeck(["gg", "components", "publish", "--yes"] + Self.components.map { root + $0 }).stdout.hasPrefix("Publishing 0 component versions"))

        let events = Mutex<[ClaimedDevices.Event]>([])
        let devices = ClaimedDevices(folder: folder, endpoint: { cert, key in
            (try? BrokerEndpoint.parse(url, caFile: ca, certFile: cert, keyFile: key)) ?? BrokerEndpoint(kind: .tls, host: "", port: 0)
        }, nucleus: ClaimedDevices.Nucleus(platform: { $0 == 0 ? ("linux", "amd64") : ("linux", "aarch64") }, installed: Simulator.installed(index:),
                                           facts: ClaimedDevices.Nucleus.catalogue(loader))) { event in events.withLock { $0.append(event) } }
        devices.connect(things) { _ in ["firmware": "1.0"] }
        defer { devices.stop() }
        // Each nucleus's first status report (as the simulator sends them: two are UNHEALTHY,
        // running upstream's broken image from before).
        let configuration = Simulator.configuration(region: Self.region, account: try await client.callerIdentity().account, group: group)
        try await waitFor("25 core devices reporting", seconds: 60) {
            for (index, thing) in things.enumerated() {
                devices.publish(Simulator.healthReport(name: thing, index: index, sequence: 0, trigger: "NUCLEUS_LAUNCH", now: Date().timeIntervalSince1970,
                                                       configuration: configuration))
            }
            return try await loader.coreDevices(group: nil, described: false).devices.filter { $0.name.hasPrefix(group) }.count == 25
        }

        // deploy-apps.yml's deployment, built: every component at its latest, the Greengrass CLI,
        // 10 devices a minute, aborted when half of at least 5 failed.
        let built = folder + "/deployment.json"
        let preview = try fleetdeck(["gg", "deploy", "--group", group] + Self.components.flatMap { ["--component", $0] }
                                    + ["--rate", "10", "--abort-at", "50:5", "--timeout", "30", "--write", built, "--preview", "--json"])
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(preview.stdout.utf8)) as? [String: Any], "\(preview.stdout)\(preview.stderr)")
        #expect(preview.status == 1 && plan["platformFailures"] as? [String] == [x86] && (plan["restarting"] as? [String])?.count == 24, "\(plan)")
        #expect(plan["rollout"] as? String == "10 devices a minute: 25 devices in about 3 min; abort when 50.0% of at least 5 failed; each device times out after 30 min")
        let x86Plan = (plan["devices"] as? [[String: Any]])?.first { $0["device"] as? String == x86 }
        #expect(x86Plan?["failing"] as? [String] == Self.components, "\(x86Plan ?? [:])")
        let written = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: built))) as? [String: Any])
        let cli = (written["components"] as? [String: Any])?["aws.greengrass.Cli"] as? [String: Any]
        #expect(cli?["componentVersion"] as? String == "2.13.0" && written["deploymentName"] as? String == "Deployment from CI/CD pipeline", "\(written)")
        // The file it wrote, and its YAML form, give the same plan.
        let yaml = folder + "/deployment.yaml"
        #expect(try ProcessRunner.run("/usr/bin/env", ["python3", "-c", "import json, sys, yaml; yaml.safe_dump(json.load(open(sys.argv[1])), open(sys.argv[2], 'w'))", built, yaml]).status == 0)
        for file in [built, yaml] {
            let again = try JSONSerialization.jsonObject(with: Data(try fleetdeck(["gg", "deploy", file, "--preview", "--json"]).stdout.utf8)) as? [String: Any]
            #expect(again?["hash"] as? String == plan["hash"] as? String, "\(file): \(again ?? [:])")
        }

        // Deployed and watched: the first ten are reached; the x86_64 core fails for its platform,
        // the others on docker_corrupt (rolled back); at 5 failed the rollout aborts.
        let first = try deployment(try fleetdeck(["gg", "deploy", built, "--plan-hash", plan["hash"] as? String ?? ""]))
        let watched = try fleetdeck(["gg", "deployments", "watch", first, "--timeout", "120"])
        #expect(watched.status == 1 && watched.stderr.contains("15 never reached") && watched.stderr.contains("the rollout stopped: FAILED_THRESHOLD_REACHED"),
                "\(watched.stdout)\(watched.stderr)")
        #expect(watched.stderr.contains(try Regex(#"abort threshold: (\d+) of \1 ended failed \(100%\); it aborts at 50% once 5 have ended"#)), "\(watched.stderr)")
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(try fleetdeck(["gg", "deployments", "show", first, "--json"]).stdout.utf8)) as? [String: Any])
        let executions = shown["executions"] as? [[String: Any]] ?? []
        let failed = executions.filter { $0["status"] as? String == "FAILED" }
        #expect(failed.count >= 5 && executions.count <= 10 && failed.contains { $0["thingName"] as? String == x86 }, "\(executions)")
        for execution in failed {
            let cause = (execution["statusDetails"] as? [String: Any])?["failureCause"] as? String ?? ""
            #expect(execution["thingName"] as? String == x86 ? cause.hasPrefix("No matching platform for docker_button ") && cause.hasSuffix(" (the device is linux/amd64)")
                                                              : cause == "docker_corrupt: the component broke after 3 restarts (exit status 1); rolled back", "\(execution)")
        }

        // The revision without docker_corrupt: its removal from the group's 25 devices is marked
        // (CI is refused), then approved; every core takes it but the x86_64 one, and every core
        // is HEALTHY.
        let fixed = Self.components.filter { $0 != "docker_corrupt" }.flatMap { ["--component", $0] }
        let removal = try fleetdeck(["gg", "deploy", "--group", group] + fixed + ["--preview", "--json"])
        let revised = try #require(try JSONSerialization.jsonObject(with: Data(removal.stdout.utf8)) as? [String: Any], "\(removal.stdout)\(removal.stderr)")
        #expect(removal.status == 1 && revised["removals"] as? [String] == ["docker_corrupt"]
                && removal.stderr.contains("removes docker_corrupt from the target's 25 devices"), "\(removal.stderr)")
        let second = try deployment(try fleetdeck(["gg", "deploy", "--group", group] + fixed + ["--plan-hash", revised["hash"] as? String ?? ""]))
        let healed = try fleetdeck(["gg", "deployments", "watch", second, "--timeout", "120"])
        #expect(healed.status == 1 && healed.stderr.contains("24 succeeded, 1 failed") && healed.stderr.contains("1 failed: No matching platform for docker_button ")
                && healed.stderr.contains("(\(x86))"), "\(healed.stdout)\(healed.stderr)")
        try await waitFor("every core HEALTHY", seconds: 60) {
            let cores = try await loader.coreDevices(group: nil, described: false).devices.filter { $0.name.hasPrefix(group) }
            return cores.count == 25 && cores.allSatisfy { $0.status == "HEALTHY" }
        }
    }

    /// The deployment a `gg deploy` created (from the line that says so).
    func deployment(_ result: ProcessResult) throws -> String {
        try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("deployment ") && $0.contains(" created (IoT job ") }
            .map { String($0.split(separator: " ")[1]) }, "\(result.stdout)\(result.stderr)")
    }

    func waitFor(_ what: String, seconds: Double, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try await !condition() {
            try #require(Date() < deadline, "\(what): not within \(Int(seconds)) s")
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
