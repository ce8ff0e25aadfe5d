import Foundation
import TestSupport
import Testing

/// `gg cores ls` on the sandbox: simulated cores report their status on the reserved health
/// topic as a nucleus does, the sandbox's Greengrass reads the reports, and the listing shows
/// health, nucleus, platform and last report; a device that stops reporting turns stale after
/// its interval, with nothing restarted.
@Suite struct GreengrassCoresTests {
    func fleetdeck(_ arguments: [String], _ changes: [String: String?] = [:]) throws -> ProcessResult {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        return try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments, environment: ProcessRunner.environment(changes))
    }

    func cores(_ prefix: String, _ changes: [String: String?] = [:], extra: [String] = []) throws -> [[String: Any]] {
        let result = try fleetdeck(["gg", "cores", "ls", "--json"] + extra, changes)
        #expect(result.status == 0, "\(result.stderr)")
        let all = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        return all.filter { ($0["coreDeviceThingName"] as? String)?.hasPrefix(prefix + "-") == true }
    }

    /// Asks again until `done` holds (each ask is a run of the binary; the reports travel
    /// broker -> bridge -> moto), for at most 30 s.
    func eventually(_ what: String, _ done: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(30)
        while try !done() {
            try #require(Date() < deadline, "not within 30 s: \(what)")
        }
    }

    @Test func simulatedCoresReportAndGoStale() throws {
        let prefix = "gg\(UUID().uuidString.prefix(6).lowercased())"
        let simulate = try fleetdeck(["simulate", "--greengrass", "--group", "\(prefix)-group", "--devices", "10", "--rate", "1", "--prefix", prefix,
                                      "--duration", "2"])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        var listed: [[String: Any]] = []
        try eventually("10 core devices listed") {
            listed = try cores(prefix)
            return listed.count == 10
        }
        let byName = Dictionary(uniqueKeysWithValues: listed.map { ($0["coreDeviceThingName"] as! String, $0) })
        // Every tenth simulated core runs upstream's broken image; every fifth an older nucleus.
        #expect(byName["\(prefix)-010"]?["status"] as? String == "UNHEALTHY")
        #expect(listed.filter { $0["status"] as? String == "HEALTHY" }.count == 9)
        #expect(byName["\(prefix)-005"]?["coreVersion"] as? String == "2.12.0" && byName["\(prefix)-001"]?["coreVersion"] as? String == "2.12.6")
        #expect(listed.allSatisfy { $0["platform"] as? String == "linux" && $0["architecture"] as? String == "aarch64" })
        #expect(listed.allSatisfy { ($0["lastStatusUpdate"] as? String)?.hasSuffix("Z") == true && $0["stale"] as? Bool == false })
        let unhealthy = try cores(prefix, extra: ["--status", "unhealthy"]).compactMap { $0["coreDeviceThingName"] as? String }
        #expect(unhealthy == ["\(prefix)-010"])
        // Why it is unhealthy, without SSH: the broken component with its status codes, and the
        // deployment that failed with its reason and error types, as the nucleus reported them.
        let shown = try fleetdeck(["gg", "cores", "show", "\(prefix)-010", "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let detail = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        #expect(detail["status"] as? String == "UNHEALTHY")
        let components = detail["components"] as? [[String: Any]] ?? []
        let broken = try #require(components.first { $0["componentName"] as? String == "docker_corrupt" })
        #expect(broken["lifecycleState"] as? String == "BROKEN" && broken["lifecycleStatusCodes"] as? [String] == ["RUN_ERROR"])
        #expect((broken["installedBy"] as? String)?.hasSuffix(":configuration:thinggroup/\(prefix)-group:1") == true)
        #expect(components.contains { $0["componentName"] as? String == "aws.greengrass.Nucleus" && $0["isRoot"] as? Bool == false })
        let deployment = try #require((detail["deployments"] as? [[String: Any]])?.first)
        #expect(deployment["coreDeviceExecutionStatus"] as? String == "FAILED" && deployment["errorTypes"] as? [String] == ["COMPONENT_ERROR"])
        #expect((deployment["reason"] as? String)?.contains("docker_corrupt: the component broke") == true)
        let why = try fleetdeck(["gg", "cores", "show", "\(prefix)-010"]).stdout
        #expect(why.contains("Why:\n  ! docker_corrupt 1.0.0 is BROKEN (RUN_ERROR): the container exited with status 1"), "\(why)")
        let healthy = try fleetdeck(["gg", "cores", "show", "\(prefix)-001"]).stdout
        #expect(!healthy.contains("Why:") && healthy.contains("SUCCEEDED"), "\(healthy)")
        // The sandbox's Greengrass answers as botocore's model says (required members, enums, types).
        let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/moto/check_answers.py").path
        for (operation, input) in [("ListCoreDevices", "{}"), ("GetCoreDevice", #"{"coreDeviceThingName": "\#(prefix)-010"}"#),
                                   ("ListInstalledComponents", #"{"coreDeviceThingName": "\#(prefix)-010", "topologyFilter": "ALL"}"#),
                                   ("ListEffectiveDeployments", #"{"coreDeviceThingName": "\#(prefix)-010"}"#)] {
            let checked = try ProcessRunner.run("/usr/bin/env", ["python3", checker, "greengrassv2", operation, input])
            #expect(checked.status == 0 && checked.stdout == "ok\n", "\(operation): \(checked.stdout)\(checked.stderr)")
        }
                // A group lists the devices that took its deployment successfully (the broken one did not).
        _ = try DeployAcceptanceTests.boto("iot.create_thing_group(thingGroupName='\(prefix)-group')")
        let took = try cores(prefix, extra: ["--group", "\(prefix)-group"]).compactMap { $0["coreDeviceThingName"] as? String }
        #expect(took == (1...9).map { "\(prefix)-00\($0)" }, "\(took)")
        let nosuch = try fleetdeck(["gg", "cores", "ls", "--group", "\(prefix)-nosuch"])
        #expect(nosuch.status == 1 && nosuch.stderr.contains("ResourceNotFoundException"), "\(nosuch.stderr)")
        // The catalogue says which devices run a component, and which version each.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let publish = try fleetdeck(["gg", "components", "publish", "\(root)/examples/iot-ref-arch/components/docker_led", "--yes"])
        #expect(publish.status == 0 || publish.stderr.contains("ConflictException"), "\(publish.stderr)")  // an earlier demo may have published it
        let led = try fleetdeck(["gg", "components", "show", "docker_led", "--json"])
        let running = (try JSONSerialization.jsonObject(with: Data(led.stdout.utf8)) as? [String: Any])?["runningOn"] as? [String: String] ?? [:]
        let mine = running.filter { $0.key.hasPrefix(prefix + "-") }
        #expect(mine.count == 10 && mine["\(prefix)-004"] == "1.0.2" && mine["\(prefix)-001"] == "1.0.3", "\(mine)")
        // A thing that is no core device: AWS's answer, said.
        let none = try fleetdeck(["gg", "cores", "show", "\(prefix)-no-such"])
        #expect(none.status == 1 && none.stderr.contains("ResourceNotFoundException"), "\(none.stderr)")
        // The simulator has stopped: with a one-second interval each device is stale as soon as
        // its report is a second old, in the same sandbox, nothing restarted.
        try eventually("every device stale") {
            try cores(prefix, ["FLEETDECK_GG_STATUS_INTERVAL_SECONDS": "1"], extra: ["--status", "stale"]).count == 10
        }
        let text = try fleetdeck(["gg", "cores", "ls"], ["FLEETDECK_GG_STATUS_INTERVAL_SECONDS": "1"])
        #expect(text.stdout.contains("HEALTHY (stale)") && text.stdout.contains("stale (no report within 1 s)"), "\(text.stdout)")
    }

    @Test func aStatusThatIsNoneOfTheThreeIsRefused() throws {
        let result = try fleetdeck(["gg", "cores", "ls", "--status", "fine"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--status must be HEALTHY, UNHEALTHY or STALE, not 'fine'"), "\(result.stderr)")
    }
}
