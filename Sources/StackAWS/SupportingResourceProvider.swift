import AWSCore
import AWSServices
import POSIXFiles
import JSON
import StackEngine
import StackLanguage
import StackModel

/// IAM roles and inline policies, Lambda functions and permissions, SNS topics with their
/// subscriptions and S3 buckets: the reference architecture's supporting resources.
public struct SupportingResourceProvider: ResourceProvider {
    let client: AWSClient
    /// The program's folder: relative asset and archive paths are read from it.
    let directory: String

    public init(client: AWSClient, directory: String = ".") {
        self.client = client
        self.directory = directory
    }

    public var types: [ResourceType] { AWSResourceTypes.supporting }

    static func document(_ value: PropertyValue?) -> JSONValue {
        guard let value else { return .null }
        if case .string(let text) = value.revealed { return .string(text) }
        return .string(value.plainJSON.serialized())
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

    public func create(type: String, name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        switch type {
        case "aws-native:iam:Role":
            let role = inputs["roleName"]?.stringValue ?? name
            var input: JSONObject = ["RoleName": .string(role), "AssumeRolePolicyDocument": Self.document(inputs["assumeRolePolicyDocument"])]
            if let value = inputs["description"] { input["Description"] = value.plainJSON }
            if let value = inputs["path"] { input["Path"] = value.plainJSON }
            if let value = inputs["maxSessionDuration"] { input["MaxSessionDuration"] = value.plainJSON }
            let answer = try await client.call(IAMOperations.service, IAMOperations.createRole, input)
            try await syncRolePolicies(role, old: nil, inputs: inputs)
            return (role, inputs.merging(["roleName": .string(role), "arn": .string(answer["Role"]?["Arn"]?.stringValue ?? ""),
                                          "roleId": .string(answer["Role"]?["RoleId"]?.stringValue ?? "")]) { _, new in new })
        case "aws-native:iam:RolePolicy":
            let (role, policy) = (inputs["roleName"]?.stringValue ?? "", inputs["policyName"]?.stringValue ?? name)
            _ = try await client.call(IAMOperations.service, IAMOperations.putRolePolicy, ["RoleName": .string(role), "PolicyName": .string(policy),
                                                                                          "PolicyDocument": Self.document(inputs["policyDocument"])])
            return ("\(policy)|\(role)", inputs)
        case "aws-native:lambda:Function":
            let function = inputs["functionName"]?.stringValue ?? name
            var input = functionConfiguration(inputs)
            input["FunctionName"] = .string(function)
            input["Code"] = ["ZipFile": .string(Base64.encode(try zip(inputs)))]
            if let architectures = inputs["architectures"] { input["Architectures"] = architectures.plainJSON }
            // IAM is eventually consistent: a role made seconds ago may not be assumable yet.
            let answer = try await IAMConsistency.retry {
                try await client.call(LambdaOperations.service, LambdaOperations.createFunction, input)
            }
            return (function, inputs.merging(["functionName": .string(function), "arn": .string(answer["FunctionArn"]?.stringValue ?? "")]) { _, new in new })
        case "aws-native:lambda:Permission":
            let statement = "fleetdeck-\(name)"
            var input: JSONObject = ["FunctionName": inputs["functionName"]?.plainJSON ?? .null, "StatementId": .string(statement),
                                     "Action": inputs["action"]?.plainJSON ?? .null, "Principal": inputs["principal"]?.plainJSON ?? .null]
            if let value = inputs["sourceAccount"] { input["SourceAccount"] = value.plainJSON }
            if let value = inputs["sourceArn"] { input["SourceArn"] = value.plainJSON }
            _ = try await client.call(LambdaOperations.service, LambdaOperations.addPermission, input)
            let id = "\(inputs["functionName"]?.stringValue ?? "")|\(statement)"
            return (id, inputs.merging(["id": .string(id)]) { _, new in new })
        case "aws-native:sns:Topic":
            let topic = inputs["topicName"]?.stringValue ?? name
            var attributes = JSONObject()
            if let display = inputs["displayName"]?.stringValue { attributes["DisplayName"] = .string(display) }
            let answer = try await client.call(SNSOperations.service, SNSOperations.createTopic, ["Name": .string(topic), "Attributes": .object(attributes)])
            let arn = answer["TopicArn"]?.stringValue ?? ""
            try await syncSubscriptions(arn, inputs: inputs)
            return (arn, inputs.merging(["topicName": .string(topic), "topicArn": .string(arn)]) { _, new in new })
        case "aws-native:s3:Bucket":
            let bucket = inputs["bucketName"]?.stringValue ?? name
            var input: JSONObject = ["Bucket": .string(bucket)]
            if let acl = inputs["accessControl"]?.stringValue { input["ACL"] = .string(Self.cannedACL(acl)) }
            if client.settings.region != "us-east-1" { input["CreateBucketConfiguration"] = ["LocationConstraint": .string(client.settings.region)] }
            _ = try await client.call(S3Operations.service, S3Operations.createBucket, input)
            try await configureBucket(bucket, inputs: inputs)
            return (bucket, inputs.merging(["bucketName": .string(bucket), "arn": .string("arn:aws:s3:::\(bucket)"),
                                            "domainName": .string("\(bucket).s3.amazonaws.com")]) { _, new in new })
        default:
            throw AWSError.invalidInput(operation: "create", reason: "\(type) is not supported here")
        }
    }

    func functionConfiguration(_ inputs: [String: PropertyValue]) -> JSONObject {
        var input: JSONObject = [:]
        for (key, api) in [("runtime", "Runtime"), ("handler", "Handler"), ("role", "Role"), ("timeout", "Timeout"),
                           ("memorySize", "MemorySize"), ("description", "Description")] {
            if let value = inputs[key] { input[api] = value.plainJSON }
        }
        if let variables = inputs["environment"]?["variables"] { input["Environment"] = ["Variables": variables.plainJSON] }
        return input
    }

    /// The function's code as a zip: inline `code.zipFile` becomes `index.py` (`index.js` for
    /// Node runtimes), as CloudFormation does; an archive property is zipped as given.
    func zip(_ inputs: [String: PropertyValue]) throws -> [UInt8] {
        let code = inputs["code"]?.revealed
        if case .string(let source)? = code?["zipFile"]?.revealed {
            let runtime = inputs["runtime"]?.stringValue ?? "python3.12"
            return ZipArchive.make([(runtime.hasPrefix("nodejs") ? "index.js" : "index.py", Array(source.utf8))])
        }
        if case .archive(let archive)? = code {
            do {
                if let path = archive.path {
                    let contents = try AssetFiles.archive(AssetFiles.resolve(path, in: directory))
                    return contents.zip ?? ZipArchive.make(contents.files.map { ($0.name, $0.bytes) })
                }
                var files: [(String, [UInt8])] = []
                for (name, item) in (archive.assets ?? [:]).sorted(by: { $0.key < $1.key }) {
                    guard case .asset(let asset) = item else {
                        throw AWSError.invalidInput(operation: "CreateFunction", reason: "the archive's '\(name)' is not an asset (nested archives are not supported)")
                    }
                    if let text = asset.text {
                        files.append((name, Array(text.utf8)))
                    } else if let path = asset.path {
                        files.append((name, try AssetFiles.asset(AssetFiles.resolve(path, in: directory))))
                    } else {
                        throw AWSError.invalidInput(operation: "CreateFunction", reason: "the archive's '\(name)' is a remote asset, which is not supported")
                    }
                }
                return ZipArchive.make(files)
            } catch let error as AtomicFile.WriteError {
                throw AWSError.invalidInput(operation: "CreateFunction", reason: "\(error)")
            }
        }
        throw AWSError.invalidInput(operation: "CreateFunction", reason: "code needs zipFile (inline source) or an archive (fn::fileArchive, fn::assetArchive)")
    }

    func syncRolePolicies(_ role: String, old: ResourceState?, inputs: [String: PropertyValue]) async throws {
        let wanted = Set((inputs["managedPolicyArns"]?.plainJSON.arrayValue ?? []).compactMap(\.stringValue))
        let had = Set((old?.inputs["managedPolicyArns"]?.plainJSON.arrayValue ?? []).compactMap(\.stringValue))
        for arn in wanted.subtracting(had).sorted() {
            _ = try await client.call(IAMOperations.service, IAMOperations.attachRolePolicy, ["RoleName": .string(role), "PolicyArn": .string(arn)])
        }
        for arn in had.subtracting(wanted).sorted() {
            _ = try await client.call(IAMOperations.service, IAMOperations.detachRolePolicy, ["RoleName": .string(role), "PolicyArn": .string(arn)])
        }
        for policy in inputs["policies"]?.plainJSON.arrayValue ?? [] {
            _ = try await client.call(IAMOperations.service, IAMOperations.putRolePolicy, [
                "RoleName": .string(role), "PolicyName": policy["policyName"] ?? .null,
                "PolicyDocument": policy["policyDocument"].map { $0.stringValue.map(JSONValue.string) ?? .string($0.serialized()) } ?? .null])
        }
    }

    func syncSubscriptions(_ topic: String, inputs: [String: PropertyValue]) async throws {
        let existing = try await client.all(SNSOperations.service, SNSOperations.listSubscriptionsByTopic, ["TopicArn": .string(topic)], key: "Subscriptions")
        let have = Set(existing.map { "\($0["Protocol"]?.stringValue ?? "") \($0["Endpoint"]?.stringValue ?? "")" })
        for subscription in inputs["subscription"]?.plainJSON.arrayValue ?? [] {
            let key = "\(subscription["protocol"]?.stringValue ?? "") \(subscription["endpoint"]?.stringValue ?? "")"
            if have.contains(key) { continue }
            _ = try await client.call(SNSOperations.service, SNSOperations.subscribe, ["TopicArn": .string(topic), "Protocol": subscription["protocol"] ?? .null,
                                                                                      "Endpoint": subscription["endpoint"] ?? .null])
        }
    }

    /// CloudFormation's AccessControl names (`Private`, `PublicRead`, `BucketOwnerFullControl`)
    /// as S3's canned ACLs (`private`, `public-read`, `bucket-owner-full-control`).
    static func cannedACL(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase, !out.isEmpty { out.append("-") }
            out += character.lowercased()
        }
        return out
    }

