import ArgumentParser
import Fleet
import JSON
import MQTTNet
import POSIXFiles

/// `fleetdeck provision SERIAL... --template NAME --cert CLAIM.pem --key CLAIM.key --out DIR`:
/// fleet provisioning by claim, as a device does it (ClaimProvisioning).
struct ProvisionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Provision devices by claim through a fleet provisioning template, as devices do (over the account's device endpoint).",
        discussion: "Each serial number connects with the claim certificate (--cert/--key), makes its own key pair, gets a certificate for it and registers through the template with its SerialNumber; its certificate and key are written to --out (0600; the key is never printed). The endpoint is --url, else FLEETDECK_DEVICE_ENDPOINT_URL, else the account's iot:Data-ATS endpoint on port 8883.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Serial numbers (each becomes the thing's name and the connection's client ID).") var serials: [String]
    @Option(help: "The fleet provisioning template.") var template: String
    @Option(help: "The claim certificate (PEM).") var cert: String
    @Option(help: "The claim certificate's private key (PEM).") var key: String
    @Option(help: "Where each device's certificate and key are written.") var out: String
    @Option(help: "The device endpoint: mqtts://HOST[:PORT].") var url: String?
    @Option(help: "CA bundle for the endpoint's server certificate (default FLEETDECK_MQTT_CA).") var ca: String?

    func run() async throws {
        guard !serials.isEmpty else { throw ValidationFailure(message: "name at least one serial number") }
        for serial in serials where !Allowlist.isThingName(serial) {
            throw ValidationFailure(message: "'\(serial)' is not a thing name (1-128 of a-z A-Z 0-9 : _ -)")
        }
        for file in [cert, key] where !AtomicFile.exists(file) { throw ValidationFailure(message: "\(file): no such file") }
        let environment = ProcessEnvironment.current
        let address: String
        if let given = url ?? environment["FLEETDECK_DEVICE_ENDPOINT_URL"] {
            address = given
        } else {
            address = "mqtts://\(try await AWSCommandContext.client(global).iotEndpoint("iot:Data-ATS")):8883"
        }
        let endpoint: BrokerEndpoint
        do { endpoint = try BrokerEndpoint.parse(address, caFile: ca ?? environment["FLEETDECK_MQTT_CA"], certFile: cert, keyFile: key) } catch {
            throw ValidationFailure(message: error.description)
        }
        try AtomicFile.makeFolders(out)
        var refused = 0
        for serial in serials {
            do {
                let device = try ClaimProvisioning.provision(serial: serial, template: template) { () throws(TransportError) in try endpoint.open() }
                try AtomicFile.write(device.certificatePEM, to: "\(out)/\(device.thingName).pem.crt")
                try AtomicFile.write(device.privateKeyPEM, to: "\(out)/\(device.thingName).private.pem.key")
                writeStandardOutput(global.json
                    ? JSONValue.object(["serial": .string(serial), "thingName": .string(device.thingName), "certificateId": .string(device.certificateID)]).serialized() + "\n"
                    : "\(serial): provisioned as \(device.thingName), certificate \(device.certificateID.prefix(12)) (\(out)/\(device.thingName).pem.crt, key 0600)\n")
            } catch let error as ClaimProvisioning.Refused {
                refused += 1
                writeStandardOutput(global.json ? JSONValue.object(["serial": .string(serial), "refused": .string(error.description)]).serialized() + "\n"
                                                : "\(serial): refused: \(error.description)\n")
            }
        }
        if refused > 0 { throw ValidationFailure(message: "\(refused) of \(serials.count) serial numbers were not provisioned") }
    }
}
