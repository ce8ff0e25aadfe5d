import JSON

/// A device's attempt to provision by claim, as the template's pre-provisioning hook answered it
/// (read from the hook function's log): admitted or refused and why, and whether the serial
/// number is on the allowlist the hook reads now (a listed one refused is an error worth a red line).
public struct ProvisioningAttempt: Sendable, Equatable {
    public var template: String
    public var serial: String
    public var admitted: Bool
    public var reason: String?
    /// Seconds since 1970.
    public var time: Int64
    /// On the allowlist the hook reads; nil when it could not be read.
    public var listed: Bool?

    public init(template: String, serial: String, admitted: Bool, reason: String?, time: Int64, listed: Bool?) {
        self.template = template
        self.serial = serial
        self.admitted = admitted
        self.reason = reason
        self.time = time
        self.listed = listed
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
        ["template": .string(template), "serialNumber": .string(serial), "admitted": .bool(admitted), "reason": reason.map(JSONValue.string) ?? .null,
         "time": .string(CivilTime(secondsSince1970: time).iso8601), "listed": listed.map(JSONValue.bool) ?? .null, "wrong": .bool(wrong)]
    }
}
