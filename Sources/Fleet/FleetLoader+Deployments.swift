import AWSCore
import AWSServices
import Crypto
import FleetValues
import JSON
import POSIXFiles

/// Greengrass deployments: a deployment's plan against the target's current deployment and each
/// of its devices (platform, root components, the components its other groups keep), the
/// deployments of a target, one deployment, creating and cancelling one.
extension FleetLoader {
    /// What `spec` will do: its components against the target's latest deployment, and device by
    /// device (what each installs, upgrades, removes; where a component has no manifest for the
    /// device's platform), hashed over all of that.
    public func deploymentPlan(_ spec: DeploymentSpec) async throws -> DeploymentPlan {
        let gg = GreengrassV2Operations.self
        guard let target = spec.targetName, ["thing", "thinggroup"].contains(target.kind) else {
            throw AWSError.invalidInput(operation: "CreateDeployment", reason: "targetArn \(spec.target) is not a thing or thing group ARN")
        }
        let current = try await latestDeployment(spec.target)
        let things = target.kind == "thinggroup" ? try await groupMembers(target.name) : [target.name]
        // Each device as it is (eight at a time): its platform (none: not a core device yet), its
        // root components and its groups; then what each of the other groups' deployments keeps.
        let client = client
        let read = try await concurrently(things) { thing -> (platform: (os: String, architecture: String)?, installed: [String: String], groups: [String]) in
            do {
                let device = try await client.call(gg.service, gg.getCoreDevice, ["coreDeviceThingName": .string(thing)])
                let installed = try await client.all(gg.service, gg.listInstalledComponents, ["coreDeviceThingName": .string(thing), "topologyFilter": "ROOT",
                                                                                            "maxResults": 100], key: "installedComponents")
                let groups = try await client.all(IoTOperations.service, IoTOperations.listThingGroupsForThing, ["thingName": .string(thing)], key: "thingGroups")
                return ((device["platform"]?.stringValue ?? "?", device["architecture"]?.stringValue ?? "?"),
                        Dictionary(installed.compactMap { item in item["componentName"]?.stringValue.map { ($0, item["componentVersion"]?.stringValue ?? "?") } },
                                   uniquingKeysWith: { first, _ in first }),
                        groups.compactMap { $0["groupArn"]?.stringValue }.filter { $0 != spec.target })
            } catch where Self.notFound(error) {
                return (nil, [:], [])
            }
        }.map { try $0.get() }
        let otherGroups = Array(Set(read.flatMap(\.groups))).sorted()
        let loader = self
        let kept = Dictionary(uniqueKeysWithValues: zip(otherGroups, try await concurrently(otherGroups) { arn in
            Set(try await loader.latestDeployment(arn)?.components.keys.map { $0 } ?? [])
        }.map { try $0.get() }))
        let devices = zip(things, read).map { thing, device in
            DeploymentPlan.Device(name: thing, platform: device.platform, installed: device.installed,
                                  keptByOthers: device.groups.reduce(into: Set<String>()) { $0.formUnion(kept[$1] ?? []) })
        }
        var facts: [String: DeploymentPlan.ComponentFacts] = [:]
        for (name, component) in spec.components { facts[name] = try await componentFacts(name, version: component.version) }
        var plan = DeploymentPlan(spec: spec, current: current.map { ($0.id, $0.revision, $0.components) }, devices: devices, facts: facts)
        plan.hash = Self.planHash(plan.body)
        return plan
    }

    /// The target's latest deployment: its ID, revision and components (name -> version).
    public func latestDeployment(_ target: String) async throws -> (id: String, revision: String, components: [String: String])? {
        let gg = GreengrassV2Operations.self
        let listed = try await client.all(gg.service, gg.listDeployments, ["targetArn": .string(target), "historyFilter": "LATEST_ONLY"], key: "deployments")
        guard let id = listed.first?["deploymentId"]?.stringValue else { return nil }
        let deployment = try await client.call(gg.service, gg.getDeployment, ["deploymentId": .string(id)])
        var components: [String: String] = [:]
        for (name, spec) in deployment["components"]?.objectValue ?? [:] { components[name] = spec["componentVersion"]?.stringValue ?? "?" }
        return (id, deployment["revisionId"]?.stringValue ?? "?", components)
    }

