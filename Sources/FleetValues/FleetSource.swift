import JSON

/// Where the fleet screens read from: AWS IoT (`FleetLoader`, in Fleet) or a test's values.
/// Reading and changing are two protocols: a screen's load is handed a `FleetReader` only, so a
/// load cannot change the account (what --read-only relies on).
public protocol FleetReader: Sendable {
    /// Seconds since 1970 now (certificate expiry counts from it).
    func now() -> Int64
    /// Every device, a page at a time (`page` returns false to stop); a query goes to the fleet index.
    func devices(query: String?, page: @Sendable ([Device]) async -> Bool) async throws
    func detail(of thing: String) async throws -> DeviceDetail
    func groups() async throws -> [GroupInfo]
    func certificates() async throws -> [CertificateInfo]
    func policies() async throws -> [PolicyInfo]
    /// The certificates of these things, in brief (what could not be read says why in its entry).
    func certificateSummaries(_ things: [String]) async -> [String: DeviceCertificate]
    /// Which stack resource manages each thing, group, policy and rule (read from the project's
    /// stacks; outside a project nothing is managed).
    func managed() async throws -> ManagedIndex
    /// What an opened item of the fleet lists is related to.
    func related(_ kind: Related, _ id: String) async throws -> [String]
    /// What a bulk action would do to each item, from the account (throws `BulkRefused`).
    func check(_ action: BulkAction, _ items: [String]) async throws -> [String: BulkOutcome]
    /// Every Greengrass V2 core device, with the interval its status reports come at.
    func coreDevices() async throws -> CoreDeviceList
    /// One core device: its components, deployments and groups.
    func coreDeviceDetail(_ thing: String) async throws -> CoreDeviceDetail
    /// The fleet x component matrix (of a thing group's core devices, or every one).
    func componentMatrix(group: String?) async throws -> ComponentMatrix
    /// The account's component catalogue, and one version of a component (nil: the latest).
    func components() async throws -> [ComponentInfo]
    func componentVersion(_ name: String, version: String?) async throws -> ComponentVersionDetail
    /// Device Defender's audit tasks started in the last `days` days, newest first, each with its checks' results.
    func auditTasks(days: Int) async throws -> [AuditTask]
    /// A task's findings (the things of each certificate at fault with them).
    func auditFindings(task: String) async throws -> [AuditFinding]
    /// The checks the account's audit configuration enables (none is an error that says so).
    func enabledAuditChecks() async throws -> [String]
    /// AWS IoT jobs, newest first (of a status, a namespace, a thing group: nil is any).
    func jobs(status: String?, namespace: String?, group: String?) async throws -> [Job]
    /// Greengrass deployments' executions that do not move (of thing group `group`, or all):
    /// behind a newer revision, past their timeout, or waiting `limit` seconds or more.
    func stuckExecutions(group: String?, limit: Int64) async throws -> [StuckExecution]
    /// The account's job templates, by ID.
    func jobTemplates() async throws -> [JobTemplate]
    /// A job's rollout: its executions device by device, the targets it has not reached yet (or,
    /// once it ended, never reached) and why it stopped.
    func rollout(_ job: String) async throws -> Rollout
    /// Greengrass deployments, every revision, newest first.
    func deploymentSummaries() async throws -> [DeploymentSummary]
    /// The plan of the deployment document in `file` (upstream's deployment.json).
    func deploymentPlan(file: String) async throws -> DeploymentPlan
    /// The registry event types the account enables (THING, THING_GROUP_MEMBERSHIP...).
    func enabledRegistryEvents() async throws -> [String]
    /// What the provisioning templates' hooks answered devices in the last `days` days, newest first.
    func provisioningAttempts(days: Int) async throws -> [ProvisioningAttempt]
}

/// The changes the fleet screens make, each after its plan was approved.
public protocol FleetWriter: Sendable {
    /// Sets a shadow's desired state at a version; throws `ShadowConflict` with the newer document.
    func updateDesired(thing: String, shadow: String, desired: JSONValue, version: Int64?) async throws -> JSONValue
    func deleteShadow(thing: String, shadow: String) async throws
    /// Applies a bulk action to each item, reporting each (item, error or nil).
    func apply(_ action: BulkAction, _ items: [String], progress: @Sendable (String, String?) -> Void) async
    /// Starts an on-demand Device Defender audit of `checks`: its task ID.
    func startAudit(_ checks: [String]) async throws -> String
    /// Cancels a job (queued executions; in-progress ones too with `force`).
    func cancelJob(_ id: String, force: Bool, comment: String?) async throws
    /// Creates the deployment in `file` if its plan is still the one with `hash` (else throws
    /// `DeploymentPlanChanged` with the plan as it is now): the deployment's and its job's IDs.
    func deploy(file: String, hash: String) async throws -> (deployment: String, job: String)
    /// Cancels a Greengrass deployment (devices that have it keep it).
    func cancelDeployment(_ id: String) async throws
    /// Cancels one device's execution of a job (an in-progress one needs `force`).
    func cancelJobExecution(_ job: String, thing: String, force: Bool) async throws
    /// Asks each thing for a new certificate now, as the audit-actions function does (publishes
    /// `device/<thing>/csr_req`, "{}", QoS 1), reporting each (thing, error or nil).
    func requestRotation(_ things: [String], progress: @Sendable (String, String?) -> Void) async
}

public typealias FleetSource = FleetReader & FleetWriter

/// Lists an opened item of the fleet lists is related to (read when it is opened).
public enum Related: String, Equatable, Sendable {
    /// The things in a group (by group name).
    case groupMembers
    /// The policies attached to a certificate (by certificate ARN).
    case certificatePolicies
    /// A policy's versions (by policy name).
    case policyVersions
}

/// A bulk action on marked items of a fleet list, reviewed like a plan and approved.
public enum BulkAction: Equatable, Sendable {
    case addToGroup(String)
    case attachPolicy(String)
    /// On certificates (the plan's items are certificate IDs): INACTIVE or REVOKED.
    case setCertificateStatus(String)
}
