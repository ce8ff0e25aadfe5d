import ArgumentParser
import AWSCore
import Fleet
import JSON

/// `fleetdeck groups ls`: thing groups as a tree with member counts.
struct GroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "groups", abstract: "Thing groups.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "Thing groups as a tree, with member counts.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await AWSCommandContext.run {
                let groups = try await FleetLoader(client: try AWSCommandContext.client(global)).groups()
                if global.json {
                    writeStandardOutput(JSONValue.array(groups.map { group in
                        ["name": .string(group.name), "parent": group.parent.map(JSONValue.string) ?? .null, "members": .integer(Int64(group.members))]
                    }).pretty() + "\n")
                    return
                }
                var text = ""
                func walk(_ parent: String?, depth: Int) {
                    for group in groups where group.parent == parent {
                        text += String(repeating: "  ", count: depth) + group.name + "  (\(group.members) thing\(group.members == 1 ? "" : "s"))\n"
                        walk(group.name, depth: depth + 1)
                    }
                }
                walk(nil, depth: 0)
                // Groups whose parent is not listed (a partial view) still appear.
                let names = Set(groups.map(\.name))
                for group in groups where group.parent.map({ !names.contains($0) }) == true { text += group.name + "  (\(group.members))\n" }
                writeStandardOutput(text + "\(groups.count) group\(groups.count == 1 ? "" : "s")\n")
            }
        }
    }
}

/// `fleetdeck certs ls [--expiring DAYS]`: certificates with status and expiry.
struct CertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "certs", abstract: "Device certificates.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "Certificates: status, expiry (from the certificate), flags, things.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only those expiring within this many days (or expired).") var expiring: Int?
        @Option(help: "Only those with this status (ACTIVE, INACTIVE, REVOKED, PENDING_TRANSFER, PENDING_ACTIVATION).") var status: String?
        @Flag(help: "Only those attached to no thing.") var unattached = false

        func validate() throws {
            let statuses = ["ACTIVE", "INACTIVE", "REVOKED", "PENDING_TRANSFER", "REGISTER_INACTIVE", "PENDING_ACTIVATION"]
            if let status, !statuses.contains(status) { throw ValidationError("--status must be one of \(statuses.joined(separator: ", ")), not '\(status)'") }
        }

        func run() async throws {
            try await AWSCommandContext.run {
                let now = Int64(AWSClient.wallClock())
                var certificates = try await FleetLoader(client: try AWSCommandContext.client(global)).certificates()
                if let expiring { certificates = certificates.filter { ($0.daysLeft(now: now) ?? .max) <= expiring } }
                if let status { certificates = certificates.filter { $0.status == status } }
                if unattached { certificates = certificates.filter { $0.things.isEmpty } }
                let window = expiring ?? 30
                if global.json {
                    writeStandardOutput(JSONValue.array(certificates.map { certificate in
                        ["certificateId": .string(certificate.id), "certificateArn": .string(certificate.arn), "status": .string(certificate.status),
                         "notAfter": certificate.notAfter.map { .string(CivilTime(secondsSince1970: $0).iso8601) } ?? .null,
                         "daysLeft": certificate.daysLeft(now: now).map { .integer(Int64($0)) } ?? .null,
                         "flags": .array(certificate.flags(now: now, expiringDays: window).map(JSONValue.string)),
                         "things": .array(certificate.things.map(JSONValue.string))]
                    }).pretty() + "\n")
                    return
                }
                var text = "ID".padded(18) + "STATUS".padded(20) + "EXPIRES".padded(29) + "FLAGS".padded(24) + "THINGS\n"
                for certificate in certificates {
                    let expires = certificate.notAfter.map { CivilTime(secondsSince1970: $0).iso8601 + " (\(certificate.daysLeft(now: now)!)d)" } ?? "unreadable"
                    text += String(certificate.id.prefix(16)).padded(18) + certificate.status.padded(20) + expires.padded(29)
                        + certificate.flags(now: now, expiringDays: window).joined(separator: ",").padded(24)
                        + (certificate.things.isEmpty ? "-" : certificate.things.joined(separator: ",")) + "\n"
                }
                writeStandardOutput(text + "\(certificates.count) certificate\(certificates.count == 1 ? "" : "s")\(expiring.map { " expiring within \($0) days" } ?? "")\n")
            }
        }
    }
}
