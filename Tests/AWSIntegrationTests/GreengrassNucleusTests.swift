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

/// The simulated cores take Greengrass deployments as a nucleus does, over the sandbox's device
/// endpoint: from their IoT job in aws-gg-deployment, resolved for their platform, installed,
/// reported on the job; a component with no manifest for the platform fails there and changes
/// nothing; upstream's broken image fails and is rolled back.
@Suite struct GreengrassNucleusTests {
    @Test func aNucleusReplacesItsComponentsAndLeavesABrokenOneUnderDoNothing() {
        var nucleus = SimulatedNucleus(platform: ("linux", "aarch64"), installed: ["led": "1.0.0", "old": "1.0.0"])
        let anywhere: (String, String) -> DeploymentPlan.ComponentFacts? = { name, _ in
            name == "missing" ? nil : DeploymentPlan.ComponentFacts(platforms: [], restarts: name == "os_update")
        }
        // The deployment is the target's whole set: old goes; os_update reboots the device.
        let taken = nucleus.take(["components": ["led": ["version": "1.1.0"], "os_update": ["version": "1.0.0"]]], facts: anywhere)
        #expect(taken.status == "SUCCEEDED" && taken.restarted && nucleus.installed == ["led": "1.1.0", "os_update": "1.0.0"])
        // A version the catalogue does not have: nothing changes.
        let missing = nucleus.take(["components": ["missing": ["version": "1.0.0"]]], facts: anywhere)
        #expect(missing.status == "FAILED" && missing.details["failureCause"] == "missing 1.0.0 is not in the component catalogue" && nucleus.installed["led"] == "1.1.0")
        // DO_NOTHING: the broken image stays, broken, and the report says so.
        let broken = nucleus.take(["components": ["led": ["version": "1.1.0"], "docker_corrupt": ["version": "1.0.0"]], "failureHandlingPolicy": "DO_NOTHING"], facts: anywhere)
        #expect(broken.details["detailedStatus"] == "FAILED_ROLLBACK_NOT_REQUESTED" && nucleus.broken == ["docker_corrupt"])
        #expect(nucleus.components(configuration: "c").contains { $0["componentName"] == "docker_corrupt" && $0["status"] == "BROKEN" })
    }

