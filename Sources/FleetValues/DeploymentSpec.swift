import JSON
import YAMLSyntax

/// A Greengrass deployment as upstream's `deployment.json` writes it (CreateDeployment's input):
/// the target, each component's version and configuration update, the policies and the IoT
/// job's rollout; anything else in the file is refused by name, as is a missing version.
public struct DeploymentSpec: Sendable, Equatable {
    public struct Component: Sendable, Equatable {
        public var version: String
        public var merge: String?
        public var reset: [String]
        public init(version: String, merge: String? = nil, reset: [String] = []) {
            self.version = version
            self.merge = merge
            self.reset = reset
        }
    }

    public var target: String
    public var name: String?
    public var components: [String: Component]
    /// The request as written (sent as it is).
    public var request: JSONObject

    public static let members: Set<String> = ["targetArn", "deploymentName", "components", "iotJobConfiguration", "deploymentPolicies", "parentTargetArn", "tags", "clientToken"]

    struct Refused: Error, CustomStringConvertible { var description: String }

    /// Reads a deployment document: JSON, or its YAML form when the file's name ends in .yaml or
    /// .yml; `file` names it in errors (with the line and column of a YAML error).
    public static func parse(_ bytes: [UInt8], file: String) throws -> DeploymentSpec {
        let document: JSONValue
        if file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
            do {
                document = try YAMLNode.parse(try YAMLNode.text(bytes))?.json() ?? .null
            } catch {
                throw Refused(description: "\(file):\(error)")
            }
        } else {
            do { document = try JSONValue.parse(bytes) } catch { throw Refused(description: "\(file): \(error)") }
        }
        guard let object = document.objectValue else { throw Refused(description: "\(file): a deployment is a JSON object") }
        for (key, _) in object where !members.contains(key) {
            throw Refused(description: "\(file): '\(key)' is not a member of a deployment (CreateDeployment takes \(members.sorted().joined(separator: ", ")))")
        }
        guard let target = object["targetArn"]?.stringValue else { throw Refused(description: "\(file): targetArn is required") }
        var components: [String: Component] = [:]
        for (name, value) in object["components"]?.objectValue ?? [:] {
            guard let version = value["componentVersion"]?.stringValue else { throw Refused(description: "\(file): components.\(name).componentVersion is required") }
            for (key, _) in value.objectValue ?? [:] where !["componentVersion", "configurationUpdate", "runWith"].contains(key) {
                throw Refused(description: "\(file): components.\(name).\(key) is not a member of a component's deployment")
            }
            let update = value["configurationUpdate"]
            components[name] = Component(version: version, merge: update?["merge"]?.stringValue,
                                         reset: update?["reset"]?.arrayValue.compactMap(\.stringValue) ?? [])
        }
        return DeploymentSpec(target: target, name: object["deploymentName"]?.stringValue, components: components, request: object)
    }

    /// A deployment as upstream's deploy-apps.yml writes deployment.json from its template: each
    /// component at its version with its configuration reset, ROLLBACK, NOTIFY_COMPONENTS (60 s),
    /// configuration validation 60 s; `job` is the IoT job's configuration (upstream's is empty).
    public static func upstream(target: String, components: [(name: String, version: String)], job: JSONObject = [:]) throws -> DeploymentSpec {
        var written = JSONObject()
        for component in components {
            guard written[component.name] == nil else { throw Refused(description: "\(component.name) is named twice") }
            written[component.name] = ["componentVersion": .string(component.version), "configurationUpdate": ["reset": [""]]]
        }
        let request: JSONObject = [
            "targetArn": .string(target), "deploymentName": "Deployment from CI/CD pipeline", "components": .object(written),
            "deploymentPolicies": ["failureHandlingPolicy": "ROLLBACK", "componentUpdatePolicy": ["timeoutInSeconds": 60, "action": "NOTIFY_COMPONENTS"],
                                   "configurationValidationPolicy": ["timeoutInSeconds": 60]],
            "iotJobConfiguration": .object(job),
        ]
        return try parse(Array(JSONValue.object(request).serialized().utf8), file: "the deployment")
    }

    public init(target: String, name: String?, components: [String: Component], request: JSONObject) {
        self.target = target
        self.name = name
        self.components = components
        self.request = request
    }

    /// The target's name and kind: ("thinggroup", "GreengrassGroup").
    public var targetName: (kind: String, name: String)? {
        guard let last = target.split(separator: ":").last else { return nil }
        let parts = last.split(separator: "/", maxSplits: 1)
        return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
    }
}
