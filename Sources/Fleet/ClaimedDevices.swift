import _CryptoExtras
import Crypto
import Dispatch
import JSON
import MQTT
import MQTTNet
import POSIXFiles
import Synchronization
import X509

/// Simulated devices doing the device side of the reference architecture's loop over the
/// account's device endpoint, as a Greengrass core with `FleetProvisioningByClaim` and upstream's
/// `docker_certificate_rotator` do: each serial number provisions itself with the claim
/// certificate through the template (ClaimProvisioning), keeps its own certificate and key in
/// `folder` (0600, the key never printed), connects with them (client ID: its thing name),
/// reports its shadow over MQTT (and takes what a delta asks), publishes what it is given, and
/// runs the rotation contract: on `device/<thing>/csr_req` a new RSA-2048 key and a CSR
/// (CN "AWS IoT Certificate") on `lambda/<thing>/csr_res`; on `device/<thing>/crt` the new
/// certificate and key replace the old ones, the device reconnects with them and acknowledges
/// on `lambda/<thing>/crt_ack`.
public final class ClaimedDevices: Sendable {
    public enum Event: Sendable, Equatable {
        case provisioned(serial: String, thing: String, certificateID: String)
        case refused(serial: String, reason: String)
        /// Every serial number has asked: how many were provisioned.
        case booted(provisioned: Int, of: Int)
        case connected(thing: String)
        case rotationRequested(thing: String)
        case rotated(thing: String, certificateID: String)
        /// A Greengrass deployment taken (its IoT job), and how it went.
        case deployed(thing: String, job: String, status: String, cause: String?)
        /// Something the device could not do (a lost connection, an answer it could not use).
        case problem(thing: String, String)
    }

    /// Where the device endpoint is for a certificate and key (files).
    public typealias Endpoint = @Sendable (_ certFile: String, _ keyFile: String) -> BrokerEndpoint

    let folder: String
    let endpoint: Endpoint
    let onEvent: @Sendable (Event) -> Void
    /// Each response the provisioning connections heard (topic and payload, as the device got them).
    let heard: @Sendable (Message) -> Void
    /// Things that lose every `device/<thing>/crt` (as a device whose message was dropped
    /// would): their rotation stays at "certificate issued", for a demo or a test to show.
    let droppingCertificates: Set<String>
    let devices = Mutex<[String: Device]>([:])
    let work = DispatchQueue(label: "fleetdeck.claimed-devices")
    /// As Greengrass cores: each device's platform and what it runs (by index), and where a
    /// component version runs (the catalogue); nil: the devices take no deployments.
    let nucleus: Nucleus?

    public struct Nucleus: Sendable {
        public var platform: @Sendable (Int) -> (os: String, architecture: String)
        public var installed: @Sendable (Int) -> [String: String]
        public var facts: @Sendable (String, String) throws -> DeploymentPlan.ComponentFacts?
        public init(platform: @escaping @Sendable (Int) -> (os: String, architecture: String), installed: @escaping @Sendable (Int) -> [String: String],
                    facts: @escaping @Sendable (String, String) throws -> DeploymentPlan.ComponentFacts?) {
            self.platform = platform
            self.installed = installed
            self.facts = facts
        }
    }

    public init(folder: String, endpoint: @escaping Endpoint, heard: @escaping @Sendable (Message) -> Void = { _ in },
                droppingCertificates: Set<String> = [], nucleus: Nucleus? = nil, onEvent: @escaping @Sendable (Event) -> Void) {
        self.folder = folder
        self.nucleus = nucleus
        self.droppingCertificates = droppingCertificates
        self.endpoint = endpoint
        self.heard = heard
        self.onEvent = onEvent
    }

    public static func certificateFile(_ folder: String, _ thing: String) -> String { "\(folder)/\(thing).pem.crt" }
    public static func keyFile(_ folder: String, _ thing: String) -> String { "\(folder)/\(thing).private.pem.key" }

