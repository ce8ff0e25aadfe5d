/// Gregorian calendar fields of a UTC instant (Howard Hinnant's days-from-civil algorithms).
public struct CivilTime: Sendable, Equatable {
    public var year, month, day, hour, minute, second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    public init(secondsSince1970: Int64) {
        let days = Int(secondsSince1970 >= 0 ? secondsSince1970 / 86400 : (secondsSince1970 - 86399) / 86400)
        let rest = Int(secondsSince1970 - Int64(days) * 86400)
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d,
                  hour: rest / 3600, minute: rest % 3600 / 60, second: rest % 60)
    }

    /// `2026-11-29T09:30:12Z`.
    public var iso8601: String { "\(year)-\(Self.two(month))-\(Self.two(day))T\(clock)Z" }

    /// `09:30:12`.
    public var clock: String { "\(Self.two(hour)):\(Self.two(minute)):\(Self.two(second))" }

    /// `2026-11-29`.
    public var date: String { "\(year)-\(Self.two(month))-\(Self.two(day))" }

    /// `2026-11-29 09:30:12 UTC`: a moment as people read it.
    public var stamp: String { "\(date) \(clock) UTC" }

    /// `2027-12-05 (364 d)`: a day to come (or gone: `-3 d`) and how far it is from `now`.
    public static func dayAndDistance(_ seconds: Int64, now: Int64) -> String {
        "\(CivilTime(secondsSince1970: seconds).date) (\((seconds - now) / 86_400) d)"
    }

    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    public var secondsSince1970: Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` to seconds since 1970.
    public static func parseISO8601(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 19, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32,
              bytes[13] == 58, bytes[16] == 58,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
        }
        var offset = 0
        if index == bytes.count {
            // no zone: UTC
        } else if bytes[index] == 90 || bytes[index] == 122, index + 1 == bytes.count {
            // Z
        } else if bytes[index] == 43 || bytes[index] == 45, let h = number(index + 1, 2), let m = number(index + 4, 2),
                  index + 6 == bytes.count, bytes[index + 3] == 58 {
            offset = (h * 3600 + m * 60) * (bytes[index] == 43 ? 1 : -1)
        } else {
            return nil
        }
        return CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second).secondsSince1970 - Int64(offset)
    }

    /// An HTTP date (RFC 9110's IMF-fixdate, `Wed, 02 Dec 2026 05:30:00 GMT`) to seconds since 1970.
    public static func parseHTTPDate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...31).contains(day), clock[0] < 24, clock[1] < 60, clock[2] < 61 else { return nil }
        return CivilTime(year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2]).secondsSince1970
    }
}
