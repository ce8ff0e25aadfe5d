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

/// `fleetdeck gg cores show THING` as JSON and as text.
extension CoreDeviceDetail {
    public func json(now: Int64) -> JSONValue {
        var object = CoreDeviceList(devices: [device], interval: interval).json(now: now).arrayValue.first?.objectValue ?? JSONObject()
        object["components"] = .array(components.map { component in
            var item: JSONObject = ["componentName": .string(component.name), "componentVersion": .string(component.version),
                                    "lifecycleState": .string(component.state), "isRoot": .bool(component.isRoot),
                                    "lifecycleStatusCodes": .array(component.statusCodes.map(JSONValue.string))]
            item["lifecycleStateDetails"] = component.details.map(JSONValue.string) ?? .null
            item["installedBy"] = component.installedBy.map(JSONValue.string) ?? .null
            return .object(item)
        })
        object["deployments"] = .array(deployments.map { deployment in
            var item: JSONObject = ["deploymentId": .string(deployment.id), "deploymentName": .string(deployment.name), "targetArn": .string(deployment.target),
                                    "coreDeviceExecutionStatus": .string(deployment.status),
                                    "errorStack": .array(deployment.errorStack.map(JSONValue.string)), "errorTypes": .array(deployment.errorTypes.map(JSONValue.string))]
            item["reason"] = deployment.reason.map(JSONValue.string) ?? .null
            item["modified"] = deployment.modified.map { .string(CivilTime(secondsSince1970: $0).iso8601) } ?? .null
            return .object(item)
        })
        object["thingGroups"] = .array(groups.map(JSONValue.string))
        return .object(object)
    }

    /// Why the device is unhealthy, when it is: its failing components and failed deployments.
    public var why: [String] {
        components.filter(\.failing).map { "\($0.name) \($0.version) is \($0.state)" + ($0.statusCodes.isEmpty ? "" : " (\($0.statusCodes.joined(separator: ", ")))")
            + ($0.details.map { ": \($0)" } ?? "") }
            + deployments.filter { !["SUCCEEDED", "COMPLETED", "IN_PROGRESS", "QUEUED"].contains($0.status) }.map { deployment in
                "deployment \(deployment.name) \(deployment.status)" + (deployment.reason.map { ": \($0)" } ?? "")
                    + (deployment.errorTypes.isEmpty ? "" : " [\(deployment.errorTypes.joined(separator: ", "))]")
            }
    }

    public func text(now: Int64) -> String {
        let stale = device.stale(now: now, interval: interval)
        var text = "\(device.name)  \(device.status)\(stale ? " (stale: no report within \(interval) s)" : "")\n"
        text += "  nucleus \(device.coreVersion ?? "?")  \(device.place.isEmpty ? "-" : device.place)  last report "
            + (device.lastReport.map { CivilTime(secondsSince1970: $0).stamp } ?? "never") + " (\(device.reportAge(now: now)) ago)\n"
        text += "  groups " + (groups.isEmpty ? "none" : groups.joined(separator: ", ")) + "\n"
        let reasons = why
        if !reasons.isEmpty { text += "Why:\n" + reasons.map { "  ! \($0)\n" }.joined() }
        text += "Components (\(components.count)):\n"
        for component in components {
            text += "  \(component.isRoot ? "●" : "○") \(component.name) \(component.version)  \(component.state)"
                + (component.statusCodes.isEmpty ? "" : "  \(component.statusCodes.joined(separator: ","))")
                + (component.details.map { "  \($0)" } ?? "") + "\n"
        }
        text += "Deployments (\(deployments.count)):\n"
        for deployment in deployments {
            text += "  \(deployment.name)  \(deployment.status)" + (deployment.reason.map { "  \($0)" } ?? "") + "\n"
            if !deployment.errorStack.isEmpty { text += "    error stack: \(deployment.errorStack.joined(separator: " > "))\n" }
            if !deployment.errorTypes.isEmpty { text += "    error types: \(deployment.errorTypes.joined(separator: ", "))\n" }
        }
        return text
    }
}
