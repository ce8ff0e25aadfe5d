import JSON

/// An AWS IoT job (Greengrass deployments are jobs in the `aws-gg-deployment` namespace): its
/// status, targets and the count of its executions in each state (jobProcessDetails).
public struct Job: Sendable, Equatable {
    public var id: String
    public var status: String
    /// SNAPSHOT or CONTINUOUS.
    public var targetSelection: String
    public var targets: [String]
    public var description: String?
    public var comment: String?
    /// Why it was canceled (FAILED_THRESHOLD_REACHED when its abort criteria stopped it).
    public var reasonCode: String?
    /// Its jobExecutionsRolloutConfig, abortConfig and timeoutConfig (as CreateDeployment's
    /// iotJobConfiguration names them).
    public var configuration: JSONValue = .object([:])
    public var forceCanceled: Bool
    /// Seconds since 1970.
    public var created: Int64?
    public var updated: Int64?
    public var completed: Int64?
    /// Executions by status (QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, REJECTED, CANCELED, TIMED_OUT, REMOVED).
    public var counts: [String: Int]

    public init(id: String, status: String, targetSelection: String, targets: [String] = [], description: String? = nil, comment: String? = nil,
                forceCanceled: Bool = false, created: Int64? = nil, updated: Int64? = nil, completed: Int64? = nil, counts: [String: Int] = [:]) {
        self.id = id
        self.status = status
        self.targetSelection = targetSelection
        self.targets = targets
        self.description = description
        self.comment = comment
        self.forceCanceled = forceCanceled
        self.created = created
        self.updated = updated
        self.completed = completed
        self.counts = counts
    }

    /// The execution states, in the order a rollout goes through them.
    public static let states = ["QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED", "TIMED_OUT", "CANCELED", "REMOVED"]
    /// jobProcessDetails' counter for each state.
    public static let counters = ["QUEUED": "numberOfQueuedThings", "IN_PROGRESS": "numberOfInProgressThings", "SUCCEEDED": "numberOfSucceededThings",
                                  "FAILED": "numberOfFailedThings", "REJECTED": "numberOfRejectedThings", "TIMED_OUT": "numberOfTimedOutThings",
                                  "CANCELED": "numberOfCanceledThings", "REMOVED": "numberOfRemovedThings"]

    /// Its rollout, abort criteria and timeout in words.
    public var rolloutText: String { DeploymentPlan.rollout(configuration, devices: nil) }

    /// Whether the job has ended (nothing more runs).
    public var ended: Bool { ["COMPLETED", "CANCELED", "DELETION_IN_PROGRESS"].contains(status) }

    /// "3 succeeded, 1 failed, 2 queued": the states with executions, in rollout order.
    public var countsText: String {
        let text = Self.states.compactMap { state in counts[state].flatMap { $0 > 0 ? "\($0) \(String(state.lowercased().map { $0 == "_" ? " " : $0 }))" : nil } }
        return text.isEmpty ? "no executions" : text.joined(separator: ", ")
    }

    /// The targets as names ("group GreengrassGroup", "thing GG-0001").
    public var targetsText: String {
        targets.map { arn in
            if let name = arn.split(separator: ":").last {
                let parts = name.split(separator: "/", maxSplits: 1)
                if parts.count == 2 { return (parts[0] == "thinggroup" ? "group " : "\(parts[0]) ") + parts[1] }
            }
            return arn
        }.joined(separator: ", ")
    }

    public var json: JSONValue {
        var counters = JSONObject()
        for state in Self.states { counters[Self.counters[state]!] = .integer(Int64(counts[state] ?? 0)) }
        func time(_ seconds: Int64?) -> JSONValue { seconds.map { .string(CivilTime(secondsSince1970: $0).iso8601) } ?? .null }
        return ["jobId": .string(id), "status": .string(status), "targetSelection": .string(targetSelection), "targets": .array(targets.map(JSONValue.string)),
                "description": description.map(JSONValue.string) ?? .null, "comment": comment.map(JSONValue.string) ?? .null,
                "reasonCode": reasonCode.map(JSONValue.string) ?? .null, "rollout": .string(rolloutText),
                "forceCanceled": .bool(forceCanceled), "createdAt": time(created), "lastUpdatedAt": time(updated), "completedAt": time(completed),
                "jobProcessDetails": .object(counters)]
    }
}

/// One device's execution of a job.
public struct JobExecution: Sendable, Equatable {
    public var job: String
    public var thing: String
    public var status: String
    public var details: [String: String]
    public var queued: Int64?
    public var started: Int64?
    public var updated: Int64?
    public var executionNumber: Int64?

