import JSON
import StackModel

/// A stack at a glance, as `stack ls` and the dashboard's Stacks screen show it.
public struct StackSummary: Sendable, Equatable {
    public var name: String
    public var lastUpdate: String?
    public var resourceCount: Int
    public var pendingOperations: Int
    public var account: String?
    public var region: String?
    public var lockedBy: String?
    public var deployed: Bool

    /// Named like production (`prod*`) or marked `<project>:production: true` in its config.
    public var production: Bool

    public init(name: String, lastUpdate: String? = nil, resourceCount: Int = 0, pendingOperations: Int = 0, account: String? = nil,
                region: String? = nil, lockedBy: String? = nil, deployed: Bool = false, production: Bool = false) {
        self.name = name
        self.lastUpdate = lastUpdate
        self.resourceCount = resourceCount
        self.pendingOperations = pendingOperations
        self.account = account
        self.region = region
        self.lockedBy = lockedBy
        self.deployed = deployed
        self.production = production
    }

    /// Reads every stack of a project: those in the backend and those with a config file.
    public static func load(project: String, directory: String, configuredStacks: [String], backend: any StateBackend) async throws -> [StackSummary] {
        var rows: [StackSummary] = []
        for stack in Array(Set(try await backend.stacks(project: project) + configuredStacks)).sorted() {
            let checkpoint = try await backend.checkpoint(project: project, stack: stack)
            let latest = checkpoint.flatMap { try? JSONValue.parse($0) }?["checkpoint"]?["latest"]
            let resources = (latest?["resources"]?.arrayValue ?? []).filter { $0["custom"]?.boolValue == true && !($0["type"]?.stringValue ?? "").hasPrefix("pulumi:") }
            let config = try? StackConfigFile.load(path: "\(directory)/Pulumi.\(stack).yaml")
            func plain(_ key: String) -> String? {
                if case .value(let value)? = config?.entries[key] { return value.stringValue }
                return nil
            }
            rows.append(StackSummary(name: stack, lastUpdate: latest?["manifest"]?["time"]?.stringValue, resourceCount: resources.count,
                                     pendingOperations: latest?["pending_operations"]?.arrayValue.count ?? 0,
                                     account: plain("\(project):aws-account-id"), region: plain("\(project):aws-region") ?? plain("aws:region"),
                                     lockedBy: try await backend.lockHolders(project: project, stack: stack).first?.description,
                                     deployed: checkpoint != nil,
                                     production: isProduction(stack, project: project, config: config)))
        }
        return rows
    }

    /// Named like production (`prod*`) or marked `<project>:production: true`.
    public static func isProduction(_ stack: String, project: String, config: StackConfigFile?) -> Bool {
        if stack.lowercased().hasPrefix("prod") { return true }
        if case .value(let value)? = config?.entries["\(project):production"] { return value.stringValue == "true" }
        return false
    }

    public var json: JSONValue {
        ["name": .string(name), "lastUpdate": lastUpdate.map(JSONValue.string) ?? .null, "resourceCount": .integer(Int64(resourceCount)),
         "pendingOperations": .integer(Int64(pendingOperations)), "account": account.map(JSONValue.string) ?? .null,
         "region": region.map(JSONValue.string) ?? .null, "lockedBy": lockedBy.map(JSONValue.string) ?? .null, "deployed": .bool(deployed),
         "production": .bool(production)]
    }
}
