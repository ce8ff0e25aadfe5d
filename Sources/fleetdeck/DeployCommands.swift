import ArgumentParser
import Fleet
import JSON
import StackAWS
import StackEngine
import StackModel

/// `fleetdeck preview`: the plan; nothing changes.
struct PreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "preview", abstract: "Show what an update would change.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Show property-level diffs.") var diff = false
    @Flag(help: "Fail (exit 1) if the plan has changes.") var expectNoChanges = false
    @Option(help: "Only these resources (URN or logical name), with what they depend on.") var target: [String] = []

    func run() async throws {
        try await StackCommandContext.run {
            let runner = try await StackCommandContext.existing(global)
            let session = try runner.session()
            let engine = try await runner.engine(session, parallel: 16) { _ in }
            let plan = try await engine.preview(targets: targets(target, runner, state: engine.journal.deployment), hashes: try await session.hashes())
            let hash = StackSession.hash(plan)
            if global.json {
                writeStandardOutput(PlanText.json(plan, hash: hash).pretty() + "\n")
            } else {
                // Listed, not read again (the engine has read the checkpoint already).
                if try await !runner.backend.stacks(project: runner.project.program.name).contains(runner.stack) {
                    writeStandardOutput("Stack '\(runner.stack)' has no state in \(runner.backend.url) yet: this preview starts from nothing.\n")
                }
                writeStandardOutput("Previewing update (\(runner.stack)):\n" + PlanText.render(plan, stack: runner.stack, showDiff: diff) + "\n")
                if let mass = plan.massDelete {
                    writeStandardOutput("warning: \(mass): is the program read as intended? 'up --yes' refuses this without --allow-mass-delete\n")
                }
                let deleting = plan.steps.filter { $0.kind == .delete || ($0.kind == .replace) }.compactMap(\.old)
                if deleting.contains(where: { engine.providers.type($0.type)?.deleteMayBeBlocked == true }),
                   let blockers = try? await DestroyPreflight.blockers(deleting, all: engine.journal.deployment.managed, client: runner.awsClient()),
                   !blockers.isEmpty {
                    writeStandardOutput("Blockers for the deletes (not owned by the stack):\n" + blockers.map { "  ! \($0)\n" }.joined())
                }
                for message in engine.journal.deployment.pendingOperations {
                    writeStandardOutput("warning: \(message.resource.urn.name) has a pending \(message.kind.rawValue) from an interrupted run; 'up' will settle it\n")
                }
                writeStandardOutput("Plan hash: \(hash)\n")
            }
            if expectNoChanges && plan.hasChanges {
                throw ValidationFailure(message: "the plan has changes (--expect-no-changes)")
            }
        }
    }
}

/// `--target` values as URNs: a logical name of the program, or a URN the program or the state
/// has. One that names nothing is an error before anything runs (an empty target set would mean
/// the whole plan).
func targets(_ values: [String], _ runner: StackRunner, state: Deployment) throws -> Set<URN> {
    let program = runner.project.program
    let declared = Set(program.resources.map { URN(stack: runner.stack, project: program.name, type: $0.type, name: $0.name) })
    let recorded = Set(state.resources.map(\.urn))
    var result: Set<URN> = []
    for value in values {
        if let urn = URN(value), declared.contains(urn) || recorded.contains(urn) {
            result.insert(urn)
        } else if let resource = program.resource(value) {
            result.insert(URN(stack: runner.stack, project: program.name, type: resource.type, name: resource.name))
        } else if let old = state.resources.first(where: { $0.urn.name == value && $0.custom }) {
            result.insert(old.urn)
        } else {
            throw ValidationFailure(message: "--target '\(value)' names no resource of the program or the stack '\(runner.stack)': nothing was changed")
        }
    }
    return result
}

