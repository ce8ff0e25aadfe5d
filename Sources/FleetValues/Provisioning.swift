import JSON

/// A device's attempt to provision by claim, as the template's pre-provisioning hook answered it
/// (read from the hook function's log): admitted or refused and why, and whether the serial
/// number is on the allowlist the hook reads now (a listed one refused is an error worth a red
/// line); joined with the registry's THING events where the account enables them (the thing
/// made for it, and when), which also show things no hook answered for.
public struct ProvisioningAttempt: Sendable, Equatable {
    /// The template whose hook answered (nil: known from a registry event only).
    public var template: String?
    public var serial: String
    public var admitted: Bool
    public var reason: String?
    /// Seconds since 1970.
    public var time: Int64
    /// On the allowlist the hook reads; nil when it could not be read.
    public var listed: Bool?
    /// When the registry said the thing was created (a THING event), seconds since 1970.
    public var thingCreated: Int64?

    public init(template: String?, serial: String, admitted: Bool, reason: String?, time: Int64, listed: Bool?, thingCreated: Int64? = nil) {
        self.template = template
        self.serial = serial
        self.admitted = admitted
        self.reason = reason
        self.time = time
        self.listed = listed
        self.thingCreated = thingCreated
    }

    /// The registry's THING `created` events among messages (`$aws/events/thing/NAME/created`):
    /// each thing and when it was made (the event's timestamp, else the message's arrival).
    public static func thingsCreated(_ messages: [(topic: String, payload: [UInt8], time: Double)]) -> [String: Int64] {
        var created: [String: Int64] = [:]
        for (topic, payload, time) in messages {
            let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 5, parts[0] == "$aws", parts[1] == "events", parts[2] == "thing", parts[4] == "created" else { continue }
            let body = try? JSONValue.parse(payload)
            created[body?["thingName"]?.stringValue ?? String(parts[3])] = body?["timestamp"]?.intValue.map { $0 / 1000 } ?? Int64(time)
        }
        return created
    }

    /// The hooks' answers joined with the things the registry said it created (by thing name,
    /// which upstream's template takes from the serial number): a thing's creation goes to the
    /// latest admitted attempt before it (the hook answers, then the thing is made; a few seconds
    /// of clock between the log and the event allowed); a thing no hook answered for is a row of
    /// its own (a template without a hook, or a thing made otherwise). Newest first.
    public static func joined(_ attempts: [ProvisioningAttempt], created: [String: Int64]) -> [ProvisioningAttempt] {
        var joined = attempts
        var unanswered: [String: Int64] = [:]
        for (thing, time) in created {
            let candidates = joined.indices.filter { joined[$0].admitted && joined[$0].serial == thing && joined[$0].time <= time + 5 }
            guard let latest = candidates.max(by: { joined[$0].time < joined[$1].time }) else { unanswered[thing] = time; continue }
            joined[latest].thingCreated = time
        }
        for (thing, time) in unanswered {
            joined.append(ProvisioningAttempt(template: nil, serial: thing, admitted: true, reason: "made without a hook's answer",
                                              time: time, listed: nil, thingCreated: time))
        }
        return joined.sorted { ($0.time, $0.serial) > ($1.time, $1.serial) }
    }

    /// Refused though the allowlist lists it now: the hook and the allowlist disagree. (One
    /// admitted and not listed now may have been removed since: its LISTED says no.)
    public var wrong: Bool { !admitted && listed == true }

    /// The hook's log lines read as attempts: `admitting 'SERIAL'` and `refusing 'SERIAL': REASON`.
    public static func parse(_ message: String, template: String, time: Int64, allowlist: Set<String>?) -> ProvisioningAttempt? {
        let admitted: Bool, rest: Substring
        if message.hasPrefix("admitting '") { (admitted, rest) = (true, message.dropFirst("admitting '".count)) }
        else if message.hasPrefix("refusing '") { (admitted, rest) = (false, message.dropFirst("refusing '".count)) }
        else { return nil }
        guard let end = rest.firstIndex(of: "'") else { return nil }
        let serial = String(rest[..<end]), after = rest[rest.index(after: end)...]
        let reason = after.hasPrefix(": ") ? String(after.dropFirst(2)).trimmingWhitespace() : nil
        return ProvisioningAttempt(template: template, serial: serial, admitted: admitted, reason: reason, time: time, listed: allowlist.map { $0.contains(serial) })
    }

    public var json: JSONValue {
        ["template": template.map(JSONValue.string) ?? .null, "thingCreated": thingCreated.map { .string(CivilTime(secondsSince1970: $0).iso8601) } ?? .null,
         "serialNumber": .string(serial), "admitted": .bool(admitted), "reason": reason.map(JSONValue.string) ?? .null,
         "time": .string(CivilTime(secondsSince1970: time).iso8601), "listed": listed.map(JSONValue.bool) ?? .null, "wrong": .bool(wrong)]
    }
}
