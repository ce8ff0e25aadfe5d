import JSON

/// `fleetdeck gg cores ls` as JSON and as text (the executable only prints them).
extension CoreDeviceList {
    /// The devices whose health (HEALTHY, UNHEALTHY) or staleness (STALE) is `status`.
    public func only(_ status: String?, now: Int64) -> CoreDeviceList {
        guard let status else { return self }
        var list = self
        list.devices = devices.filter { status == "STALE" ? $0.stale(now: now, interval: interval) : $0.status == status }
        return list
    }

    public func json(now: Int64) -> JSONValue {
        .array(devices.map { device in
            var object: JSONObject = ["coreDeviceThingName": .string(device.name), "status": .string(device.status),
                                      "stale": .bool(device.stale(now: now, interval: interval))]
            object["coreVersion"] = device.coreVersion.map(JSONValue.string) ?? .null
            object["platform"] = device.platform.map(JSONValue.string) ?? .null
            object["architecture"] = device.architecture.map(JSONValue.string) ?? .null
            object["runtime"] = device.runtime.map(JSONValue.string) ?? .null
            object["lastStatusUpdate"] = device.lastReport.map { .string(CivilTime(secondsSince1970: $0).iso8601) } ?? .null
            object["secondsSinceLastReport"] = device.lastReport.map { .integer(max(0, now - $0)) } ?? .null
            if let problem = device.problem { object["problem"] = .string(problem) }
            return .object(object)
        })
    }

    public func text(now: Int64) -> String {
        let rows = devices.map { device in
            [device.name, device.status + (device.stale(now: now, interval: interval) ? " (stale)" : ""),
             device.coreVersion ?? (device.problem.map { "unreadable: \($0)" } ?? "-"), device.place.isEmpty ? "-" : device.place,
             device.lastReport.map { CivilTime(secondsSince1970: $0).stamp } ?? "never", device.reportAge(now: now)]
        }
        let titles = ["DEVICE", "HEALTH", "NUCLEUS", "PLATFORM", "LAST REPORT", "AGE"]
        let widths = titles.indices.map { column in ([titles[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1 + String(repeating: " ", count: $0 == cells.count - 1 ? 0 : widths[$0] - $1.count + 2) }.joined() + "\n"
        }
        let stale = devices.filter { $0.stale(now: now, interval: interval) }.count
        return line(titles) + rows.map(line).joined()
            + "\(devices.count) core device\(devices.count == 1 ? "" : "s")" + (devices.isEmpty ? "" : ": " + Self.counts(devices.map(\.status)))
            + (stale > 0 ? ", \(stale) stale (no report within \(interval) s)" : "") + "\n"
    }
}
