import ArgumentParser
import AWSCore
import Fleet
import FleetValues
import JSON
import POSIXFiles

extension GreengrassCommand {
    /// `fleetdeck gg deploy FILE` (or `--group G --component NAME[@VERSION]...`): a deployment
    /// as a plan, device by device, then created.
    struct Deploy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deploy", abstract: "Deploy to a thing group (upstream's deployment.json as it is, its YAML form, or built from --group and --component) as a plan: what each device installs, upgrades, removes, and where it fails.",
            discussion: "A new deployment replaces the target's current one: a component it no longer names is removed from every device (unless another of the device's groups deploys it). The plan marks removals, configuration resets, components with no manifest for a device's platform and components that restart the device. With --preview nothing is created, and the exit status is 1 when the plan removes components or fails on a platform (as preview --expect-no-changes lets CI refuse). Otherwise the plan is approved at the prompt (the group's name typed when it removes, fails, restarts or resets), with --yes, or with --plan-hash H (refused, with the plan as it is now, when it changed since it was shown). --group and --component build the deployment as upstream's deploy-apps.yml does (each component's configuration reset, ROLLBACK, the Greengrass CLI at its latest public version added); --rate, --abort-at and --timeout give it a staged rollout; --write saves what was built.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The deployment document: CreateDeployment's input as JSON (as deploy-apps.yml writes deployment.json), or as YAML (.yaml, .yml).") var file: String?
        @Option(help: "Build the deployment for this thing group (instead of FILE).") var group: String?
        @Option(help: "With --group: a component, NAME (its latest version), NAME@latest or NAME@VERSION (repeat it).") var component: [String] = []
        @Option(help: "With --group: reach at most this many devices a minute (the IoT job's maximumPerMinute).") var rate: Int?
        @Option(help: "With --group: abort the rollout when PERCENT of at least MIN devices failed (PERCENT:MIN).") var abortAt: String?
        @Option(help: "With --group: a device's execution times out after this many minutes in progress.") var timeout: Int?
        @Option(help: "With --group: write the deployment built to this file (JSON) too.") var write: String?
        @Flag(help: "Show the plan only.") var preview = false
        @Option(help: "Refuse unless the plan's hash is this one.") var planHash: String?
        @Flag(name: [.short, .long], help: "Approve without asking.") var yes = false

        func validate() throws {
            if (file == nil) == (group == nil) { throw ValidationError("name a deployment FILE or build one with --group G --component NAME...") }
            if group == nil && (!component.isEmpty || rate != nil || abortAt != nil || timeout != nil || write != nil) {
                throw ValidationError("--component, --rate, --abort-at, --timeout and --write build a deployment with --group")
            }
            if group != nil && component.isEmpty { throw ValidationError("--group needs at least one --component") }
            if let rate, !(1...1000).contains(rate) { throw ValidationError("--rate is from 1 to 1000 devices a minute") }
            if let timeout, !(1...10080).contains(timeout) { throw ValidationError("--timeout is from 1 to 10080 minutes") }
            if let abortAt { _ = try Self.abort(abortAt) }
        }

        /// "PERCENT:MIN" as the IoT job's abort criteria (failed executions).
        static func abort(_ text: String) throws -> JSONValue {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let percent = Double(parts[0]), percent > 0, percent <= 100, let least = Int(parts[1]), least >= 1 else {
                throw ValidationError("--abort-at \(text): write PERCENT:MIN, e.g. 50:5 (abort when half of at least 5 devices failed)")
            }
            return ["criteriaList": [["failureType": "FAILED", "action": "CANCEL", "thresholdPercentage": .double(percent), "minNumberOfExecutedThings": .integer(Int64(least))]]]
        }

        func run() async throws {
            try await AWSCommandContext.run {
                let loader = FleetLoader(client: try AWSCommandContext.client(global))
                let spec: DeploymentSpec
                if let file {
                    do { spec = try FleetLoader.deploymentSpec(file: file) } catch { throw ValidationFailure(message: "\(error)".hasPrefix(file) ? "\(error)" : "\(file): \(error)") }
                } else {
                    var job = JSONObject()
                    if let rate { job["jobExecutionsRolloutConfig"] = ["maximumPerMinute": .integer(Int64(rate))] }
                    if let abortAt { job["abortConfig"] = try Self.abort(abortAt) }
                    if let timeout { job["timeoutConfig"] = ["inProgressTimeoutInMinutes": .integer(Int64(timeout))] }
                    spec = try await loader.upstreamDeployment(group: group ?? "", components: component, job: job)
                    if let write { try AtomicFile.write(JSONValue.object(spec.request).pretty() + "\n", to: write) }
                }
                let plan = try await loader.deploymentPlan(spec)
                writeStandardOutput(global.json ? plan.json.pretty() + "\n" : plan.text)
                if preview {
                    let refused = plan.removals.isEmpty && plan.platformFailures.isEmpty ? nil : plan.dangers.joined(separator: "; ")
                    if let refused { throw ValidationFailure(message: "the plan \(refused)") }
                    return
                }
                try await Self.approveAndCreate(spec, plan, loader, asking: planHash == nil && !yes, hash: planHash)
            }
        }

        /// A deployment's plan (shown) approved at the prompt when `asking` (the target's name
        /// typed when it removes, fails, restarts or resets), then created if its plan is still
        /// the one approved (or `hash`): else nothing is, and the plan now is shown.
        static func approveAndCreate(_ spec: DeploymentSpec, _ plan: DeploymentPlan, _ loader: FleetLoader, asking: Bool, hash: String? = nil) async throws {
            if asking {
                let target = spec.targetName?.name ?? spec.target
                let approved = plan.dangers.isEmpty ? try StackCommandContext.confirm("Deploy?", details: { plan.text })
                                                    : try StackCommandContext.confirmTyping(target, "This deployment \(plan.dangers.joined(separator: "; ")). Type the target's name to deploy")
                guard approved else { throw ValidationFailure(message: "nothing deployed to \(target): not approved") }
            }
            // What is created is what was approved (or the --plan-hash given): planned again, it must be the same.
            do {
                let created = try await loader.deploy(spec, hash: hash ?? plan.hash)
                writeStandardOutput("deployment \(created.deployment) created (IoT job \(created.job)): fleetdeck gg deployments watch \(created.deployment)\n")
            } catch let changed as DeploymentPlanChanged {
                if changed.plan.hash != plan.hash { writeStandardOutput(changed.plan.text) }
                throw ValidationFailure(message: "the plan is \(changed.plan.hash) now, not \(hash ?? plan.hash): the target's deployment or its devices changed since it was shown; nothing deployed (the plan above is the one now)")
            }
        }
    }

    /// `fleetdeck gg deployments ls | show ID | cancel ID`.
    struct Deployments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "deployments", abstract: "Greengrass deployments: revisions, one with its devices, cancel.",
                                                        subcommands: [List.self, Show.self, Watch.self, Cancel.self, Stuck.self])

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
                    let text = textTable(["DEPLOYMENT", "REVISION", "STATUS", "LATEST", "TARGET"], widths: [38, 10, 10, 8], listed.map { deployment in
                        [deployment["deploymentId"]?.stringValue ?? "?", deployment["revisionId"]?.stringValue ?? "?", deployment["deploymentStatus"]?.stringValue ?? "?",
                         (deployment["isLatestForTarget"]?.boolValue ?? false) ? "yes" : "no", deployment["targetArn"]?.stringValue ?? "?"]
                    })
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
