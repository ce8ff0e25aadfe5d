import Crypto

/// A provisioning run by claim as a plan: which serial numbers, through which template, on which
/// endpoint, with which claim certificate, and where the devices keep their keys. Shown and
/// approved before any device connects; its hash names exactly this plan.
public struct ProvisioningPlan: Sendable, Equatable {
    public var serials: [String]
    public var template: String
    public var endpoint: String
    public var claim: String
    public var keys: String

    public init(serials: [String], template: String, endpoint: String, claim: String, keys: String) {
        self.serials = serials
        self.template = template
        self.endpoint = endpoint
        self.claim = claim
        self.keys = keys
    }

    /// What the plan does, and its hash (sha256 of the lines above it).
    public var text: String { body + "plan \(hash)\n" }

    public var hash: String { FleetLoader.planHash(body) }

    var body: String {
        "Provision \(serials.count) device\(serials.count == 1 ? "" : "s") by claim, as the devices do (each serial number asks; the template's hook decides):\n"
            + "  template  \(template)\n  endpoint  \(endpoint)\n  claim     \(claim)\n  keys      \(keys) (0600, never printed)\n"
            + stride(from: 0, to: serials.count, by: 8).map { start in
                "  " + (start == 0 ? "serials   " : "          ") + serials[start..<min(start + 8, serials.count)].joined(separator: " ") + "\n"
            }.joined()
    }
}