/// `fleetdeck up`: shows the plan, asks, and executes exactly that plan.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "up", abstract: "Deploy: show the plan, ask, and apply it.")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Approve without asking (needed without a terminal).") var yes = false
    @Flag(help: "Show property-level diffs.") var diff = false
    @Option(help: "How many resource operations run at once.") var parallel = 16
    @Option(help: "Only these resources (URN or logical name), with what they depend on.") var target: [String] = []
    @Option(help: "Refuse unless the plan's hash is this one (from 'preview --json').") var planHash: String?
    @Flag(help: "Apply a plan that deletes every resource (or more than half of ten or more) with --yes.") var allowMassDelete = false

    func run() async throws {
        try await StackCommandContext.run {
            let runner = try await StackCommandContext.existing(global)
            let start = ProjectContext.unixTime()
            let started = ContinuousClock.now
            try await runner.locked {
                let json = global.json
                // An interrupted run's pending operations are settled first, so the plan is made
                // (and approved) against what really exists.
                let session = try runner.session()
                let settling = try await runner.engine(session, parallel: parallel) { event in
                    if !json, let line = PlanText.event(event) { writeStandardOutput(line + "\n") }
                }
                try await runner.guardAccount(session)
                try await settling.settlePending()
                let prepared = try await runner.preparePlan(parallel: parallel, targets: targets(target, runner, state: settling.journal.deployment)) { event in
                    if !json, let line = PlanText.event(event) { writeStandardOutput(line + "\n") }
                }
                let plan = prepared.plan, hash = prepared.hash
                if !json { writeStandardOutput("Updating (\(runner.stack)):\n" + PlanText.render(plan, stack: runner.stack, showDiff: diff) + "\nPlan hash: \(hash)\n") }
                if let planHash, planHash != hash {
                    throw ValidationFailure(message: "the plan is \(hash), not the approved \(planHash): the program, config or state changed; preview again")
                }
                guard plan.hasChanges else {
                    if settling.journal.changed { _ = try await settling.journal.compact(time: ProjectContext.timestamp()) }
                    // Pulumi records every update, a no-op included.
                    try await runner.recordHistory(kind: "update", start: start, result: "succeeded", counts: plan.counts, planHash: hash, checkpoint: nil)
                    if json { writeStandardOutput(#"{"result":"no changes","planHash":"\#(hash)"}"# + "\n") }
                    return
                }
                if let mass = plan.massDelete {
                    if !json { writeStandardOutput("warning: \(mass): is the program read as intended?\n") }
                    if yes && !allowMassDelete {
                        throw ValidationFailure(message: "\(mass): refused with --yes (a misread program looks like this); check the program and pass --allow-mass-delete if it is meant: nothing was changed")
                    }
                }
                if !yes {
                    let approved = try StackCommandContext.confirm("Do you want to perform this update?") {
                        PlanText.render(plan, stack: runner.stack, showDiff: true)
                    }
                    guard approved else { throw ValidationFailure(message: "update cancelled: nothing was changed") }
                }
                let summary: DeploymentEngine.Summary
                do {
                    summary = try await GracefulInterrupt.during(cancel: { prepared.engine.cancel() }) { try await runner.run(prepared) }
                } catch let changed as PlanChanged {
                    if !json { writeStandardOutput("The plan now:\n" + PlanText.render(changed.current.plan, stack: runner.stack, showDiff: true) + "\n") }
                    throw changed
                }
                if json {
                    var outputs = JSONObject()
                    for (key, value) in summary.outputs.sorted(by: { $0.key < $1.key }) { outputs[key] = value.isSecret ? "[secret]" : value.plainJSON }
                    writeStandardOutput(JSONValue.object(["result": "succeeded", "planHash": .string(hash), "outputs": .object(outputs)]).serialized() + "\n")
                } else {
                    writeStandardOutput(outputsText(summary.outputs) + "\n" + PlanText.summary(summary.counts, seconds: ProjectContext.seconds(since: started))
                                        + "Update succeeded.\n")
                }
            }
        }
    }
}

func outputsText(_ outputs: [String: PropertyValue]) -> String {
    guard !outputs.isEmpty else { return "" }
    return "Outputs:\n" + outputs.keys.sorted().map { "    \($0): \(PlanText.value(outputs[$0]))\n" }.joined()
}

/// `fleetdeck destroy`: deletes every resource of the stack.
struct DestroyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "destroy", abstract: "Delete every resource of the stack.")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Approve without asking.") var yes = false
    @Flag(help: "Detach policies from certificates the stack does not own and empty buckets (versions too) first, and remove config_parameters.txt and allowlist.txt from the certificate bucket (with --yes).") var cleanup = false

    func run() async throws {
        try await StackCommandContext.run {
            let runner = try await StackCommandContext.existing(global)
            let prepared = try await runner.prepareDestroy { event in
                if let line = PlanText.event(event) { writeStandardOutput(line + "\n") }
            }
            let resources = prepared.plan.steps.compactMap(\.old)
            writeStandardOutput("Destroying (\(runner.stack)): \(resources.count) resource\(resources.count == 1 ? "" : "s")\n")
            if resources.isEmpty { return }
            // What the stack does not own but would stop the deletes: shown, cleared only when asked.
            let blockers = prepared.blockers
            var clear = false
            if !blockers.isEmpty {
                writeStandardOutput("Blockers:\n" + blockers.map { "  ! \($0) (\($0.urn.name))\n" }.joined())
                if cleanup && yes {
                    clear = true
                } else if yes {
                    throw ValidationFailure(message: "destroy is blocked by \(blockers.count) thing\(blockers.count == 1 ? "" : "s") the stack does not own (listed above): pass --cleanup to \(blockers.map(\.remedy).joined(separator: ", "))")
                } else {
                    clear = try StackCommandContext.confirm("Clear them (\(blockers.map(\.remedy).joined(separator: "; ")))?") {
                        blockers.map { "  \($0.remedy)" }.joined(separator: "\n")
                    }
                }
                guard clear else { throw ValidationFailure(message: "destroy cancelled: nothing was deleted") }
            }
            if !yes {
                let approved = try StackCommandContext.confirm("Do you want to delete all \(resources.count) resources?") {
                    resources.map { " -  \($0.type) \($0.urn.name) (\($0.id))" }.joined(separator: "\n")
                }
                guard approved else { throw ValidationFailure(message: "destroy cancelled: nothing was deleted") }
            }
            let started = ContinuousClock.now
            let summary = try await GracefulInterrupt.during(cancel: { prepared.engine.cancel() }) {
                try await runner.execute(prepared, clearBlockers: clear)
            }
            if clear { writeStandardOutput("Cleared \(blockers.count) blocker\(blockers.count == 1 ? "" : "s").\n") }
            // As upstream's destroy-infra: the provisioning files leave the certificate bucket
            // (named by the stack's certBucketName); the claim certificate stays.
            let bucketKey = "\(runner.project.program.name):certBucketName"
            if cleanup, case .value(let value)? = try runner.session().config.entries[bucketKey], let bucket = value.stringValue {
                let removed = try await FleetSetup(client: runner.awsClient(), bucket: bucket).removeProvisioningFiles()
                if !removed.isEmpty { writeStandardOutput("Removed \(removed.joined(separator: " and ")) from s3://\(bucket) (the claim certificate stays).\n") }
            }
            writeStandardOutput("\n" + PlanText.summary(summary.counts, seconds: ProjectContext.seconds(since: started)) + "Destroy succeeded.\n")
        }
    }
}