    @Test func coresTakeADeploymentFailWhereTheirPlatformIsNotAndRollBackABrokenOne() async throws {
        let client = try Sandbox.client()
        let url = try Sandbox.require("FLEETDECK_DEVICE_ENDPOINT_URL"), ca = try Sandbox.require("FLEETDECK_MQTT_CA")
        let iot = IoTOperations.self, loader = FleetLoader(client: client)
        let group = Sandbox.unique("nucleus"), folder = FileManager.default.temporaryDirectory.appendingPathComponent(group).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let groupArn = try await client.call(iot.service, iot.createThingGroup, ["thingGroupName": .string(group)])["thingGroupArn"]?.stringValue ?? ""
        _ = try await client.call(iot.service, iot.createPolicy, ["policyName": .string(group), "policyDocument": .string(
            JSONValue.object(["Version": "2012-10-17", "Statement": [["Effect": "Allow", "Action": "iot:*", "Resource": "*"]]]).serialized())])
        let things = ["\(group)-arm", "\(group)-x86"]
        for thing in things {
            _ = try await client.call(iot.service, iot.createThing, ["thingName": .string(thing)])
            _ = try await client.call(iot.service, iot.addThingToThingGroup, ["thingGroupName": .string(group), "thingName": .string(thing)])
            let made = try await client.call(iot.service, iot.createKeysAndCertificate, ["setAsActive": true])
            let arn = made["certificateArn"]?.stringValue ?? ""
            try made["certificatePem"]?.stringValue?.write(toFile: ClaimedDevices.certificateFile(folder, thing), atomically: true, encoding: .utf8)
            try made["keyPair"]?["PrivateKey"]?.stringValue?.write(toFile: ClaimedDevices.keyFile(folder, thing), atomically: true, encoding: .utf8)
            _ = try await client.call(iot.service, iot.attachPolicy, ["policyName": .string(group), "target": .string(arn)])
            _ = try await client.call(iot.service, iot.attachThingPrincipal, ["thingName": .string(thing), "principal": .string(arn)])
        }
        // An app built for aarch64 only, and upstream's broken image.
        let app = "com.\(group.replacingOccurrences(of: "-", with: "")).app", corrupt = "7.\(Int.random(in: 1...99_999)).0"
        for (name, version, platform) in [(app, "1.0.0", #"{"os":"linux","architecture":"aarch64"}"#), ("docker_corrupt", corrupt, #"{"os":"linux"}"#)] {
            _ = try await loader.publishComponent(recipe: Array(#"{"RecipeFormatVersion":"2020-01-25","ComponentName":"\#(name)","ComponentVersion":"\#(version)","Manifests":[{"Platform":\#(platform),"Lifecycle":{"run":"run"}}]}"#.utf8))
        }
        let events = Mutex<[ClaimedDevices.Event]>([])
        let devices = ClaimedDevices(folder: folder, endpoint: { cert, key in
            (try? BrokerEndpoint.parse(url, caFile: ca, certFile: cert, keyFile: key)) ?? BrokerEndpoint(kind: .tls, host: "", port: 0)
        }, nucleus: ClaimedDevices.Nucleus(platform: { $0 == 0 ? ("linux", "aarch64") : ("linux", "amd64") }, installed: { _ in [:] },
                                           facts: ClaimedDevices.Nucleus.catalogue(loader))) { event in events.withLock { $0.append(event) } }
        devices.connect(things) { _ in ["firmware": "1.0"] }
        defer { devices.stop() }
        func deploy(_ components: [String: String]) async throws -> String {
            let request: JSONObject = ["targetArn": .string(groupArn), "components": .object(JSONObject(components.map { ($0.key, ["componentVersion": .string($0.value)]) })),
                                       "deploymentPolicies": ["failureHandlingPolicy": "ROLLBACK"]]
            return try await loader.createDeployment(DeploymentSpec(target: groupArn, name: nil, components: [:], request: request)).job
        }
        func settled(_ job: String) async throws -> [String: JobExecution] {
            let deadline = Date().addingTimeInterval(30)
            while true {
                let executions = try await loader.jobExecutions(job)
                if executions.count == 2 && executions.allSatisfy(\.ended) { return Dictionary(uniqueKeysWithValues: executions.map { ($0.thing, $0) }) }
                try #require(Date() < deadline, "the deployment did not settle within 30 s: \(executions) \(events.withLock { $0 })")
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        // The aarch64 core takes it; the amd64 one has no manifest for it: failed, nothing changed.
        let first = try await settled(try await deploy([app: "1.0.0"]))
        #expect(first[things[0]]?.status == "SUCCEEDED" && first[things[0]]?.details["detailedStatus"] == "SUCCESSFUL", "\(first)")
        #expect(first[things[1]]?.status == "FAILED" && first[things[1]]?.details["detailedStatus"] == "FAILED_NO_STATE_CHANGE"
                && first[things[1]]?.details["failureCause"] == "No matching platform for \(app) 1.0.0 (the device is linux/amd64)", "\(first)")
        // The next revision brings the broken image: it fails and is rolled back.
        let second = try await settled(try await deploy([app: "1.0.0", "docker_corrupt": corrupt]))
        #expect(second[things[0]]?.status == "FAILED" && second[things[0]]?.details["detailedStatus"] == "FAILED_ROLLBACK_COMPLETE"
                && second[things[0]]?.details["failureCause"] == "docker_corrupt: the component broke after 3 restarts (exit status 1); rolled back", "\(second)")
        #expect(events.withLock { $0 }.contains(.deployed(thing: things[0], job: second.values.first?.job ?? "", status: "FAILED",
                                                           cause: "docker_corrupt: the component broke after 3 restarts (exit status 1); rolled back")))
    }
}
