import ArgumentParser
import AWSCore
import Fleet
import FleetValues
import JSON

/// `fleetdeck audit ls | show TASK | findings TASK | start`: Device Defender's audits.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Device Defender audits: tasks, findings, an on-demand audit.",
                                                    subcommands: [List.self, Show.self, Findings.self, Start.self])

    static func type(_ task: AuditTask) -> String {
        switch task.type {
        case "ON_DEMAND_AUDIT_TASK": "on demand"
        case "SCHEDULED_AUDIT_TASK": "scheduled"
        default: task.type
        }
    }

    /// Each check's result, one line each.
    static func checks(_ task: AuditTask) -> String {
        task.checks.map { check in
            let counts = [check.nonCompliant.map { "\($0) non-compliant" }, check.total.map { "\($0) checked" }].compactMap { $0 }
            return "  \(check.name): \(check.status)\(counts.isEmpty ? "" : " (" + counts.joined(separator: " of ") + ")")\n"
        }.joined()
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "Audit tasks (on demand and scheduled) of the last days, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "How many days back (1-90).") var days = 30

        func run() async throws {
            try OptionLimits.check(days, "--days", within: 1...90)
            try await AWSCommandContext.run {
                let tasks = try await FleetLoader(client: try AWSCommandContext.client(global)).auditTasks(days: days)
                if global.json {
                    writeStandardOutput(JSONValue.array(tasks.map(\.json)).pretty() + "\n")
                    return
                }
                let text = textTable(["TASK", "TYPE", "STATUS", "STARTED", "NON-COMPLIANT", "SCHEDULED AUDIT"], widths: [34, 11, 12, 22, 15], tasks.map { task in
                    [task.id, AuditCommand.type(task), task.status, task.started.map { CivilTime(secondsSince1970: $0).iso8601 } ?? "?", "\(task.nonCompliant)",
                     task.scheduledName ?? "-"]
                })
                writeStandardOutput(text + "\(tasks.count) audit task\(tasks.count == 1 ? "" : "s") in the last \(days) days\n")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One audit task: its status and each check's result.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The task ID (audit ls).") var task: String

        func run() async throws {
            try await AWSCommandContext.run {
                let found = try await FleetLoader(client: try AWSCommandContext.client(global)).auditTask(task)
                if global.json {
                    writeStandardOutput(found.json.pretty() + "\n")
                    return
                }
                writeStandardOutput("audit task \(found.id): \(found.status), \(AuditCommand.type(found))"
                                    + (found.scheduledName.map { " (\($0))" } ?? "")
                                    + (found.started.map { ", started \(CivilTime(secondsSince1970: $0).iso8601)" } ?? "") + "\n" + AuditCommand.checks(found))
            }
        }
    }

    struct Findings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "findings", abstract: "A task's findings: severity, the resource and its things, why, suppressed or not.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The task ID (audit ls; default: the newest task of the last 30 days).") var task: String?

        func run() async throws {
            try await AWSCommandContext.run {
                let loader = FleetLoader(client: try AWSCommandContext.client(global))
                let task: String
                if let asked = self.task {
                    task = asked
                } else {
                    guard let newest = try await loader.auditTasks(days: 30).first else {
                        throw ValidationFailure(message: "no audit task in the last 30 days: name one (audit ls --days N), or start one (audit start)")
                    }
                    task = newest.id
                    writeStandardError("audit findings: of task \(task), the newest (\(AuditCommand.type(newest)), \(newest.status))\n")
                }
                let findings = try await loader.auditFindings(task: task)
                if global.json {
                    writeStandardOutput(JSONValue.array(findings.map(\.json)).pretty() + "\n")
                    return
                }
                let text = textTable(["SEVERITY", "CHECK", "RESOURCE", "THINGS", "REASON"], widths: [10, 36, 40, 28], findings.map { finding in
                    [finding.severity, finding.check, String(finding.resource.prefix(38)), finding.thingsText, finding.reason + (finding.suppressed ? " (suppressed)" : "")]
                })
                writeStandardOutput(text + "\(findings.count) finding\(findings.count == 1 ? "" : "s")\n")
            }
        }
    }

    /// An on-demand audit of the account's enabled checks (or some of them), shown and approved
    /// first (its findings go to the account's audit notification target, whose subscribers act
    /// on them: the reference architecture rotates expiring certificates).
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start", abstract: "Start an on-demand audit of the account's enabled checks (or --check ones), after its plan is approved.",
            discussion: "The plan names each check and what it reads. The findings go to the account's audit notification target, whose subscribers act on them (the reference architecture rotates expiring certificates). Prints the task's status and each check's result as DescribeAuditTask gives them.")
        @OptionGroup var global: GlobalOptions
        @Option(name: [.customLong("check"), .customLong("checks")], parsing: .upToNextOption,
                help: "The checks to run (--checks A B, or --check A --check B; default: every enabled check).") var checks: [String] = []
        @Flag(name: [.short, .long], help: "Approve without asking.") var yes = false

        func run() async throws {
            try await AWSCommandContext.run {
                let client = try AWSCommandContext.client(global)
                let loader = FleetLoader(client: client)
                let enabled = try await loader.enabledAuditChecks()
                for check in checks where !enabled.contains(check) {
                    throw ValidationFailure(message: "--check \(check) is not enabled in the account's audit configuration (enabled: \(enabled.joined(separator: ", ")))")
                }
                let chosen = checks.isEmpty ? enabled : checks
                let plan = "Start an on-demand audit in \(client.settings.region) of \(chosen.count) check\(chosen.count == 1 ? "" : "s"):\n"
                    + chosen.map { "  \($0): reads \(AuditCheckResult.reads($0))\n" }.joined()
                    + "  its findings go to the account's audit notification target, whose subscribers act on them\n"
                if !global.json { writeStandardOutput(plan) }
                if !yes, !(try StackCommandContext.confirm("Start the audit?", details: { plan })) {
                    throw ValidationFailure(message: "no audit started: not approved")
                }
                let task = try await loader.auditTask(try await loader.startAudit(chosen))
                writeStandardOutput(global.json ? task.json.pretty() + "\n"
                                                : "audit task \(task.id): \(task.status)\n" + AuditCommand.checks(task))
            }
        }
    }
}