    /// Where a component version runs (its recipe's manifests) and whether it restarts the device
    /// (a lifecycle that reboots, or a bootstrap step). AWS's public components (aws.greengrass.*)
    /// that the account's catalogue does not hold run anywhere.
    public func componentFacts(_ name: String, version: String) async throws -> DeploymentPlan.ComponentFacts {
        let text: String
        do {
            text = try await recipe(name, version: version, format: "JSON")
        } catch where Self.notFound(error) && name.hasPrefix("aws.greengrass.") {
            return DeploymentPlan.ComponentFacts(platforms: [])
        }
        guard let recipe = try? JSONValue.parse(Array(text.utf8)) else {
            throw AWSError.invalidInput(operation: "GetComponent", reason: "the recipe of \(name) \(version) is not JSON")
        }
        let manifests = recipe["Manifests"]?.arrayValue ?? []
        let platforms = manifests.map { manifest in
            var platform: [String: String] = [:]
            for (key, value) in manifest["Platform"]?.objectValue ?? [:] { if let text = value.stringValue { platform[key] = text } }
            return platform
        }
        let lifecycles = manifests.compactMap { $0["Lifecycle"] } + [recipe["Lifecycle"]].compactMap { $0 }
        let restarts = lifecycles.contains { lifecycle in
            let text = lifecycle.serialized()
            return lifecycle["bootstrap"] != nil || lifecycle["Bootstrap"] != nil || text.contains("shutdown -r") || text.contains("reboot")
        }
        return DeploymentPlan.ComponentFacts(platforms: platforms, restarts: restarts)
    }

