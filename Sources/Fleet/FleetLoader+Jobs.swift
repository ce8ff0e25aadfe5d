import AWSCore
import AWSServices
import FleetValues
import JSON

/// AWS IoT Jobs: the jobs (of a namespace: Greengrass's deployments are `aws-gg-deployment`'s),
/// one job with its counts, its executions device by device, and cancelling (a job, or one
/// device's execution).
extension FleetLoader {
    /// The jobs, newest first (ListJobs), each with its counts (DescribeJob).
    public func jobs(status: String? = nil, namespace: String? = nil, group: String? = nil) async throws -> [Job] {
        var input = JSONObject()
        if let status { input["status"] = .string(status) }
        if let namespace { input["namespaceId"] = .string(namespace) }
        if let group { input["thingGroupName"] = .string(group) }
        let listed = try await client.all(IoTOperations.service, IoTOperations.listJobs, input, key: "jobs")
        var jobs: [Job] = []
        for id in listed.compactMap({ $0["jobId"]?.stringValue }) { jobs.append(try await job(id)) }
        return jobs.sorted { ($0.created ?? 0, $0.id) > ($1.created ?? 0, $1.id) }
    }

    /// One job as DescribeJob gives it.
    public func job(_ id: String) async throws -> Job {
        let described = try await client.call(IoTOperations.service, IoTOperations.describeJob, ["jobId": .string(id)])
        guard let job = described["job"] else { throw AWSError.invalidInput(operation: "DescribeJob", reason: "the answer has no job") }
        var counts: [String: Int] = [:]
        for (state, counter) in Job.counters { counts[state] = job["jobProcessDetails"]?[counter]?.intValue.map { Int($0) } ?? 0 }
        func time(_ key: String) -> Int64? { job[key]?.doubleValue.map { Int64($0) } }
        var found = Job(id: id, status: job["status"]?.stringValue ?? "?", targetSelection: job["targetSelection"]?.stringValue ?? "SNAPSHOT",
                        targets: job["targets"]?.arrayValue.compactMap(\.stringValue) ?? [], description: job["description"]?.stringValue,
                        comment: job["comment"]?.stringValue, forceCanceled: job["forceCanceled"]?.boolValue ?? false,
                        created: time("createdAt"), updated: time("lastUpdatedAt"), completed: time("completedAt"), counts: counts)
        found.reasonCode = job["reasonCode"]?.stringValue
        found.configuration = Self.rolloutConfiguration(job)
        return found
    }

    /// The rollout, abort and timeout members of a job or job template (those set).
    static func rolloutConfiguration(_ described: JSONValue) -> JSONValue {
        var configuration = JSONObject()
        for key in ["jobExecutionsRolloutConfig", "abortConfig", "timeoutConfig"] {
            if let value = described[key], value.objectValue?.isEmpty == false { configuration[key] = value }
        }
        return .object(configuration)
    }

    /// The account's job templates (ListJobTemplates), each described (DescribeJobTemplate,
    /// eight at a time), by ID.
    public func jobTemplates() async throws -> [JobTemplate] {
        let ids = try await client.all(IoTOperations.service, IoTOperations.listJobTemplates, [:], key: "jobTemplates").compactMap { $0["jobTemplateId"]?.stringValue }
        let client = client
        return try await concurrently(ids) { id -> JobTemplate in
            let described = try await client.call(IoTOperations.service, IoTOperations.describeJobTemplate, ["jobTemplateId": .string(id)])
            return JobTemplate(id: id, description: described["description"]?.stringValue, created: described["createdAt"]?.doubleValue.map { Int64($0) },
                               document: described["document"]?.stringValue ?? described["documentSource"]?.stringValue ?? "",
                               configuration: Self.rolloutConfiguration(described.output))
        }.map { try $0.get() }.sorted { $0.id < $1.id }
    }

    /// A job's executions, device by device (ListJobExecutionsForJob), each with its status
    /// details (DescribeJobExecution, eight at a time: why it failed, as the device said).
    public func jobExecutions(_ job: String) async throws -> [JobExecution] {
        let listed = try await client.all(IoTOperations.service, IoTOperations.listJobExecutionsForJob, ["jobId": .string(job)], key: "executionSummaries")
        let things = try listed.map { item in
            guard let thing = item["thingArn"]?.stringValue?.split(separator: "/").last.map(String.init) else {
                throw AWSError.invalidInput(operation: "ListJobExecutionsForJob", reason: "an execution of \(job) names no thing: \(item.serialized())")
            }
            return thing
        }
        let loader = self
        return try await concurrently(things) { try await loader.jobExecution(job, thing: $0) }.map { try $0.get() }.sorted { $0.thing < $1.thing }
    }

    /// A job's rollout now: its executions, the targets (a group's members) it has not reached
    /// yet, or, once it ended, never reached, and why it stopped when it was canceled.
    public func rollout(_ job: String) async throws -> Rollout {
        async let described = self.job(job)
        let executions = try await jobExecutions(job)
        let found = try await described
        var targets: Set<String> = []
        for arn in found.targets {
            let name = String(arn.split(separator: "/", maxSplits: 1).last ?? "")
            if arn.contains(":thinggroup/") { targets.formUnion(try await groupMembers(name)) } else { targets.insert(name) }
        }
        let missing = Array(targets.subtracting(executions.map(\.thing)))
        let criteria = found.configuration["abortConfig"]?["criteriaList"]?.arrayValue ?? []
        guard found.ended else { return Rollout(executions: executions, waiting: missing, abortCriteria: criteria) }
        guard found.status == "CANCELED" else { return Rollout(executions: executions, unreached: missing, abortCriteria: criteria) }
        return Rollout(executions: executions, unreached: missing, stopped: found.reasonCode ?? "canceled", comment: found.comment, abortCriteria: criteria)
    }

    /// One device's execution of a job.
    public func jobExecution(_ job: String, thing: String) async throws -> JobExecution {
        let described = try await client.call(IoTOperations.service, IoTOperations.describeJobExecution, ["jobId": .string(job), "thingName": .string(thing)])
        guard let execution = described["execution"] else { throw AWSError.invalidInput(operation: "DescribeJobExecution", reason: "the answer has no execution") }
        var details: [String: String] = [:]
        for (key, value) in execution["statusDetails"]?["detailsMap"]?.objectValue ?? [:] { details[key] = value.stringValue ?? value.serialized() }
        func time(_ key: String) -> Int64? { execution[key]?.doubleValue.map { Int64($0) } }
        return JobExecution(job: job, thing: thing, status: execution["status"]?.stringValue ?? "?", details: details, queued: time("queuedAt"),
                            started: time("startedAt"), updated: time("lastUpdatedAt"), executionNumber: execution["executionNumber"]?.intValue)
    }

    /// Cancels a job: its queued executions are canceled; in-progress ones only with `force`.
    public func cancelJob(_ id: String, force: Bool, comment: String?) async throws {
        var input: JSONObject = ["jobId": .string(id), "force": .bool(force)]
        if let comment { input["comment"] = .string(comment) }
        _ = try await client.call(IoTOperations.service, IoTOperations.cancelJob, input)
    }

    /// Cancels one device's execution (an in-progress one only with `force`).
    public func cancelJobExecution(_ job: String, thing: String, force: Bool) async throws {
        _ = try await client.call(IoTOperations.service, IoTOperations.cancelJobExecution,
                                  ["jobId": .string(job), "thingName": .string(thing), "force": .bool(force)])
    }
}
