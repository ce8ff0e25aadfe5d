import JSON

/// What a deployment will do, against the target's current deployment and each device as it is.
public struct DeploymentPlan: Sendable, Equatable {
    /// A device as the plan sees it: its platform, its root components and which of them other
    /// targets (the device's other groups) keep.
    public struct Device: Sendable, Equatable {
        public var name: String
        /// nil: not a Greengrass core device yet (it gets the deployment when its nucleus connects).
        public var platform: (os: String, architecture: String)?
        public var installed: [String: String]
        public var keptByOthers: Set<String>
        public init(name: String, platform: (os: String, architecture: String)?, installed: [String: String], keptByOthers: Set<String> = []) {
            self.name = name
            self.platform = platform
            self.installed = installed
            self.keptByOthers = keptByOthers
        }
        public static func == (a: Device, b: Device) -> Bool {
            a.name == b.name && a.platform?.os == b.platform?.os && a.platform?.architecture == b.platform?.architecture
                && a.installed == b.installed && a.keptByOthers == b.keptByOthers
        }
    }

    /// What a component version runs on (nil members: any) and whether it restarts the device.
    public struct ComponentFacts: Sendable, Equatable {
        public var platforms: [[String: String]]
        public var restarts: Bool
        public init(platforms: [[String: String]], restarts: Bool = false) {
            self.platforms = platforms
            self.restarts = restarts
        }
        public func runs(on platform: (os: String, architecture: String)) -> Bool {
            platforms.isEmpty || platforms.contains { manifest in
                (manifest["os"].map { $0 == "*" || $0 == platform.os } ?? true)
                    && (manifest["architecture"].map { $0 == "*" || $0 == platform.architecture } ?? true)
            }
        }
    }

    public enum Change: Sendable, Equatable {
        case added(String), upgraded(String, String), downgraded(String, String), removed(String), unchanged(String)
        public var text: String {
            switch self {
            case .added(let to): "+ \(to)"
            case .upgraded(let from, let to): "↑ \(from) → \(to)"
            case .downgraded(let from, let to): "↓ \(from) → \(to) (DOWNGRADE)"
            case .removed(let from): "- \(from) (REMOVED from every device of the target)"
            case .unchanged(let version): "= \(version)"
            }
        }
    }

    public struct DeviceChange: Sendable, Equatable {
        public var device: String
        public var install: [String] = []
        public var upgrade: [String] = []
        public var downgrade: [String] = []
        public var remove: [String] = []
        /// Components with no manifest for the device's platform: they fail there.
        public var failing: [String] = []
        public var restarts = false
        public var notCore = false
        public var quiet: Bool { install.isEmpty && upgrade.isEmpty && downgrade.isEmpty && remove.isEmpty && failing.isEmpty }
    }

    public var spec: DeploymentSpec
    /// The deployment it replaces (ID and revision), if any.
    public var current: (id: String, revision: String)?
    public var components: [(name: String, change: Change, configuration: String?)]
    public var devices: [DeviceChange]
    public var rollout: String
    /// The plan's hash (set by whoever hashes it: sha256 of `body`).
    public var hash = ""

    public static func == (a: DeploymentPlan, b: DeploymentPlan) -> Bool { a.body == b.body && a.hash == b.hash }

    public init(spec: DeploymentSpec, current: (id: String, revision: String, components: [String: String])?, devices: [Device],
                facts: [String: ComponentFacts]) {
        self.spec = spec
        self.current = current.map { ($0.id, $0.revision) }
        let before = current?.components ?? [:]
        var components: [(String, Change, String?)] = []
        for name in Set(before.keys).union(spec.components.keys).sorted() {
            let configuration = spec.components[name].flatMap { component -> String? in
                var said: [String] = []
                if !component.reset.isEmpty { said.append("RESET " + component.reset.map { $0.isEmpty ? "(all)" : $0 }.joined(separator: ", ")) }
                if let merge = component.merge { said.append("merge \(merge)") }
                return said.isEmpty ? nil : said.joined(separator: "; ")
            }
            switch (before[name], spec.components[name]?.version) {
            case (nil, let to?): components.append((name, .added(to), configuration))
            case (let from?, nil): components.append((name, .removed(from), nil))
            case (let from?, let to?) where from == to: components.append((name, .unchanged(to), configuration))
            case (let from?, let to?): components.append((name, Self.newer(to, than: from) ? .upgraded(from, to) : .downgraded(from, to), configuration))
            default: break
            }
        }
        self.components = components
        self.devices = devices.sorted { $0.name < $1.name }.map { device in
            var change = DeviceChange(device: device.name)
            guard let platform = device.platform else {
                change.notCore = true
                return change
            }
            for (name, component) in spec.components.sorted(by: { $0.key < $1.key }) {
                let facts = facts[name] ?? ComponentFacts(platforms: [])
                if !facts.runs(on: platform) { change.failing.append(name); continue }
                if facts.restarts { change.restarts = true }
                switch device.installed[name] {
                case nil: change.install.append("\(name) \(component.version)")
                case let installed? where installed == component.version: break
                case let installed?:
                    if Self.newer(component.version, than: installed) { change.upgrade.append("\(name) \(installed) → \(component.version)") }
                    else { change.downgrade.append("\(name) \(installed) → \(component.version)") }
                }
            }
            // A root component this target put there and no longer deploys goes, unless another
            // of the device's groups keeps it.
            for (name, _) in before where spec.components[name] == nil && device.installed[name] != nil && !device.keptByOthers.contains(name) {
                change.remove.append(name)
            }
            change.remove.sort()
            return change
        }
        rollout = Self.rollout(spec.request["iotJobConfiguration"], devices: devices.count)
    }

