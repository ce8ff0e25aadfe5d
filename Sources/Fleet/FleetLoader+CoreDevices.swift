import AWSCore
import AWSServices
import FleetValues
import JSON

extension FleetLoader {
    /// Every Greengrass core device: ListCoreDevices (health, platform, last report), then
    /// GetCoreDevice for each one's nucleus version, eight at a time (`concurrently`). One that cannot be
    /// described keeps what the list said and says why.
    public func coreDevices() async throws -> CoreDeviceList { try await coreDevices(group: nil) }

    /// Those that took a thing group's deployment (AWS's `thingGroupArn` filter), or every one.
    public func coreDevices(group: String?, described: Bool = true) async throws -> CoreDeviceList {
        let gg = GreengrassV2Operations.self
        var input: JSONObject = ["maxResults": 100]
        if let group {
            let described = try await client.call(IoTOperations.service, IoTOperations.describeThingGroup, ["thingGroupName": .string(group)])
            input["thingGroupArn"] = described["thingGroupArn"] ?? .null
        }
        let listed = try await client.all(gg.service, gg.listCoreDevices, input, key: "coreDevices")
        var devices = listed.map { item in
            CoreDeviceSummary(name: item["coreDeviceThingName"]?.stringValue ?? "", status: item["status"]?.stringValue ?? "?",
                              platform: item["platform"]?.stringValue, architecture: item["architecture"]?.stringValue,
                              runtime: item["runtime"]?.stringValue, lastReport: item["lastStatusUpdateTimestamp"]?.doubleValue.map { Int64($0) })
        }
        if described {
            let client = client
            let answers = await concurrently(devices.map(\.name)) { name in
                try await client.call(gg.service, gg.getCoreDevice, ["coreDeviceThingName": .string(name)]).output
            }
            for (index, answer) in answers.enumerated() {
                switch answer {
                case .success(let device): devices[index].coreVersion = device["coreVersion"]?.stringValue
                case .failure(let error): devices[index].problem = "\(error)"
                }
            }
        }
        return CoreDeviceList(devices: devices.sorted { $0.name < $1.name }, interval: statusInterval)
    }

    /// Seconds between a nucleus's periodic status reports: AWS's default (a day), or
    /// `FLEETDECK_GG_STATUS_INTERVAL_SECONDS` (a fleet configured otherwise, or the sandbox).
    var statusInterval: Int64 { client.settings.environment["FLEETDECK_GG_STATUS_INTERVAL_SECONDS"].flatMap(Int64.init) ?? 86_400 }

    /// One core device: GetCoreDevice, every installed component, its effective deployments and
    /// its thing groups (a thing that is not a core device: AWS's 404, said as such).
    public func coreDeviceDetail(_ thing: String) async throws -> CoreDeviceDetail {
        let gg = GreengrassV2Operations.self
        let name: JSONValue = .string(thing)
        async let described = client.call(gg.service, gg.getCoreDevice, ["coreDeviceThingName": name])
        async let installed = client.all(gg.service, gg.listInstalledComponents, ["coreDeviceThingName": name, "topologyFilter": "ALL", "maxResults": 100],
                                         key: "installedComponents")
        async let effective = client.all(gg.service, gg.listEffectiveDeployments, ["coreDeviceThingName": name, "maxResults": 100], key: "effectiveDeployments")
        async let groups = client.all(IoTOperations.service, IoTOperations.listThingGroupsForThing, ["thingName": name], key: "thingGroups")
        let device = try await described
        let summary = CoreDeviceSummary(name: thing, status: device["status"]?.stringValue ?? "?", coreVersion: device["coreVersion"]?.stringValue,
                                        platform: device["platform"]?.stringValue, architecture: device["architecture"]?.stringValue,
                                        runtime: device["runtime"]?.stringValue, lastReport: device["lastStatusUpdateTimestamp"]?.doubleValue.map { Int64($0) })
        let components = try await installed.map { item in
            InstalledComponent(name: item["componentName"]?.stringValue ?? "?", version: item["componentVersion"]?.stringValue ?? "?",
                               state: item["lifecycleState"]?.stringValue ?? "?", details: item["lifecycleStateDetails"]?.stringValue,
                               statusCodes: (item["lifecycleStatusCodes"]?.arrayValue ?? []).compactMap(\.stringValue),
                               isRoot: item["isRoot"]?.boolValue ?? false, installedBy: item["lastInstallationSource"]?.stringValue)
        }.sorted { ($0.isRoot ? 0 : 1, $0.name) < ($1.isRoot ? 0 : 1, $1.name) }
        let deployments = try await effective.map { item in
            EffectiveDeployment(id: item["deploymentId"]?.stringValue ?? "?", name: item["deploymentName"]?.stringValue ?? "?",
                                target: item["targetArn"]?.stringValue ?? "?", status: item["coreDeviceExecutionStatus"]?.stringValue ?? "?",
                                reason: item["reason"]?.stringValue,
                                errorStack: (item["statusDetails"]?["errorStack"]?.arrayValue ?? []).compactMap(\.stringValue),
                                errorTypes: (item["statusDetails"]?["errorTypes"]?.arrayValue ?? []).compactMap(\.stringValue),
                                modified: item["modifiedTimestamp"]?.doubleValue.map { Int64($0) })
        }
        return CoreDeviceDetail(device: summary, components: components, deployments: deployments,
                                groups: try await groups.compactMap { $0["groupName"]?.stringValue }.sorted(), interval: statusInterval)
    }

    /// The fleet x component matrix: every core device (of a thing group, as AWS lists them)
    /// and its root components (ListInstalledComponents, eight devices at a time). A device whose
    /// components cannot be read is kept, with why.
    public func componentMatrix(group: String?) async throws -> ComponentMatrix {
        let gg = GreengrassV2Operations.self
        let names = try await coreDevices(group: group, described: false).devices.map(\.name)
        var rows: [(device: String, components: [InstalledComponent])] = names.map { ($0, []) }
        var unreadable: [String: String] = [:]
        let client = client
        let answers = await concurrently(names) { name in
            try await client.all(gg.service, gg.listInstalledComponents, ["coreDeviceThingName": .string(name), "topologyFilter": "ROOT", "maxResults": 100],
                                 key: "installedComponents")
        }
        for (index, answer) in answers.enumerated() {
            switch answer {
            case .success(let items):
                rows[index].components = items.map { item in
                    InstalledComponent(name: item["componentName"]?.stringValue ?? "?", version: item["componentVersion"]?.stringValue ?? "?",
                                       state: item["lifecycleState"]?.stringValue ?? "?", isRoot: true)
                }
            case .failure(let error): unreadable[names[index]] = "\(error)"
            }
        }
        var matrix = ComponentMatrix(rows)
        matrix.unreadable = unreadable
        return matrix
    }
}