    /// A plan's hash: sha256 of its text (the first 8 bytes, hex).
    public static func planHash(_ text: String) -> String {
        "sha256:" + SHA256.hash(data: Array(text.utf8)).prefix(8).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    /// The deployment document in `file` (JSON, or YAML for .yaml/.yml).
    public static func deploymentSpec(file: String) throws -> DeploymentSpec {
        try DeploymentSpec.parse(try AtomicFile.readRegular(file, limit: 1_048_576), file: file)
    }

    /// The plan of the deployment document in `file`.
    public func deploymentPlan(file: String) async throws -> DeploymentPlan {
        try await deploymentPlan(Self.deploymentSpec(file: file))
    }

    /// A deployment to thing group `group` built as upstream's deploy-apps.yml builds one: each
    /// of `components` ("NAME", "NAME@latest": its latest version; "NAME@VERSION") with its
    /// configuration reset, and the Greengrass CLI at its latest public version unless named.
    public func upstreamDeployment(group: String, components: [String], job: JSONObject = [:]) async throws -> DeploymentSpec {
        var resolved: [(name: String, version: String)] = []
        for written in components + (components.contains { $0.split(separator: "@").first == "aws.greengrass.Cli" } ? [] : ["aws.greengrass.Cli"]) {
            let parts = written.split(separator: "@", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(parts.count), !parts[0].isEmpty, parts.count == 1 || !parts[1].isEmpty else {
                throw AWSError.invalidInput(operation: "CreateDeployment", reason: "--component \(written): write NAME, NAME@VERSION or NAME@latest")
            }
            if parts.count == 2, parts[1] != "latest" { resolved.append((parts[0], parts[1])); continue }
            let versions: [String]
            do { versions = try await componentVersions(parts[0]) } catch where Self.notFound(error) { versions = [] }
            guard let latest = versions.first else {
                throw AWSError.invalidInput(operation: "ListComponentVersions", reason: "\(parts[0]) has no version in \(client.settings.region) (publish it first: fleetdeck gg components publish)")
            }
            resolved.append((parts[0], latest))
        }
        let target = "arn:aws:iot:\(client.settings.region):\(try await client.callerIdentity().account):thinggroup/\(group)"
        return try DeploymentSpec.upstream(target: target, components: resolved, job: job)
    }

    /// Creates the deployment in `file` if its plan is still the one with `hash`.
    public func deploy(file: String, hash: String) async throws -> (deployment: String, job: String) {
        try await deploy(Self.deploymentSpec(file: file), hash: hash)
    }

    /// Creates the deployment if its plan is still the one with `hash` (else nothing is created
    /// and the plan now is thrown: DeploymentPlanChanged).
    public func deploy(_ spec: DeploymentSpec, hash: String) async throws -> (deployment: String, job: String) {
        let plan = try await deploymentPlan(spec)
        guard plan.hash == hash else { throw DeploymentPlanChanged(plan: plan) }
        let created = try await createDeployment(spec)
        return (created.id, created.job)
    }

    /// Creates the deployment as written: its ID and IoT job's ID.
    public func createDeployment(_ spec: DeploymentSpec) async throws -> (id: String, job: String) {
        let answer = try await client.call(GreengrassV2Operations.service, GreengrassV2Operations.createDeployment, spec.request)
        return (answer["deploymentId"]?.stringValue ?? "?", answer["iotJobId"]?.stringValue ?? "?")
    }

    /// A target's deployments (every revision with `all`), newest first, as ListDeployments gives them.
    public func deployments(target: String?, all: Bool) async throws -> [JSONValue] {
        var input: JSONObject = ["historyFilter": .string(all ? "ALL" : "LATEST_ONLY")]
        if let target { input["targetArn"] = .string(target) }
        return try await client.all(GreengrassV2Operations.service, GreengrassV2Operations.listDeployments, input, key: "deployments")
    }

    /// Every deployment (each revision), newest first, with its IoT job.
    public func deploymentSummaries() async throws -> [DeploymentSummary] {
        var summaries: [DeploymentSummary] = []
        for listed in try await deployments(target: nil, all: true) {
            guard let id = listed["deploymentId"]?.stringValue else { continue }
            let described = try await deployment(id)
            summaries.append(DeploymentSummary(id: id, name: listed["deploymentName"]?.stringValue ?? id, target: listed["targetArn"]?.stringValue ?? "?",
                                               revision: listed["revisionId"]?.stringValue ?? "?", status: listed["deploymentStatus"]?.stringValue ?? "?",
                                               latest: listed["isLatestForTarget"]?.boolValue ?? false,
                                               created: listed["creationTimestamp"]?.doubleValue.map { Int64($0) }, job: described["iotJobId"]?.stringValue))
        }
        return summaries.sorted { ($0.created ?? 0, $0.id) > ($1.created ?? 0, $1.id) }
    }

    /// The executions of Greengrass deployments (of thing group `group`, or all) that are stuck:
    /// QUEUED or IN_PROGRESS behind a newer revision of their target, or for `limit` seconds or
    /// more (or past their job's in-progress timeout); oldest revisions first.
    public func stuckExecutions(group: String?, limit: Int64) async throws -> [StuckExecution] {
        let summaries = try await deploymentSummaries().filter { group == nil || $0.target.hasSuffix(":thinggroup/\(group ?? "")") }
        let latest = Dictionary(summaries.filter(\.latest).map { ($0.target, $0.revision) }, uniquingKeysWith: { first, _ in first })
        let now = Int64(AWSClient.wallClock())
        var stuck: [StuckExecution] = []
        for deployment in summaries.reversed() {
            guard let job = deployment.job else { continue }
            let timeout = try await self.job(job).configuration["timeoutConfig"]?["inProgressTimeoutInMinutes"]?.intValue
            for execution in try await jobExecutions(job) {
                if let why = StuckExecution.why(execution, of: deployment, latest: latest[deployment.target], limit: limit, timeout: timeout, now: now) {
                    stuck.append(StuckExecution(execution: execution, deployment: deployment, why: why))
                }
            }
        }
        return stuck
    }

    /// A new revision of `target`'s latest deployment, as it was written (the redeploy that
    /// gives its devices the deployment again).
    public func redeploymentSpec(target: String) async throws -> DeploymentSpec {
        guard let id = try await deployments(target: target, all: false).first?["deploymentId"]?.stringValue else {
            throw AWSError.invalidInput(operation: "CreateDeployment", reason: "\(target) has no deployment to deploy again")
        }
        let found = try await deployment(id)
        var request = JSONObject()
        for key in ["targetArn", "deploymentName", "components", "deploymentPolicies", "iotJobConfiguration"] { if let value = found[key] { request[key] = value } }
        return try DeploymentSpec.parse(Array(JSONValue.object(request).serialized().utf8), file: "deployment \(id)")
    }

    /// One deployment as GetDeployment gives it.
    public func deployment(_ id: String) async throws -> JSONValue {
        try await client.call(GreengrassV2Operations.service, GreengrassV2Operations.getDeployment, ["deploymentId": .string(id)]).output
    }

    /// Cancels a deployment (its IoT job: devices that have it keep it).
    public func cancelDeployment(_ id: String) async throws {
        _ = try await client.call(GreengrassV2Operations.service, GreengrassV2Operations.cancelDeployment, ["deploymentId": .string(id)])
    }
}