    /// Whether semantic version `a` is newer than `b` (numbers compared as numbers; a release is
    /// newer than its pre-releases).
    public static func newer(_ a: String, than b: String) -> Bool {
        func parts(_ v: String) -> [Int] { v.split(separator: "+")[0].split(separator: "-")[0].split(separator: ".").map { Int($0) ?? 0 } }
        if parts(a) != parts(b) { return parts(b).lexicographicallyPrecedes(parts(a)) }
        let (preA, preB) = (a.split(separator: "+")[0].contains("-"), b.split(separator: "+")[0].contains("-"))
        return !preA && preB
    }

    /// The rollout as words, with how long it takes for `devices` devices (nil: the rate only).
    static func rollout(_ configuration: JSONValue?, devices count: Int?) -> String {
        let devices = count ?? 0
        let rollout = configuration?["jobExecutionsRolloutConfig"]
        var words: [String] = []
        if let perMinute = rollout?["maximumPerMinute"]?.intValue, perMinute > 0 {
            let minutes = (devices + Int(perMinute) - 1) / Int(perMinute)
            words.append("\(perMinute) devices a minute" + (count == nil ? "" : ": \(devices) devices in about \(minutes) min"))
        } else if let exponential = rollout?["exponentialRate"], let base = exponential["baseRatePerMinute"]?.intValue, base > 0 {
            // Minute by minute as AWS grows the rate: × the factor each time the criteria's
            // number of devices were notified (or succeeded: counted as if every device does).
            let factor = max(1, exponential["incrementFactor"]?.doubleValue ?? 1)
            let criteria = exponential["rateIncreaseCriteria"]
            let every = max(1, Int(criteria?["numberOfNotifiedThings"]?.intValue ?? criteria?["numberOfSucceededThings"]?.intValue ?? 1))
            var (rate, reached, since, minutes) = (Double(base), 0, 0, 0)
            while reached < devices {
                if minutes > 0 { while reached - since >= every { (rate, since) = (min(1000, rate * factor), since + every) } }
                reached += Int(rate)
                minutes += 1
            }
            words.append("exponential from \(base) a minute, ×\(factor) every \(every) device\(every == 1 ? "" : "s") "
                         + "\(criteria?["numberOfSucceededThings"] != nil ? "succeeded" : "notified")" + (count == nil ? "" : ": \(devices) devices in about \(minutes) min"))
        } else {
            words.append(count == nil ? "every device at once (no rollout rate)" : (devices == 1 ? "its one device" : "all \(devices) devices") + " at once (no rollout rate)")
        }
        for criteria in configuration?["abortConfig"]?["criteriaList"]?.arrayValue ?? [] {
            words.append("abort when \(criteria["thresholdPercentage"]?.doubleValue ?? 0)% of at least \(criteria["minNumberOfExecutedThings"]?.intValue ?? 0) "
                         + "\((criteria["failureType"]?.stringValue ?? "ALL").lowercased())")
        }
        if words.count == 1 { words.append("no abort threshold") }
        if let timeout = configuration?["timeoutConfig"]?["inProgressTimeoutInMinutes"]?.intValue { words.append("each device times out after \(timeout) min") }
        return words.joined(separator: "; ")
    }

    public var removals: [String] { components.compactMap { if case .removed = $0.change { $0.name } else { nil } } }
    public var resets: [String] { components.compactMap { $0.configuration?.hasPrefix("RESET") == true ? $0.name : nil } }
    public var platformFailures: [String] { devices.filter { !$0.failing.isEmpty }.map(\.device) }
    public var restarting: [String] { devices.filter(\.restarts).map(\.device) }

