import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// One AWS resource type Fleetdeck deploys: its declaration (naming, identity, delete rules) and
/// its create, read, update and delete, in one file under `Resources/`, registered in
/// `ResourceHandlers.all` (which the engine's type registry and the routing derive from).
protocol ResourceHandler: Sendable {
    static var declaration: ResourceType { get }
    var context: HandlerContext { get }
    init(context: HandlerContext)
    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue])
    /// The resource as AWS has it, or nil when it is gone.
    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]?
    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]
    func delete(id: String, old: ResourceState) async throws
    /// See `ResourceProvider.identify` (types whose id the inputs do not name).
    func identify(inputs: [String: PropertyValue], createdSince: Double?) async throws -> [String]
    /// Whether AWS's answer means the resource is not there (a read is nil, a delete is done).
    static func gone(_ error: any Error) -> Bool
}

extension ResourceHandler {
    func identify(inputs: [String: PropertyValue], createdSince: Double?) async throws -> [String] { [] }

    func update(id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        throw AWSError.invalidInput(operation: "update", reason: "\(Self.declaration.token) is replaced, not updated")
    }

    var client: AWSClient { context.client }

    /// The resource as AWS has it after an update (nil: gone meanwhile; the inputs stand then).
    func readAfterUpdate(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        do {
            return try await read(id: id, inputs: inputs)
        } catch where Self.gone(error) {
            return nil
        }
    }

    /// Inputs plus what the cloud computed.
    func outputs(_ inputs: [String: PropertyValue], _ computed: [String: PropertyValue]) -> [String: PropertyValue] {
        inputs.merging(computed.filter { $0.value != .null }) { _, new in new }
    }

    /// A policy document as AWS wants it: a JSON string (an object is serialized).
    static func document(_ value: PropertyValue?) -> JSONValue {
        guard let value else { return .null }
        if case .string(let text) = value.revealed { return .string(text) }
        return .string(value.plainJSON.serialized())
    }
}

/// What a handler's calls need: the AWS client (the stack's, or its explicit provider's), the
/// environment (the sandbox's shortened waiting periods), the program's folder (assets).
struct HandlerContext: Sendable {
    let client: AWSClient
    let environment: [String: String]
    let directory: String
}

enum ResourceHandlers {
    /// Every AWS type Fleetdeck deploys, one file each in `Resources/`.
    static let all: [any ResourceHandler.Type] = [
        ThingHandler.self, ThingTypeHandler.self, ThingGroupHandler.self, IoTPolicyHandler.self, RoleAliasHandler.self, TopicRuleHandler.self,
        CertificateHandler.self, ProvisioningTemplateHandler.self, AccountAuditConfigurationHandler.self, ScheduledAuditHandler.self,
        PolicyAttachmentHandler.self, ThingPrincipalAttachmentHandler.self,
        RoleHandler.self, RolePolicyHandler.self, FunctionHandler.self, PermissionHandler.self, TopicHandler.self, BucketHandler.self,
    ]

    static let byToken: [String: any ResourceHandler.Type] = Dictionary(uniqueKeysWithValues: all.map { ($0.declaration.token, $0) })

    /// Their declarations, as the engine's type registry takes them.
    static var types: [ResourceType] { all.map { $0.declaration } }
}

/// AWS IoT's handlers: calls to IoT, and its "not found" answers.
protocol IoTHandler: ResourceHandler {}

extension IoTHandler {
    var iot: IoTOperations.Type { IoTOperations.self }

    func call(_ operation: AWSOperation, _ input: JSONObject) async throws -> AWSResponse {
        try await client.call(IoTOperations.service, operation, input)
    }

    static func json(_ value: PropertyValue?) -> JSONValue { value?.plainJSON ?? .null }
    static func string(_ value: JSONValue?) -> PropertyValue? { value?.stringValue.map(PropertyValue.string) }

    /// The two names an attachment is made of ("policy" and "target").
    func pair(_ inputs: [String: PropertyValue], _ a: String, _ b: String) throws -> (String, String) {
        guard let first = inputs[a]?.stringValue, let second = inputs[b]?.stringValue else {
            throw AWSError.invalidInput(operation: "attach", reason: "'\(a)' and '\(b)' are required")
        }
        return (first, second)
    }

    static func gone(_ error: any Error) -> Bool {
        guard let error = error as? AWSError else { return false }
        return error.code == "ResourceNotFoundException" || error.code == "NotFoundException"
    }
}

/// The supporting resources' handlers (IAM, Lambda, SNS, S3): their "not found" answers, and
/// CloudFormation's capitalised member names.
protocol SupportingHandler: ResourceHandler {}

extension SupportingHandler {
    static func gone(_ error: any Error) -> Bool {
        guard let code = (error as? AWSError)?.code else { return false }
        return ["NoSuchEntity", "ResourceNotFoundException", "NotFound", "NoSuchBucket", "NotFoundException"].contains(code)
    }

    /// CloudFormation capitalises IAM/Lambda/SNS member names; the APIs do too.
    static func upper(_ json: JSONValue) -> JSONValue {
        switch json {
        case .object(let object):
            var result = JSONObject()
            for (key, value) in object { result[key.prefix(1).uppercased() + key.dropFirst()] = upper(value) }
            return .object(result)
        case .array(let items): return .array(items.map(upper))
        default: return json
        }
    }
}

/// The naming conversions the handlers apply, for tests.
public enum ResourceNames {
    public static func acl(_ name: String) -> String { BucketHandler.cannedACL(name) }
    public static func check(_ name: String) -> String { AccountAuditConfigurationHandler.checkName(name) }

    /// A camel-case name's words joined by `separator`, in upper or lower case
    /// (`deviceCertificateExpiringCheck` -> `DEVICE_CERTIFICATE_EXPIRING_CHECK`).
    static func words(_ camel: String, separator: Character, uppercased: Bool) -> String {
        var out = ""
        for character in camel {
            if character.isUppercase, !out.isEmpty { out.append(separator) }
            out += uppercased ? character.uppercased() : character.lowercased()
        }
        return out
    }
}
