import ArgumentParser
import AWSServices
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

/// `fleetdeck demo`: on the local sandbox, deploys a small fleet stack, starts simulated devices
/// and opens the dashboard on their messages; everything is removed on exit.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Deploy a small fleet on the local sandbox, simulate devices and open the dashboard.")

    @Option(help: "Simulated devices.") var devices: Int = 25
    @Option(help: "Messages per second per device.") var rate: Double = 1
    @Flag(help: "Keep the stack and its folder on exit.") var keep = false

    /// Numbers in range before anything runs (a one-line error otherwise).
    func checkLimits() throws {
        try OptionLimits.check(devices, "--devices", within: OptionLimits.devices)
        try OptionLimits.check(rate, "--rate", within: OptionLimits.rate, unit: " messages per second")
    }

    static let program = """
        name: fleetdeck-demo
        runtime: yaml
        description: A small fleet for the Fleetdeck demo.
        resources:
          fleetGroup:
            type: aws-native:iot:ThingGroup
            properties:
              thingGroupName: demo-fleet
              thingGroupProperties:
                thingGroupDescription: Simulated sensors
          sensorType:
            type: aws-native:iot:ThingType
            properties:
              thingTypeName: demo-sensor
          telemetryPolicy:
            type: aws-native:iot:Policy
            properties:
              policyName: demo-telemetry
              policyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: [iot:Connect, iot:Publish]
                    Resource: "*"
          gateway:
            type: aws-native:iot:Thing
            properties:
              thingName: demo-gateway
              attributePayload:
                attributes:
                  site: lab
        outputs:
          group: ${fleetGroup.arn}
          policy: ${telemetryPolicy.policyName}
        """

    func run() async throws {
        try checkLimits()
        let environment = ProcessEnvironment.current
        guard environment["AWS_ENDPOINT_URL"] != nil, environment["FLEETDECK_MQTT_URL"] != nil else {
            throw ValidationFailure(message: "the demo runs on the local sandbox (moto and mosquitto): use ./scripts/demo, or scripts/sandbox -- fleetdeck demo")
        }
        guard isatty(0) == 1, isatty(1) == 1 else { throw ValidationFailure(message: "the demo opens the dashboard: it needs a terminal") }
        var template = Array("/tmp/fleetdeck-demo-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ValidationFailure(message: "could not make a folder for the demo in /tmp") }
        let folder = String(cString: made)
        try AtomicFile.write(Array(Self.program.utf8), to: folder + "/Pulumi.yaml")
        try AtomicFile.write(Array("config:\n  fleetdeck-demo:production: false\n".utf8), to: folder + "/Pulumi.dev.yaml")
        if environment["PULUMI_CONFIG_PASSPHRASE"] == nil { setenv("PULUMI_CONFIG_PASSPHRASE", "fleetdeck-demo", 1) }
        setenv("FLEETDECK_BACKEND_URL", "file://\(folder)/state", 1)
        let global = try GlobalOptions.parse(["-C", folder, "-s", "dev"])

        writeStandardOutput("Deploying the demo stack (\(folder))…\n")
        var runner: StackRunner?
        do {
            try await StackCommandContext.run {
                let made = try StackCommandContext.runner(global)
                runner = made
                let prepared = try await made.preparePlan { event in
                    if let line = PlanText.event(event) { writeStandardOutput(line + "\n") }
                }
                _ = try await made.deploy(prepared)
            }
        } catch {
            AtomicFile.removeTree(folder)
            throw error
        }
        guard let runner else { return }

        let simulator = Simulator(names: (1...max(1, devices)).map { "demo-sensor-\(threeDigits($0))" }, rate: rate)
        let client = try AWSCommandContext.client(global)
        writeStandardOutput("Starting \(simulator.names.count) simulated devices…\n")
        _ = try await simulator.ensureThings(client: client)
        try await simulator.enroll(client: client, group: "demo-fleet", policy: "demo-telemetry")
        try await simulator.reportShadows(client: client, seconds: 0)
        let endpoint = try await BrokerOptions.endpoint(url: nil, ca: nil, cert: nil, key: nil, global)
        let mqtt = Client(options: Session.Options(clientID: "fleetdeck-demo-devices"), open: { () throws(TransportError) in try endpoint.open() },
                          onEvent: { _ in })
        mqtt.start()
        let stopping = Atomic<Bool>(false)
        let publisher = startThread {
            _ = simulator.publish(through: mqtt, total: nil) { stopping.load(ordering: .relaxed) }
        }

        let outcome: Result<Void, any Error>
        do {
            try await MainActor.run { try openDashboard(global) }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        stopping.store(true, ordering: .relaxed)
        pthread_join(publisher, nil)
        mqtt.stop()
        if !keep {
            writeStandardOutput("Removing the simulated devices and the demo stack…\n")
            await simulator.remove(client: client)
            let change = try await runner.prepareDestroy { _ in }
            _ = try await runner.execute(change, destroy: true, clearBlockers: true)
            AtomicFile.removeTree(folder)
        } else {
            writeStandardOutput("Kept the demo stack in \(folder) (FLEETDECK_BACKEND_URL=file://\(folder)/state).\n")
        }
        try outcome.get()
    }

    @MainActor
    func openDashboard(_ global: GlobalOptions) throws {
        try ConsoleCommand.openDashboard(global, readOnly: false) { state in
            state.messages.filters = ["device/+/telemetry"]
            state.screens = [.stacks, .messages]
            state.notice = "demo: \(devices) simulated devices; :things lists them (enter: shadows), esc the stacks"
            return [.connectBroker, .subscribe(["device/+/telemetry"])]
        }
    }
}
