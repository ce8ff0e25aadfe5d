import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:iot:ScheduledAudit`: its declaration and its cloud calls.
struct ScheduledAuditHandler: IoTHandler {
    static let declaration = ResourceType("aws-native:iot:ScheduledAudit", naming: .init(property: "scheduledAuditName"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let audit = inputs["scheduledAuditName"]?.stringValue ?? name
        var input: JSONObject = ["scheduledAuditName": .string(audit), "frequency": inputs["frequency"]?.plainJSON ?? .null,
                                 "targetCheckNames": inputs["targetCheckNames"]?.plainJSON ?? .array([])]
        for key in ["dayOfMonth", "dayOfWeek"] { if let value = inputs[key] { input[key] = value.plainJSON } }
        let answer = try await call(iot.createScheduledAudit, input)
        return (audit, outputs(inputs, ["scheduledAuditName": .string(audit), "scheduledAuditArn": Self.string(answer["scheduledAuditArn"]) ?? .null]))
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        let answer = try await call(iot.describeScheduledAudit, ["scheduledAuditName": .string(id)])
        var live = LiveValues(inputs: inputs)
        live.output("scheduledAuditName", .string(id))
        live.output("scheduledAuditArn", Self.string(answer["scheduledAuditArn"]))
        live.set("frequency", Self.string(answer["frequency"]))
        live.set("dayOfWeek", Self.string(answer["dayOfWeek"]))
        live.set("dayOfMonth", Self.string(answer["dayOfMonth"]))
        live.set("targetCheckNames", LiveValues.list((answer["targetCheckNames"]?.arrayValue ?? []).map(PropertyValue.init(json:)),
                                                      like: inputs["targetCheckNames"]))
        return live.values
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        var input: JSONObject = ["scheduledAuditName": .string(id)]
        for key in ["frequency", "targetCheckNames", "dayOfMonth", "dayOfWeek"] { if let value = inputs[key] { input[key] = value.plainJSON } }
        _ = try await call(iot.updateScheduledAudit, input)
        return try await readAfterUpdate(id: id, inputs: inputs).map { outputs(inputs, $0) } ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        _ = try await call(iot.deleteScheduledAudit, ["scheduledAuditName": .string(id)])
    }
}