/// `fleetdeck refresh`: reads every resource back and shows the drift; `--yes` records it.
struct RefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refresh", abstract: "Read live state back and show drift.")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .long], help: "Record the live state in the stack.") var yes = false

    func run() async throws {
        try await StackCommandContext.run {
            let runner = try await StackCommandContext.existing(global)
            try await runner.locked {
                let session = try runner.session()
                let engine = try await runner.engine(session, parallel: 1) { _ in }
                if yes { try await runner.guardAccount(session) }
                let drift = try await engine.refresh(apply: yes)
                if global.json {
                    writeStandardOutput(PlanText.json(Plan(steps: drift, programHash: "", configHash: "", stateHash: ""), hash: "").pretty() + "\n")
                    return
                }
                if drift.isEmpty { writeStandardOutput("No drift: the cloud matches the stack.\n"); return }
                for step in drift {
                    writeStandardOutput(" \(step.kind == .delete ? "-" : "~")  \(step.type) \(step.urn.name)\(step.kind == .delete ? " (gone)" : "")\n")
                    for line in PlanText.diffLines(step) { writeStandardOutput(line + "\n") }
                }
                writeStandardOutput(yes ? "Recorded the live state.\n" : "Run 'fleetdeck refresh --yes' to record it.\n")
            }
        }
    }
}
