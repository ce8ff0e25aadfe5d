import AWSCore
import Fleet
import ArgumentParser
import AWSServices
import JSON
import Console
import MQTT
import MQTTNet
import POSIXFiles
import StackAWS
import StackEngine
import StackModel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `fleetdeck demo`: on the local sandbox, deploys the reference architecture
/// (examples/iot-ref-arch) as upstream's workflows do (fleet setup, up, fleet setup), starts
/// simulated devices named by the allowlist it published, and opens the dashboard on their
/// messages; everything is removed on exit.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Deploy the reference architecture on the local sandbox, simulate its fleet and open the dashboard.")

    @Option(help: "Simulated devices (serial numbers GG-0001 on, as the example's allowlist).") var devices: Int = 25
    @Option(help: "Messages per second per device.") var rate: Double = 1
    @Option(help: "The program to deploy.") var program = "examples/iot-ref-arch"
    @Flag(help: "Keep the stack and its folder on exit.") var keep = false

    /// Numbers in range before anything runs (a one-line error otherwise).
    func checkLimits() throws {
        try OptionLimits.check(devices, "--devices", within: OptionLimits.devices)
        try OptionLimits.check(rate, "--rate", within: OptionLimits.rate, unit: " messages per second")
    }

    /// The demo's buckets (outside the stack: upstream's repository variables).
    static let certificateBucket = "demo-greengrass-certificates", imageBucket = "demo-greengrass-os-images"

    /// The prod stack's region: another one than dev's (each stack has its own IoT resources;
    /// upstream gives prod its own account, which the sandbox's single account stands in for).
    static func prodRegion(besides dev: String) -> String { dev == "ap-southeast-2" ? "ap-northeast-1" : "ap-southeast-2" }

    /// The prod stack's config: its region, its buckets, and the IAM names (global in an
    /// account) suffixed, so it sits beside dev in the sandbox's one account.
    static func prodConfig(project: String, account: String, region: String) -> String {
        let iamNames = ["tesRoleName": "GreengrassV2TokenExchangeRole", "tesPolicyName": "GreengrassV2TokenExchangeRoleAccess",
                        "hookRoleName": "PreProvisioningHookRole", "hookPolicyName": "PreProvisioningHookPolicy",
                        "fleetRoleName": "GreengrassFleetProvisioningRole", "auditActionsRoleName": "IoTDeviceDefenderAuditActionsRole",
                        "auditActionsPolicyName": "IoTDeviceDefenderAuditActionsPolicy", "auditRoleName": "IoTDeviceDefenderAuditRole",
                        "auditPolicyName": "IoTDeviceDefenderAuditPolicy", "rotateCertRoleName": "IoTDeviceDefenderRotateCertRole",
                        "rotateCertPolicyName": "IoTDeviceDefenderRotateCertPolicy", "revokeCertRoleName": "IoTDeviceDefenderRevokeCertRole",
                        "revokeCertPolicyName": "IoTDeviceDefenderRevokeCertPolicy"]
        return "config:\n  \(project):aws-account-id: \"\(account)\"\n  \(project):aws-region: \(region)\n"
            + "  \(project):certBucketName: \(certificateBucket)-prod\n  \(project):osBucketName: \(imageBucket)-prod\n"
            + iamNames.sorted { $0.key < $1.key }.map { "  \(project):\($0.key): \($0.value)-prod\n" }.joined()
    }

    /// The serial numbers the demo lists and simulates, in the example's allowlist format.
    static func serials(_ count: Int) -> [String] {
        (1...max(1, count)).map { number in
            let digits = String(number)
            return "GG-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
    }

    func run() async throws {
        try checkLimits()
        let environment = ProcessEnvironment.current
        guard environment["AWS_ENDPOINT_URL"] != nil, let deviceEndpoint = environment["FLEETDECK_DEVICE_ENDPOINT_URL"] else {
            throw ValidationFailure(message: "the demo runs on the local sandbox (moto and mosquitto): use ./scripts/demo, or scripts/sandbox -- fleetdeck demo")
        }
        guard isatty(0) == 1, isatty(1) == 1 else { throw ValidationFailure(message: "the demo opens the dashboard: it needs a terminal") }
        guard AtomicFile.exists(program + "/Pulumi.yaml") else {
            throw ValidationFailure(message: "the demo deploys \(program)/Pulumi.yaml, which does not exist: run it from the repository (./scripts/demo) or pass --program")
        }
        // In $TMPDIR, as mktemp(1) makes its folders.
        let temporary = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((temporary + "/fleetdeck-demo-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw ValidationFailure(message: "could not make a folder for the demo in \(temporary)") }
        let folder = String(cString: made)
        // The demo's stacks keep their state in its folder, their secrets under the user's
        // passphrase or the demo's own.
        var stackEnvironment = environment
        if stackEnvironment["PULUMI_CONFIG_PASSPHRASE"] == nil && stackEnvironment["PULUMI_CONFIG_PASSPHRASE_FILE"] == nil {
            stackEnvironment["PULUMI_CONFIG_PASSPHRASE"] = "fleetdeck-demo"
        }
        let global = try GlobalOptions.parse(["-C", folder, "-s", "dev", "--backend", "file://\(folder)/state"])
        func stackRunner(_ stack: String) throws -> StackRunner { try StackCommandContext.runner(global, stack: stack, environment: stackEnvironment) }
        let serials = Self.serials(devices)

        var runner: StackRunner?
        do {
            try await StackCommandContext.run {
                // The program's files (its stack files aside), a dev stack in the sandbox's
                // account and region, and the allowlist naming the simulated devices.
                for file in try AssetFiles.archive(program).files where !(file.name.hasPrefix("Pulumi.") && file.name != "Pulumi.yaml") {
                    try AtomicFile.makeFolders(AtomicFile.parent(of: "\(folder)/\(file.name)"))
                    try AtomicFile.write(file.bytes, to: "\(folder)/\(file.name)")
                }
                let client = try AWSCommandContext.client(global)
                let account = try await client.callerIdentity().account
                let name = try ProjectFolder.load(directory: folder).program.name
                try AtomicFile.write(Array("""
                    config:
                      \(name):aws-account-id: "\(account)"
                      \(name):aws-region: \(client.settings.region)
                      \(name):certBucketName: \(Self.certificateBucket)
                      \(name):osBucketName: \(Self.imageBucket)

                    """.utf8), to: folder + "/Pulumi.dev.yaml")
                try AtomicFile.write(Array(("# The demo's simulated devices\n" + serials.map { $0 + "\n" }.joined()).utf8), to: folder + "/allowlist.txt")

                // Upstream's prepare-infra, deploy and setup-provisioning.
                let dev = try stackRunner("dev")
                try await FleetCommand.Setup.setUp(bucket: Self.certificateBucket, allowlist: folder + "/allowlist.txt", runner: dev, client: try dev.awsClient(), yes: true)
                writeStandardOutput("Deploying \(program) to the dev stack (\(folder))…\n")
                runner = dev
                let prepared = try await dev.preparePlan { event in
                    if let line = PlanText.event(event) { writeStandardOutput(line + "\n") }
                }
                _ = try await dev.execute(prepared)
                try await FleetCommand.Setup.setUp(bucket: Self.certificateBucket, allowlist: folder + "/allowlist.txt", runner: dev, client: try dev.awsClient(), yes: true)

                // A prod stack with its change waiting: set up as upstream's prepare-infra leaves
                // it (bucket, claim certificate), not deployed. The dashboard shows it for review.
                try AtomicFile.write(Array(Self.prodConfig(project: name, account: account, region: Self.prodRegion(besides: client.settings.region)).utf8),
                                     to: folder + "/Pulumi.prod.yaml")
                // (in prod's own region: the stack's client)
                let prod = try stackRunner("prod")
                try await FleetCommand.Setup.setUp(bucket: Self.certificateBucket + "-prod", allowlist: folder + "/allowlist.txt", runner: prod,
                                                   client: try prod.awsClient(), yes: true)
            }
        } catch {
            // The folder holds the stacks' state: it goes only once both stacks are destroyed.
            let removable = runner == nil ? true : keep ? false : await removeStacks(stackRunner)
            if removable { AtomicFile.removeTree(folder) }
            throw error
        }
        guard let runner else { return }
        let named = try await FleetCommand.stackResourceValues(runner)
        let group = named("ThingGroupID", "thingGroupName") ?? "GreengrassGroup"

        let client = try AWSCommandContext.client(global)
        let configuration = Simulator.configuration(region: client.settings.region, account: try await client.callerIdentity().account, group: group)
        let simulator = Simulator(names: serials, rate: rate, statusInterval: Simulator.statusInterval(ProcessEnvironment.current), greengrass: true,
                                  configuration: configuration)
        // Upstream's components in the account's catalogue, as its build-apps workflow publishes them.
        let components = AtomicFile.list(program + "/components").sorted().map { "\(program)/components/\($0)/recipe.yaml" }.filter(AtomicFile.exists)
        var published: [(name: String, version: String)] = []
        for recipe in components {
            do {
                published.append(try await FleetLoader(client: client).publishComponent(recipe: AtomicFile.read(recipe) ?? []))
            } catch let error as AWSError where error.code == "ConflictException" {
                continue  // that version is in the catalogue already (not the demo's to remove)
            }
        }
        if !components.isEmpty { writeStandardOutput("Published \(components.count) components (upstream's recipes).\n") }
        // deploy-apps.yml's deployment.json (every component at its latest version, its
        // configuration reset, the Greengrass CLI), here with a staged rollout that aborts when
        // half of at least 5 devices failed; and the revision without the broken image.
        let names = AtomicFile.list(program + "/components").sorted().filter { AtomicFile.exists("\(program)/components/\($0)/recipe.yaml") }
        let staged: JSONObject = ["jobExecutionsRolloutConfig": ["maximumPerMinute": 10],
                                  "abortConfig": ["criteriaList": [["failureType": "FAILED", "action": "CANCEL", "thresholdPercentage": 50, "minNumberOfExecutedThings": 5]]],
                                  "timeoutConfig": ["inProgressTimeoutInMinutes": 30]]
        for (file, components) in [("deployment.json", names), ("deployment-fixed.json", names.filter { $0 != "docker_corrupt" })] where !names.isEmpty {
            let spec = try await FleetLoader(client: client).upstreamDeployment(group: group, components: components, job: staged)
            try AtomicFile.write(JSONValue.object(spec.request).pretty() + "\n", to: "\(folder)/\(file)")
        }
        if !names.isEmpty {
            writeStandardOutput("deploy-apps.yml's deployment, with a staged rollout: :deploy \(folder)/deployment.json in the dashboard "
                                + "(then deployment-fixed.json, without docker_corrupt), or fleetdeck gg deploy \(folder)/deployment.json --preview\n")
        }
        // The devices: upstream's first boot with the device image in the certificate bucket
        // (claim certificate and key, config_parameters.txt), the listed serial numbers and two
        // that are not; the first fifth of the fleet (two at least) gets certificates that expire in 10 days (a
        // sandbox control) for an audit to find. The dashboard tails the device endpoint with an
        // operator certificate of its own.
        let unlisted = Array(Self.serials(devices + 2).suffix(2))
        let image = try await FleetSetup(client: client, bucket: Self.certificateBucket).deviceImage()
        let keys = folder + "/devices"
        let ca = environment["FLEETDECK_MQTT_CA"]
        let operatorCertificate = try await OperatorCertificate.create(client: client, policy: "FleetdeckDemoOperator", folder: folder + "/operator")
        // (after the operator's: the next certificates issued are the devices')
        let shortLived = max(2, devices / 5)
        try await Sandbox.shortLivedCertificates(client: client, count: shortLived, days: 10)
        // The registry says when it makes a thing (THING events, as an operator enables them):
        // :provisioning joins them to the hook's answers; jobs say as their executions end (a
        // rollout on the job screen follows them).
        try await FleetLoader(client: client).enableRegistryEvents(["THING", "JOB", "JOB_EXECUTION"])
        // The last of them loses its new certificate when rotated: the rotation screen shows it stuck.
        let dropping: Set<String> = serials.count > 1 ? [serials[min(shortLived, serials.count) - 1]] : []
        var dashboardEnvironment = stackEnvironment
        dashboardEnvironment["FLEETDECK_MQTT_URL"] = deviceEndpoint
        dashboardEnvironment["FLEETDECK_MQTT_CERT"] = operatorCertificate.certFile
        dashboardEnvironment["FLEETDECK_MQTT_KEY"] = operatorCertificate.keyFile
        let plan = ProvisioningPlan(serials: serials + unlisted, template: image.template, endpoint: deviceEndpoint, claim: "s3://\(Self.certificateBucket)", keys: keys)
        writeStandardOutput(plan.text)

        let stopping = Atomic<Bool>(false)
        var devicesThread: pthread_t?
        let outcome: Result<Void, any Error>
        do {
            try await MainActor.run {
                try openDashboard(global, environment: dashboardEnvironment, deployment: names.isEmpty ? nil : folder + "/deployment.json") { runtime in
                    // The devices boot once the dashboard is there to show them: what each
                    // provisioning connection heard (the template's answers, accepted or
                    // rejected) goes to its messages.
                    let devices = ClaimedDevices(folder: keys, endpoint: { cert, key in
                        (try? BrokerEndpoint.parse(deviceEndpoint, caFile: ca, certFile: cert, keyFile: key)) ?? BrokerEndpoint(kind: .tls, host: "", port: 0)
                    }, heard: { message in
                        if message.topic.hasPrefix("$aws/provisioning-templates/") { runtime.deliver(message, time: Client.wallClock()) }
                    }, droppingCertificates: dropping, nucleus: ClaimedDevices.Nucleus(
                        // (the last listed device is an x86_64 core: aarch64-only components fail there)
                        platform: { $0 == serials.count - 1 && serials.count > 1 ? ("linux", "amd64") : ("linux", "aarch64") },
                        installed: Simulator.installed(index:), facts: ClaimedDevices.Nucleus.catalogue(FleetLoader(client: client))), onEvent: { event in
                        // What goes wrong with a device, and each rotation, on the status line.
                        switch event {
                        case .problem, .rotated, .refused, .booted, .deployed: runtime.say(ClaimedDevices.describe(event))
                        default: return
                        }
                    })
                    devicesThread = startThread {
                        do {
                            _ = try devices.run(serials + unlisted, template: image.template, claimCertificate: image.claimCertificate,
                                                claimKey: image.claimKey, simulator: simulator) { stopping.load(ordering: .relaxed) }
                        } catch {
                            runtime.say("the devices could not keep their keys in \(keys): \(error)")
                        }
                    }
                }
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        stopping.store(true, ordering: .relaxed)
        // (the devices disconnect as their run ends)
        if let devicesThread { pthread_join(devicesThread, nil) }
        try? await operatorCertificate.remove(client: client)
        if !keep {
            writeStandardOutput("Removing what the demo made (Ctrl-C stops this and leaves the rest in \(folder)):\n")
            let clock = ContinuousClock(), started = clock.now
            await simulator.remove(client: client)
            writeStandardOutput("  removed \(simulator.names.count) simulated devices (\(Self.seconds(clock.now - started)))\n")
            for component in published { try? await FleetLoader(client: client).deleteComponent(component.name, version: component.version) }
            if !published.isEmpty { writeStandardOutput("  removed the \(published.count) components it published\n") }
            if await removeStacks(stackRunner) {
                AtomicFile.removeTree(folder)
                writeStandardOutput("Done.\n")
            } else {
                writeStandardOutput("Kept \(folder): its state names what is left (FLEETDECK_BACKEND_URL=file://\(folder)/state fleetdeck destroy -C \(folder) -s STACK).\n")
            }
        } else {
            writeStandardOutput("Kept the demo stack in \(folder) (FLEETDECK_BACKEND_URL=file://\(folder)/state).\n")
        }
        try outcome.get()
    }

    static func seconds(_ duration: Duration) -> String { "\(PlanText.format(DeploymentEngine.seconds(duration))) s" }

    /// Destroys the demo's stacks (prod first, if it was deployed), counting the resources as
    /// they go; false when one could not be destroyed (its state must then be kept).
    func removeStacks(_ runner: (String) throws -> StackRunner) async -> Bool {
        var destroyed = true
        for stack in ["prod", "dev"] {
            do {
                let runner = try runner(stack)
                let clock = ContinuousClock(), started = clock.now
                // One line that counts up as the resources go.
                let done = Atomic<Int>(0), total = Atomic<Int>(0)
                let change = try await runner.prepareDestroy { event in
                    guard case .stepFinished = event else { return }
                    let count = done.add(1, ordering: .relaxed).newValue
                    writeStandardOutput("\r  destroying \(stack): \(count) of \(total.load(ordering: .relaxed)) resources")
                }
                guard !change.plan.steps.isEmpty else { continue }
                total.store(change.plan.steps.count, ordering: .relaxed)
                writeStandardOutput("  destroying \(stack): 0 of \(change.plan.steps.count) resources")
                let summary = try await runner.execute(change, clearBlockers: true)
                writeStandardOutput("\r  destroyed \(stack): \(summary.counts[.delete] ?? 0) resources deleted (\(Self.seconds(clock.now - started)))        \n")
            } catch {
                writeStandardOutput("  \(stack) could not be destroyed: \(error)\n")
                destroyed = false
            }
        }
        return destroyed
    }

    @MainActor
    func openDashboard(_ global: GlobalOptions, environment: [String: String], deployment: String?, running: (DashboardRuntime) -> Void) throws {
        // Telemetry, the rotation contract's topics, who connects and leaves, and the things made.
        let topics = ["device/#", "lambda/#", "$aws/events/presence/#", "$aws/events/thing/+/created"]
        try ConsoleCommand.openDashboard(global, readOnly: false, environment: environment, start: { state in
            state.messages.filters = topics
            state.screens = [.stacks, .messages]
            state.quitAsks = "Quit the demo? Its devices and stacks are removed."
            // (the sandbox's chain takes a second: a device 20 s at a step is stuck)
            state.rotationStuckAfter = 20
            state.notice = "demo: \(devices) devices provision by claim (2 unlisted are refused); :audit rotates certificates; "
                + (deployment.map { ":deploy \($0) ships upstream's components (then deployment-fixed.json); " } ?? "") + "prod waits for review: esc, enter on prod, p, y"
            return [.connectBroker, .subscribe(topics)]
        }, running: running)
    }
}
