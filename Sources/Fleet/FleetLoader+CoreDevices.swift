import AWSCore
import AWSServices
import FleetValues
import JSON

extension FleetLoader {
    /// Every Greengrass core device: ListCoreDevices (health, platform, last report), then
    /// GetCoreDevice for each one's nucleus version, eight at a time. One that cannot be
    /// described keeps what the list said and says why.
    public func coreDevices() async throws -> CoreDeviceList { try await coreDevices(group: nil) }

    /// Those that took a thing group's deployment (AWS's `thingGroupArn` filter), or every one.
    public func coreDevices(group: String?) async throws -> CoreDeviceList {
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
        try await withThrowingTaskGroup(of: (Int, Result<JSONValue, any Error>).self) { group in
            var next = 0
            func start() {
                guard next < devices.count else { return }
                let index = next, name = devices[index].name
                next += 1
                group.addTask {
                    do { return (index, .success(try await client.call(gg.service, gg.getCoreDevice, ["coreDeviceThingName": .string(name)]).output)) }
                    catch { return (index, .failure(error)) }
                }
            }
            for _ in 0..<8 { start() }
            while let (index, result) = try await group.next() {
                switch result {
                case .success(let device): devices[index].coreVersion = device["coreVersion"]?.stringValue
                case .failure(let error): devices[index].problem = "\(error)"
                }
                start()
            }
        }
        let interval = client.settings.environment["FLEETDECK_GG_STATUS_INTERVAL_SECONDS"].flatMap(Int64.init) ?? 86_400
        return CoreDeviceList(devices: devices.sorted { $0.name < $1.name }, interval: interval)
    }
}