    /// Provisions each serial number by claim (in order); returns the things made. A serial
    /// number the account refuses (the hook's 403, a missing parameter...) is said by an event
    /// and makes nothing here. `stopped` ends the run between serial numbers.
    public func provision(_ serials: [String], template: String, claimCert: String, claimKey: String,
                          stopped: () -> Bool = { false }) throws -> [String] {
        try AtomicFile.makeFolders(folder)
        let claim = endpoint(claimCert, claimKey)
        var things: [String] = []
        for serial in serials where !stopped() {
            do {
                let device = try ClaimProvisioning.provision(serial: serial, template: template, heard: heard) { () throws(TransportError) in try claim.open() }
                try AtomicFile.write(device.certificatePEM, to: Self.certificateFile(folder, device.thingName))
                try AtomicFile.write(device.privateKeyPEM, to: Self.keyFile(folder, device.thingName))
                things.append(device.thingName)
                onEvent(.provisioned(serial: serial, thing: device.thingName, certificateID: device.certificateID))
            } catch let refused as ClaimProvisioning.Refused {
                onEvent(.refused(serial: serial, reason: refused.description))
            }
        }
        return things
    }

    /// Upstream's first boot and the life after it: the claim certificate and key are written
    /// beside the devices' own (0600) and deleted once every serial number has asked (as
    /// upstream's provision.sh deletes them); the things provisioned connect, report their shadows
    /// and publish what `simulator` makes (named after them) until `stopped` says so or `total`
    /// messages went out. Returns the things and the messages sent.
    public func run(_ serials: [String], template: String, claimCertificate: [UInt8], claimKey: [UInt8], simulator: Simulator,
                    total: Int? = nil, stopped: @escaping () -> Bool) throws -> (things: [String], sent: Int) {
        try AtomicFile.makeFolders(folder)
        let certFile = folder + "/claim.pem.crt", keyFile = folder + "/claim.private.pem.key"
        let things: [String]
        do {
            defer { AtomicFile.remove(keyFile); AtomicFile.remove(certFile) }
            try AtomicFile.write(claimCertificate, to: certFile)
            try AtomicFile.write(claimKey, to: keyFile)
            things = try provision(serials, template: template, claimCert: certFile, claimKey: keyFile, stopped: stopped)
        }
        onEvent(.booted(provisioned: things.count, of: serials.count))
        guard !things.isEmpty, !stopped() else { return (things, 0) }
        connect(things) { Simulator.reported(index: $0, seconds: 0) }
        defer { stop() }
        var running = simulator
        running.names = things
        return (things, running.publish({ self.publish($0) }, total: total, stop: stopped))
    }

    /// Connects each provisioned thing with its own certificate and reports `reported(index)`
    /// in its classic shadow once connected.
    public func connect(_ things: [String], reported: @escaping @Sendable (Int) -> JSONValue) {
        for (index, thing) in things.enumerated() {
            let device = Device(thing: thing, reported: reported(index),
                                nucleus: nucleus.map { SimulatedNucleus(platform: $0.platform(index), installed: $0.installed(index)) })
            devices.withLock { $0[thing] = device }
            start(device, acknowledging: nil)
        }
    }

    /// Publishes `message` from the device its topic names (`device/<thing>/...` or
    /// `$aws/things/<thing>/...`).
    public func publish(_ message: Message) {
        let parts = message.topic.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        let thing = parts.first == "$aws" ? parts.dropFirst(2).first : parts.dropFirst().first
        guard let thing, let device = devices.withLock({ $0[String(thing)] }) else { return }
        // A core that took a deployment reports what it runs now, not what it started with.
        guard message.topic.hasSuffix("/greengrassv2/health/json") else {
            device.client.withLock { $0 }?.publish(message)
            return
        }
        device.lastReport.withLock { $0 = message }
        device.client.withLock { $0 }?.publish(healthReport(message, device))
    }

