import ArgumentParser
import AWSCore
import Fleet
import FleetValues
import JSON

extension GreengrassCommand.Deployments {
    /// `fleetdeck gg deployments stuck [--group G] [--older-than M] [--cancel | --redeploy]`:
    /// the executions that are not moving, and what to do about them, each as a plan.
    struct Stuck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stuck", abstract: "Executions stuck QUEUED or IN_PROGRESS: behind a newer revision, past their timeout, or waiting too long.",
            discussion: "A device whose execution of an older revision is still in progress (a revision cancels its predecessor's job, but not what devices are doing) or that never starts one is listed with why. --cancel force-cancels the executions listed (a plan; the device may be left half-way: the target's name is typed to approve); --redeploy creates a new revision of each target's latest deployment, as a plan (gg deploy's), so its devices take it again. Exit status 1 when any is stuck and nothing was done about it.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this thing group's deployments.") var group: String?
        @Option(help: "Minutes an execution may be QUEUED or IN_PROGRESS before it counts as stuck.") var olderThan: Int = 60
        @Flag(help: "Force-cancel the executions listed (after the plan is approved).") var cancel = false
        @Flag(help: "Deploy each target's latest deployment again as a new revision (after its plan is approved).") var redeploy = false
        @Flag(name: [.short, .long], help: "Approve without asking.") var yes = false

        func validate() throws {
            if cancel && redeploy { throw ValidationError("--cancel and --redeploy are two plans: run one, then the other") }
            if !(0...525_600).contains(olderThan) { throw ValidationError("--older-than is from 0 to 525600 minutes") }
        }

        func run() async throws {
            try await AWSCommandContext.run {
                let loader = FleetLoader(client: try AWSCommandContext.client(global))
                let stuck = try await loader.stuckExecutions(group: group, limit: Int64(olderThan) * 60)
                if global.json && !cancel && !redeploy {
                    writeStandardOutput(JSONValue.array(stuck.map(\.json)).pretty() + "\n")
                } else {
                    let text = textTable(["DEVICE", "DEPLOYMENT", "REVISION", "WHY"], widths: [28, 38, 10],
                                         stuck.map { [$0.execution.thing, $0.deployment.id, $0.deployment.revision, $0.why] })
                    writeStandardOutput(text + "\(stuck.count) stuck execution\(stuck.count == 1 ? "" : "s")\n")
                }
                if cancel { return try await forceCancel(stuck, loader) }
                if redeploy { return try await deployAgain(stuck, loader) }
                if !stuck.isEmpty { throw ValidationFailure(message: "\(stuck.count) execution\(stuck.count == 1 ? " is" : "s are") stuck: --cancel or --redeploy makes a plan") }
            }
        }

        /// Each execution listed force-cancelled: the device stops where it is.
        func forceCancel(_ stuck: [StuckExecution], _ loader: FleetLoader) async throws {
            guard !stuck.isEmpty else { return }
            let targets = Set(stuck.map { $0.deployment.targetText.split(separator: " ").last.map(String.init) ?? $0.deployment.target })
            writeStandardOutput("Force-cancel \(stuck.count) execution\(stuck.count == 1 ? "" : "s") (each device stops where it is and may be left half-way):\n"
                                + stuck.map { "  \($0.execution.thing): \($0.execution.status) of revision \($0.deployment.revision) (job \($0.execution.job))\n" }.joined())
            if !yes {
                let name = targets.count == 1 ? targets.first ?? "" : "all"
                guard try StackCommandContext.confirmTyping(name, "Type \(targets.count == 1 ? "the target's name" : "'all'") to force-cancel them") else {
                    throw ValidationFailure(message: "nothing canceled: not approved")
                }
            }
            var failed: [String] = []
            for item in stuck {
                do {
                    try await loader.cancelJobExecution(item.execution.job, thing: item.execution.thing, force: true)
                } catch {
                    failed.append("\(item.execution.thing): \(error)")
                }
            }
            writeStandardOutput("\(stuck.count - failed.count) execution\(stuck.count - failed.count == 1 ? "" : "s") force-canceled\n")
            if !failed.isEmpty { throw ValidationFailure(message: "not canceled: " + failed.joined(separator: "; ")) }
        }

        /// A new revision of each target's latest deployment, planned and approved one by one.
        func deployAgain(_ stuck: [StuckExecution], _ loader: FleetLoader) async throws {
            for target in Set(stuck.map(\.deployment.target)).sorted() {
                let spec = try await loader.redeploymentSpec(target: target)
                let plan = try await loader.deploymentPlan(spec)
                writeStandardOutput(plan.text)
                try await GreengrassCommand.Deploy.approveAndCreate(spec, plan, loader, asking: !yes)
            }
        }
    }
}
