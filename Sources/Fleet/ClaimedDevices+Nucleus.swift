import AWSCore
import Dispatch
import FleetValues
import JSON
import MQTT
import Synchronization

/// The simulated cores' nucleus side: a Greengrass deployment arrives as an IoT job in the
/// `aws-gg-deployment` namespace (notify-next, or `$next` asked at connect); the device says
/// IN_PROGRESS, resolves, installs and runs (SimulatedNucleus), says how it went on the job
/// (statusDetails: detailedStatus, failureCause, as the nucleus reports them) and in its status
/// report (its components, the deployment's configuration).
extension ClaimedDevices {
    static let deploymentNamespace = "aws-gg-deployment"

    static func jobsTopic(_ thing: String, _ rest: String) -> String { "$aws/things/\(thing)/jobs/\(rest)" }

    func deploy(_ job: String, _ document: JSONValue, _ device: Device) {
        guard device.nucleus != nil, let facts = self.nucleus?.facts, device.taken.withLock({ $0.insert(job).inserted }) else { return }
        let thing = device.thing, update = Self.jobsTopic(thing, "\(job)/namespace-\(Self.deploymentNamespace)/update")
        let client = device.client.withLock { $0 }
        client?.publish(Message(topic: update, payload: Array(#"{"status":"IN_PROGRESS"}"#.utf8), qos: .atLeastOnce))
        guard let outcome = device.nucleus?.withLock({ $0.take(document, facts: facts) }) else { return }
        let details = JSONValue.object(JSONObject(outcome.details.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
        client?.publish(Message(topic: update, payload: JSONValue.object(["status": .string(outcome.status), "statusDetails": details]).bytes, qos: .atLeastOnce))
        device.deployment.withLock {
            $0 = ["status": .string(outcome.status), "fleetConfigurationArnForStatus": document["configurationArn"] ?? .null, "statusDetails": details]
        }
        // A nucleus reports its status when a deployment ends (trigger THING_GROUP_DEPLOYMENT).
        if let last = device.lastReport.withLock({ $0 }), var report = (try? JSONValue.parse(last.payload))?.objectValue {
            report["trigger"] = "THING_GROUP_DEPLOYMENT"
            report["sequenceNumber"] = .integer((report["sequenceNumber"]?.intValue ?? 0) + 1)
            report["timestamp"] = .integer(Int64(AWSClient.wallClock()) * 1000)
            let message = Message(topic: last.topic, payload: JSONValue.object(report).bytes, qos: last.qos)
            device.lastReport.withLock { $0 = message }
            client?.publish(healthReport(message, device))
        }
        onEvent(.deployed(thing: thing, job: job, status: outcome.status, cause: outcome.details["failureCause"]))
    }

    /// The simulator's status report with this core's platform, and what it runs now once it
    /// took a deployment.
    func healthReport(_ message: Message, _ device: Device) -> Message {
        guard let state = device.nucleus?.withLock({ $0 }), var report = (try? JSONValue.parse(message.payload))?.objectValue else { return message }
        report["platform"] = .string(state.platform.os)
        report["architecture"] = .string(state.platform.architecture)
        if let deployment = device.deployment.withLock({ $0 }) {
            report["components"] = .array(state.components(configuration: deployment["fleetConfigurationArnForStatus"]?.stringValue ?? ""))
            report["overallDeviceStatus"] = .string(state.broken.isEmpty ? "HEALTHY" : "UNHEALTHY")
            report["deploymentInformation"] = deployment
        }
        return Message(topic: message.topic, payload: JSONValue.object(report).bytes, qos: message.qos)
    }
}

extension ClaimedDevices.Nucleus {
    /// Where component versions run, from the account's catalogue (asked from the devices' own
    /// queue, which waits for the answer): nil when the catalogue does not have the version; an
    /// answer that cannot be read is thrown (the deployment fails saying why).
    public static func catalogue(_ loader: FleetLoader) -> @Sendable (String, String) throws -> DeploymentPlan.ComponentFacts? {
        { name, version in
            let found = Mutex<Result<DeploymentPlan.ComponentFacts?, any Error>>(.success(nil)), done = DispatchSemaphore(value: 0)
            Task {
                let answer: Result<DeploymentPlan.ComponentFacts?, any Error>
                do {
                    answer = .success(try await loader.componentFacts(name, version: version))
                } catch where FleetLoader.notFound(error) {
                    answer = .success(nil)
                } catch {
                    answer = .failure(error)
                }
                found.withLock { $0 = answer }
                done.signal()
            }
            done.wait()
            return try found.withLock { $0 }.get()
        }
    }
}