    /// One line for an event.
    public static func describe(_ event: Event) -> String {
        switch event {
        case .provisioned(let serial, let thing, let id): "\(serial): provisioned by claim as \(thing), certificate \(id.prefix(12))"
        case .refused(let serial, let reason): "\(serial): refused: \(reason)"
        case .booted(let provisioned, let asked): "\(provisioned) of \(asked) serial numbers provisioned"
        case .connected(let thing): "\(thing): connected with its own certificate"
        case .rotationRequested(let thing): "\(thing): asked for a new certificate (device/\(thing)/csr_req): CSR sent"
        case .rotated(let thing, let id): "\(thing): took its new certificate \(id.prefix(12)), reconnecting to acknowledge it"
        case .deployed(let thing, let job, let status, let cause): "\(thing): deployment job \(job.prefix(8)) \(status)" + (cause.map { ": \($0)" } ?? "")
        case .problem(let thing, let why): "\(thing): \(why)"
        }
    }

    /// Disconnects every device.
    public func stop() {
        work.sync {}
        let all = devices.withLock { devices in defer { devices.removeAll() }; return Array(devices.values) }
        for device in all { device.client.withLock { client in defer { client = nil }; return client }?.stop() }
    }

    final class Device: Sendable {
        let thing: String
        let reported: JSONValue
        let client = Mutex<Client?>(nil)
        /// The key of the CSR sent on a rotation request, until its certificate comes.
        let pendingKey = Mutex<_RSA.Signing.PrivateKey?>(nil)
        /// As a Greengrass core: what it runs, the jobs it has taken, and the last deployment's
        /// status for its reports (nil until it takes one).
        let nucleus: Mutex<SimulatedNucleus>?
        let taken = Mutex<Set<String>>([])
        let deployment = Mutex<JSONValue?>(nil)
        /// Its last status report (sent again, as a nucleus does, when a deployment ends).
        let lastReport = Mutex<Message?>(nil)
        init(thing: String, reported: JSONValue, nucleus: SimulatedNucleus? = nil) {
            self.thing = thing
            self.reported = reported
            self.nucleus = nucleus.map { Mutex($0) }
        }
    }

    /// A connection with the device's current files; `acknowledging` is the certificate to
    /// acknowledge once it is up (after a rotation).
    private func start(_ device: Device, acknowledging certificateArn: String?) {
        let thing = device.thing, shadow = "$aws/things/\(thing)/shadow/update"
        let endpoint = endpoint(Self.certificateFile(folder, thing), Self.keyFile(folder, thing))
        let client = Client(options: Session.Options(clientID: thing), open: { () throws(TransportError) in try endpoint.open() }) { [weak self] event in
            guard let self else { return }
            switch event {
            case .connected:
                self.onEvent(.connected(thing: thing))
                let client = device.client.withLock { $0 }
                client?.publish(Message(topic: shadow, payload: Array(JSONValue.object(["state": ["reported": device.reported]]).serialized().utf8), qos: .atLeastOnce))
                if device.nucleus != nil {
                    client?.publish(Message(topic: Self.jobsTopic(thing, "$next/namespace-\(Self.deploymentNamespace)/get"), payload: Array("{}".utf8), qos: .atLeastOnce))
                }
                if let certificateArn {
                    client?.publish(Message(topic: "lambda/\(thing)/crt_ack", payload: Array(JSONValue.object([
                        "ThingName": .string(thing), "certificateArn": .string(certificateArn)]).serialized().utf8), qos: .atLeastOnce))
                }
            case .message(let message, _): self.take(message, device)
            case .disconnected(let why), .refused(let why): self.onEvent(.problem(thing: thing, why))
            default: return
            }
        }
        client.subscribe([Subscription("device/\(thing)/csr_req", qos: .atLeastOnce), Subscription("device/\(thing)/crt", qos: .atLeastOnce),
                          Subscription(shadow + "/delta", qos: .atLeastOnce)]
                         + (device.nucleus == nil ? [] : [Subscription(Self.jobsTopic(thing, "notify-next-namespace-\(Self.deploymentNamespace)"), qos: .atLeastOnce),
                                                          Subscription(Self.jobsTopic(thing, "$next/namespace-\(Self.deploymentNamespace)/get/accepted"), qos: .atLeastOnce)]))
        device.client.withLock { $0 = client }
        client.start()
    }

