import FleetValues
import AWSCore
import AWSServices

/// Upstream's prepare-infra and setup-provisioning as one idempotent plan: the certificate bucket
/// (private) when missing, a claim certificate made once and kept in it under upstream's object
/// names (`claim.pem.crt`, `claim.private.pem.key`, `claim_certificate.arn`; the private key is
/// never printed), `config_parameters.txt` and the allowlist. Each step is shown before it runs.
public struct FleetSetup: Sendable {
    public struct Step: Sendable {
        public var description: String
        let apply: @Sendable () async throws -> Void
    }

    let client: AWSClient
    public let bucket: String
    let s3 = S3Operations.self, iot = IoTOperations.self

    public static let claimCertificate = "claim.pem.crt", claimKey = "claim.private.pem.key", claimARN = "claim_certificate.arn"
    public static let configParameters = "config_parameters.txt", allowlist = "allowlist.txt"

    public init(client: AWSClient, bucket: String) {
        self.client = client
        self.bucket = bucket
    }

    /// What upstream's config_parameters.txt holds, one per line: the region, the Data-ATS and
    /// credential provider endpoints, the role alias and the provisioning template.
    public func configParameters(roleAlias: String, template: String) async throws -> String {
        [client.settings.region, try await client.iotEndpoint("iot:Data-ATS"), try await client.iotEndpoint("iot:CredentialProvider"), roleAlias, template]
            .joined(separator: "\n") + "\n"
    }

    /// The steps still to do, and the claim certificate's ARN when it already exists.
    public func plan(configParameters: String?, allowlist: [UInt8]?) async throws -> (steps: [Step], claimARN: String?) {
        var steps: [Step] = []
        let exists = try await bucketExists()
        if !exists {
            steps.append(Step(description: "create the private bucket s3://\(bucket)") { [self] in
                var input: JSONObject = ["Bucket": .string(bucket)]
                if client.settings.region != "us-east-1" { input["CreateBucketConfiguration"] = ["LocationConstraint": .string(client.settings.region)] }
                _ = try await client.call(s3.service, s3.createBucket, input)
                _ = try await client.call(s3.service, s3.putPublicAccessBlock, ["Bucket": .string(bucket), "PublicAccessBlockConfiguration": [
                    "BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true]])
            })
        }
        var claim: String?
        if exists, let bytes = try await object(Self.claimARN) {
            let arn = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
            let id = String(arn.split(separator: "/").last ?? "")
            do {
                _ = try await client.call(iot.service, iot.describeCertificate, ["certificateId": .string(id)])
            } catch let error as AWSError where error.code == "ResourceNotFoundException" {
                throw AWSError.invalidInput(operation: "fleet setup", reason: "s3://\(bucket)/\(Self.claimARN) names \(arn), which does not exist: remove the object to make a new claim certificate")
            }
            claim = arn
        } else {
            steps.append(Step(description: "create the claim certificate, kept in s3://\(bucket)/\(Self.claimCertificate) and \(Self.claimKey) (the key is never printed)") { [self] in
                let made = try await client.call(iot.service, iot.createKeysAndCertificate, ["setAsActive": true])
                guard let arn = made["certificateArn"]?.stringValue, let pem = made["certificatePem"]?.stringValue,
                      let key = made["keyPair"]?["PrivateKey"]?.stringValue else {
                    throw AWSError.invalidInput(operation: "CreateKeysAndCertificate", reason: "the answer has no certificate or key")
                }
                // The ARN last: it is what later runs look for, so it only exists with its files.
                try await put(Array(pem.utf8), Self.claimCertificate)
                try await put(Array(key.utf8), Self.claimKey)
                try await put(Array(arn.utf8), Self.claimARN)
            })
        }
        for (name, wanted) in [(Self.configParameters, configParameters.map { Array($0.utf8) }), (Self.allowlist, allowlist)] {
            guard let wanted else { continue }
            if exists, try await object(name) == wanted { continue }
            steps.append(Step(description: "write s3://\(bucket)/\(name)") { [self] in try await put(wanted, name) })
        }
        return (steps, claim)
    }

    /// Upstream's destroy-infra for the certificate bucket: config_parameters.txt and the
    /// allowlist go, the claim certificate and its files stay. Returns the objects removed.
    public func removeProvisioningFiles() async throws -> [String] {
        guard try await bucketExists() else { return [] }
        var removed: [String] = []
        for name in [Self.configParameters, Self.allowlist] where try await exists(name) {
            _ = try await client.call(s3.service, s3.deleteObject, ["Bucket": .string(bucket), "Key": .string(name)])
            removed.append(name)
        }
        return removed
    }

    /// Runs one step.
    public func apply(_ step: Step) async throws { try await step.apply() }

    /// The claim certificate's ARN once the steps have run.
    public func claimCertificateARN() async throws -> String? {
        try await object(Self.claimARN).map { String(decoding: $0, as: UTF8.self).trimmingWhitespace() }
    }

    /// What upstream's OS image takes from the bucket for a device's first boot: the claim
    /// certificate and key, and config_parameters.txt (region, Data-ATS endpoint, credential
    /// provider endpoint, role alias, template).
    public struct DeviceImage: Sendable {
        public var claimCertificate: [UInt8]
        /// The claim certificate's key: write it 0600, never print it.
        public var claimKey: [UInt8]
        public var region: String, dataEndpoint: String, credentialEndpoint: String, roleAlias: String, template: String
    }

    /// The device image's files from the bucket; a missing object or a config_parameters.txt
    /// without its five lines is named.
    public func deviceImage() async throws -> DeviceImage {
        func required(_ key: String) async throws -> [UInt8] {
            guard let bytes = try await object(key) else {
                throw AWSError.invalidInput(operation: "device image", reason: "s3://\(bucket)/\(key) does not exist: run 'fleet setup' (and 'up', then 'fleet setup' again)")
            }
            return bytes
        }
        let lines = String(decoding: try await required(Self.configParameters), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0).trimmingWhitespace() }
        let names = ["the region", "the iot:Data-ATS endpoint", "the iot:CredentialProvider endpoint", "the role alias", "the provisioning template"]
        for (number, name) in names.enumerated() where number >= lines.count || lines[number].isEmpty {
            throw AWSError.invalidInput(operation: "device image", reason: "s3://\(bucket)/\(Self.configParameters) line \(number + 1): \(name) is missing")
        }
        return DeviceImage(claimCertificate: try await required(Self.claimCertificate), claimKey: try await required(Self.claimKey),
                           region: lines[0], dataEndpoint: lines[1], credentialEndpoint: lines[2], roleAlias: lines[3], template: lines[4])
    }

    func bucketExists() async throws -> Bool {
        do {
            _ = try await client.call(s3.service, s3.headBucket, ["Bucket": .string(bucket)])
            return true
        } catch let error as AWSError where error.code == "NotFound" || error.code == "NoSuchBucket" || error.code == "404" {
            return false
        }
    }

    func object(_ key: String) async throws -> [UInt8]? {
        do {
            return try await client.call(s3.service, s3.getObject, ["Bucket": .string(bucket), "Key": .string(key)]).payload
        } catch let error as AWSError where error.code == "NoSuchKey" || error.code == "NotFound" {
            return nil
        }
    }

    func exists(_ key: String) async throws -> Bool { try await client.s3ObjectExists(bucket: bucket, key: key) }

    func put(_ bytes: [UInt8], _ key: String) async throws {
        _ = try await client.call(s3.service, s3.putObject, ["Bucket": .string(bucket), "Key": .string(key)], payload: bytes)
    }
}
