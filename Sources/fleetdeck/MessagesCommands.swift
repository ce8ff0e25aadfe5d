import ArgumentParser
import AWSCore
import AWSServices
import AWSSigning
import JSON
import MQTT
import MQTTNet
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where the broker is and how to reach it, from the command line or the environment.
struct BrokerOptions: ParsableArguments {
    @Option(help: "Broker URL: mqtt://, mqtts://, ws:// or wss://HOST[:PORT] (default FLEETDECK_MQTT_URL, else the account's AWS IoT endpoint over wss:// signed with SigV4).")
    var url: String?

    @Option(help: "CA bundle for mqtts:// and wss:// (default FLEETDECK_MQTT_CA).")
    var ca: String?

    @Option(help: "Client certificate for mqtts:// (default FLEETDECK_MQTT_CERT).")
    var cert: String?

    @Option(help: "Client key for mqtts:// (default FLEETDECK_MQTT_KEY).")
    var key: String?

    @Option(help: "Client identifier (default fleetdeck-<random>).")
    var clientId: String?

    /// The endpoint: the flag, FLEETDECK_MQTT_URL, or AWS IoT's Data-ATS endpoint over a presigned WebSocket.
    func endpoint(_ global: GlobalOptions) async throws -> BrokerEndpoint {
        try await Self.endpoint(url: url, ca: ca, cert: cert, key: key, global)
    }

    static func endpoint(url: String?, ca: String?, cert: String?, key: String?, _ global: GlobalOptions) async throws -> BrokerEndpoint {
        let environment = ProcessEnvironment.current
        let ca = ca ?? environment["FLEETDECK_MQTT_CA"], cert = cert ?? environment["FLEETDECK_MQTT_CERT"]
        let key = key ?? environment["FLEETDECK_MQTT_KEY"]
        if let url = url ?? environment["FLEETDECK_MQTT_URL"] {
            do { return try BrokerEndpoint.parse(url, caFile: ca, certFile: cert, keyFile: key) } catch { throw ValidationFailure(message: error.description) }
        }
        let client = try AWSCommandContext.client(global)
        return BrokerEndpoint.awsIoT(host: try await client.iotEndpoint("iot:Data-ATS"), region: client.settings.region, credentials: try await client.credentials(), caFile: ca)
    }

    var clientID: String { clientId ?? "fleetdeck-\(UInt32.random(in: 0...UInt32.max))" }
}

/// Wakes a waiting thread (a pipe: safe from any thread, usable with a timeout).
final class Gate: Sendable {
    private let fds: (Int32, Int32)
    init() {
        var pair: [Int32] = [-1, -1]
        _ = pipe(&pair)
        for fd in pair { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        fds = (pair[0], pair[1])
    }
    deinit {
        close(fds.0)
        close(fds.1)
    }
    func open() {
        var byte: UInt8 = 1
        _ = write(fds.1, &byte, 1)
    }
    /// Waits until opened or `seconds` pass (nil: forever); true when opened.
    func wait(seconds: Double?) -> Bool {
        var descriptor = pollfd(fd: fds.0, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, seconds.map { Int32(max(0, $0) * 1000) } ?? -1) > 0
    }
    /// Waits as `wait` does, then closes again (for the next wait): true when it was opened.
    func waitAndClose(seconds: Double?) -> Bool {
        guard wait(seconds: seconds) else { return false }
        var bytes = [UInt8](repeating: 0, count: 64)
        var descriptor = pollfd(fd: fds.0, events: Int16(POLLIN), revents: 0)
        while poll(&descriptor, 1, 0) > 0, read(fds.0, &bytes, bytes.count) > 0 {}
        return true
    }
}

/// `fleetdeck tail [FILTER...]`: messages as they arrive, as text or JSON lines.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tail", abstract: "Print device messages as they arrive (JSON lines with --json).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var broker: BrokerOptions
    @Argument(help: "Topic filters (+ and # wildcards); default '#'.") var filters: [String] = []
    @Option(help: "Stop after this many messages.") var count: Int?
    @Option(help: "Stop after this many seconds.") var duration: Double?
    @Option(help: "Subscription QoS (0 or 1).") var qos: UInt8 = 0
    @Flag(help: "One write per message (as mosquitto_sub does); by default messages are written in blocks, and whatever has arrived is written as soon as the broker pauses.")
    var lineBuffered = false

    /// Numbers in range before anything runs (a one-line error otherwise).
    func checkLimits() throws {
        try OptionLimits.check(count, "--count", within: OptionLimits.count)
        try OptionLimits.check(duration, "--duration", within: OptionLimits.seconds, unit: " seconds")
    }

