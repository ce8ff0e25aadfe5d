import ArgumentParser
import AWSCore
import Fleet
import FleetValues
import JSON

extension FleetCommand {
    /// `fleetdeck fleet attempts`: what the provisioning templates' hooks answered devices.
    struct Attempts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "attempts", abstract: "Provisioning attempts: what each template's pre-provisioning hook answered each serial number, and why.",
            discussion: "Read from the hook function's log in CloudWatch Logs (lines 'admitting SERIAL' and 'refusing SERIAL: REASON', as the reference architecture's hook writes them), tied to the allowlist the hook reads (allowlist.txt in its CERT_BUCKET) as it is now: a listed serial number refused is marked WRONG and makes the exit status 1.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "How many days back (1-30).") var days = 7

        func run() async throws {
            try OptionLimits.check(days, "--days", within: 1...30)
            try await AWSCommandContext.run {
                let attempts = try await FleetLoader(client: try AWSCommandContext.client(global)).provisioningAttempts(days: days)
                if global.json {
                    writeStandardOutput(JSONValue.array(attempts.map(\.json)).pretty() + "\n")
                } else {
                    let text = textTable(["TIME", "SERIAL", "ANSWER", "LISTED", "TEMPLATE", "REASON"], widths: [22, 24, 10, 8, 38], attempts.map { attempt in
                        [CivilTime(secondsSince1970: attempt.time).iso8601, attempt.serial, attempt.admitted ? "admitted" : "refused",
                         attempt.listed.map { $0 ? "yes" : "no" } ?? "?", attempt.template ?? "-", (attempt.reason ?? "-") + (attempt.wrong ? "  WRONG: it is on the allowlist" : "")]
                    })
                    let refused = attempts.filter { !$0.admitted }.count
                    writeStandardOutput(text + "\(attempts.count) attempt\(attempts.count == 1 ? "" : "s") in the last \(days) days, \(refused) refused\n")
                }
                let wrong = attempts.filter(\.wrong)
                if !wrong.isEmpty {
                    throw ValidationFailure(message: "\(wrong.count) serial number\(wrong.count == 1 ? "" : "s") on the allowlist refused: " + wrong.map(\.serial).joined(separator: ", "))
                }
            }
        }
    }
}
