import Fleet
import ArgumentParser
import AWSCore
import AWSServices
import JSON
import MQTT
import MQTTNet
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `fleetdeck simulate --devices N --rate R`.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "simulate", abstract: "Run simulated devices: telemetry over MQTT and reported shadows.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var broker: BrokerOptions
    @Option(help: "How many devices.") var devices: Int = 25
    @Option(help: "Messages per second per device.") var rate: Double = 1
    @Option(help: "Thing name prefix.") var prefix: String = "sim"
    @Option(help: "Stop after this many seconds.") var duration: Double?
    @Option(help: "Stop after this many messages in all.") var count: Int?
    @Flag(help: "The devices are Greengrass cores: each reports its nucleus's status on the reserved health topic (for the sandbox).")
    var greengrass = false
    @Option(help: "With --greengrass: the thing group whose deployment the cores report they took.") var group = "GreengrassGroup"

    /// Numbers in range before anything runs (a one-line error otherwise).
    func checkLimits() throws {
        try OptionLimits.check(devices, "--devices", within: OptionLimits.devices)
        try OptionLimits.check(rate, "--rate", within: OptionLimits.rate, unit: " messages per second")
        try OptionLimits.check(duration, "--duration", within: OptionLimits.seconds, unit: " seconds")
        try OptionLimits.check(count, "--count", within: OptionLimits.count)
    }

    func run() async throws {
        try checkLimits()
        var simulator = Simulator(names: (1...devices).map { "\(prefix)-\(threeDigits($0))" }, rate: rate,
                                  statusInterval: Simulator.statusInterval(ProcessEnvironment.current), greengrass: greengrass)
        try await AWSCommandContext.run {
            let client = try AWSCommandContext.client(global)
            if greengrass {
                simulator.configuration = Simulator.configuration(region: client.settings.region, account: try await client.callerIdentity().account,
                                                                  group: group)
            }
            let created = try await simulator.ensureThings(client: client)
            try await simulator.reportShadows(client: client, seconds: 0)
            writeStandardError("simulate: \(devices) devices (\(created) things created), \(rate) message(s)/s each\n")
        }
        let endpoint = try await broker.endpoint(global)
        let connected = Gate()
        let mqtt = Client(options: Session.Options(clientID: broker.clientID), open: { () throws(TransportError) in try endpoint.open() }) { event in
            if case .connected = event { connected.open() }
            if case .disconnected(let why) = event { writeStandardError("simulate: \(endpoint.description): \(why)\n") }
        }
        mqtt.start()
        defer { mqtt.stop() }
        guard connected.wait(seconds: 15) else { throw ValidationFailure(message: "simulate: could not reach \(endpoint.description)") }
        let deadline = duration.map { Client.monotonic() + $0 }
        let sent = simulator.publish({ mqtt.publish($0) }, total: count) { deadline.map { Client.monotonic() >= $0 } ?? false }
        writeStandardError("simulate: \(sent) messages sent\n")
    }
}

/// A number with at least three digits ("007").
func threeDigits(_ value: Int) -> String {
    let digits = "\(value)"
    return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
}