    public init(job: String, thing: String, status: String, details: [String: String] = [:], queued: Int64? = nil, started: Int64? = nil,
                updated: Int64? = nil, executionNumber: Int64? = nil) {
        self.job = job
        self.thing = thing
        self.status = status
        self.details = details
        self.queued = queued
        self.started = started
        self.updated = updated
        self.executionNumber = executionNumber
    }

    /// Whether the execution has ended (SUCCEEDED, FAILED, REJECTED, TIMED_OUT, CANCELED, REMOVED).
    public var ended: Bool { !["QUEUED", "IN_PROGRESS"].contains(status) }

    /// What the device said, why it failed first (failureCause, reason), then the rest by name.
    public var detailsText: String {
        let first = ["failureCause", "reason"]
        return details.sorted { (first.firstIndex(of: $0.key) ?? first.count, $0.key) < (first.firstIndex(of: $1.key) ?? first.count, $1.key) }
            .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    public var json: JSONValue {
        func time(_ seconds: Int64?) -> JSONValue { seconds.map { .string(CivilTime(secondsSince1970: $0).iso8601) } ?? .null }
        return ["jobId": .string(job), "thingName": .string(thing), "status": .string(status),
                "statusDetails": .object(JSONObject(details.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
                "queuedAt": time(queued), "startedAt": time(started), "lastUpdatedAt": time(updated),
                "executionNumber": executionNumber.map(JSONValue.integer) ?? .null]
    }
}

/// What cancelling a job does, device by device, from its executions as they are: the queued
/// ones are canceled (they will not run), the ones in progress carry on unless forced (a device
/// may be left half-way), the ones that ended keep their outcome.
public struct JobCancelPlan: Sendable, Equatable {
    public var job: String
    public var force: Bool
    public var canceled: [String]
    public var carryOn: [String]
    public var stopped: [String]
    public var ended: [String: String]

    public init(job: String, executions: [JobExecution], force: Bool) {
        self.job = job
        self.force = force
        canceled = executions.filter { $0.status == "QUEUED" }.map(\.thing).sorted()
        let running = executions.filter { $0.status == "IN_PROGRESS" }.map(\.thing).sorted()
        (carryOn, stopped) = force ? ([], running) : (running, [])
        ended = Dictionary(executions.filter(\.ended).map { ($0.thing, $0.status) }, uniquingKeysWith: { first, _ in first })
    }

    public var text: String {
        func names(_ things: [String]) -> String { things.prefix(10).joined(separator: ", ") + (things.count > 10 ? ", and \(things.count - 10) more" : "") }
        var lines = ["Cancel job \(job)\(force ? " (force)" : ""):"]
        lines.append("  \(canceled.count) queued: canceled, they will not run" + (canceled.isEmpty ? "" : " (\(names(canceled)))"))
        if force {
            lines.append("  \(stopped.count) in progress: STOPPED where they are (the device may be left half-way)" + (stopped.isEmpty ? "" : " (\(names(stopped)))"))
        } else {
            lines.append("  \(carryOn.count) in progress: carry on to their end (--force stops them)" + (carryOn.isEmpty ? "" : " (\(names(carryOn)))"))
        }
        lines.append("  \(ended.count) ended: keep their outcome")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A rollout as its executions show it at one moment: what changed since the last look, the
/// counts, and the failures grouped by their reason (what the device said: failureCause,
/// detailedStatus, reason), so one cause across many devices reads as one line.
public struct Rollout: Sendable, Equatable {
    public var executions: [JobExecution]
    /// Targets the rollout has not reached yet (its rate lets it reach so many a minute): no
    /// execution so far, one to come while the job is in progress.
    public var waiting: [String]
    /// Targets it never reached: the job ended first (canceled, or aborted at its threshold).
    public var unreached: [String]
    /// Why the job stopped, when it was canceled (its reasonCode: FAILED_THRESHOLD_REACHED when
    /// its abort criteria stopped it), and the comment it was canceled with.
    public var stopped: String?
    public var comment: String?
    /// The job's abort criteria (abortConfig.criteriaList), to count against.
    public var abortCriteria: [JSONValue]

    public init(executions: [JobExecution], waiting: [String] = [], unreached: [String] = [], stopped: String? = nil, comment: String? = nil,
                abortCriteria: [JSONValue] = []) {
        self.executions = executions.sorted { $0.thing < $1.thing }
        self.waiting = waiting.sorted()
        self.unreached = unreached.sorted()
        self.stopped = stopped
        self.comment = comment
        self.abortCriteria = abortCriteria
    }

    /// Each abort criterion counted as AWS counts it: of the executions that ended (canceled ones
    /// aside), how many ended in its failure type, against its threshold.
    public var abortCounts: [String] {
        let ended = executions.filter { $0.ended && $0.status != "CANCELED" }
        return abortCriteria.map { criteria in
            let type = criteria["failureType"]?.stringValue ?? "ALL"
            let kinds: Set<String> = type == "ALL" ? ["FAILED", "REJECTED", "TIMED_OUT"] : [type]
            let failed = ended.filter { kinds.contains($0.status) }.count
            let share = ended.isEmpty ? 0 : 100 * failed / ended.count
            let percent = criteria["thresholdPercentage"]?.doubleValue ?? 100, least = criteria["minNumberOfExecutedThings"]?.intValue ?? 1
            let said = type == "ALL" ? "failed, rejected or timed out" : type == "TIMED_OUT" ? "timed out" : type.lowercased()
            return "abort threshold: \(failed) of \(ended.count) ended \(said) (\(share)%); it aborts at \(percent == percent.rounded() ? "\(Int(percent))" : "\(percent)")% once \(least) have ended"
        }
    }

    /// The executions that are new or whose status or details changed since `previous`.
    public func changes(since previous: Rollout?) -> [JobExecution] {
        let before = Dictionary((previous?.executions ?? []).map { ($0.thing, $0) }, uniquingKeysWith: { first, _ in first })
        return executions.filter { execution in
            guard let earlier = before[execution.thing] else { return true }
            return earlier.status != execution.status || earlier.details != execution.details
        }
    }

    /// Whether any execution is still queued or in progress, or a target still waits for one.
    public var running: Bool { !waiting.isEmpty || executions.contains { !$0.ended } }

    public var counts: [String: Int] { Dictionary(grouping: executions, by: \.status).mapValues(\.count) }

    /// Why a failed execution failed, as the device said it.
    public static func reason(_ execution: JobExecution) -> String {
        execution.details["failureCause"] ?? execution.details["reason"] ?? execution.details["detailedStatus"] ?? execution.status
    }

    /// The failed, rejected and timed-out executions grouped by reason, the largest group first.
    public var errors: [(reason: String, devices: [String])] {
        let failed = executions.filter { ["FAILED", "REJECTED", "TIMED_OUT"].contains($0.status) }
        return Dictionary(grouping: failed, by: Self.reason).map { (reason: $0.key, devices: $0.value.map(\.thing).sorted()) }
            .sorted { ($0.devices.count, $1.reason) > ($1.devices.count, $0.reason) }
    }

    public var summary: String {
        var text = Job(id: "", status: "", targetSelection: "", counts: counts).countsText
            + (waiting.isEmpty ? "" : ", \(waiting.count) not reached yet (the rollout's rate)")
            + (unreached.isEmpty ? "" : ", \(unreached.count) never reached")
        if let stopped { text += "\n  the rollout stopped: \(stopped)" + (comment.map { " (\($0))" } ?? "") }
        for line in abortCounts { text += "\n  \(line)" }
        for error in errors {
            text += "\n  \(error.devices.count) failed: \(error.reason) (" + error.devices.prefix(10).joined(separator: ", ") + (error.devices.count > 10 ? ", ..." : "") + ")"
        }
        return text
    }
}

/// A job template (what operators make jobs from): its document and its rollout, abort and
/// timeout configuration.
public struct JobTemplate: Sendable, Equatable {
    public var id: String
    public var description: String?
    /// Seconds since 1970.
    public var created: Int64?
    /// The job document, or where it is (documentSource).
    public var document: String
    /// jobExecutionsRolloutConfig, abortConfig, timeoutConfig (as a job's).
    public var configuration: JSONValue

    public init(id: String, description: String?, created: Int64?, document: String, configuration: JSONValue) {
        self.id = id
        self.description = description
        self.created = created
        self.document = document
        self.configuration = configuration
    }

    public var rolloutText: String { DeploymentPlan.rollout(configuration, devices: nil) }

    public var json: JSONValue {
        ["jobTemplateId": .string(id), "description": description.map(JSONValue.string) ?? .null,
         "createdAt": created.map { .string(CivilTime(secondsSince1970: $0).iso8601) } ?? .null, "document": .string(document),
         "rollout": .string(rolloutText), "configuration": configuration]
    }
}
