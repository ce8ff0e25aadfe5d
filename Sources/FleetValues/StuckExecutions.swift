import JSON

/// A device's execution of a Greengrass deployment that is not moving: still QUEUED or
/// IN_PROGRESS behind a newer revision of its target (the revision's job was canceled, the device
/// carries on or never starts), or for longer than an operator allows (or its job's timeout).
public struct StuckExecution: Sendable, Equatable {
    public var execution: JobExecution
    public var deployment: DeploymentSummary
    /// "IN_PROGRESS behind revision 3", "QUEUED for 2 h 5 min".
    public var why: String

    public init(execution: JobExecution, deployment: DeploymentSummary, why: String) {
        self.execution = execution
        self.deployment = deployment
        self.why = why
    }

    /// Why `execution` of `deployment` is stuck at `now` (nil: it is not): behind `latest`
    /// (the target's latest revision, when it is not this one), or waiting longer than
    /// `limit` seconds, or than its job's in-progress timeout (`timeout` minutes).
    public static func why(_ execution: JobExecution, of deployment: DeploymentSummary, latest: String?, limit: Int64, timeout: Int64?, now: Int64) -> String? {
        guard !execution.ended else { return nil }
        var said: [String] = []
        if !deployment.latest, let latest { said.append("\(execution.status) behind revision \(latest)") }
        if let since = execution.status == "QUEUED" ? execution.queued : execution.started ?? execution.queued {
            let waited = now - since
            if let timeout, execution.status == "IN_PROGRESS", waited >= timeout * 60 { said.append("IN_PROGRESS past its \(timeout) min timeout") }
            else if waited >= limit { said.append("\(execution.status) for \(duration(waited))") }
        }
        return said.isEmpty ? nil : said.joined(separator: "; ")
    }

    /// "45 s", "12 min", "2 h 5 min".
    public static func duration(_ seconds: Int64) -> String {
        seconds < 60 ? "\(max(0, seconds)) s" : seconds < 3600 ? "\(seconds / 60) min" : "\(seconds / 3600) h \(seconds % 3600 / 60) min"
    }

    public var json: JSONValue {
        ["thingName": .string(execution.thing), "deploymentId": .string(deployment.id), "revisionId": .string(deployment.revision),
         "targetArn": .string(deployment.target), "jobId": .string(execution.job), "status": .string(execution.status), "why": .string(why)]
    }
}
