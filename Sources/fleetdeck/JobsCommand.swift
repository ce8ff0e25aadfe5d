import ArgumentParser
import AWSCore
import Fleet
import FleetValues
import JSON

/// `fleetdeck jobs ls | show ID | executions ID | cancel ID | templates`: AWS IoT Jobs
/// (Greengrass deployments are jobs in the `aws-gg-deployment` namespace) and job templates.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "AWS IoT Jobs: jobs, their executions device by device, cancel; job templates.",
                                                    subcommands: [List.self, Show.self, Executions.self, Cancel.self, Templates.self])

    static func time(_ seconds: Int64?) -> String { seconds.map { CivilTime(secondsSince1970: $0).iso8601 } ?? "-" }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "Jobs, newest first: status, targets, their executions' counts.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only jobs with this status (IN_PROGRESS, CANCELED, COMPLETED, DELETION_IN_PROGRESS, SCHEDULED).") var status: String?
        @Option(help: "Only jobs of this namespace (Greengrass deployments: aws-gg-deployment).") var namespace: String?
        @Option(help: "Only jobs targeting this thing group.") var group: String?

        func validate() throws {
            let statuses = ["IN_PROGRESS", "CANCELED", "COMPLETED", "DELETION_IN_PROGRESS", "SCHEDULED"]
            if let status, !statuses.contains(status) { throw ValidationError("--status must be one of \(statuses.joined(separator: ", ")), not '\(status)'") }
        }

        func run() async throws {
            try await AWSCommandContext.run {
                let jobs = try await FleetLoader(client: try AWSCommandContext.client(global)).jobs(status: status, namespace: namespace, group: group)
                if global.json {
                    writeStandardOutput(JSONValue.array(jobs.map(\.json)).pretty() + "\n")
                    return
                }
                let text = textTable(["JOB", "STATUS", "SELECTION", "CREATED", "TARGETS", "EXECUTIONS"], widths: [40, 14, 12, 22, 30], jobs.map { job in
                    [job.id, job.status, job.targetSelection, JobsCommand.time(job.created), job.targetsText, job.countsText]
                })
                writeStandardOutput(text + "\(jobs.count) job\(jobs.count == 1 ? "" : "s")\n")
            }
        }
    }

    struct Templates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "templates", abstract: "Job templates: description, rollout, abort threshold, timeout, document.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await AWSCommandContext.run {
                let templates = try await FleetLoader(client: try AWSCommandContext.client(global)).jobTemplates()
                if global.json {
                    writeStandardOutput(JSONValue.array(templates.map(\.json)).pretty() + "\n")
                    return
                }
                var text = ""
                for template in templates {
                    text += "\(template.id): \(template.description ?? "(no description)")\n  created \(JobsCommand.time(template.created))\n"
                        + "  rollout: \(template.rolloutText)\n  document: \(template.document.split(separator: "\n").joined(separator: " "))\n"
                }
                writeStandardOutput(text + "\(templates.count) job template\(templates.count == 1 ? "" : "s")\n")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One job: status, targets, its executions' counts.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The job ID.") var job: String

        func run() async throws {
            try await AWSCommandContext.run {
                let found = try await FleetLoader(client: try AWSCommandContext.client(global)).job(job)
                if global.json {
                    writeStandardOutput(found.json.pretty() + "\n")
                    return
                }
                writeStandardOutput("job \(found.id): \(found.status)\(found.forceCanceled ? " (force-canceled)" : "")\(found.reasonCode.map { " (\($0))" } ?? ""), \(found.targetSelection.lowercased())\n"
                                    + "  targets: \(found.targetsText)\n  executions: \(found.countsText)\n  rollout: \(found.rolloutText)\n"
                                    + "  created \(JobsCommand.time(found.created)), updated \(JobsCommand.time(found.updated))"
                                    + (found.completed.map { ", completed \(JobsCommand.time($0))" } ?? "") + "\n"
                                    + (found.description.map { "  description: \($0)\n" } ?? "") + (found.comment.map { "  comment: \($0)\n" } ?? ""))
            }
        }
    }

    struct Executions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "executions", abstract: "A job's executions, device by device, with what each device said.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The job ID.") var job: String

        func run() async throws {
            try await AWSCommandContext.run {
                let executions = try await FleetLoader(client: try AWSCommandContext.client(global)).jobExecutions(job)
                if global.json {
                    writeStandardOutput(JSONValue.array(executions.map(\.json)).pretty() + "\n")
                    return
                }
                var text = "DEVICE".padded(30) + "STATUS".padded(13) + "UPDATED".padded(22) + "DETAILS\n"
                for execution in executions {
                    text += execution.thing.padded(30) + execution.status.padded(13) + JobsCommand.time(execution.updated).padded(22) + execution.detailsText + "\n"
                }
                let counts = Dictionary(grouping: executions, by: \.status).mapValues(\.count)
                writeStandardOutput(text + Job(id: job, status: "", targetSelection: "", counts: counts).countsText + "\n")
            }
        }
    }

    /// Cancelling, as a plan: which devices will not get the job, which carry on, which are
    /// stopped (--force, its own plan: the job's ID typed at the prompt).
    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel", abstract: "Cancel a job (or one device's execution with --thing), after its plan is approved.",
            discussion: "Queued executions are canceled; executions in progress carry on to their end unless --force, which stops them where they are (a device may be left half-way: at the prompt the job's ID is typed to approve it). Executions that ended keep their outcome.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The job ID.") var job: String
        @Option(help: "Cancel only this device's execution.") var thing: String?
        @Flag(help: "Stop executions in progress too.") var force = false
        @Option(help: "Why (kept with the job).") var comment: String?
        @Flag(name: [.short, .long], help: "Approve without asking.") var yes = false

        func run() async throws {
            try await AWSCommandContext.run {
                let loader = FleetLoader(client: try AWSCommandContext.client(global))
                let found = try await loader.job(job)
                if thing == nil, found.ended { throw ValidationFailure(message: "job \(job) is \(found.status): there is nothing to cancel") }
                var executions = try await loader.jobExecutions(job)
                if let thing {
                    executions = executions.filter { $0.thing == thing }
                    guard let execution = executions.first else { throw ValidationFailure(message: "job \(job) has no execution on \(thing)") }
                    if execution.ended { throw ValidationFailure(message: "\(thing)'s execution of \(job) has ended (\(execution.status)): there is nothing to cancel") }
                    if execution.status == "IN_PROGRESS" && !force {
                        throw ValidationFailure(message: "\(thing)'s execution of \(job) is in progress: only --force stops it (the device may be left half-way)")
                    }
                }
                let plan = JobCancelPlan(job: job, executions: executions, force: force)
                writeStandardOutput(plan.text)
                if !yes {
                    let approved = force ? try StackCommandContext.confirmTyping(job, "Type the job's ID to stop its executions in progress")
                                         : try StackCommandContext.confirm("Cancel it?", details: { plan.text })
                    guard approved else { throw ValidationFailure(message: "nothing canceled: not approved") }
                }
                if let thing {
                    try await loader.cancelJobExecution(job, thing: thing, force: force)
                } else {
                    try await loader.cancelJob(job, force: force, comment: comment)
                }
                let after = try await loader.job(job)
                writeStandardOutput("job \(job): \(after.status); executions: \(after.countsText)\n")
            }
        }
    }
}