    private func take(_ message: Message, _ device: Device) {
        let thing = device.thing
        switch message.topic {
        case "device/\(thing)/csr_req":
            onEvent(.rotationRequested(thing: thing))
            do {
                let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
                let request = try CertificateSigningRequest(version: .v1, subject: DistinguishedName { CommonName("AWS IoT Certificate") },
                                                            privateKey: Certificate.PrivateKey(key), attributes: CertificateSigningRequest.Attributes(),
                                                            signatureAlgorithm: .sha256WithRSAEncryption)
                let csr = try request.serializeAsPEM().pemString
                device.pendingKey.withLock { $0 = key }
                device.client.withLock { $0 }?.publish(Message(topic: "lambda/\(thing)/csr_res", payload: Array(JSONValue.object([
                    "ThingName": .string(thing), "csr": .string(csr)]).serialized().utf8), qos: .atLeastOnce))
            } catch {
                onEvent(.problem(thing: thing, "could not make a CSR: \(error)"))
            }
        case "device/\(thing)/crt" where droppingCertificates.contains(thing):
            onEvent(.problem(thing: thing, "dropped its new certificate (device/\(thing)/crt), as asked: its rotation stops at \"certificate issued\""))
        case "device/\(thing)/crt":
            guard let body = try? JSONValue.parse(message.payload), let pem = body["certificatePem"]?.stringValue,
                  let arn = body["certificateArn"]?.stringValue, let id = body["certificateId"]?.stringValue else {
                onEvent(.problem(thing: thing, "device/\(thing)/crt lacks certificatePem, certificateArn or certificateId"))
                return
            }
            guard let key = device.pendingKey.withLock({ key in defer { key = nil }; return key }) else {
                onEvent(.problem(thing: thing, "a certificate came on device/\(thing)/crt without a CSR asked for: kept the current one"))
                return
            }
            do {
                let certificate = try Certificate(pemEncoded: pem)
                guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else {
                    onEvent(.problem(thing: thing, "the certificate on device/\(thing)/crt is not for the key of its CSR: kept the current one"))
                    return
                }
                try AtomicFile.write(pem, to: Self.certificateFile(folder, thing))
                try AtomicFile.write(key.pemRepresentation, to: Self.keyFile(folder, thing))
            } catch {
                onEvent(.problem(thing: thing, "could not take the new certificate: \(error)"))
                return
            }
            // Restarted with the new files (off the connection's own thread, which is stopped).
            work.async { [self] in
                device.client.withLock { $0 }?.stop()
                start(device, acknowledging: arn)
                onEvent(.rotated(thing: thing, certificateID: id))
            }
        case Self.jobsTopic(thing, "notify-next-namespace-\(Self.deploymentNamespace)"), Self.jobsTopic(thing, "$next/namespace-\(Self.deploymentNamespace)/get/accepted"):
            // A deployment for this core: taken off the connection's thread.
            guard let execution = (try? JSONValue.parse(message.payload))?["execution"], execution["status"]?.stringValue == "QUEUED",
                  let job = execution["jobId"]?.stringValue, let document = execution["jobDocument"] else { return }
            work.async { [self] in deploy(job, document, device) }
        case "$aws/things/\(thing)/shadow/update/delta":
            // The device takes what is desired and reports it.
            guard let state = (try? JSONValue.parse(message.payload))?["state"] else { return }
            device.client.withLock { $0 }?.publish(Message(topic: "$aws/things/\(thing)/shadow/update",
                                                           payload: Array(JSONValue.object(["state": ["reported": state]]).serialized().utf8), qos: .atLeastOnce))
        default:
            return
        }
    }
}
