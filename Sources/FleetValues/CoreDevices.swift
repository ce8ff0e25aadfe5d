/// A Greengrass V2 core device as ListCoreDevices and GetCoreDevice describe it.
public struct CoreDeviceSummary: Sendable, Equatable {
    public var name: String
    /// HEALTHY or UNHEALTHY, as the device last reported.
    public var status: String
    /// The nucleus version (GetCoreDevice; nil when that could not be read, `problem` says why).
    public var coreVersion: String?
    public var platform: String?
    public var architecture: String?
    public var runtime: String?
    /// Seconds since 1970 of its last status report.
    public var lastReport: Int64?
    public var problem: String?

    public init(name: String, status: String, coreVersion: String? = nil, platform: String? = nil, architecture: String? = nil,
                runtime: String? = nil, lastReport: Int64? = nil, problem: String? = nil) {
        self.name = name
        self.status = status
        self.coreVersion = coreVersion
        self.platform = platform
        self.architecture = architecture
        self.runtime = runtime
        self.lastReport = lastReport
        self.problem = problem
    }

    /// Its status is old news: no report within the reporting interval (a nucleus reports on
    /// start, on each deployment, on a component's failure, and at least once per interval).
    public func stale(now: Int64, interval: Int64) -> Bool { lastReport.map { now - $0 > interval } ?? true }

    /// "linux/aarch64".
    public var place: String { [platform, architecture].compactMap { $0 }.joined(separator: "/") }

    /// How long ago it last reported: "45 s", "12 min", "5 h", "3 d".
    public func reportAge(now: Int64) -> String {
        guard let lastReport else { return "never" }
        let seconds = max(0, now - lastReport)
        switch seconds {
        case ..<120: return "\(seconds) s"
        case ..<7_200: return "\(seconds / 60) min"
        case ..<172_800: return "\(seconds / 3_600) h"
        default: return "\(seconds / 86_400) d"
        }
    }
}

/// The account's core devices, with the reporting interval staleness is judged by.
public struct CoreDeviceList: Sendable, Equatable {
    public var devices: [CoreDeviceSummary]
    /// Seconds between a nucleus's periodic status reports (AWS's default: a day).
    public var interval: Int64

    public init(devices: [CoreDeviceSummary], interval: Int64) {
        self.devices = devices
        self.interval = interval
    }

    /// How many of each value, most first: "11 HEALTHY, 1 UNHEALTHY", or with `after`
    /// "2.12.6 (11), 2.12.0 (1)".
    public static func counts(_ values: [String], after: Bool = false) -> String {
        var counted: [String: Int] = [:]
        for value in values { counted[value, default: 0] += 1 }
        return counted.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { after ? "\($0.key) (\($0.value))" : "\($0.value) \($0.key)" }
            .joined(separator: ", ")
    }
}

/// A component installed on a core device, as ListInstalledComponents gives it.
public struct InstalledComponent: Sendable, Equatable {
    public var name: String
    public var version: String
    /// NEW, INSTALLED, STARTING, RUNNING, STOPPING, ERRORED, BROKEN or FINISHED.
    public var state: String
    public var details: String?
    public var statusCodes: [String]
    /// Root (deployed on purpose) or a dependency of one.
    public var isRoot: Bool
    /// The deployment (configuration ARN) that installed it, or LOCAL.
    public var installedBy: String?

    public init(name: String, version: String, state: String, details: String? = nil, statusCodes: [String] = [], isRoot: Bool, installedBy: String? = nil) {
        self.name = name
        self.version = version
        self.state = state
        self.details = details
        self.statusCodes = statusCodes
        self.isRoot = isRoot
        self.installedBy = installedBy
    }

    /// Whether it is in trouble (what makes a device UNHEALTHY).
    public var failing: Bool { state == "BROKEN" || state == "ERRORED" }
}

/// A deployment as a core device took it (ListEffectiveDeployments).
public struct EffectiveDeployment: Sendable, Equatable {
    public var id: String
    public var name: String
    public var target: String
    /// IN_PROGRESS, QUEUED, FAILED, COMPLETED, TIMED_OUT, CANCELED, REJECTED or SUCCEEDED.
    public var status: String
    public var reason: String?
    public var errorStack: [String]
    public var errorTypes: [String]
    /// Seconds since 1970 of its last change.
    public var modified: Int64?

    public init(id: String, name: String, target: String, status: String, reason: String? = nil, errorStack: [String] = [], errorTypes: [String] = [],
                modified: Int64? = nil) {
        self.id = id
        self.name = name
        self.target = target
        self.status = status
        self.reason = reason
        self.errorStack = errorStack
        self.errorTypes = errorTypes
        self.modified = modified
    }
}

/// One core device whole: what it is, what it runs, what it took, and where it belongs.
public struct CoreDeviceDetail: Sendable, Equatable {
    public var device: CoreDeviceSummary
    /// Every component (roots and their dependencies), by name.
    public var components: [InstalledComponent]
    public var deployments: [EffectiveDeployment]
    /// Its thing groups (the targets of its deployments).
    public var groups: [String]
    public var interval: Int64

    public init(device: CoreDeviceSummary, components: [InstalledComponent], deployments: [EffectiveDeployment], groups: [String], interval: Int64) {
        self.device = device
        self.components = components
        self.deployments = deployments
        self.groups = groups
        self.interval = interval
    }
}
