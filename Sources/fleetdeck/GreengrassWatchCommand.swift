import ArgumentParser
import AWSCore
import Fleet
import FleetValues
import JSON
import MQTTNet

extension GreengrassCommand.Deployments {
    /// `fleetdeck gg deployments watch ID`: the rollout device by device as it goes (its IoT
    /// job's executions, read again with backoff: 1 s, doubling to 10 s while nothing changes),
    /// each change as a line (JSON lines with --json), until no device is queued, in progress or
    /// still to be reached by the rollout's rate;
    /// then the counts and the failures grouped by reason.
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch", abstract: "Watch a deployment's rollout device by device until no device is queued or in progress.",
            discussion: "Exit status 1 when a device failed, was rejected or timed out, or when --timeout passed first.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The deployment ID.") var id: String
        @Option(help: "Stop watching after this many seconds.") var timeout: Double = 3600

        func run() async throws {
            try OptionLimits.check(timeout, "--timeout", within: OptionLimits.seconds, unit: " seconds")
            try await AWSCommandContext.run {
                let loader = FleetLoader(client: try AWSCommandContext.client(global))
                guard let job = try await loader.deployment(id)["iotJobId"]?.stringValue else {
                    throw ValidationFailure(message: "deployment \(id) has no IoT job to watch")
                }
                let deadline = Client.monotonic() + timeout
                var previous: Rollout?, wait = 1.0
                while true {
                    let rollout = try await loader.rollout(job)
                    let changes = rollout.changes(since: previous)
                    for execution in changes {
                        writeStandardOutput(global.json ? execution.json.serialized() + "\n"
                                                        : "\(execution.thing.padded(28)) \(execution.status.padded(12)) \(execution.detailsText)\n")
                    }
                    wait = changes.isEmpty ? min(10, wait * 2) : 1
                    previous = rollout
                    if !rollout.running {
                        writeStandardError("deployment \(id): \(rollout.summary)\n")
                        if !rollout.errors.isEmpty { throw ValidationFailure(message: "\(rollout.errors.reduce(0) { $0 + $1.devices.count }) device(s) failed") }
                        return
                    }
                    guard Client.monotonic() + wait < deadline else {
                        throw ValidationFailure(message: "still rolling out after \(Int(timeout)) s: \(rollout.summary)")
                    }
                    try await Task.sleep(for: .seconds(wait))
                }
            }
        }
    }
}