    func run() async throws {
        try checkLimits()
        let filters = self.filters.isEmpty ? ["#"] : self.filters
        for filter in filters {
            do { try Topic.validateFilter(filter) } catch { throw ValidationFailure(message: error.description) }
        }
        guard let qos = QoS(rawValue: qos), qos != .exactlyOnce else { throw ValidationFailure(message: "--qos must be 0 or 1") }
        let endpoint = try await broker.endpoint(global)
        let output = TailOutput(json: global.json, limit: count, eachMessage: lineBuffered)
        let done = Gate()
        let failure = Mutex<String?>(nil)
        let client = Client(options: Session.Options(clientID: broker.clientID), open: { () throws(TransportError) in try endpoint.open() }) { event in
            switch event {
            case .message(let message, let time):
                if output.write(message, time: time) { done.open() }
            case .idle:
                output.flush()
            case .disconnected(let why):
                output.gap(why)
                writeStandardError("fleetdeck: \(endpoint.description): \(why); reconnecting\n")
            case .refused(let why):
                failure.withLock { $0 = "\(endpoint.description): \(why)" }
                done.open()
            case .connected:
                output.connected()
            case .subscribed(let filters, let codes):
                // 0x80: the broker will send nothing for that filter; waiting would look like silence.
                let refused = zip(filters, codes).filter { $0.1 == 0x80 }.map(\.0)
                if !refused.isEmpty {
                    failure.withLock { $0 = "\(endpoint.description) refused the subscription to \(refused.joined(separator: ", ")) (not authorised, or an invalid filter)" }
                    done.open()
                }
            case .published:
                break
            }
        }
        client.subscribe(filters.map { Subscription($0, qos: qos) })
        client.start()
        _ = done.wait(seconds: duration)
        client.stop()
        output.flush()
        if let failure = failure.withLock({ $0 }) { throw ValidationFailure(message: failure) }
    }
}


/// `fleetdeck publish TOPIC PAYLOAD`: one message, acknowledged at QoS 1.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "publish", abstract: "Publish one message.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var broker: BrokerOptions
    @Argument(help: "Topic name.") var topic: String
    @Argument(help: "Payload (text; '-' reads standard input).") var payload: String
    @Option(help: "QoS (0 or 1).") var qos: UInt8 = 0
    @Flag(help: "Ask the broker to retain it.") var retain = false

    func run() async throws {
        do { try Topic.validateName(topic) } catch { throw ValidationFailure(message: error.description) }
        guard let qos = QoS(rawValue: qos), qos != .exactlyOnce else { throw ValidationFailure(message: "--qos must be 0 or 1") }
        let bytes = payload == "-" ? try readStandardInput() : Array(payload.utf8)
        let endpoint = try await broker.endpoint(global)
        // One attempt: the first connection either works or its failure is the answer.
        let settled = Gate(), acknowledged = Gate()
        // Why the connection could not be made, and why it was lost once made (before the PUBACK).
        let failure = Mutex<String?>(nil), lost = Mutex<String?>(nil), connected = Atomic<Bool>(false)
        let client = Client(options: Session.Options(clientID: broker.clientID), open: { () throws(TransportError) in try endpoint.open() }) { event in
            switch event {
            case .connected:
                connected.store(true, ordering: .sequentiallyConsistent)
                settled.open()
            case .published: acknowledged.open()
            case .disconnected(let why), .refused(let why):
                if connected.load(ordering: .sequentiallyConsistent) {
                    lost.withLock { $0 = $0 ?? why }
                    acknowledged.open()
                } else {
                    failure.withLock { $0 = why }
                    settled.open()
                }
            default: break
            }
        }
        client.start()
        defer { client.stop() }
        let answered = settled.wait(seconds: 15)
        if let why = failure.withLock({ $0 }) ?? (answered ? nil : "timed out") {
            throw ValidationFailure(message: "could not reach \(endpoint.description): \(why)")
        }
        client.publish(Message(topic: topic, payload: bytes, qos: qos, retain: retain))
        if qos == .atLeastOnce {
            let answered = acknowledged.wait(seconds: 15)
            if let why = lost.withLock({ $0 }) {
                // AWS IoT refuses a publish by closing the connection.
                throw ValidationFailure(message: "\(endpoint.description) closed the connection instead of acknowledging the message (\(why)); AWS IoT does so when"
                                        + " no policy allows iot:Publish on \(topic)\(retain ? " (and iot:RetainPublish, for a retained one)" : ""), or the payload is over 128 KB")
            }
            if !answered { throw ValidationFailure(message: "\(endpoint.description) did not acknowledge the message within 15 s") }
        }
        if !global.json { writeStandardOutput("Published \(bytes.count) bytes to \(topic) (QoS \(qos.rawValue)\(retain ? ", retained" : "")).\n") }
    }
}
