import AWSCore
import AWSServices
import JSON
import POSIXFiles

/// A certificate for an operator's MQTT client on the device endpoint (the dashboard's tail,
/// as MQTT Explorer users connect): its own policy lets it connect as `fleetdeck-*`, subscribe
/// to and receive every topic, and publish nothing. Made for a session, removed after it.
public struct OperatorCertificate: Sendable {
    public let certificateArn: String
    public let policy: String
    public let certFile: String
    public let keyFile: String

    /// Makes the certificate (active) with its policy, and writes it and its key (0600) to `folder`.
    public static func create(client: AWSClient, policy: String, folder: String) async throws -> OperatorCertificate {
        let iot = IoTOperations.self
        let prefix = "arn:aws:iot:\(client.settings.region):\(try await client.callerIdentity().account)"
        let document: JSONValue = ["Version": "2012-10-17", "Statement": [
            ["Effect": "Allow", "Action": "iot:Connect", "Resource": .string("\(prefix):client/fleetdeck-*")],
            ["Effect": "Allow", "Action": "iot:Subscribe", "Resource": .string("\(prefix):topicfilter/*")],
            ["Effect": "Allow", "Action": "iot:Receive", "Resource": .string("\(prefix):topic/*")],
        ]]
        _ = try await client.call(iot.service, iot.createPolicy, ["policyName": .string(policy), "policyDocument": .string(document.serialized())])
        let made = try await client.call(iot.service, iot.createKeysAndCertificate, ["setAsActive": true])
        guard let arn = made["certificateArn"]?.stringValue, let pem = made["certificatePem"]?.stringValue,
              let key = made["keyPair"]?["PrivateKey"]?.stringValue else {
            throw AWSError.invalidInput(operation: "CreateKeysAndCertificate", reason: "the answer lacks certificateArn, certificatePem or keyPair")
        }
        let certificate = OperatorCertificate(certificateArn: arn, policy: policy, certFile: folder + "/operator.pem.crt", keyFile: folder + "/operator.private.pem.key")
        try AtomicFile.makeFolders(folder)
        try AtomicFile.write(pem, to: certificate.certFile)
        try AtomicFile.write(key, to: certificate.keyFile)
        _ = try await client.call(iot.service, iot.attachPolicy, ["policyName": .string(policy), "target": .string(arn)])
        return certificate
    }

    /// Detaches, deactivates and deletes the certificate, then its policy; its files go.
    public func remove(client: AWSClient) async throws {
        let iot = IoTOperations.self
        _ = try await client.call(iot.service, iot.detachPolicy, ["policyName": .string(policy), "target": .string(certificateArn)])
        let id = String(certificateArn.split(separator: "/").last ?? "")
        _ = try await client.call(iot.service, iot.updateCertificate, ["certificateId": .string(id), "newStatus": "INACTIVE"])
        _ = try await client.call(iot.service, iot.deleteCertificate, ["certificateId": .string(id)])
        _ = try await client.call(iot.service, iot.deletePolicy, ["policyName": .string(policy)])
        AtomicFile.remove(keyFile)
        AtomicFile.remove(certFile)
    }
}

/// The local sandbox's controls (not AWS operations).
public enum Sandbox {
    /// The next `count` certificates the account issues are valid for `days` only, so a Device
    /// Defender audit has something to find (AWS issues them until 2049).
    public static func shortLivedCertificates(client: AWSClient, count: Int, days: Int) async throws {
        let control = AWSOperation(name: "SandboxShortLivedCertificates", method: "POST", uri: "/sandbox/short-lived-certificates",
                                   input: [AWSMember("count", .body, "count", type: .integer), AWSMember("days", .body, "days", type: .integer)],
                                   required: ["count", "days"], payload: nil, rawPayload: false, output: [], outputPayload: nil,
                                   rawOutputPayload: false, resultWrapper: nil, pagination: nil)
        _ = try await client.call(IoTOperations.service, control, ["count": .integer(Int64(count)), "days": .integer(Int64(days))])
    }
}
