import Fleet
import POSIXFiles
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
    @Option(help: "With --greengrass and a claim: the cores' architecture (aarch64, amd64...); they take Greengrass deployments as a nucleus does.")
    var architecture = "aarch64"
    @OptionGroup var claim: ClaimOptions

    /// Numbers in range before anything runs (a one-line error otherwise).
    func checkLimits() throws {
        try OptionLimits.check(devices, "--devices", within: OptionLimits.devices)
        try OptionLimits.check(rate, "--rate", within: OptionLimits.rate, unit: " messages per second")
        try OptionLimits.check(duration, "--duration", within: OptionLimits.seconds, unit: " seconds")
        try OptionLimits.check(count, "--count", within: OptionLimits.count)
    }

    func run() async throws {
        try checkLimits()
        if claim.active {
            return try await AWSCommandContext.run { try await runByClaim() }
        }
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

/// How `simulate` provisions its devices by claim, as the reference architecture's devices do.
struct ClaimOptions: ParsableArguments {
    @Option(help: "Provision by claim with the device image in this certificate bucket (claim.pem.crt, claim.private.pem.key, config_parameters.txt), as 'fleet setup' leaves it.")
    var claimBucket: String?
    @Option(help: "Provision by claim with this claim certificate (PEM; with --claim-key and --template).") var claimCert: String?
    @Option(help: "The claim certificate's private key (PEM).") var claimKey: String?
    @Option(help: "The fleet provisioning template (default: config_parameters.txt's).") var template: String?
    @Option(name: .customLong("serial"), help: "A serial number to provision (repeat; default: --prefix and --devices).") var serials: [String] = []
    @Option(help: "Where each device keeps its certificate and key (0600; the keys are never printed).") var keys: String?
    @Option(name: .customLong("drop-certificate"), help: "A thing that loses its new certificate (device/<thing>/crt) when rotated, as if the message were dropped (repeat).")
    var droppingCertificates: [String] = []
    @Option(help: "Refuse unless the provisioning plan's hash is this one.") var planHash: String?
    @Flag(name: [.short, .long], help: "Approve the provisioning plan without asking.") var yes = false

    var active: Bool { claimBucket != nil || claimCert != nil || claimKey != nil }
}

extension SimulateCommand {
    /// Provisions the serial numbers by claim (a plan, shown and approved first), then runs the
    /// devices on the device endpoint with their own certificates until the duration or count.
    func runByClaim() async throws {
        let serials = claim.serials.isEmpty ? (1...devices).map { "\(prefix)-\(threeDigits($0))" } : claim.serials
        for serial in serials where !Allowlist.isThingName(serial) {
            throw ValidationFailure(message: "--serial '\(serial)' is not a thing name (1-128 of a-z A-Z 0-9 : _ -)")
        }
        for thing in claim.droppingCertificates where !serials.contains(thing) {
            throw ValidationFailure(message: "--drop-certificate \(thing) is not one of the serial numbers (upstream's template names each thing after its serial number)")
        }
        guard let keys = claim.keys else { throw ValidationFailure(message: "--keys: name the folder where the devices keep their certificates and keys") }
        let environment = ProcessEnvironment.current
        let client = try AWSCommandContext.client(global)
        // The claim certificate and template: the bucket's device image, or files.
        var claimCert: [UInt8], claimKey: [UInt8], template = claim.template, host: String?, source: String
        if let bucket = claim.claimBucket {
            let image = try await FleetSetup(client: client, bucket: bucket).deviceImage()
            (claimCert, claimKey, host, source) = (image.claimCertificate, image.claimKey, image.dataEndpoint, "s3://\(bucket)")
            template = template ?? image.template
        } else {
            guard let certFile = claim.claimCert, let keyFile = claim.claimKey else { throw ValidationFailure(message: "--claim-cert and --claim-key go together") }
            guard let cert = AtomicFile.read(certFile) else { throw ValidationFailure(message: "\(certFile): no such file") }
            guard let key = AtomicFile.read(keyFile) else { throw ValidationFailure(message: "\(keyFile): no such file") }
            (claimCert, claimKey, host, source) = (cert, key, nil, certFile)
        }
        guard let template else { throw ValidationFailure(message: "--template: name the fleet provisioning template (or use --claim-bucket)") }
        let address: String
        if let given = broker.url ?? environment["FLEETDECK_DEVICE_ENDPOINT_URL"] {
            address = given
        } else {
            if host == nil { host = try await client.iotEndpoint("iot:Data-ATS") }
            address = "mqtts://\(host ?? ""):8883"
        }
        let ca = broker.ca ?? environment["FLEETDECK_MQTT_CA"]
        do { _ = try BrokerEndpoint.parse(address, caFile: ca) } catch { throw ValidationFailure(message: error.description) }

        let plan = ProvisioningPlan(serials: serials, template: template, endpoint: address, claim: source, keys: keys)
        writeStandardOutput(plan.text)
        if let planHash = claim.planHash, planHash != plan.hash {
            throw ValidationFailure(message: "the provisioning plan is \(plan.hash), not the approved \(planHash)")
        }
        if !claim.yes, !(try StackCommandContext.confirm("Provision these \(serials.count) devices?", details: { plan.text })) {
            throw ValidationFailure(message: "nothing provisioned: the plan was not approved")
        }
        var simulator = Simulator(names: [], rate: rate, statusInterval: Simulator.statusInterval(environment), greengrass: greengrass)
        if greengrass {
            simulator.configuration = Simulator.configuration(region: client.settings.region, account: try await client.callerIdentity().account, group: group)
        }
        let fleet = ClaimedDevices(folder: keys, endpoint: { cert, key in
            // Parsed above: the same address with each device's files.
            (try? BrokerEndpoint.parse(address, caFile: ca, certFile: cert, keyFile: key)) ?? BrokerEndpoint(kind: .tls, host: "", port: 0)
        }, droppingCertificates: Set(claim.droppingCertificates), nucleus: greengrass ? ClaimedDevices.Nucleus(
            platform: { [architecture] _ in ("linux", architecture) }, installed: Simulator.installed(index:),
            facts: ClaimedDevices.Nucleus.catalogue(FleetLoader(client: client))) : nil) { event in
            writeStandardError("simulate: \(ClaimedDevices.describe(event))\n")
        }
        let deadline = duration.map { Client.monotonic() + $0 }
        let (things, sent) = try fleet.run(serials, template: template, claimCertificate: claimCert, claimKey: claimKey, simulator: simulator, total: count) {
            deadline.map { Client.monotonic() >= $0 } ?? false
        }
        writeStandardError("simulate: \(sent) messages sent\n")
        guard !things.isEmpty else { throw ValidationFailure(message: "none of the \(serials.count) serial numbers was provisioned") }
    }
}
