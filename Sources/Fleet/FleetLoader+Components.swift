import AWSCore
import AWSServices
import FleetValues
import JSON

/// The account's Greengrass component catalogue.
extension FleetLoader {
    static func platforms(_ value: JSONValue?) -> [String] {
        (value?.arrayValue ?? []).map { platform in
            platform["name"]?.stringValue
                ?? (platform["attributes"]?.objectValue ?? JSONObject()).sorted { $0.key < $1.key }.compactMap { $0.value.stringValue }.joined(separator: "/")
        }
    }

    /// Every component of the account (its latest version), by name.
    public func components() async throws -> [ComponentInfo] {
        let gg = GreengrassV2Operations.self
        return try await client.all(gg.service, gg.listComponents, ["scope": "PRIVATE", "maxResults": 100], key: "components").map { item in
            let latest = item["latestVersion"]
            return ComponentInfo(name: item["componentName"]?.stringValue ?? "?", arn: item["arn"]?.stringValue ?? "",
                                 latest: latest?["componentVersion"]?.stringValue ?? "?", description: latest?["description"]?.stringValue ?? "",
                                 publisher: latest?["publisher"]?.stringValue ?? "", platforms: Self.platforms(latest?["platforms"]))
        }.sorted { $0.name < $1.name }
    }

    func componentARN(_ name: String, version: String? = nil) async throws -> String {
        // AWS's public components (aws.greengrass.*) are the account "aws"'s.
        let account = name.hasPrefix("aws.greengrass.") ? "aws" : try await client.callerIdentity().account
        return "arn:aws:greengrass:\(client.settings.region):\(account):components:\(name)" + (version.map { ":versions:\($0)" } ?? "")
    }

    /// A component's versions, newest first.
    public func componentVersions(_ name: String) async throws -> [String] {
        let gg = GreengrassV2Operations.self
        return try await client.all(gg.service, gg.listComponentVersions, ["arn": .string(try await componentARN(name)), "maxResults": 100],
                                    key: "componentVersions").compactMap { $0["componentVersion"]?.stringValue }
    }

    /// One version of a component (nil: the latest): its recipe, platforms, every version, and
    /// the core devices that run the component (one ListInstalledComponents per core device).
    public func componentVersion(_ name: String, version: String?) async throws -> ComponentVersionDetail {
        let gg = GreengrassV2Operations.self
        let versions = try await componentVersions(name)
        guard let version = version ?? versions.first else {
            throw AWSError.invalidInput(operation: "GetComponent", reason: "\(name) has no versions")
        }
        let arn = try await componentARN(name, version: version)
        async let recipe = client.call(gg.service, gg.getComponent, ["arn": .string(arn), "recipeOutputFormat": "JSON"])
        async let described = client.call(gg.service, gg.describeComponent, ["arn": .string(arn)])
        let encoded = try await recipe["recipe"]?.stringValue ?? ""
        let text = Base64.decode(encoded).map { String(decoding: $0, as: UTF8.self) } ?? encoded
        let metadata = try await described
        var detail = ComponentVersionDetail(name: name, version: version, arn: arn, recipe: text, platforms: Self.platforms(metadata["platforms"]),
                                            description: metadata["description"]?.stringValue ?? "", publisher: metadata["publisher"]?.stringValue ?? "",
                                            versions: versions)
        let matrix = try await componentMatrix(group: nil)
        if let column = matrix.components.firstIndex(of: name) {
            for (row, cell) in matrix.cells[column].enumerated() { if let cell { detail.runningOn[matrix.devices[row]] = cell.version } }
        }
        return detail
    }

    /// Publishes a recipe (JSON or YAML text) as a new component version; its name and version.
    public func publishComponent(recipe: [UInt8]) async throws -> (name: String, version: String) {
        let gg = GreengrassV2Operations.self
        let answer = try await client.call(gg.service, gg.createComponentVersion, ["inlineRecipe": .string(Base64.encode(recipe))])
        return (answer["componentName"]?.stringValue ?? "?", answer["componentVersion"]?.stringValue ?? "?")
    }

    /// A version's recipe as AWS gives it in `format` (JSON or YAML), decoded.
    public func recipe(_ name: String, version: String?, format: String) async throws -> String {
        let gg = GreengrassV2Operations.self
        let latest = version == nil ? try await componentVersions(name).first : nil
        guard let version = version ?? latest else {
            throw AWSError.invalidInput(operation: "GetComponent", reason: "\(name) has no versions")
        }
        let answer = try await client.call(gg.service, gg.getComponent, ["arn": .string(try await componentARN(name, version: version)),
                                                                        "recipeOutputFormat": .string(format)])
        let encoded = answer["recipe"]?.stringValue ?? ""
        return Base64.decode(encoded).map { String(decoding: $0, as: UTF8.self) } ?? encoded
    }

    /// Deletes one version of a component from the catalogue.
    public func deleteComponent(_ name: String, version: String) async throws {
        let gg = GreengrassV2Operations.self
        _ = try await client.call(gg.service, gg.deleteComponent, ["arn": .string(try await componentARN(name, version: version))])
    }
}
