import AWSCore
import AWSServices
import FleetValues
import JSON

/// Provisioning attempts: for every fleet provisioning template with a pre-provisioning hook,
/// what the hook answered each device (its function's log in CloudWatch Logs), tied to the
/// allowlist the hook reads (the reference architecture's: allowlist.txt in its CERT_BUCKET).
extension FleetLoader {
    public func provisioningAttempts(days: Int) async throws -> [ProvisioningAttempt] {
        let iot = IoTOperations.self
        let now = Int64(AWSClient.wallClock())
        var attempts: [ProvisioningAttempt] = []
        let templates = try await client.all(iot.service, iot.listProvisioningTemplates, [:], key: "templates").compactMap { $0["templateName"]?.stringValue }
        for template in templates {
            let described = try await client.call(iot.service, iot.describeProvisioningTemplate, ["templateName": .string(template)])
            guard let hook = described["preProvisioningHook"]?["targetArn"]?.stringValue, let function = hook.split(separator: ":").last.map(String.init) else { continue }
            let allowlist = try await hookAllowlist(function)
            let events: [JSONValue]
            do {
                events = try await client.all(CloudWatchLogsOperations.service, CloudWatchLogsOperations.filterLogEvents, [
                    "logGroupName": .string("/aws/lambda/\(function)"), "startTime": .integer((now - Int64(days) * 86_400) * 1000),
                ], key: "events")
            } catch where Self.notFound(error) {
                continue  // the hook has not run yet: its log group does not exist
            }
            for event in events {
                guard let message = event["message"]?.stringValue else { continue }
                let time = (event["timestamp"]?.intValue ?? 0) / 1000
                if let attempt = ProvisioningAttempt.parse(message, template: template, time: time, allowlist: allowlist) { attempts.append(attempt) }
            }
        }
        return attempts.sorted { ($0.time, $0.serial) > ($1.time, $1.serial) }
    }

    /// The registry event types the account enables (DescribeEventConfigurations): what AWS IoT
    /// publishes on `$aws/events/...` when the registry changes.
    public func enabledRegistryEvents() async throws -> [String] {
        let described = try await client.call(IoTOperations.service, IoTOperations.describeEventConfigurations, [:])
        return (described["eventConfigurations"]?.objectValue ?? [:]).compactMap { $0.value["Enabled"]?.boolValue == true ? $0.key : nil }.sorted()
    }

    /// Turns registry event types on (UpdateEventConfigurations).
    public func enableRegistryEvents(_ types: [String]) async throws {
        _ = try await client.call(IoTOperations.service, IoTOperations.updateEventConfigurations, [
            "eventConfigurations": .object(JSONObject(types.map { ($0, ["Enabled": true]) })),
        ])
    }

    /// The allowlist the hook function reads (allowlist.txt in its CERT_BUCKET), nil when it names none.
    func hookAllowlist(_ function: String) async throws -> Set<String>? {
        let configuration = try await client.call(LambdaOperations.service, LambdaOperations.getFunctionConfiguration, ["FunctionName": .string(function)])
        guard let bucket = configuration["Environment"]?["Variables"]?["CERT_BUCKET"]?.stringValue else { return nil }
        guard let bytes = try await FleetSetup(client: client, bucket: bucket).object(FleetSetup.allowlist) else { return nil }
        return try Allowlist.parse(bytes, file: "s3://\(bucket)/\(FleetSetup.allowlist)")
    }
}
