import ArgumentParser
import AWSCore
import Fleet
import FleetValues
import JSON
import MQTT
import MQTTNet
import Synchronization

extension GreengrassCommand.Deployments {
    /// `fleetdeck gg deployments watch ID`: the rollout device by device as it goes (its IoT
    /// job's executions), each change as a line (JSON lines with --json, saying whether a job
    /// event or a read found it), until no device is queued, in progress or still to be reached
    /// by the rollout's rate; then the counts and the failures grouped by reason. Where the
    /// account publishes job execution events (JOB_EXECUTION on), it follows them on the MQTT
    /// endpoint and reads again when one comes (and every 10 s); otherwise it reads again with
    /// backoff: 1 s, doubling to 10 s while nothing changes.
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch", abstract: "Watch a deployment's rollout device by device until no device is queued, in progress or still to be reached.",
            discussion: "Job execution events are followed where the account enables them (fleetdeck's MQTT options or FLEETDECK_MQTT_URL name the endpoint; by default the account's AWS IoT endpoint over SigV4); otherwise the executions are read again with backoff. Exit status 1 when a device failed, was rejected or timed out, or when --timeout passed first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var broker: BrokerOptions
        @Argument(help: "The deployment ID.") var id: String
        @Option(help: "Stop watching after this many seconds.") var timeout: Double = 3600

        func run() async throws {
            try OptionLimits.check(timeout, "--timeout", within: OptionLimits.seconds, unit: " seconds")
            try await AWSCommandContext.run {
                let loader = FleetLoader(client: try AWSCommandContext.client(global))
                guard let job = try await loader.deployment(id)["iotJobId"]?.stringValue else {
                    throw ValidationFailure(message: "deployment \(id) has no IoT job to watch")
                }
                let events = try await JobEvents.follow(job, enabled: try await loader.enabledRegistryEvents(), endpoint: { try await broker.endpoint(global) },
                                                        clientID: broker.clientID)
                defer { events?.client.stop() }
                let deadline = Client.monotonic() + timeout
                var previous: Rollout?, wait = 1.0, via = "read"
                while true {
                    let rollout = try await loader.rollout(job)
                    let changes = rollout.changes(since: previous)
                    for execution in changes {
                        var json = execution.json.objectValue ?? [:]
                        json["via"] = .string(via)
                        writeStandardOutput(global.json ? JSONValue.object(json).serialized() + "\n"
                                                        : "\(execution.thing.padded(28)) \(execution.status.padded(12)) \(execution.detailsText)\n")
                    }
                    wait = events != nil ? 10 : changes.isEmpty ? min(10, wait * 2) : 1
                    previous = rollout
                    if !rollout.running {
                        writeStandardError("deployment \(id): \(rollout.summary)\n")
                        if !rollout.errors.isEmpty { throw ValidationFailure(message: "\(rollout.errors.reduce(0) { $0 + $1.devices.count }) device(s) failed") }
                        return
                    }
                    guard Client.monotonic() + wait < deadline else {
                        throw ValidationFailure(message: "still rolling out after \(Int(timeout)) s: \(rollout.summary)")
                    }
                    if let events {
                        via = events.woken.waitAndClose(seconds: wait) ? "event" : "read"
                    } else {
                        try await Task.sleep(for: .seconds(wait))
                    }
                }
            }
        }
    }
}

/// A job's execution and job events on the MQTT endpoint, where the account publishes them:
/// each one opens `woken`.
struct JobEvents {
    let client: Client
    let woken: Gate

    /// Subscribed and acknowledged, or nil (said on standard error) when the account does not
    /// publish job execution events or the endpoint cannot be had: then the caller reads again.
    static func follow(_ job: String, enabled: [String], endpoint: () async throws -> BrokerEndpoint, clientID: String) async throws -> JobEvents? {
        guard enabled.contains("JOB_EXECUTION") else {
            writeStandardError("the account does not publish job execution events (JOB_EXECUTION is off): reading the executions again every 1 to 10 s\n")
            return nil
        }
        let broker: BrokerEndpoint
        do { broker = try await endpoint() } catch {
            writeStandardError("job execution events: \(error); reading the executions again every 1 to 10 s\n")
            return nil
        }
        let woken = Gate(), ready = Gate(), refused = Mutex<String?>(nil)
        let client = Client(options: Session.Options(clientID: clientID), open: { () throws(TransportError) in try broker.open() }) { event in
            switch event {
            case .message: woken.open()
            case .subscribed(_, let codes):
                if codes.contains(0x80) { refused.withLock { $0 = "the subscription was refused (not authorised)" } }
                ready.open()
            case .refused(let why):
                refused.withLock { $0 = why }
                ready.open()
            default: break
            }
        }
        client.subscribe([Subscription("$aws/events/jobExecution/\(job)/+", qos: .atLeastOnce), Subscription("$aws/events/job/\(job)/+", qos: .atLeastOnce)])
        client.start()
        guard ready.wait(seconds: 15), refused.withLock({ $0 }) == nil else {
            client.stop()
            writeStandardError("job execution events: \(broker.description): \(refused.withLock { $0 } ?? "no answer in 15 s"); reading the executions again every 1 to 10 s\n")
            return nil
        }
        writeStandardError("following job execution events on \(broker.description) (and reading again every 10 s)\n")
        return JobEvents(client: client, woken: woken)
    }
}
