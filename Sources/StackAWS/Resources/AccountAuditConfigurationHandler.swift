import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:iot:AccountAuditConfiguration`: its declaration and its cloud calls.
struct AccountAuditConfigurationHandler: IoTHandler {
    static let declaration = ResourceType("aws-native:iot:AccountAuditConfiguration", identity: .property("accountId"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        _ = try await call(iot.updateAccountAuditConfiguration, Self.auditInput(inputs))
        return (inputs["accountId"]?.stringValue ?? name, inputs)
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        let answer = try await call(iot.describeAccountAuditConfiguration, [:])
        guard answer["roleArn"]?.stringValue != nil else { return nil }
        var live = LiveValues(inputs: inputs)
        live.set("roleArn", Self.string(answer["roleArn"]))
        // Each check the program names, with AWS's enabled flag (checks it leaves out are AWS's business).
        let checks = answer["auditCheckConfigurations"]?.objectValue ?? [:]
        var configured: [String: PropertyValue] = [:]
        for (name, _) in inputs["auditCheckConfigurations"]?.plainJSON.objectValue ?? [:] {
            configured[name] = .object(["enabled": .bool(checks[Self.checkName(name)]?["enabled"]?.boolValue ?? false)])
        }
        live.set("auditCheckConfigurations", .object(configured))
        if let sns = answer["auditNotificationTargetConfigurations"]?["SNS"]?.objectValue {
            live.set("auditNotificationTargetConfigurations", .object(["sns": LiveValues.members(sns, like: inputs["auditNotificationTargetConfigurations"]?["sns"])]))
        } else {
            live.set("auditNotificationTargetConfigurations", nil)
        }
        return live.values
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        _ = try await call(iot.updateAccountAuditConfiguration, Self.auditInput(inputs))
        return try await readAfterUpdate(id: id, inputs: inputs).map { outputs(inputs, $0) } ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        // As CloudFormation does: deleting the resource disables every check.
        var disabled = JSONObject()
        for (name, _) in old.inputs["auditCheckConfigurations"]?.plainJSON.objectValue ?? JSONObject() {
            disabled[Self.checkName(name)] = ["enabled": false]
        }
        _ = try await call(iot.updateAccountAuditConfiguration, ["roleArn": old.inputs["roleArn"]?.plainJSON ?? .null,
                                                                 "auditCheckConfigurations": .object(disabled)])
    }

    /// `deviceCertificateExpiringCheck` -> `DEVICE_CERTIFICATE_EXPIRING_CHECK` (audit check names).
    static func checkName(_ camel: String) -> String { ResourceNames.words(camel, separator: "_", uppercased: true) }

    /// aws-native's audit configuration as the API takes it.
    static func auditInput(_ inputs: [String: PropertyValue]) -> JSONObject {
        var checks = JSONObject()
        for (name, value) in inputs["auditCheckConfigurations"]?.plainJSON.objectValue ?? JSONObject() {
            checks[checkName(name)] = value
        }
        var targets = JSONObject()
        for (name, value) in inputs["auditNotificationTargetConfigurations"]?.plainJSON.objectValue ?? JSONObject() {
            targets[name.uppercased()] = value
        }
        var input: JSONObject = ["roleArn": inputs["roleArn"]?.plainJSON ?? .null, "auditCheckConfigurations": .object(checks)]
        if !targets.isEmpty { input["auditNotificationTargetConfigurations"] = .object(targets) }
        return input
    }
}
