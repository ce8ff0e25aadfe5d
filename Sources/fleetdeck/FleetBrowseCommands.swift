import ArgumentParser
import AWSCore
import Fleet
import FleetValues
import JSON
import MQTT
import MQTTNet
import Synchronization

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
    static let configuration = CommandConfiguration(commandName: "certs", abstract: "Device certificates.", subcommands: [List.self, Rotation.self, Rotate.self])

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
                         "things": .array(certificate.things.map(JSONValue.string)), "policies": .array(certificate.policies.map(JSONValue.string))]
                    }).pretty() + "\n")
                    return
                }
                let text = textTable(["ID", "STATUS", "EXPIRES", "FLAGS", "THINGS", "POLICIES"], widths: [18, 20, 29, 24, 28], certificates.map { certificate in
                    [String(certificate.id.prefix(16)), certificate.status,
                     certificate.notAfter.map { CivilTime(secondsSince1970: $0).iso8601 + " (\(certificate.daysLeft(now: now)!)d)" } ?? "unreadable",
                     certificate.flags(now: now, expiringDays: window).joined(separator: ","), certificate.things.isEmpty ? "-" : certificate.things.joined(separator: ","),
                     certificate.policies.isEmpty ? "-" : certificate.policies.joined(separator: ",")]
                })
                writeStandardOutput(text + "\(certificates.count) certificate\(certificates.count == 1 ? "" : "s")\(expiring.map { " expiring within \($0) days" } ?? "")\n")
            }
        }
    }
}

extension CertsCommand {
    /// `fleetdeck certs rotation --watch S`: the rotation screen's facts without a terminal: the
    /// chain's messages heard for S seconds, then the registry, each device's steps.
    struct Rotation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotation", abstract: "Follow certificate rotations device by device: the chain's messages for --watch seconds, then the registry.",
            discussion: "Steps: requested (device/<thing>/csr_req), CSR received (lambda/<thing>/csr_res), certificate issued (device/<thing>/crt), acknowledged (lambda/<thing>/crt_ack), old revoked (the registry shows the new certificate alone). A device with no step for --stuck-after seconds that is not done is stuck. Devices not rotating whose active certificate expires within --expiring days are listed as due (no step).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var broker: BrokerOptions
        @Option(help: "How many seconds to listen to the chain's topics.") var watch: Double = 30
        @Option(help: "How many seconds a step may take before the device counts as stuck.") var stuckAfter: Double = 120
        @Option(help: "List the devices not rotating whose certificate expires within this many days.") var expiring: Int = 30

        func run() async throws {
            try OptionLimits.check(watch, "--watch", within: OptionLimits.seconds, unit: " seconds")
            try OptionLimits.check(stuckAfter, "--stuck-after", within: OptionLimits.seconds, unit: " seconds")
            try OptionLimits.check(expiring, "--expiring", within: 0...36_500, unit: " days")
            let endpoint = try await broker.endpoint(global)
            let heard = Mutex<[(topic: String, payload: [UInt8], time: Double)]>([]), refused = Mutex<String?>(nil)
            let client = Client(options: Session.Options(clientID: broker.clientID), open: { () throws(TransportError) in try endpoint.open() }) { event in
                switch event {
                case .message(let message, let time): heard.withLock { $0.append((message.topic, message.payload, time)) }
                case .subscribed(let filters, let codes) where codes.contains(0x80):
                    refused.withLock { $0 = "the broker refused the subscription to \(filters.joined(separator: ", "))" }
                case .subscribed(let filters, _):
                    writeStandardError("certs rotation: listening to \(filters.joined(separator: " ")) on \(endpoint.description) for \(watch) s\n")
                case .refused(let why): refused.withLock { $0 = why }
                default: return
                }
            }
            client.subscribe(FleetValues.Rotation.topics.map { Subscription($0, qos: .atLeastOnce) })
            client.start()
            _ = Gate().wait(seconds: watch)
            client.stop()
            if let why = refused.withLock({ $0 }) { throw ValidationFailure(message: why) }
            try await AWSCommandContext.run {
                let now = Double(AWSClient.wallClock())
                let certificates = try await FleetLoader(client: try AWSCommandContext.client(global)).certificates()
                let rotations = FleetValues.Rotation.follow(heard.withLock { $0 }, certificates: certificates, readAt: now, expiringDays: expiring)
                func held(_ thing: String) -> [CertificateInfo] { certificates.filter { $0.things.contains(thing) } }
                if global.json {
                    writeStandardOutput(JSONValue.array(rotations.map { rotation in
                        var object = rotation.json.objectValue ?? [:]
                        object["stuck"] = .bool(rotation.stuck(now: now, after: stuckAfter) != nil)
                        object["due"] = .bool(rotation.step == nil)
                        object["certificates"] = .array(held(rotation.thing).map { ["certificateId": .string($0.id), "status": .string($0.status),
                                                                                     "daysLeft": $0.daysLeft(now: Int64(now)).map { .integer(Int64($0)) } ?? .null] })
                        return .object(object)
                    }).pretty() + "\n")
                    return
                }
                let text = textTable(["DEVICE", "STEP", "CERTIFICATES"], widths: [24, 30], rotations.map { rotation in
                    [rotation.thing, (rotation.step?.name ?? "due: not asked") + (rotation.stuck(now: now, after: stuckAfter) != nil ? " (stuck)" : ""),
                     held(rotation.thing).map { "\($0.id.prefix(12)) \($0.daysLeft(now: Int64(now)).map { "\($0)d" } ?? "?")" }.joined(separator: ", ")]
                })
                let due = rotations.filter { $0.step == nil }.count
                writeStandardOutput(text + "\(rotations.count - due) device\(rotations.count - due == 1 ? "" : "s") heard rotating in \(watch) s"
                                    + (due > 0 ? ", \(due) due (a certificate expiring within \(expiring) days)" : "") + "\n")
            }
        }
    }
}

extension CertsCommand {
    /// `fleetdeck certs rotate THING...`: asks devices for a new certificate now, as the
    /// reference architecture's audit-actions function does; a plan shown and approved first.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate", abstract: "Ask devices for a new certificate now (publishes device/<thing>/csr_req, as the audit-actions function does), after the plan is approved.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The things to rotate.") var things: [String]
        @Flag(name: [.short, .long], help: "Approve without asking.") var yes = false

        func run() async throws {
            guard !things.isEmpty else { throw ValidationFailure(message: "name at least one thing") }
            for thing in things where !Allowlist.isThingName(thing) { throw ValidationFailure(message: "'\(thing)' is not a thing name") }
            let plan = "Ask \(things.count) device\(things.count == 1 ? "" : "s") for a new certificate now: publish \"{}\" (QoS 1) on\n"
                + things.map { "  device/\($0)/csr_req\n" }.joined()
                + "  each device answers with a CSR; the stack's rules and functions issue its certificate and revoke the old one\n"
            writeStandardOutput(plan)
            if !yes, !(try StackCommandContext.confirm("Ask them?", details: { plan })) { throw ValidationFailure(message: "nothing asked: not approved") }
            try await AWSCommandContext.run {
                let failed = Mutex<[String]>([])
                await FleetLoader(client: try AWSCommandContext.client(global)).requestRotation(things) { thing, error in
                    writeStandardOutput(error.map { "\(thing): not asked: \($0)\n" } ?? "\(thing): asked (device/\(thing)/csr_req)\n")
                    if error != nil { failed.withLock { $0.append(thing) } }
                }
                let failures = failed.withLock { $0 }
                if !failures.isEmpty { throw ValidationFailure(message: "\(failures.count) of \(things.count) devices were not asked") }
            }
        }
    }
}
