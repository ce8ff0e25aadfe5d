import JSON

/// One device's certificate rotation through the reference architecture's chain, as its
/// messages and the registry show it: asked for a CSR (`device/<thing>/csr_req`), CSR sent
/// (`lambda/<thing>/csr_res`), certificate issued (`device/<thing>/crt`), acknowledged
/// (`lambda/<thing>/crt_ack`), old certificate revoked (the registry: the new one is the thing's
/// only certificate left).
public struct Rotation: Sendable, Equatable {
    public enum Step: Int, Sendable, Comparable, CaseIterable {
        case requested, csrSent, issued, acknowledged, oldRevoked

        public static func < (a: Step, b: Step) -> Bool { a.rawValue < b.rawValue }

        public var name: String {
            switch self {
            case .requested: "requested"
            case .csrSent: "CSR received"
            case .issued: "certificate issued"
            case .acknowledged: "acknowledged"
            case .oldRevoked: "old revoked"
            }
        }
    }

    /// The chain's topics.
    public static let topics = ["device/+/csr_req", "lambda/+/csr_res", "device/+/crt", "lambda/+/crt_ack"]

    public var thing: String
    /// When each step was seen (seconds since 1970).
    public var times: [Step: Double] = [:]
    /// The certificate issued (device/<thing>/crt's certificateId).
    public var newCertificate: String?

    public init(thing: String) { self.thing = thing }

    /// The furthest step seen.
    public var step: Step? { times.keys.max() }
    public var done: Bool { step == .oldRevoked }

    /// Not done and nothing new for `after` seconds: the step it waits at.
    public func stuck(now: Double, after: Double) -> Step? {
        guard let step, step != .oldRevoked, let since = times[step], now - since > after else { return nil }
        return step
    }

    public var json: JSONValue {
        var object: JSONObject = ["thingName": .string(thing), "step": step.map { .string($0.name) } ?? .null,
                                  "newCertificateId": newCertificate.map(JSONValue.string) ?? .null]
        for step in Step.allCases {
            object[step.name] = times[step].map { .string(CivilTime(secondsSince1970: Int64($0)).iso8601) } ?? .null
        }
        return .object(object)
    }

    /// Each device's latest rotation, from messages oldest first (a new request starts a new
    /// rotation), the old certificate counted revoked once the thing's certificates (as read at
    /// `readAt`) are the new one alone; with `expiringDays`, the devices not rotating whose active
    /// certificate expires within that many days join the list with no step (they are due).
    public static func follow(_ messages: [(topic: String, payload: [UInt8], time: Double)], certificates: [CertificateInfo]?, readAt: Double,
                              expiringDays: Int? = nil) -> [Rotation] {
        var rotations: [String: Rotation] = [:]
        for (topic, payload, time) in messages {
            let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let thing = String(parts[1])
            let step: Step
            switch (parts[0], parts[2]) {
            case ("device", "csr_req"): step = .requested
            case ("lambda", "csr_res"): step = .csrSent
            case ("device", "crt"): step = .issued
            case ("lambda", "crt_ack"): step = .acknowledged
            default: continue
            }
            if step == .requested { rotations[thing] = Rotation(thing: thing) }
            var rotation = rotations[thing] ?? Rotation(thing: thing)
            // A certificate after the acknowledgement is one the device did not ask for.
            if step == .issued, rotation.times[.acknowledged] != nil { continue }
            rotation.times[step] = time
            // The certificate issued, then the one the device acknowledged (its own).
            if step == .issued { rotation.newCertificate = (try? JSONValue.parse(payload))?["certificateId"]?.stringValue }
            if step == .acknowledged, let arn = (try? JSONValue.parse(payload))?["certificateArn"]?.stringValue, let id = arn.split(separator: "/").last {
                rotation.newCertificate = String(id)
            }
            rotations[thing] = rotation
        }
        if let certificates {
            var held: [String: [String]] = [:]
            for certificate in certificates {
                for thing in certificate.things { held[thing, default: []].append(certificate.id) }
            }
            for (thing, rotation) in rotations where rotation.times[.acknowledged] != nil {
                if let new = rotation.newCertificate, held[thing] == [new] { rotations[thing]?.times[.oldRevoked] = max(readAt, rotation.times[.acknowledged] ?? 0) }
            }
            if let expiringDays {
                for certificate in certificates where certificate.status == "ACTIVE" && (certificate.daysLeft(now: Int64(readAt)) ?? .max) <= expiringDays {
                    for thing in certificate.things where rotations[thing] == nil { rotations[thing] = Rotation(thing: thing) }
                }
            }
        }
        return rotations.values.sorted { $0.thing < $1.thing }
    }
}
