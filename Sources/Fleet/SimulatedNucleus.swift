import FleetValues
import JSON

/// What a Greengrass nucleus does with a deployment, for the simulated cores: it resolves each
/// component for its platform (no manifest for it: the deployment fails and nothing changes),
/// installs and runs them (upstream's `docker_corrupt` is a deliberately broken image: it breaks
/// after its restarts), and under ROLLBACK goes back to what it ran before when anything failed
/// (DO_NOTHING leaves the broken component in place). The deployment's components are the
/// target's whole set: a root component it no longer names is removed.
public struct SimulatedNucleus: Sendable, Equatable {
    public var platform: (os: String, architecture: String)
    /// Root components running: name -> version.
    public var installed: [String: String]
    /// Components installed but broken (DO_NOTHING left them).
    public var broken: Set<String> = []

    public init(platform: (os: String, architecture: String), installed: [String: String]) {
        self.platform = platform
        self.installed = installed
    }

    public static func == (a: SimulatedNucleus, b: SimulatedNucleus) -> Bool {
        a.platform == b.platform && a.installed == b.installed && a.broken == b.broken
    }

    /// A component that breaks when it runs (upstream's deliberately broken image).
    public static func breaks(_ name: String) -> Bool { name == "docker_corrupt" }

    /// The outcome of a deployment: the job execution's status and details, as a nucleus reports them.
    public struct Outcome: Sendable, Equatable {
        public var status: String
        public var details: [String: String]
        public var restarted: Bool
    }

    /// Takes a deployment document (the job's: components name -> {version}, failureHandlingPolicy);
    /// `facts` says where each component version runs (nil: not in the catalogue; thrown: the
    /// catalogue could not be read, which fails the deployment saying so).
    public mutating func take(_ document: JSONValue, facts: (String, String) throws -> DeploymentPlan.ComponentFacts?) -> Outcome {
        var wanted: [String: String] = [:]
        for (name, spec) in document["components"]?.objectValue ?? [:] { wanted[name] = spec["version"]?.stringValue ?? spec["componentVersion"]?.stringValue ?? "?" }
        let rollback = (document["failureHandlingPolicy"]?.stringValue ?? "ROLLBACK") == "ROLLBACK"
        // Resolution first: nothing changes when a component cannot be had for this platform.
        var resolved: [String: DeploymentPlan.ComponentFacts] = [:]
        for (name, version) in wanted.sorted(by: { $0.key < $1.key }) {
            let answer: DeploymentPlan.ComponentFacts?
            do {
                answer = try facts(name, version)
            } catch {
                return Outcome(status: "FAILED", details: ["detailedStatus": "FAILED_NO_STATE_CHANGE", "failureCause": "could not resolve \(name) \(version): \(error)"],
                               restarted: false)
            }
            guard let found = answer else {
                return Outcome(status: "FAILED", details: ["detailedStatus": "FAILED_NO_STATE_CHANGE", "failureCause": "\(name) \(version) is not in the component catalogue"],
                               restarted: false)
            }
            guard found.runs(on: platform) else {
                return Outcome(status: "FAILED", details: ["detailedStatus": "FAILED_NO_STATE_CHANGE",
                                                           "failureCause": "No matching platform for \(name) \(version) (the device is \(platform.os)/\(platform.architecture))"],
                               restarted: false)
            }
            resolved[name] = found
        }
        let restarted = wanted.contains { resolved[$0.key]?.restarts == true && installed[$0.key] != $0.value }
        if let failing = wanted.keys.sorted().first(where: Self.breaks) {
            let cause = "\(failing): the component broke after 3 restarts (exit status 1)"
            if rollback {
                return Outcome(status: "FAILED", details: ["detailedStatus": "FAILED_ROLLBACK_COMPLETE", "failureCause": cause + "; rolled back"], restarted: restarted)
            }
            installed = wanted
            broken = [failing]
            return Outcome(status: "FAILED", details: ["detailedStatus": "FAILED_ROLLBACK_NOT_REQUESTED", "failureCause": cause], restarted: restarted)
        }
        installed = wanted
        broken = []
        return Outcome(status: "SUCCEEDED", details: ["detailedStatus": "SUCCESSFUL"].merging(restarted ? ["restarted": "true"] : [:]) { a, _ in a }, restarted: restarted)
    }

    /// The root components as a status report lists them.
    public func components(configuration: String) -> [JSONValue] {
        installed.sorted { $0.key < $1.key }.map { name, version in
            ["componentName": .string(name), "version": .string(version), "isRoot": true, "status": .string(broken.contains(name) ? "BROKEN" : "RUNNING"),
             "fleetConfigArns": [.string(configuration)]]
        }
    }
}
