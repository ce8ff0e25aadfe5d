import JSON

/// One check's result in a Device Defender audit task (DescribeAuditTask's auditDetails).
public struct AuditCheckResult: Sendable, Equatable {
    public var name: String
    /// checkRunStatus: IN_PROGRESS, WAITING_FOR_DATA_COLLECTION, CANCELED, COMPLETED_COMPLIANT, COMPLETED_NON_COMPLIANT, FAILED.
    public var status: String
    public var total: Int?
    public var nonCompliant: Int?
    public var suppressed: Int?

    /// What a check reads (AWS's Device Defender audit checks): what running it costs the account.
    public static func reads(_ check: String) -> String {
        switch check {
        case "DEVICE_CERTIFICATE_EXPIRING_CHECK": "every device certificate (its notAfter)"
        case "DEVICE_CERTIFICATE_SHARED_CHECK": "every device's connections"
        case "CA_CERTIFICATE_EXPIRING_CHECK": "every CA certificate"
        case "REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK": "every revoked certificate's connections"
        case "IOT_POLICY_OVERLY_PERMISSIVE_CHECK": "every IoT policy"
        case "LOGGING_DISABLED_CHECK": "the account's logging settings"
        case "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK": "every device certificate's key"
        case "CA_CERTIFICATE_KEY_QUALITY_CHECK": "every CA certificate's key"
        case "DEVICE_CERTIFICATE_AGE_CHECK": "every device certificate (its age)"
        case "CONFLICTING_CLIENT_IDS_CHECK": "every device's connections (their client IDs)"
        case "REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK": "every revoked CA certificate's device certificates"
        case "INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK": "every active device certificate's chain"
        case "IOT_POLICY_POTENTIAL_MIS_CONFIGURATION_CHECK": "every IoT policy"
        case "IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK", "IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK": "every role alias and its role's policies"
        case "UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK", "AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK": "the Cognito identity pools' roles"
        default: "what AWS's audit check guide says it reads (fleetdeck does not know this check)"
        }
    }

    public init(name: String, status: String, total: Int?, nonCompliant: Int?, suppressed: Int? = nil) {
        self.name = name
        self.status = status
        self.total = total
        self.nonCompliant = nonCompliant
        self.suppressed = suppressed
    }
}

/// An audit task, on demand or scheduled, with each check's result.
public struct AuditTask: Sendable, Equatable {
    public var id: String
    /// ON_DEMAND_AUDIT_TASK or SCHEDULED_AUDIT_TASK.
    public var type: String
    public var status: String
    /// Seconds since 1970.
    public var started: Int64?
    public var scheduledName: String?
    public var checks: [AuditCheckResult]

    public init(id: String, type: String, status: String, started: Int64?, scheduledName: String?, checks: [AuditCheckResult]) {
        self.id = id
        self.type = type
        self.status = status
        self.started = started
        self.scheduledName = scheduledName
        self.checks = checks
    }

    public var nonCompliant: Int { checks.reduce(0) { $0 + ($1.nonCompliant ?? 0) } }

    public var json: JSONValue {
        ["taskId": .string(id), "taskType": .string(type), "taskStatus": .string(status),
         "taskStartTime": started.map { .string(CivilTime(secondsSince1970: $0).iso8601) } ?? .null,
         "scheduledAuditName": scheduledName.map(JSONValue.string) ?? .null,
         "checks": .array(checks.map { check in
             ["checkName": .string(check.name), "checkRunStatus": .string(check.status),
              "totalResourcesCount": check.total.map { .integer(Int64($0)) } ?? .null,
              "nonCompliantResourcesCount": check.nonCompliant.map { .integer(Int64($0)) } ?? .null,
              "suppressedNonCompliantResourcesCount": check.suppressed.map { .integer(Int64($0)) } ?? .null]
         })]
    }
}

/// A finding of an audit: the resource at fault, why, how bad, and whether it is suppressed; the
/// things of a certificate at fault (its devices).
public struct AuditFinding: Sendable, Equatable {
    public var id: String
    public var taskId: String
    public var check: String
    public var severity: String
    public var resourceType: String
    /// The resource's identifier as the finding names it ("deviceCertificateId abc…", "policyName p").
    public var resource: String
    /// The certificate at fault, when the resource is one.
    public var certificateId: String?
    /// The policy at fault, when the resource is one (a policy version).
    public var policy: String?
    public var reason: String
    public var reasonCode: String
    public var suppressed: Bool
    public var time: Int64?
    public var things: [String]
    /// The certificate at fault is gone from the registry since (rotated and deleted, say).
    public var resourceDeleted: Bool

    public init(id: String, taskId: String, check: String, severity: String, resourceType: String, resource: String, certificateId: String?,
                reason: String, reasonCode: String, suppressed: Bool, time: Int64?, things: [String], resourceDeleted: Bool = false, policy: String? = nil) {
        self.policy = policy
        self.id = id
        self.taskId = taskId
        self.check = check
        self.severity = severity
        self.resourceType = resourceType
        self.resource = resource
        self.certificateId = certificateId
        self.reason = reason
        self.reasonCode = reasonCode
        self.suppressed = suppressed
        self.time = time
        self.things = things
        self.resourceDeleted = resourceDeleted
    }

    /// The things column: the certificate's things, or that it is gone.
    public var thingsText: String { resourceDeleted ? "(certificate deleted since)" : things.isEmpty ? "-" : things.joined(separator: ",") }

    public var json: JSONValue {
        ["findingId": .string(id), "taskId": .string(taskId), "checkName": .string(check), "severity": .string(severity),
         "resourceType": .string(resourceType), "resource": .string(resource), "certificateId": certificateId.map(JSONValue.string) ?? .null,
         "reasonForNonCompliance": .string(reason), "reasonForNonComplianceCode": .string(reasonCode), "isSuppressed": .bool(suppressed),
         "findingTime": time.map { .string(CivilTime(secondsSince1970: $0).iso8601) } ?? .null, "things": .array(things.map(JSONValue.string)), "resourceDeleted": .bool(resourceDeleted)]
    }
}
