import ArgumentParser
import Fleet
import JSON

extension FleetCommand {
    /// `fleetdeck fleet audit`: an on-demand Device Defender audit of the account's enabled
    /// checks, shown first and approved (its findings go to the audit's SNS target, where the
    /// reference architecture's functions act on them: rotation).
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit", abstract: "Start an on-demand Device Defender audit of the account's enabled checks.",
            discussion: "The checks are those the account's audit configuration enables. The findings go to its SNS notification target, whose subscribers act on them (the reference architecture rotates expiring certificates). Prints the task's status and each check's result as DescribeAuditTask gives them.")
        @OptionGroup var global: GlobalOptions
        @Flag(name: [.short, .long], help: "Approve without asking.") var yes = false

        func run() async throws {
            try await AWSCommandContext.run {
                let client = try AWSCommandContext.client(global)
                let loader = FleetLoader(client: client)
                let checks = try await loader.enabledAuditChecks()
                let plan = "Start an on-demand audit in \(client.settings.region) of \(checks.count) check\(checks.count == 1 ? "" : "s"): \(checks.joined(separator: ", "))\n"
                    + "  its findings go to the account's audit notification target, whose subscribers act on them\n"
                if !global.json { writeStandardOutput(plan) }
                if !yes, !(try StackCommandContext.confirm("Start the audit?", details: { plan })) {
                    throw ValidationFailure(message: "no audit started: not approved")
                }
                let taskId = try await loader.startAudit(checks)
                let task = try await loader.auditTask(taskId)
                if global.json {
                    var object = task.objectValue ?? [:]
                    object["taskId"] = .string(taskId)
                    writeStandardOutput(JSONValue.object(object).serialized() + "\n")
                    return
                }
                writeStandardOutput("audit task \(taskId): \(task["taskStatus"]?.stringValue ?? "?")\n")
                for (name, detail) in task["auditDetails"]?.objectValue ?? [:] {
                    let counts = [("non-compliant", "nonCompliantResourcesCount"), ("checked", "totalResourcesCount")].compactMap { label, key in
                        detail[key]?.intValue.map { "\($0) \(label)" }
                    }
                    writeStandardOutput("  \(name): \(detail["checkRunStatus"]?.stringValue ?? "?")\(counts.isEmpty ? "" : " (" + counts.joined(separator: " of ") + ")")\n")
                }
            }
        }
    }
}
