import JSON

/// A UTC instant as SigV4 writes it. Pure: built from seconds since 1970, never from a clock.
public struct SigningTime: Sendable, Equatable {
    public let secondsSince1970: Int64
    /// `yyyyMMdd'T'HHmmss'Z'`
    public let amzDate: String
    /// `yyyyMMdd`
    public let dateStamp: String

    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
        let civil = CivilTime(secondsSince1970: secondsSince1970)
        dateStamp = Self.pad(civil.year, 4) + Self.pad(civil.month, 2) + Self.pad(civil.day, 2)
        amzDate = dateStamp + "T" + Self.pad(civil.hour, 2) + Self.pad(civil.minute, 2) + Self.pad(civil.second, 2) + "Z"
    }

    /// `yyyy-MM-dd'T'HH:mm:ss'Z'`, for people and logs.
    public var iso8601: String {
        let c = CivilTime(secondsSince1970: secondsSince1970)
        return Self.pad(c.year, 4) + "-" + Self.pad(c.month, 2) + "-" + Self.pad(c.day, 2) + "T"
            + Self.pad(c.hour, 2) + ":" + Self.pad(c.minute, 2) + ":" + Self.pad(c.second, 2) + "Z"
    }

    /// Parses `2015-08-30T12:36:00Z` (ISO 8601, UTC, optional fraction); nil when malformed.
    public init?(iso8601 text: String) {
        guard let seconds = CivilTime.parseISO8601(text) else { return nil }
        self.init(secondsSince1970: seconds)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

