import AWSCore
import StackEngine

extension IoTResourceProvider {
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
    public static func deprecationPeriod(environment: [String: String]) -> Double {
        environment["FLEETDECK_THING_TYPE_DEPRECATION_SECONDS"].flatMap(Double.init).map { max(0, $0) } ?? 300
    }

    static func minutes(_ seconds: Double) -> String { seconds >= 60 && seconds.truncatingRemainder(dividingBy: 60) == 0 ? "\(Int(seconds / 60)) min" : "\(Int(seconds)) s" }

    static func wallClock() -> Double { Double(AWSClient.wallClock()) }
}
