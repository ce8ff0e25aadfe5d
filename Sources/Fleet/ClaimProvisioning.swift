import Dispatch
import JSON
import MQTT
import MQTTNet
import Synchronization

/// Fleet provisioning by claim, the device's side, as a Greengrass core device with
/// `FleetProvisioningByClaim` does it over AWS IoT's MQTT API: connected with the claim
/// certificate (client ID: the serial number), it asks for a certificate and key
/// (`$aws/certificates/create/json`, CreateKeysAndCertificate: what the plugin does, and all that
/// upstream's claim policy allows; the answer comes on this connection only), then registers through the template with its serial number
/// (`$aws/provisioning-templates/TEMPLATE/provision/json`, parameter `SerialNumber`). The answer
/// is the device's thing name, certificate and key, or why the account refused it (the
/// pre-provisioning hook's 403 for a serial number off the allowlist, a missing parameter...).
public enum ClaimProvisioning {
    public struct Device: Sendable {
        public var thingName: String
        public var certificateID: String
        public var certificatePEM: String
        /// PKCS#8 PEM: write it 0600, never print it.
        public var privateKeyPEM: String
    }

    /// The account's refusal (`statusCode`, `errorCode`, `errorMessage` of a rejected answer) or
    /// why no answer came.
    public struct Refused: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Provisions `serial` through `template` over a connection `open` makes with the claim
    /// certificate; blocks until the account answers (or `timeout` seconds pass).
    /// `heard` sees each answer as it comes.
    public static func provision(serial: String, template: String, timeout: Double = 30, heard: @escaping @Sendable (Message) -> Void = { _ in },
                                 open: @escaping @Sendable () throws(TransportError) -> any Transport) throws -> Device {
        let createTopic = "$aws/certificates/create/json", provisionTopic = "$aws/provisioning-templates/\(template)/provision/json"
        let answers = Answers()
        let client = Client(options: Session.Options(clientID: serial), open: open) { event in
            if case .message(let message, _) = event { heard(message) }
            answers.take(event)
        }
        client.subscribe([createTopic + "/accepted", createTopic + "/rejected", provisionTopic + "/accepted", provisionTopic + "/rejected"]
            .map { Subscription($0, qos: .atLeastOnce) })
        client.start()
        defer { client.stop() }
        try answers.waitForSubscription(timeout: timeout)

        client.publish(Message(topic: createTopic, payload: Array("{}".utf8), qos: .atLeastOnce))
        let created = try answers.answer(to: createTopic, timeout: timeout)
        guard let token = created["certificateOwnershipToken"]?.stringValue, let id = created["certificateId"]?.stringValue,
              let pem = created["certificatePem"]?.stringValue, let key = created["privateKey"]?.stringValue else {
            throw Refused(description: "\(createTopic)/accepted lacks certificateOwnershipToken, certificateId, certificatePem or privateKey")
        }
        client.publish(Message(topic: provisionTopic, payload: Array(JSONValue.object([
            "certificateOwnershipToken": .string(token), "parameters": .object(["SerialNumber": .string(serial)])]).serialized().utf8), qos: .atLeastOnce))
        let registered = try answers.answer(to: provisionTopic, timeout: timeout)
        guard let thing = registered["thingName"]?.stringValue else { throw Refused(description: "\(provisionTopic)/accepted names no thing") }
        return Device(thingName: thing, certificateID: id, certificatePEM: pem, privateKeyPEM: key)
    }

    /// What the connection brought: the subscription, and each topic's answer.
    final class Answers: @unchecked Sendable {
        private let state = Mutex<(subscribed: [UInt8]?, messages: [String: [UInt8]], lost: String?)>((nil, [:], nil))
        private let signal = DispatchSemaphore(value: 0)

        func take(_ event: Client.Event) {
            switch event {
            case .subscribed(_, let codes): state.withLock { $0.subscribed = codes }
            case .message(let message, _): state.withLock { $0.messages[message.topic] = message.payload }
            case .refused(let why), .disconnected(let why): state.withLock { $0.lost = $0.lost ?? why }
            default: return
            }
            signal.signal()
        }

        private func wait<T>(_ what: String, timeout: Double, _ found: (inout (subscribed: [UInt8]?, messages: [String: [UInt8]], lost: String?)) -> T?) throws -> T {
            let deadline = DispatchTime.now() + timeout
            while true {
                if let value = state.withLock({ found(&$0) }) { return value }
                if let lost = state.withLock({ $0.lost }) { throw Refused(description: "the connection with the claim certificate was lost: \(lost)") }
                if signal.wait(timeout: deadline) == .timedOut { throw Refused(description: "no answer to \(what) within \(Int(timeout)) s") }
            }
        }

        func waitForSubscription(timeout: Double) throws {
            let codes = try wait("the subscription", timeout: timeout) { $0.subscribed }
            if codes.contains(0x80) { throw Refused(description: "the claim certificate's policy does not allow subscribing to the provisioning topics") }
        }

        /// The accepted answer's JSON; a rejected one is thrown with AWS's status, code and message.
        func answer(to topic: String, timeout: Double) throws -> JSONValue {
            let (accepted, payload) = try wait(topic, timeout: timeout) { state -> (Bool, [UInt8])? in
                if let payload = state.messages.removeValue(forKey: topic + "/accepted") { return (true, payload) }
                if let payload = state.messages.removeValue(forKey: topic + "/rejected") { return (false, payload) }
                return nil
            }
            guard let body = try? JSONValue.parse(payload) else { throw Refused(description: "\(topic): the answer is not JSON") }
            guard accepted else {
                throw Refused(description: "\(topic) rejected: \(body["statusCode"]?.intValue.map(String.init) ?? "?") \(body["errorCode"]?.stringValue ?? "?"): "
                              + (body["errorMessage"]?.stringValue ?? ""))
            }
            return body
        }
    }
}
