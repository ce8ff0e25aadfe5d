import ArgumentParser
import AWSCore
import Fleet
import FleetValues
import JSON
import POSIXFiles

extension GreengrassCommand {
    /// `fleetdeck gg deploy FILE`: a deployment as a plan, device by device, then created.
    struct Deploy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deploy", abstract: "Deploy to a thing group (upstream's deployment.json as it is) as a plan: what each device installs, upgrades, removes, and where it fails.",
            discussion: "A new deployment replaces the target's current one: a component it no longer names is removed from every device (unless another of the device's groups deploys it). The plan marks removals, configuration resets, components with no manifest for a device's platform and components that restart the device. With --preview nothing is created, and the exit status is 1 when the plan removes components or fails on a platform (as preview --expect-no-changes lets CI refuse). Otherwise the plan is approved at the prompt (the group's name typed when it removes, fails, restarts or resets), with --yes, or with --plan-hash H (refused, with the plan as it is now, when it changed since it was shown).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The deployment document (CreateDeployment's input as JSON, as deploy-apps.yml writes deployment.json).") var file: String
        @Flag(help: "Show the plan only.") var preview = false
        @Option(help: "Refuse unless the plan's hash is this one.") var planHash: String?
        @Flag(name: [.short, .long], help: "Approve without asking.") var yes = false

