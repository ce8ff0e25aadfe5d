import AWSCore
import AWSServices
import FleetValues
import JSON

/// Device Defender audits: the checks the account enables, on-demand tasks, the tasks of a
/// window with each check's result, and a task's findings.
extension FleetLoader {
    /// The checks the account's audit configuration enables (AWS audits only those); none is said.
    public func enabledAuditChecks() async throws -> [String] {
        let configuration = try await client.call(IoTOperations.service, IoTOperations.describeAccountAuditConfiguration, [:])
        let checks = (configuration["auditCheckConfigurations"]?.objectValue ?? [:]).compactMap { name, value in
            value["enabled"]?.boolValue == true ? name : nil
        }.sorted()
        guard !checks.isEmpty else {
            throw AWSError.invalidInput(operation: "StartOnDemandAuditTask", reason: "no audit check is enabled in the account (its audit configuration: UpdateAccountAuditConfiguration, the stack's AccountAuditConfiguration)")
        }
        return checks
    }

    /// Starts an on-demand audit of `checks`: its task ID.
    public func startAudit(_ checks: [String]) async throws -> String {
        let started = try await client.call(IoTOperations.service, IoTOperations.startOnDemandAuditTask, ["targetCheckNames": .array(checks.map { .string($0) })])
        guard let taskId = started["taskId"]?.stringValue else {
            throw AWSError.invalidInput(operation: "StartOnDemandAuditTask", reason: "the answer names no taskId")
        }
        return taskId
    }

    /// An audit task as DescribeAuditTask answers it: status, type, start, each check's result.
    public func auditTask(_ id: String) async throws -> AuditTask {
        let task = try await client.call(IoTOperations.service, IoTOperations.describeAuditTask, ["taskId": .string(id)])
        let details: JSONObject = task["auditDetails"]?.objectValue ?? [:]
        var checks: [AuditCheckResult] = []
        for (name, detail) in details {
            let status: String = detail["checkRunStatus"]?.stringValue ?? "?"
            checks.append(AuditCheckResult(name: name, status: status, total: detail["totalResourcesCount"]?.intValue.map { Int($0) },
                                           nonCompliant: detail["nonCompliantResourcesCount"]?.intValue.map { Int($0) },
                                           suppressed: detail["suppressedNonCompliantResourcesCount"]?.intValue.map { Int($0) }))
        }
        checks.sort { $0.name < $1.name }
        return AuditTask(id: id, type: task["taskType"]?.stringValue ?? "?", status: task["taskStatus"]?.stringValue ?? "?",
                         started: task["taskStartTime"]?.doubleValue.map { Int64($0) }, scheduledName: task["scheduledAuditName"]?.stringValue, checks: checks)
    }

    /// The tasks started in the last `days` days (ListAuditTasks needs its window), newest first.
    public func auditTasks(days: Int) async throws -> [AuditTask] {
        let now = Int64(AWSClient.wallClock())
        let listed = try await client.all(IoTOperations.service, IoTOperations.listAuditTasks, [
            "startTime": .string(CivilTime(secondsSince1970: now - Int64(days) * 86_400).iso8601), "endTime": .string(CivilTime(secondsSince1970: now + 60).iso8601),
        ], key: "tasks")
        var tasks: [AuditTask] = []
        for id in listed.compactMap({ $0["taskId"]?.stringValue }) { tasks.append(try await auditTask(id)) }
        return tasks.sorted { ($0.started ?? 0, $0.id) > ($1.started ?? 0, $1.id) }
    }

    /// A finding's resource identifier as words: "deviceCertificateId abc", "policyName p, policyVersionId 1".
    static func resourceText(_ identifier: JSONObject) -> String {
        identifier.map { member in
            member.value.objectValue.map(resourceText) ?? "\(member.key) \(member.value.stringValue ?? member.value.serialized())"
        }.joined(separator: ", ")
    }

    /// A task's findings, suppressed ones too (said as such), with the things of each certificate at fault.
    public func auditFindings(task: String) async throws -> [AuditFinding] {
        let listed = try await client.all(IoTOperations.service, IoTOperations.listAuditFindings, ["taskId": .string(task), "listSuppressedFindings": true],
                                          key: "findings")
        var findings: [AuditFinding] = []
        for item in listed {
            let resource = item["nonCompliantResource"]
            let identifier = resource?["resourceIdentifier"]?.objectValue ?? [:]
            let certificate = identifier["deviceCertificateId"]?.stringValue ?? identifier["caCertificateId"]?.stringValue
            var things: [String] = [], deleted = false
            if let id = identifier["deviceCertificateId"]?.stringValue {
                do {
                    let described = try await client.call(IoTOperations.service, IoTOperations.describeCertificate, ["certificateId": .string(id)])
                    if let arn = described["certificateDescription"]?["certificateArn"]?.stringValue {
                        things = try await client.all(IoTOperations.service, IoTOperations.listPrincipalThings, ["principal": .string(arn)], key: "things")
                            .compactMap(\.stringValue).sorted()
                    }
                } catch where Self.notFound(error) {
                    deleted = true  // acted on: rotated and deleted since the audit
                }
            }
            findings.append(AuditFinding(
                id: item["findingId"]?.stringValue ?? "?", taskId: item["taskId"]?.stringValue ?? task, check: item["checkName"]?.stringValue ?? "?",
                severity: item["severity"]?.stringValue ?? "?", resourceType: resource?["resourceType"]?.stringValue ?? "?",
                resource: Self.resourceText(identifier), certificateId: certificate,
                reason: item["reasonForNonCompliance"]?.stringValue ?? "", reasonCode: item["reasonForNonComplianceCode"]?.stringValue ?? "",
                suppressed: item["isSuppressed"]?.boolValue ?? false, time: item["findingTime"]?.doubleValue.map { Int64($0) }, things: things,
                resourceDeleted: deleted, policy: identifier["policyVersionIdentifier"]?["policyName"]?.stringValue))
        }
        return findings
    }
}
