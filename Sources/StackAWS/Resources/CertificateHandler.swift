import X509
import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:iot:Certificate`: its declaration and its cloud calls.
struct CertificateHandler: IoTHandler {
    static let declaration = ResourceType("aws-native:iot:Certificate", identity: .lookup)
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        guard let csr = inputs["certificateSigningRequest"]?.stringValue else {
            throw AWSError.invalidInput(operation: "CreateCertificateFromCsr", reason: "certificateSigningRequest is required (Fleetdeck creates certificates from CSRs)")
        }
        let answer = try await call(iot.createCertificateFromCsr, ["certificateSigningRequest": .string(csr),
                                                                   "setAsActive": .bool(inputs["status"]?.stringValue == "ACTIVE")])
        let id = answer["certificateId"]?.stringValue ?? ""
        return (id, outputs(inputs, ["arn": Self.string(answer["certificateArn"]) ?? .null, "id": .string(id),
                                     "certificatePem": Self.string(answer["certificatePem"]) ?? .null]))
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        let answer = try await call(iot.describeCertificate, ["certificateId": .string(id)])
        let description = answer["certificateDescription"]
        var live = LiveValues(inputs: inputs)
        live.output("arn", Self.string(description?["certificateArn"]))
        live.output("id", .string(id))
        live.output("certificatePem", Self.string(description?["certificatePem"]))
        live.set("status", Self.string(description?["status"]))
        return live.values
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        if let status = inputs["status"]?.stringValue {
            _ = try await call(iot.updateCertificate, ["certificateId": .string(id), "newStatus": .string(status)])
        }
        return try await readAfterUpdate(id: id, inputs: inputs).map { outputs(inputs, $0) } ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        _ = try? await call(iot.updateCertificate, ["certificateId": .string(id), "newStatus": "INACTIVE"])
        _ = try await call(iot.deleteCertificate, ["certificateId": .string(id)])
    }

    /// A certificate made from a CSR is found again by the CSR's public key (its id is the hash of
    /// a certificate only AWS had when the create's answer was lost); newest first.
    func identify(inputs: [String: PropertyValue], createdSince: Double?) async throws -> [String] {
        guard let csrText = inputs["certificateSigningRequest"]?.stringValue else { return [] }
        let wanted = try CertificateSigningRequest(pemEncoded: csrText).publicKey
        var found: [String] = []
        for summary in try await client.all(iot.service, iot.listCertificates, ["ascendingOrder": false], key: "certificates") {
            guard let id = summary["certificateId"]?.stringValue else { continue }
            if let createdSince, let created = summary["creationDate"]?.doubleValue, created < createdSince { continue }
            let answer: AWSResponse
            do {
                answer = try await call(iot.describeCertificate, ["certificateId": .string(id)])
            } catch where Self.gone(error) {
                continue  // deleted since the listing
            }
            guard let pem = answer["certificateDescription"]?["certificatePem"]?.stringValue, let certificate = try? Certificate(pemEncoded: pem) else { continue }
            if certificate.publicKey == wanted { found.append(id) }
        }
        return found
    }
}
