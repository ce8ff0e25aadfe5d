import Fleet
import JSON
import MQTT
import TermCore

/// Where the fleet screens' data comes from (the composition root fills these in over AWS).
public struct FleetData: Sendable {
    /// Every device, page by page (`page` returns false to stop); a query goes to the fleet index.
    public var devices: @Sendable (String?, @escaping @Sendable ([Device]) async -> Bool) async throws -> Void
    public var detail: @Sendable (String) async throws -> FleetLoader.DeviceDetail
    public var groups: @Sendable () async throws -> [GroupInfo]
    public var certificates: @Sendable () async throws -> [CertificateInfo]
    /// Sets a shadow's desired state at a version; throws `ShadowConflict` with the newer document.
    public var updateDesired: @Sendable (String, String, JSONValue, Int64?) async throws -> JSONValue
    public var deleteShadow: @Sendable (String, String) async throws -> Void
    /// Adds things to a group, reporting each (thing, error or nil).
    public var addToGroup: @Sendable ([String], String, @escaping @Sendable (String, String?) -> Void) async -> Void
    public var now: @Sendable () -> Int64
    public var policies: @Sendable () async throws -> [PolicyInfo]
    /// Attaches a policy to the certificates of things, reporting each.
    public var attachPolicy: @Sendable ([String], String, @escaping @Sendable (String, String?) -> Void) async -> Void
    /// What a bulk action would do to each thing, from the account (throws `BulkRefused`).
    public var check: @Sendable (FleetPlan.Action, [String]) async throws -> [String: BulkOutcome]
    /// Which stack resources manage which things, groups, policies and rules.
    public var managed: @Sendable () async throws -> ManagedIndex
    /// The certificates of the devices on screen, in brief.
    public var certificateSummaries: @Sendable ([String]) async -> [String: DeviceCertificate]
    /// What an item of the fleet lists is related to, read when it is opened.
    public var related: @Sendable (Related, String) async throws -> [String]
    /// Sets certificates' status (INACTIVE, REVOKED), reporting each (id, error or nil).
    public var setCertificateStatus: @Sendable ([String], String, @escaping @Sendable (String, String?) -> Void) async -> Void

    public init(devices: @escaping @Sendable (String?, @escaping @Sendable ([Device]) async -> Bool) async throws -> Void,
                detail: @escaping @Sendable (String) async throws -> FleetLoader.DeviceDetail, groups: @escaping @Sendable () async throws -> [GroupInfo],
                certificates: @escaping @Sendable () async throws -> [CertificateInfo],
                updateDesired: @escaping @Sendable (String, String, JSONValue, Int64?) async throws -> JSONValue,
                deleteShadow: @escaping @Sendable (String, String) async throws -> Void,
                addToGroup: @escaping @Sendable ([String], String, @escaping @Sendable (String, String?) -> Void) async -> Void,
                now: @escaping @Sendable () -> Int64,
                policies: @escaping @Sendable () async throws -> [PolicyInfo] = { [] },
                attachPolicy: @escaping @Sendable ([String], String, @escaping @Sendable (String, String?) -> Void) async -> Void = { things, _, progress in
                    for thing in things { progress(thing, "not available here") } },
                managed: @escaping @Sendable () async throws -> ManagedIndex = { ManagedIndex() },
                certificateSummaries: @escaping @Sendable ([String]) async -> [String: DeviceCertificate] = { _ in [:] },
                check: @escaping @Sendable (FleetPlan.Action, [String]) async throws -> [String: BulkOutcome] = { _, _ in
                    throw BulkRefused(reason: "bulk changes are not available here") },
                setCertificateStatus: @escaping @Sendable ([String], String, @escaping @Sendable (String, String?) -> Void) async -> Void = { ids, _, progress in
                    for id in ids { progress(id, "not available here") } },
                related: @escaping @Sendable (Related, String) async throws -> [String] = { _, _ in throw DashboardError(message: "not available here") }) {
        self.setCertificateStatus = setCertificateStatus
        self.related = related
        self.devices = devices
        self.detail = detail
        self.groups = groups
        self.certificates = certificates
        self.updateDesired = updateDesired
        self.deleteShadow = deleteShadow
        self.addToGroup = addToGroup
        self.now = now
        self.policies = policies
        self.attachPolicy = attachPolicy
        self.managed = managed
        self.certificateSummaries = certificateSummaries
        self.check = check
    }
}

/// Lists an opened item of the fleet lists is related to (read when it is opened).
public enum Related: String, Equatable, Sendable {
    /// The things in a group (by group name).
    case groupMembers
    /// The policies attached to a certificate (by certificate ARN).
    case certificatePolicies
    /// A policy's versions (by policy name).
    case policyVersions
}

