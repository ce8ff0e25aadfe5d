import FleetValues
import JSON
import Testing

/// A Greengrass deployment's plan, pure: the document read as upstream writes it (anything else
/// refused by name), components against the current revision, each device's changes, the rollout.
@Suite struct DeploymentPlanTests {
    static let group = "arn:aws:iot:us-east-1:123456789012:thinggroup/GreengrassGroup"

    @Test func theDocumentIsReadAsCreateDeploymentTakesIt() throws {
        let spec = try DeploymentSpec.parse(Array(#"{"targetArn":"\#(Self.group)","components":{"a":{"componentVersion":"1.0.0","configurationUpdate":{"reset":[""]}}},"iotJobConfiguration":{}}"#.utf8),
                                            file: "deployment.json")
        #expect(spec.targetName?.kind == "thinggroup" && spec.targetName?.name == "GreengrassGroup" && spec.components["a"] == .init(version: "1.0.0", reset: [""]))
        #expect(throws: (any Error).self) { try DeploymentSpec.parse(Array(#"{"targetArn":"x","component":{}}"#.utf8), file: "d.json") }
        do {
            _ = try DeploymentSpec.parse(Array(#"{"targetArn":"x","components":{"a":{}}}"#.utf8), file: "d.json")
            Issue.record("a component without a version was read")
        } catch {
            #expect("\(error)" == "d.json: components.a.componentVersion is required")
        }
        do {
            _ = try DeploymentSpec.parse(Array(#"{"targetArn":"x","deploymentname":"y"}"#.utf8), file: "d.json")
            Issue.record("a misspelt member was read")
        } catch {
            #expect("\(error)".hasPrefix("d.json: 'deploymentname' is not a member of a deployment"))
        }
    }

    @Test func componentsAndDevicesAgainstTheCurrentRevision() {
        let request: JSONObject = ["iotJobConfiguration": ["jobExecutionsRolloutConfig": ["maximumPerMinute": 10],
                                                          "abortConfig": ["criteriaList": [["failureType": "FAILED", "action": "CANCEL", "thresholdPercentage": 20,
                                                                                            "minNumberOfExecutedThings": 5]]]]]
        let spec = DeploymentSpec(target: Self.group, name: nil, components: ["led": .init(version: "1.10.0"), "cam": .init(version: "2.0.0"), "new": .init(version: "0.1.0", merge: #"{"a":1}"#)],
                                  request: request)
        let devices = [
            DeploymentPlan.Device(name: "d1", platform: ("linux", "aarch64"), installed: ["led": "1.9.0", "cam": "2.1.0", "gone": "1.0.0"]),
            DeploymentPlan.Device(name: "d2", platform: ("linux", "amd64"), installed: ["gone": "1.0.0"], keptByOthers: ["gone"]),
        ]
        let plan = DeploymentPlan(spec: spec, current: ("dep-1", "3", ["led": "1.9.0", "cam": "2.1.0", "gone": "1.0.0"]), devices: devices,
                                  facts: ["new": .init(platforms: [["os": "linux", "architecture": "aarch64"]])])
        // 1.10.0 is newer than 1.9.0 (numbers, not text); 2.0.0 after 2.1.0 is a downgrade.
        #expect(plan.components.map { "\($0.name) \($0.change.text)" } == ["cam ↓ 2.1.0 → 2.0.0 (DOWNGRADE)", "gone - 1.0.0 (REMOVED from every device of the target)",
                                                                           "led ↑ 1.9.0 → 1.10.0", "new + 0.1.0"])
        #expect(plan.devices[0].upgrade == ["led 1.9.0 → 1.10.0"] && plan.devices[0].downgrade == ["cam 2.1.0 → 2.0.0"] && plan.devices[0].remove == ["gone"])
        // d2 keeps gone (another of its groups deploys it); new has no amd64 manifest.
        #expect(plan.devices[1].remove.isEmpty && plan.devices[1].failing == ["new"] && plan.platformFailures == ["d2"])
        #expect(plan.rollout == "10 devices a minute: 2 devices in about 1 min; abort when 20.0% of at least 5 failed")
        #expect(plan.dangers == ["removes gone from the target's 2 devices", "fails on 1 device whose platform a component does not run on"])
        #expect(DeploymentPlan.newer("2.0.0", than: "2.0.0-rc1") && !DeploymentPlan.newer("2.0.0-rc1", than: "2.0.0") && DeploymentPlan.newer("1.0.1", than: "1.0.0")
                && !DeploymentPlan.newer("1.0.0", than: "1.0.0"))
    }

    /// An exponential rollout's time, minute by minute as the sandbox (and AWS) grows the rate:
    /// 1, 2, 4 then the rest of 7 devices; the timeout said.
    @Test func anExponentialRolloutsTime() {
        let configuration: JSONValue = ["jobExecutionsRolloutConfig": ["exponentialRate": ["baseRatePerMinute": 1, "incrementFactor": 2,
                                                                                           "rateIncreaseCriteria": ["numberOfNotifiedThings": 2]]],
                                        "timeoutConfig": ["inProgressTimeoutInMinutes": 30]]
        let spec = DeploymentSpec(target: Self.group, name: nil, components: [:], request: ["iotJobConfiguration": configuration])
        let devices = (1...7).map { DeploymentPlan.Device(name: "d\($0)", platform: ("linux", "aarch64"), installed: [:]) }
        #expect(DeploymentPlan(spec: spec, current: nil, devices: devices, facts: [:]).rollout
                == "exponential from 1 a minute, ×2.0 every 2 devices notified: 7 devices in about 4 min; no abort threshold; each device times out after 30 min")
    }

    /// A rollout counted against its abort criteria as AWS counts them (canceled executions aside).
    @Test func aRolloutAgainstItsAbortThreshold() {
        let criteria: [JSONValue] = [["failureType": "FAILED", "action": "CANCEL", "thresholdPercentage": 50, "minNumberOfExecutedThings": 5],
                                     ["failureType": "ALL", "action": "CANCEL", "thresholdPercentage": 12.5, "minNumberOfExecutedThings": 2]]
        let rollout = Rollout(executions: [JobExecution(job: "j", thing: "a", status: "FAILED"), JobExecution(job: "j", thing: "b", status: "TIMED_OUT"),
                                           JobExecution(job: "j", thing: "c", status: "SUCCEEDED"), JobExecution(job: "j", thing: "d", status: "CANCELED"),
                                           JobExecution(job: "j", thing: "e", status: "IN_PROGRESS")], abortCriteria: criteria)
        #expect(rollout.abortCounts == ["abort threshold: 1 of 3 ended failed (33%); it aborts at 50% once 5 have ended",
                                        "abort threshold: 2 of 3 ended failed, rejected or timed out (66%); it aborts at 12.5% once 2 have ended"])
    }
}
