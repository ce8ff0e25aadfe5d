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
        let simulate = try fleetdeck(["simulate", "--greengrass", "--devices", "10", "--rate", "1", "--prefix", prefix, "--duration", "2"])
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