/// A bulk action on marked devices, reviewed like a plan and approved.
public struct FleetPlan: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        case addToGroup(String)
        case attachPolicy(String)
        /// On certificates (the plan's items are certificate IDs): INACTIVE or REVOKED.
        case setCertificateStatus(String)
    }

    public var action: Action
    public var things: [String]
    /// What each item is, as the list it was chosen from showed it (a certificate: its things and
    /// status), so the plan names what it acts on.
    public var about: [String: String] = [:]
    /// What the action would do to each thing, read from the account (nil while checking).
    public var outcomes: [String: BulkOutcome]?
    /// Why the action cannot be planned at all (its group or policy does not exist).
    public var refused: String?
    /// Per thing: nil waiting, "" done, else the error.
    public var results: [String: String] = [:]
    public var running = false
    public var done: Int { results.values.filter(\.isEmpty).count }
    /// The things the action changes (only these are applied).
    public var changes: [String] { things.filter { outcomes?[$0] == .change } }

    public init(action: Action, things: [String]) {
        self.action = action
        self.things = things
    }

    /// "add to group lab", "attach policy telemetry".
    public var title: String {
        switch action {
        case .addToGroup(let group): return "add to group \(group)"
        case .attachPolicy(let policy): return "attach policy \(policy)"
        case .setCertificateStatus(let status): return status == "REVOKED" ? "revoke (for good)" : status == "INACTIVE" ? "deactivate" : "set status \(status)"
        }
    }

    func row(_ thing: String) -> String {
        let glyph: String
        switch outcomes?[thing] {
        case .change?: glyph = "+ "
        case .unchanged?: glyph = "  "
        case .impossible?: glyph = "! "
        case nil: glyph = "? "
        }
        switch action {
        case .addToGroup(let group): return "\(glyph) aws:iot:ThingGroupMembership  \(thing) → \(group)"
        case .attachPolicy(let policy): return "\(glyph) aws:iot:PolicyAttachment  \(policy) → certificates of \(thing)"
        case .setCertificateStatus(let status):
            return "\(glyph == "+ " ? "~ " : glyph) aws:iot:Certificate  \(thing.prefix(16))  \(about[thing] ?? "") → \(status)"
        }
    }

    /// The plan's one-line summary: what changes, what does not, what cannot.
    var summary: String {
        if let refused { return "refused: " + refused }
        guard let outcomes else { return "checking the account…" }
        let unchanged = outcomes.values.filter { if case .unchanged = $0 { return true }; return false }.count
        let impossible = outcomes.values.filter { if case .impossible = $0 { return true }; return false }.count
        return "~\(changes.count) \(title)" + (unchanged > 0 ? "  (\(unchanged) unchanged)" : "") + (impossible > 0 ? "  (\(impossible) cannot)" : "")
    }
}

/// A shadow edit in progress: the JSON typed so far and whether it parses.
public struct ShadowEdit: Equatable, Sendable {
    public var shadow: String
    public var version: Int64?
    public var line: InputLine
    public var problem: String?
}

/// The fleet screens' state.
public struct FleetState: Equatable, Sendable {
    /// What opened items are related to, by "kind:id": the names, or why they could not be read.
    public var related: [String: Result<[String], DashboardError>] = [:]
    public var model = FleetModel()
    public var loading = false
    public var query: String?
    /// Indices into the model that the filter lets through, in the chosen order.
    public var visible: [Int] = []
    public var shownFilter = ""
    /// The devices' order (its column is one of `FleetScreens.deviceColumns`).
    public var deviceOrder = Table.Order()
    /// The order of each of the other lists (groups, certificates, policies), kept between visits.
    public var listOrders: [String: Table.Order] = [:]
    public var marked: Set<String> = []
    public var detail: FleetLoader.DeviceDetail?
    public var shadowIndex = 0
    /// Every version of each shadow seen this session ("thing/shadow" -> documents, oldest first).
    public var history: [String: [JSONValue]] = [:]
    public var conflict: JSONValue?
    public var edit: ShadowEdit?
    /// The desired document last sent (shadow name, text): after a conflict, `e` starts from it
    /// at the server's version, so the user's edit is not lost.
    public var draft: (shadow: String, text: String)?
    public var groups: [GroupInfo]?
    public var certificates: [CertificateInfo]?
    public var policies: [PolicyInfo]?
    public var managed = ManagedIndex()
    /// The two versions the diff compares (indices into the history, from the newest: 0 latest).
    public var diffFrom = 1
    public var diffTo = 0
    /// The certificates of devices shown so far, loaded for the rows on screen.
    public var deviceCertificates: [String: DeviceCertificate] = [:]
    public var certificatesRequested: Set<String> = []
    public var expiringDays = 30
    public var plan: FleetPlan?
    public var confirmDelete: String?
    public var showDiff = false

    public init() {}

    public static func == (lhs: FleetState, rhs: FleetState) -> Bool {
        lhs.model == rhs.model && lhs.visible == rhs.visible && lhs.marked == rhs.marked && lhs.detail == rhs.detail && lhs.edit == rhs.edit
            && lhs.plan == rhs.plan && lhs.groups == rhs.groups && lhs.certificates == rhs.certificates && lhs.shadowIndex == rhs.shadowIndex
            && lhs.conflict == rhs.conflict && lhs.history.count == rhs.history.count && lhs.loading == rhs.loading && lhs.confirmDelete == rhs.confirmDelete
            && lhs.policies == rhs.policies && lhs.managed == rhs.managed && lhs.diffFrom == rhs.diffFrom && lhs.diffTo == rhs.diffTo
            && lhs.deviceCertificates == rhs.deviceCertificates && lhs.certificatesRequested == rhs.certificatesRequested
    }
}
