import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws-native:iot:ThingType`: its declaration and its cloud calls.
struct ThingTypeHandler: IoTHandler {
    static let declaration = ResourceType("aws-native:iot:ThingType", naming: .init(property: "thingTypeName"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let thingTypeName = inputs["thingTypeName"]?.stringValue ?? name
        var input: JSONObject = ["thingTypeName": .string(thingTypeName)]
        if let properties = inputs["thingTypeProperties"] { input["thingTypeProperties"] = Self.json(properties) }
        let answer = try await call(iot.createThingType, input)
        if inputs["deprecateThingType"] == .bool(true) {
            _ = try await call(iot.deprecateThingType, ["thingTypeName": .string(thingTypeName)])
        }
        return (thingTypeName, outputs(inputs, ["thingTypeName": .string(thingTypeName), "arn": Self.string(answer["thingTypeArn"]) ?? .null,
                                                "id": Self.string(answer["thingTypeId"]) ?? .null]))
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        let answer = try await call(iot.describeThingType, ["thingTypeName": .string(id)])
        var live = LiveValues(inputs: inputs)
        live.output("thingTypeName", .string(id))
        live.output("arn", Self.string(answer["thingTypeArn"]))
        live.output("id", Self.string(answer["thingTypeId"]))
        let properties = answer["thingTypeProperties"]?.objectValue ?? [:]
        live.set("thingTypeProperties", properties.isEmpty ? nil : LiveValues.members(properties, like: inputs["thingTypeProperties"]))
        live.set("deprecateThingType", answer["thingTypeMetadata"]?["deprecated"].map(PropertyValue.init(json:)), default: .bool(false))
        return live.values
    }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        let deprecate = inputs["deprecateThingType"] == .bool(true)
        if deprecate != (old.inputs["deprecateThingType"] == .bool(true)) {
            _ = try await call(iot.deprecateThingType, ["thingTypeName": .string(id), "undoDeprecate": .bool(!deprecate)])
        }
        return try await readAfterUpdate(id: id, inputs: inputs).map { outputs(inputs, $0) } ?? inputs
    }

    func delete(id: String, old: ResourceState) async throws {
        try await deleteThingType(id)
    }

    /// How long AWS wants a thing type deprecated before it deletes it.
    var deprecationPeriod: Double { Self.deprecationPeriod(environment: context.environment) }

    /// AWS deletes a thing type only once it has been deprecated for five minutes: it is
    /// deprecated (unless it is already), what is left of the period is waited out (counted from
    /// AWS's own deprecation date, so a run resumed after a crash waits only the rest; the wait is
    /// cancellable), then it is deleted.
    func deleteThingType(_ name: String) async throws {
        let described = try await call(iot.describeThingType, ["thingTypeName": .string(name)])
        var deprecatedAt = described["thingTypeMetadata"]?["deprecationDate"]?.doubleValue
        if described["thingTypeMetadata"]?["deprecated"]?.boolValue != true || deprecatedAt == nil {
            _ = try await call(iot.deprecateThingType, ["thingTypeName": .string(name)])
            deprecatedAt = Self.wallClock()
        }
        let deletableAt = (deprecatedAt ?? Self.wallClock()) + deprecationPeriod + 1
        var said = 0.0
        while case let remaining = deletableAt - Self.wallClock(), remaining > 0 {
            if said == 0 || said - remaining >= 15 {
                StepProgress.say("thing type \(name): AWS deletes a thing type \(Self.minutes(deprecationPeriod)) after its deprecation: \(Int(remaining.rounded(.up))) s to wait")
                said = remaining
            }
            if StepProgress.stopRequested {
                throw StepInterrupted("cancelled while waiting for AWS's deprecation period (deprecated, not deleted): the next destroy waits only the rest")
            }
            try await Task.sleep(for: .seconds(min(remaining, 0.5)))
        }
        _ = try await call(iot.deleteThingType, ["thingTypeName": .string(name)])
    }

    /// AWS's period, or the sandbox's shortened one (`FLEETDECK_THING_TYPE_DEPRECATION_SECONDS`).
    static func deprecationPeriod(environment: [String: String]) -> Double {
        environment["FLEETDECK_THING_TYPE_DEPRECATION_SECONDS"].flatMap(Double.init).map { max(0, $0) } ?? 300
    }

    static func minutes(_ seconds: Double) -> String { seconds >= 60 && seconds.truncatingRemainder(dividingBy: 60) == 0 ? "\(Int(seconds / 60)) min" : "\(Int(seconds)) s" }

    static func wallClock() -> Double { Double(AWSClient.wallClock()) }
}