        func run() async throws {
            let spec: DeploymentSpec
            do {
                spec = try DeploymentSpec.parse(try AtomicFile.readRegular(file, limit: 1_048_576), file: file)
            } catch {
                throw ValidationFailure(message: "\(error)".hasPrefix(file) ? "\(error)" : "\(file): \(error)")
            }
            try await AWSCommandContext.run {
                let loader = FleetLoader(client: try AWSCommandContext.client(global))
                let plan = try await loader.deploymentPlan(spec)
                writeStandardOutput(global.json ? plan.json.pretty() + "\n" : plan.text)
                if preview {
                    let refused = plan.removals.isEmpty && plan.platformFailures.isEmpty ? nil : plan.dangers.joined(separator: "; ")
                    if let refused { throw ValidationFailure(message: "the plan \(refused)") }
                    return
                }
                if let planHash, planHash != plan.hash {
                    throw ValidationFailure(message: "the plan is \(plan.hash) now, not \(planHash): the target's deployment or its devices changed since (the plan above is the one now)")
                }
                if !yes && planHash == nil {
                    let group = spec.targetName?.name ?? spec.target
                    let approved = plan.dangers.isEmpty ? try StackCommandContext.confirm("Deploy?", details: { plan.text })
                                                        : try StackCommandContext.confirmTyping(group, "This deployment \(plan.dangers.joined(separator: "; ")). Type the target's name to deploy")
                    guard approved else { throw ValidationFailure(message: "nothing deployed: not approved") }
                    // What is created is what was approved: planned again, it must be the same.
                    let again = try await loader.deploymentPlan(spec)
                    if again.hash != plan.hash {
                        writeStandardOutput(again.text)
                        throw ValidationFailure(message: "the plan changed while it was reviewed (\(plan.hash) -> \(again.hash)): nothing deployed; the plan above is the one now")
                    }
                }
                let created = try await loader.createDeployment(spec)
                writeStandardOutput("deployment \(created.id) created (IoT job \(created.job)): fleetdeck gg deployments show \(created.id)\n")
            }
        }
    }

    /// `fleetdeck gg deployments ls | show ID | cancel ID`.
    struct Deployments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "deployments", abstract: "Greengrass deployments: revisions, one with its devices, cancel.",
                                                        subcommands: [List.self, Show.self, Watch.self, Cancel.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "ls", abstract: "Deployments, newest first (each target's latest; --all: every revision).")
            @OptionGroup var global: GlobalOptions
            @Option(help: "Only this thing group's.") var group: String?
            @Flag(help: "Every revision, not only each target's latest.") var all = false

            func run() async throws {
                try await AWSCommandContext.run {
                    let client = try AWSCommandContext.client(global)
                    var target: String?
                    if let group { target = "arn:aws:iot:\(client.settings.region):\(try await client.callerIdentity().account):thinggroup/\(group)" }
                    let listed = try await FleetLoader(client: client).deployments(target: target, all: all)
                    if global.json {
                        writeStandardOutput(JSONValue.array(listed).pretty() + "\n")
                        return
                    }
                    var text = "DEPLOYMENT".padded(38) + "REVISION".padded(10) + "STATUS".padded(10) + "LATEST".padded(8) + "TARGET\n"
                    for deployment in listed {
                        text += (deployment["deploymentId"]?.stringValue ?? "?").padded(38) + (deployment["revisionId"]?.stringValue ?? "?").padded(10)
                            + (deployment["deploymentStatus"]?.stringValue ?? "?").padded(10) + ((deployment["isLatestForTarget"]?.boolValue ?? false) ? "yes" : "no").padded(8)
                            + (deployment["targetArn"]?.stringValue ?? "?") + "\n"
                    }
                    writeStandardOutput(text + "\(listed.count) deployment\(listed.count == 1 ? "" : "s")\n")
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "One deployment: its components and its devices' executions.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The deployment ID.") var id: String

            func run() async throws {
                try await AWSCommandContext.run {
                    let loader = FleetLoader(client: try AWSCommandContext.client(global))
                    let deployment = try await loader.deployment(id)
                    var executions: [JobExecution] = []
                    if let job = deployment["iotJobId"]?.stringValue { executions = try await loader.jobExecutions(job) }
                    if global.json {
                        var object = deployment.objectValue ?? [:]
                        object["executions"] = .array(executions.map(\.json))
                        writeStandardOutput(JSONValue.object(object).pretty() + "\n")
                        return
                    }
                    var text = "deployment \(id): \(deployment["deploymentStatus"]?.stringValue ?? "?"), revision \(deployment["revisionId"]?.stringValue ?? "?") of \(deployment["targetArn"]?.stringValue ?? "?")\n  components:\n"
                    for (name, spec) in deployment["components"]?.objectValue ?? [:] { text += "    \(name) \(spec["componentVersion"]?.stringValue ?? "?")\n" }
                    text += "  devices:\n" + executions.map { "    \($0.thing.padded(28)) \($0.status.padded(12)) \($0.detailsText)\n" }.joined()
                    writeStandardOutput(text)
                }
            }
        }

        /// Cancelling says which devices have it already (they keep it) and which will not get it.
        struct Cancel: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "cancel", abstract: "Cancel a deployment, after its plan is approved.",
                discussion: "Cancelling stops only the devices that have not received the deployment: devices that took it keep it, devices taking it carry on. To take components off devices, deploy a revision without them.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The deployment ID.") var id: String
            @Flag(name: [.short, .long], help: "Approve without asking.") var yes = false

            func run() async throws {
                try await AWSCommandContext.run {
                    let loader = FleetLoader(client: try AWSCommandContext.client(global))
                    let deployment = try await loader.deployment(id)
                    guard deployment["deploymentStatus"]?.stringValue == "ACTIVE", let job = deployment["iotJobId"]?.stringValue else {
                        throw ValidationFailure(message: "deployment \(id) is \(deployment["deploymentStatus"]?.stringValue ?? "?"): only an active deployment can be canceled")
                    }
                    let executions = try await loader.jobExecutions(job)
                    let have = executions.filter { $0.status == "SUCCEEDED" }.map(\.thing)
                    let plan = JobCancelPlan(job: job, executions: executions, force: false)
                    let text = "Cancel deployment \(id):\n  \(have.count) device\(have.count == 1 ? " has" : "s have") it already and keep\(have.count == 1 ? "s" : "") it\n"
                        + "  \(plan.carryOn.count) taking it carry on to their end\n  \(plan.canceled.count) will not get it"
                        + (plan.canceled.isEmpty ? "" : " (\(plan.canceled.prefix(10).joined(separator: ", "))\(plan.canceled.count > 10 ? ", ..." : ""))") + "\n"
                    writeStandardOutput(text)
                    if !yes, !(try StackCommandContext.confirm("Cancel it?", details: { text })) { throw ValidationFailure(message: "nothing canceled: not approved") }
                    try await loader.cancelDeployment(id)
                    writeStandardOutput("deployment \(id) canceled\n")
                }
            }
        }
    }
}
