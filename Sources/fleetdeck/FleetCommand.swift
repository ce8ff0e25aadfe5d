import AWSCore
import AWSServices
import ArgumentParser
import Fleet
import JSON
import StackAWS
import StackEngine

/// `fleetdeck fleet reconcile`: the registry brought in line with an allowlist, as a plan to approve.
struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fleet", abstract: "Fleet-wide operations.", subcommands: [Setup.self, Reconcile.self, Attempts.self])

    /// An allowlist file, read (a regular file up to 16 MiB) and checked: its bytes and names.
    static func readAllowlist(_ path: String) throws -> (bytes: [UInt8], names: Set<String>) {
        do {
            let bytes = try AtomicFile.readRegular(path, limit: 16 * 1_048_576)
            return (bytes, try Allowlist.parse(bytes, file: path))
        } catch {
            throw ValidationFailure(message: "\(error)")
        }
    }

    /// A value of one of the stack's resources, by upstream's logical name (`ThingGroupID`,
    /// `TesRoleAliasID`, ...): read from state, so a stack Pulumi deployed from upstream's program
    /// (which exports no outputs) serves as well as this example's.
    static func stackResourceValues(_ runner: StackRunner) async throws -> (_ logical: String, _ output: String) -> String? {
        let state = try await runner.deployment()
        return { logical, output in state.resources.first { $0.urn.name == logical }?.outputs[output]?.stringValue }
    }

    /// `fleetdeck fleet setup`: upstream's prepare-infra and setup-provisioning, as a plan.
    struct Setup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "setup",
            abstract: "The certificate bucket, the claim certificate, config_parameters.txt and the allowlist, as upstream's workflows make them.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The certificate bucket (made private when missing).") var bucket: String
        @Option(help: "The allowlist to publish as allowlist.txt (checked first).") var allowlist: String?
        @Flag(name: [.short, .long], help: "Approve without asking.") var yes = false

        func run() async throws {
            try await StackCommandContext.run {
                // In a project with a stack: its outputs name the role alias and the template, and
                // its config gets the claim certificate's ARN.
                let runner = AtomicFile.exists(global.directory + "/Pulumi.yaml") ? try await StackCommandContext.existing(global) : nil
                try await Self.setUp(bucket: bucket, allowlist: allowlist, runner: runner, client: try runner?.awsClient() ?? AWSCommandContext.client(global), yes: yes)
            }
        }

        /// Upstream's prepare-infra and setup-provisioning: the steps shown, approved (`yes`, or
        /// asked), then made; the stack's config gets the claim certificate's ARN.
        static func setUp(bucket: String, allowlist: String?, runner: StackRunner?, client: AWSClient, yes: Bool) async throws {
            let allowlistBytes = try allowlist.map { try FleetCommand.readAllowlist($0).bytes }
            let setup = FleetSetup(client: client, bucket: bucket)
            var parameters: String?
            var notes: [String] = []
            if let runner {
                let named = try await FleetCommand.stackResourceValues(runner)
                if let alias = named("TesRoleAliasID", "roleAlias"), let template = named("FleetTemplateID", "templateName") {
                    parameters = try await setup.configParameters(roleAlias: alias, template: template)
                } else {
                    notes.append("config_parameters.txt waits for the stack's TesRoleAliasID and FleetTemplateID: 'up', then 'fleet setup' again")
                }
            }
            let (steps, claim) = try await setup.plan(configParameters: parameters, allowlist: allowlistBytes)
            var configStep: String?
            let claimKey = runner.map { "\($0.project.program.name):claimCertificateArn" }
            if let runner, let claimKey, try claim == nil || runner.session().config.entries[claimKey] != claim.map({ .value(.string($0)) }) {
                configStep = "set \(claimKey) in Pulumi.\(runner.stack).yaml to the claim certificate's ARN"
            }
            let lines = steps.map(\.description) + (configStep.map { [$0] } ?? [])
            writeStandardOutput("Setting up s3://\(bucket):\n" + (lines.isEmpty ? "  nothing to do\n" : lines.map { "  + \($0)\n" }.joined())
                                + notes.map { "  note: \($0)\n" }.joined())
            guard !lines.isEmpty else { return }
            if !yes {
                guard try StackCommandContext.confirm("Do you want to perform these \(lines.count) steps?", details: { lines.joined(separator: "\n") }) else {
                    throw ValidationFailure(message: "fleet setup cancelled: nothing was changed")
                }
            }
            for step in steps {
                try await setup.apply(step)
                writeStandardOutput("  done: \(step.description)\n")
            }
            if let runner, let claimKey, let configStep, let arn = try await setup.claimCertificateARN() {
                let session = try runner.session()
                session.config.entries[claimKey] = .value(.string(arn))
                try session.config.save()
                writeStandardOutput("  done: \(configStep)\n")
            }
        }
    }

    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reconcile",
                                                        abstract: "Remove things off an allowlist; put listed ones in a group with a policy.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The allowlist: one serial number (thing name) per line.") var allowlist: String
        @Option(help: "The thing group listed things must be in (default: the stack's ThingGroupID, with -s).") var group: String?
        @Option(help: "The policy listed things' certificates must have (default: the stack's ThingPolicyID, with -s).") var policy: String?
        @Option(help: "Also publish the allowlist to s3://bucket/key (for the pre-provisioning hook).") var upload: String?
        @Option(help: "Only things whose names start with this (default: every thing in the account).") var prefix: String = ""
        @Flag(name: [.short, .long], help: "Approve without asking.") var yes = false

        /// A wrong --upload is refused before anything changes (not after the registry was reconciled).
        func validate() throws {
            if let upload, !upload.hasPrefix("s3://") || !upload.dropFirst(5).contains("/") {
                throw ValidationError("--upload must be s3://bucket/key, not '\(upload)'")
            }
        }

        func run() async throws {
            try await AWSCommandContext.run {
                let (bytes, allowed) = try FleetCommand.readAllowlist(allowlist)
                // In a project with a stack, the group and thing policy are the stack's (upstream's
                // ThingGroupID and ThingPolicyID); --group and --policy override them.
                var group = self.group, policy = self.policy
                let runner = AtomicFile.exists(global.directory + "/Pulumi.yaml") && global.stack != nil ? try await StackCommandContext.existing(global) : nil
                if let runner {
                    let named = try await FleetCommand.stackResourceValues(runner)
                    group = group ?? named("ThingGroupID", "thingGroupName")
                    policy = policy ?? named("ThingPolicyID", "policyName")
                }
                let client = try runner?.awsClient() ?? AWSCommandContext.client(global)
                let reconciler = AllowlistReconciler(client: client)
                let actions = try await reconciler.plan(allowed: allowed, group: group, policy: policy, prefix: prefix)
                let removals = actions.filter { $0.kind == .remove }.count
                if global.json {
                    let plan: [JSONValue] = actions.map { ["op": .string($0.kind.rawValue), "thing": .string($0.thing), "details": .array($0.details.map(JSONValue.string))] }
                    writeStandardOutput(JSONValue.object(["allowed": .integer(Int64(allowed.count)), "plan": .array(plan)]).serialized() + "\n")
                } else {
                    var text = "Reconciling the registry with \(allowlist) (\(allowed.count) serial numbers):\n"
                    for action in actions { text += " \(action.glyph)  \(action.thing): \(action.details.joined(separator: "; "))\n" }
                    text += "Things: - \(removals) to remove, ~ \(actions.count - removals) to admit\n"
                    writeStandardOutput(text)
                }
                if !actions.isEmpty {
                    if !yes {
                        let approved = try StackCommandContext.confirm("Do you want to apply these \(actions.count) changes?") {
                            actions.map { " \($0.glyph)  \($0.thing)\n" + $0.details.map { "       \($0)" }.joined(separator: "\n") }.joined(separator: "\n")
                        }
                        guard approved else { throw ValidationFailure(message: "reconcile cancelled: nothing was changed") }
                    }
                    for action in actions {
                        do {
                            try await reconciler.apply(action, group: group, policy: policy)
                            if !global.json { writeStandardOutput(" \(action.glyph)  \(action.thing) done\n") }
                        } catch {
                            throw ValidationFailure(message: "\(action.kind.rawValue) of \(action.thing) failed: \(error)")
                        }
                    }
                }
                if let upload {
                    try await FleetSetup.upload(bytes, to: upload, client: client)
                    if !global.json { writeStandardOutput("Uploaded the allowlist to \(upload)\n") }
                }
            }
        }
    }
}