    func configureBucket(_ bucket: String, inputs: [String: PropertyValue]) async throws {
        if let block = inputs["publicAccessBlockConfiguration"] {
            _ = try await client.call(S3Operations.service, S3Operations.putPublicAccessBlock, ["Bucket": .string(bucket),
                                                                                               "PublicAccessBlockConfiguration": Self.upper(block.plainJSON)])
        }
        if let status = inputs["versioningConfiguration"]?["status"]?.stringValue {
            _ = try await client.call(S3Operations.service, S3Operations.putBucketVersioning, ["Bucket": .string(bucket),
                                                                                              "VersioningConfiguration": ["Status": .string(status)]])
        }
    }

    static func gone(_ error: any Error) -> Bool {
        guard let code = (error as? AWSError)?.code else { return false }
        return ["NoSuchEntity", "ResourceNotFoundException", "NotFound", "NoSuchBucket", "NotFoundException"].contains(code)
    }

    /// The resource as AWS has it (see `LiveValues`), or nil when it is gone.
    public func read(type: String, id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        var live = LiveValues(inputs: inputs)
        do {
            switch type {
            case "aws-native:iam:Role":
                guard let role = try await client.call(IAMOperations.service, IAMOperations.getRole, ["RoleName": .string(id)])["Role"] else { return nil }
                live.output("roleName", .string(id))
                live.output("arn", role["Arn"].map(PropertyValue.init(json:)))
                live.output("roleId", role["RoleId"].map(PropertyValue.init(json:)))
                live.set("assumeRolePolicyDocument", LiveValues.document(role["AssumeRolePolicyDocument"]?.stringValue, like: inputs["assumeRolePolicyDocument"]))
                live.set("description", role["Description"]?.stringValue.map(PropertyValue.string), default: nil)
                live.set("maxSessionDuration", LiveValues.number(role["MaxSessionDuration"]), default: .number(3600))
                live.set("path", role["Path"].map(PropertyValue.init(json:)), default: .string("/"))
                let attached = try await client.all(IAMOperations.service, IAMOperations.listAttachedRolePolicies, ["RoleName": .string(id)], key: "AttachedPolicies")
                    .compactMap { $0["PolicyArn"]?.stringValue }.map(PropertyValue.string)
                live.set("managedPolicyArns", attached.isEmpty ? nil : LiveValues.list(attached, like: inputs["managedPolicyArns"]))
                var inline: [PropertyValue] = []
                let wantedPolicies = inputs["policies"]?.revealed
                for name in wantedPolicies == nil ? [] : try await client.all(IAMOperations.service, IAMOperations.listRolePolicies, ["RoleName": .string(id)], key: "PolicyNames").compactMap(\.stringValue) {
                    let policy = try await client.call(IAMOperations.service, IAMOperations.getRolePolicy, ["RoleName": .string(id), "PolicyName": .string(name)])
                    let like = wantedPolicies.flatMap { list -> PropertyValue? in
                        guard case .array(let items) = list else { return nil }
                        return items.first { $0["policyName"]?.stringValue == name }?["policyDocument"]
                    }
                    inline.append(.object(["policyName": .string(name),
                                           "policyDocument": LiveValues.document(policy["PolicyDocument"]?.stringValue, like: like) ?? .null]))
                }
                live.setIfManaged("policies", inline.isEmpty ? nil : LiveValues.list(inline, like: wantedPolicies))
            case "aws-native:iam:RolePolicy":
                let parts = id.split(separator: "|", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { return nil }
                let policy = try await client.call(IAMOperations.service, IAMOperations.getRolePolicy, ["RoleName": .string(parts[1]), "PolicyName": .string(parts[0])])
                live.set("policyDocument", LiveValues.document(policy["PolicyDocument"]?.stringValue, like: inputs["policyDocument"]))
            case "aws-native:lambda:Function":
                let configuration = try await client.call(LambdaOperations.service, LambdaOperations.getFunctionConfiguration, ["FunctionName": .string(id)])
                live.output("functionName", .string(id))
                live.output("arn", configuration["FunctionArn"].map(PropertyValue.init(json:)))
                for (key, api, fallback) in [("runtime", "Runtime", nil), ("handler", "Handler", nil), ("role", "Role", nil), ("timeout", "Timeout", PropertyValue.number(3)),
                                             ("memorySize", "MemorySize", PropertyValue.number(128)), ("description", "Description", PropertyValue.string(""))] {
                    live.set(key, configuration[api].flatMap { $0 == .null ? nil : PropertyValue(json: $0) }, default: fallback)
                }
                let variables = configuration["Environment"]?["Variables"]
                live.set("environment", variables.flatMap { $0.objectValue?.isEmpty == false ? PropertyValue.object(["variables": PropertyValue(json: $0)]) : nil })
                let architectures = (configuration["Architectures"]?.arrayValue ?? []).map(PropertyValue.init(json:))
                live.set("architectures", architectures.isEmpty ? nil : .array(architectures), default: .array([.string("x86_64")]))
            case "aws-native:lambda:Permission":
                let parts = id.split(separator: "|", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { return nil }
                let policy = try await client.call(LambdaOperations.service, LambdaOperations.getPolicy, ["FunctionName": .string(parts[0])])
                let statements = (try? JSONValue.parse(policy["Policy"]?.stringValue ?? "{}"))?["Statement"]?.arrayValue ?? []
                guard let statement = statements.first(where: { $0["Sid"]?.stringValue == parts[1] }) else { return nil }
                live.set("action", statement["Action"].map(PropertyValue.init(json:)))
                live.set("principal", (statement["Principal"]?["Service"] ?? statement["Principal"]).map(PropertyValue.init(json:)))
                live.set("sourceArn", statement["Condition"]?["ArnLike"]?["AWS:SourceArn"].map(PropertyValue.init(json:)))
                live.set("sourceAccount", statement["Condition"]?["StringEquals"]?["AWS:SourceAccount"].map(PropertyValue.init(json:)))
            case "aws-native:sns:Topic":
                let attributes = try await client.call(SNSOperations.service, SNSOperations.getTopicAttributes, ["TopicArn": .string(id)])["Attributes"]
                live.output("topicArn", .string(id))
                live.set("displayName", attributes?["DisplayName"].flatMap { $0.stringValue?.isEmpty == false ? PropertyValue(json: $0) : nil }, default: nil)
                let subscriptions = try await client.all(SNSOperations.service, SNSOperations.listSubscriptionsByTopic, ["TopicArn": .string(id)], key: "Subscriptions")
                    .map { PropertyValue.object(["protocol": PropertyValue(json: $0["Protocol"] ?? .null), "endpoint": PropertyValue(json: $0["Endpoint"] ?? .null)]) }
                live.set("subscription", subscriptions.isEmpty ? nil : LiveValues.list(subscriptions, like: inputs["subscription"]))
            case "aws-native:s3:Bucket":
                _ = try await client.call(S3Operations.service, S3Operations.headBucket, ["Bucket": .string(id)])
                live.output("bucketName", .string(id))
                live.output("arn", .string("arn:aws:s3:::\(id)"))
                let versioning = try await client.call(S3Operations.service, S3Operations.getBucketVersioning, ["Bucket": .string(id)])["Status"]?.stringValue
                live.set("versioningConfiguration", versioning.map { .object(["status": .string($0)]) })
                var block: JSONValue?
                do {
                    block = try await client.call(S3Operations.service, S3Operations.getPublicAccessBlock, ["Bucket": .string(id)])["PublicAccessBlockConfiguration"]
                } catch let error as AWSError where error.code == "NoSuchPublicAccessBlockConfiguration" {}
                live.set("publicAccessBlockConfiguration", block.flatMap { json -> PropertyValue? in
                    guard case .object(let fields) = json else { return nil }
                    var lowered: [String: PropertyValue] = [:]
                    for (key, value) in fields { lowered[key.prefix(1).lowercased() + key.dropFirst()] = PropertyValue(json: value) }
                    return .object(lowered)
                })
            default:
                return nil
            }
        } catch where Self.gone(error) {
            return nil
        }
        return live.values
    }

    public func update(type: String, id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        switch type {
        case "aws-native:iam:Role":
            if inputs["assumeRolePolicyDocument"] != old.inputs["assumeRolePolicyDocument"] {
                _ = try await client.call(IAMOperations.service, IAMOperations.updateAssumeRolePolicy, ["RoleName": .string(id),
                                                                                                       "PolicyDocument": Self.document(inputs["assumeRolePolicyDocument"])])
            }
            var input: JSONObject = ["RoleName": .string(id)]
            if let value = inputs["description"] { input["Description"] = value.plainJSON }
            if let value = inputs["maxSessionDuration"] { input["MaxSessionDuration"] = value.plainJSON }
            _ = try await client.call(IAMOperations.service, IAMOperations.updateRole, input)
            try await syncRolePolicies(id, old: old, inputs: inputs)
        case "aws-native:iam:RolePolicy":
            _ = try await client.call(IAMOperations.service, IAMOperations.putRolePolicy, ["RoleName": inputs["roleName"]?.plainJSON ?? .null,
                                                                                          "PolicyName": inputs["policyName"]?.plainJSON ?? .null,
                                                                                          "PolicyDocument": Self.document(inputs["policyDocument"])])
        case "aws-native:lambda:Function":
            // Code and configuration are separate updates, each only when it changed.
            if inputs["code"] != old.inputs["code"] || inputs["runtime"] != old.inputs["runtime"] {
                _ = try await client.call(LambdaOperations.service, LambdaOperations.updateFunctionCode, ["FunctionName": .string(id),
                                                                                                         "ZipFile": .string(Base64.encode(try zip(inputs)))])
            }
            var configuration = functionConfiguration(inputs)
            configuration["FunctionName"] = .string(id)
            _ = try await IAMConsistency.retry {
                try await client.call(LambdaOperations.service, LambdaOperations.updateFunctionConfiguration, configuration)
            }
        case "aws-native:sns:Topic":
            if let display = inputs["displayName"]?.stringValue {
                _ = try await client.call(SNSOperations.service, SNSOperations.setTopicAttributes, ["TopicArn": .string(id), "AttributeName": "DisplayName",
                                                                                                   "AttributeValue": .string(display)])
            }
            try await syncSubscriptions(id, inputs: inputs)
        case "aws-native:s3:Bucket":
            try await configureBucket(id, inputs: inputs)
        default:
            throw AWSError.invalidInput(operation: "update", reason: "\(type) is replaced, not updated")
        }
        return try await read(type: type, id: id, inputs: inputs) ?? inputs
    }

    public func delete(type: String, id: String, old: ResourceState) async throws {
        do {
            switch type {
            case "aws-native:iam:Role":
                for arn in try await client.all(IAMOperations.service, IAMOperations.listAttachedRolePolicies, ["RoleName": .string(id)], key: "AttachedPolicies")
                    .compactMap({ $0["PolicyArn"]?.stringValue }) {
                    _ = try await client.call(IAMOperations.service, IAMOperations.detachRolePolicy, ["RoleName": .string(id), "PolicyArn": .string(arn)])
                }
                for name in try await client.all(IAMOperations.service, IAMOperations.listRolePolicies, ["RoleName": .string(id)], key: "PolicyNames")
                    .compactMap(\.stringValue) {
                    _ = try await client.call(IAMOperations.service, IAMOperations.deleteRolePolicy, ["RoleName": .string(id), "PolicyName": .string(name)])
                }
                _ = try await client.call(IAMOperations.service, IAMOperations.deleteRole, ["RoleName": .string(id)])
            case "aws-native:iam:RolePolicy":
                let parts = id.split(separator: "|", maxSplits: 1).map(String.init)
                _ = try await client.call(IAMOperations.service, IAMOperations.deleteRolePolicy, ["RoleName": .string(parts.last ?? ""), "PolicyName": .string(parts.first ?? "")])
            case "aws-native:lambda:Function":
                _ = try await client.call(LambdaOperations.service, LambdaOperations.deleteFunction, ["FunctionName": .string(id)])
            case "aws-native:lambda:Permission":
                let parts = id.split(separator: "|", maxSplits: 1).map(String.init)
                _ = try await client.call(LambdaOperations.service, LambdaOperations.removePermission, ["FunctionName": .string(parts.first ?? ""),
                                                                                                       "StatementId": .string(parts.last ?? "")])
            case "aws-native:sns:Topic":
                _ = try await client.call(SNSOperations.service, SNSOperations.deleteTopic, ["TopicArn": .string(id)])
            case "aws-native:s3:Bucket":
                _ = try await client.call(S3Operations.service, S3Operations.deleteBucket, ["Bucket": .string(id)])
            default:
                throw AWSError.invalidInput(operation: "delete", reason: "\(type) is not supported here")
            }
        } catch where Self.gone(error) {
            return
        }
    }
}

/// Retries a call that IAM's eventual consistency refuses ("cannot be assumed", a role not yet
/// visible), with backoff, as CloudFormation does: up to about 40 seconds.
enum IAMConsistency {
    static func retry<T>(_ body: () async throws -> T) async throws -> T {
        var delay: UInt64 = 500_000_000
        for attempt in 1...8 {
            do {
                return try await body()
            } catch let error as AWSError where attempt < 8 && isPropagationError(error) {
                try await Task.sleep(nanoseconds: delay)
                delay = min(delay * 2, 8_000_000_000)
            }
        }
        return try await body()
    }

    static func isPropagationError(_ error: AWSError) -> Bool {
        guard case .service(_, _, let code, let message, _) = error else { return false }
        let lower = message.lowercased()
        return code == "InvalidParameterValueException" && (lower.contains("cannot be assumed") || lower.contains("role") && lower.contains("not"))
    }
}

/// The naming conversions the providers apply, for tests.
public enum SupportingResourceProviderNames {
    public static func acl(_ name: String) -> String { SupportingResourceProvider.cannedACL(name) }
    public static func check(_ name: String) -> String { IoTResourceProvider.checkName(name) }
}
