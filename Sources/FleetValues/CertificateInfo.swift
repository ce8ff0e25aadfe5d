/// A certificate: its status, when it expires (parsed from the certificate itself), the things
/// it is attached to and the policies attached to it.
public struct CertificateInfo: Sendable, Equatable {
    public var id: String
    public var arn: String
    public var status: String
    /// Seconds since 1970 of notAfter; nil when the PEM could not be read.
    public var notAfter: Int64?
    public var subject: String?
    public var things: [String]
    public var policies: [String]

    public init(id: String, arn: String, status: String, notAfter: Int64?, subject: String?, things: [String], policies: [String] = []) {
        self.id = id
        self.arn = arn
        self.status = status
        self.notAfter = notAfter
        self.subject = subject
        self.things = things
        self.policies = policies
    }

    /// Days until expiry (negative once expired), from `now`.
    public func daysLeft(now: Int64) -> Int? { notAfter.map { Int(($0 - now) / 86_400) } }

    /// What is worth a look, as words a filter finds: expired or expiring (within
    /// `expiringDays`), not active (its status), unattached (no thing), unreadable.
    public func flags(now: Int64, expiringDays: Int) -> [String] {
        var flags: [String] = []
        if let notAfter { if notAfter <= now { flags.append("expired") } else if (daysLeft(now: now) ?? .max) <= expiringDays { flags.append("expiring") } }
        else { flags.append("unreadable") }
        if status != "ACTIVE" { flags.append(status.lowercased()) }
        if things.isEmpty { flags.append("unattached") }
        return flags
    }
}