    /// Removals, resets, platform failures and restarts: marked like a mass delete, and what CI refuses.
    public var dangers: [String] {
        var said: [String] = []
        if !removals.isEmpty { said.append("removes \(removals.joined(separator: ", ")) from the target's \(devices.count) device\(devices.count == 1 ? "" : "s")") }
        if !platformFailures.isEmpty { said.append("fails on \(platformFailures.count) device\(platformFailures.count == 1 ? "" : "s") whose platform a component does not run on") }
        if !restarting.isEmpty { said.append("restarts \(restarting.count) device\(restarting.count == 1 ? "" : "s")") }
        if !resets.isEmpty { said.append("resets the configuration of \(resets.joined(separator: ", "))") }
        return said
    }

    /// The plan as text (what is hashed, without the hash line).
    public var body: String {
        var lines = ["Deploy to \(spec.target)" + (spec.name.map { " (\($0))" } ?? "") + ": "
                     + (current.map { "replaces deployment \($0.id) (revision \($0.revision)); a new revision replaces the target's previous one" } ?? "the target's first deployment")]
        lines.append("Components:")
        for component in components {
            lines.append("  \(component.name) \(component.change.text)" + (component.configuration.map { "  configuration: \($0)" } ?? ""))
        }
        lines.append("Devices (\(devices.count)):")
        for device in devices {
            if device.notCore { lines.append("  \(device.device): not a Greengrass core device yet (it gets the deployment when its nucleus connects)"); continue }
            var said: [String] = []
            if !device.install.isEmpty { said.append("install " + device.install.joined(separator: ", ")) }
            if !device.upgrade.isEmpty { said.append("upgrade " + device.upgrade.joined(separator: ", ")) }
            if !device.downgrade.isEmpty { said.append("DOWNGRADE " + device.downgrade.joined(separator: ", ")) }
            if !device.remove.isEmpty { said.append("REMOVE " + device.remove.joined(separator: ", ")) }
            if !device.failing.isEmpty { said.append("FAILS: no manifest for its platform in " + device.failing.joined(separator: ", ")) }
            if device.restarts { said.append("RESTARTS the device") }
            lines.append("  \(device.device): " + (said.isEmpty ? "no change" : said.joined(separator: "; ")))
        }
        lines.append("Rollout: \(rollout)")
        if !dangers.isEmpty { lines.append("!! This deployment " + dangers.joined(separator: "; ")) }
        return lines.joined(separator: "\n") + "\n"
    }

    public var text: String { body + "plan \(hash)\n" }

    public var json: JSONValue {
        ["target": .string(spec.target), "deploymentName": spec.name.map(JSONValue.string) ?? .null,
         "replaces": current.map { ["deploymentId": .string($0.id), "revisionId": .string($0.revision)] } ?? .null,
         "components": .array(components.map { ["componentName": .string($0.name), "change": .string($0.change.text), "configuration": $0.configuration.map(JSONValue.string) ?? .null] }),
         "devices": .array(devices.map { device in
             ["device": .string(device.device), "notCoreDevice": .bool(device.notCore), "install": .array(device.install.map(JSONValue.string)),
              "upgrade": .array(device.upgrade.map(JSONValue.string)), "downgrade": .array(device.downgrade.map(JSONValue.string)),
              "remove": .array(device.remove.map(JSONValue.string)), "failing": .array(device.failing.map(JSONValue.string)), "restarts": .bool(device.restarts)]
         }),
         "removals": .array(removals.map(JSONValue.string)), "platformFailures": .array(platformFailures.map(JSONValue.string)),
         "restarting": .array(restarting.map(JSONValue.string)), "resets": .array(resets.map(JSONValue.string)),
         "rollout": .string(rollout), "hash": .string(hash)]
    }
}

/// A deployment approved on a plan that is no longer its plan (the target's deployment or its
/// devices changed): nothing was created; `plan` is the plan now.
public struct DeploymentPlanChanged: Error, CustomStringConvertible, Sendable {
    public var plan: DeploymentPlan
    public init(plan: DeploymentPlan) { self.plan = plan }
    public var description: String { "the plan changed since it was reviewed (now \(plan.hash)): nothing was deployed" }
}

/// A Greengrass deployment as the deployments list shows it.
public struct DeploymentSummary: Sendable, Equatable {
    public var id: String
    public var name: String
    public var target: String
    public var revision: String
    public var status: String
    public var latest: Bool
    /// Seconds since 1970.
    public var created: Int64?
    /// Its IoT job (in aws-gg-deployment): the rollout's executions.
    public var job: String?

    public init(id: String, name: String, target: String, revision: String, status: String, latest: Bool, created: Int64?, job: String?) {
        self.id = id
        self.name = name
        self.target = target
        self.revision = revision
        self.status = status
        self.latest = latest
        self.created = created
        self.job = job
    }

    /// "group GreengrassGroup", "thing GG-0001".
    public var targetText: String { Job(id: "", status: "", targetSelection: "", targets: [target]).targetsText }
}
