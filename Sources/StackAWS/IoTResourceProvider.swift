import AWSCore
import AWSServices
import StackEngine
import StackModel
import X509

/// AWS IoT resources: things, thing types and groups, policies (updates as new default
/// versions), role aliases, topic rules, certificates from CSRs, and the classic policy and
/// thing-principal attachments.
public struct IoTResourceProvider: ResourceProvider {
    let client: AWSClient
    let iot = IoTOperations.self
    /// How long AWS wants a thing type deprecated before it deletes it.
    let deprecationPeriod: Double

    public init(client: AWSClient, deprecationPeriod: Double = 300) {
        self.client = client
        self.deprecationPeriod = deprecationPeriod
    }

    public var types: [ResourceType] { AWSResourceTypes.iot }
    public static let tokens = Set(AWSResourceTypes.iot.map(\.token))

    /// `deviceCertificateExpiringCheck` -> `DEVICE_CERTIFICATE_EXPIRING_CHECK` (audit check names).
    static func checkName(_ camel: String) -> String {
        var out = ""
        for character in camel {
            if character.isUppercase, !out.isEmpty { out.append("_") }
            out += character.uppercased()
        }
        return out
    }

    /// aws-native's audit configuration as the API takes it.
    static func auditInput(_ inputs: [String: PropertyValue]) -> JSONObject {
        var checks = JSONObject()
        for (name, value) in inputs["auditCheckConfigurations"]?.plainJSON.objectValue ?? JSONObject() {
            checks[checkName(name)] = value
        }
        var targets = JSONObject()
        for (name, value) in inputs["auditNotificationTargetConfigurations"]?.plainJSON.objectValue ?? JSONObject() {
            targets[name.uppercased()] = value
        }
        var input: JSONObject = ["roleArn": inputs["roleArn"]?.plainJSON ?? .null, "auditCheckConfigurations": .object(checks)]
        if !targets.isEmpty { input["auditNotificationTargetConfigurations"] = .object(targets) }
        return input
    }

    static func templateInput(_ inputs: [String: PropertyValue], name: String) -> JSONObject {
        var input: JSONObject = ["templateName": .string(name), "templateBody": IoTResourceProvider.document(inputs["templateBody"]),
                                 "provisioningRoleArn": inputs["provisioningRoleArn"]?.plainJSON ?? .null]
        for key in ["description", "enabled", "preProvisioningHook"] { if let value = inputs[key] { input[key] = value.plainJSON } }
        if let type = inputs["templateType"] { input["type"] = type.plainJSON }
        return input
    }


    /// A certificate made from a CSR is found again by the CSR's public key (its id is the hash of
    /// a certificate only AWS had when the create's answer was lost); newest first.
    public func identify(type: String, inputs: [String: PropertyValue], createdSince: Double?) async throws -> [String] {
        guard type == "aws-native:iot:Certificate", let csrText = inputs["certificateSigningRequest"]?.stringValue else { return [] }
        let wanted = try CertificateSigningRequest(pemEncoded: csrText).publicKey
        var found: [String] = []
        for summary in try await client.all(iot.service, iot.listCertificates, ["ascendingOrder": false], key: "certificates") {
            guard let id = summary["certificateId"]?.stringValue else { continue }
            if let createdSince, let created = summary["creationDate"]?.doubleValue, created < createdSince { continue }
            let answer: AWSResponse
            do {
                answer = try await call(iot.describeCertificate, ["certificateId": .string(id)])
            } catch where Self.notFound(error) {
                continue  // deleted since the listing
            }
            guard let pem = answer["certificateDescription"]?["certificatePem"]?.stringValue, let certificate = try? Certificate(pemEncoded: pem) else { continue }
            if certificate.publicKey == wanted { found.append(id) }
        }
        return found
    }

    func call(_ operation: AWSOperation, _ input: JSONObject) async throws -> AWSResponse {
        try await client.call(iot.service, operation, input)
    }

    static func json(_ value: PropertyValue?) -> JSONValue { value?.plainJSON ?? .null }

    /// A policy document as IoT wants it: a JSON string (an object is serialized).
    static func document(_ value: PropertyValue?) -> JSONValue {
        guard let value else { return .null }
        if case .string(let text) = value.revealed { return .string(text) }
        return .string(value.plainJSON.serialized())
    }

    static func string(_ value: JSONValue?) -> PropertyValue? { value?.stringValue.map(PropertyValue.string) }

    public func create(type: String, name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        switch type {
        case "aws-native:iot:Thing":
            let thingName = inputs["thingName"]?.stringValue ?? name
            var input: JSONObject = ["thingName": .string(thingName)]
            if let attributes = inputs["attributePayload"] { input["attributePayload"] = Self.json(attributes) }
            let answer = try await call(iot.createThing, input)
            return (thingName, ["thingName": .string(thingName), "arn": Self.string(answer["thingArn"]) ?? .null,
                                "id": Self.string(answer["thingId"]) ?? .null, "attributePayload": inputs["attributePayload"] ?? .null])
        case "aws-native:iot:ThingType":
            let thingTypeName = inputs["thingTypeName"]?.stringValue ?? name
            var input: JSONObject = ["thingTypeName": .string(thingTypeName)]
            if let properties = inputs["thingTypeProperties"] { input["thingTypeProperties"] = Self.json(properties) }
            let answer = try await call(iot.createThingType, input)
            if inputs["deprecateThingType"] == .bool(true) {
                _ = try await call(iot.deprecateThingType, ["thingTypeName": .string(thingTypeName)])
            }
            return (thingTypeName, outputs(inputs, ["thingTypeName": .string(thingTypeName), "arn": Self.string(answer["thingTypeArn"]) ?? .null,
                                                    "id": Self.string(answer["thingTypeId"]) ?? .null]))
        case "aws-native:iot:ThingGroup":
            let groupName = inputs["thingGroupName"]?.stringValue ?? name
            var input: JSONObject = ["thingGroupName": .string(groupName)]
            if let parent = inputs["parentGroupName"] { input["parentGroupName"] = Self.json(parent) }
            if let properties = inputs["thingGroupProperties"] { input["thingGroupProperties"] = Self.json(properties) }
            let answer = try await call(iot.createThingGroup, input)
            return (groupName, outputs(inputs, ["thingGroupName": .string(groupName), "arn": Self.string(answer["thingGroupArn"]) ?? .null,
                                                "id": Self.string(answer["thingGroupId"]) ?? .null]))
        case "aws-native:iot:Policy":
            let policyName = inputs["policyName"]?.stringValue ?? name
            let answer = try await call(iot.createPolicy, ["policyName": .string(policyName), "policyDocument": Self.document(inputs["policyDocument"])])
            return (policyName, outputs(inputs, ["policyName": .string(policyName), "arn": Self.string(answer["policyArn"]) ?? .null,
                                                 "id": .string(policyName)]))
        case "aws-native:iot:RoleAlias":
            let alias = inputs["roleAlias"]?.stringValue ?? name
            var input: JSONObject = ["roleAlias": .string(alias), "roleArn": Self.json(inputs["roleArn"])]
            if let duration = inputs["credentialDurationSeconds"] { input["credentialDurationSeconds"] = Self.json(duration) }
            let answer = try await call(iot.createRoleAlias, input)
            return (alias, outputs(inputs, ["roleAlias": .string(alias), "roleAliasArn": Self.string(answer["roleAliasArn"]) ?? .null]))
        case "aws-native:iot:TopicRule":
            let ruleName = inputs["ruleName"]?.stringValue ?? name
            _ = try await call(iot.createTopicRule, ["ruleName": .string(ruleName), "topicRulePayload": Self.json(inputs["topicRulePayload"])])
            let described = try await call(iot.getTopicRule, ["ruleName": .string(ruleName)])
            return (ruleName, outputs(inputs, ["ruleName": .string(ruleName), "arn": Self.string(described["ruleArn"]) ?? .null]))
        case "aws-native:iot:Certificate":
            guard let csr = inputs["certificateSigningRequest"]?.stringValue else {
                throw AWSError.invalidInput(operation: "CreateCertificateFromCsr", reason: "certificateSigningRequest is required (Fleetdeck creates certificates from CSRs)")
            }
            let answer = try await call(iot.createCertificateFromCsr, ["certificateSigningRequest": .string(csr),
                                                                       "setAsActive": .bool(inputs["status"]?.stringValue == "ACTIVE")])
            let id = answer["certificateId"]?.stringValue ?? ""
            return (id, outputs(inputs, ["arn": Self.string(answer["certificateArn"]) ?? .null, "id": .string(id),
                                         "certificatePem": Self.string(answer["certificatePem"]) ?? .null]))
        case "aws-native:iot:ProvisioningTemplate":
            let template = inputs["templateName"]?.stringValue ?? name
            let answer = try await call(iot.createProvisioningTemplate, Self.templateInput(inputs, name: template))
            return (template, outputs(inputs, ["templateName": .string(template), "templateArn": Self.string(answer["templateArn"]) ?? .null]))
        case "aws-native:iot:AccountAuditConfiguration":
            _ = try await call(iot.updateAccountAuditConfiguration, Self.auditInput(inputs))
            return (inputs["accountId"]?.stringValue ?? name, inputs)
        case "aws-native:iot:ScheduledAudit":
            let audit = inputs["scheduledAuditName"]?.stringValue ?? name
            var input: JSONObject = ["scheduledAuditName": .string(audit), "frequency": inputs["frequency"]?.plainJSON ?? .null,
                                     "targetCheckNames": inputs["targetCheckNames"]?.plainJSON ?? .array([])]
            for key in ["dayOfMonth", "dayOfWeek"] { if let value = inputs[key] { input[key] = value.plainJSON } }
            let answer = try await call(iot.createScheduledAudit, input)
            return (audit, outputs(inputs, ["scheduledAuditName": .string(audit), "scheduledAuditArn": Self.string(answer["scheduledAuditArn"]) ?? .null]))
        case "aws:iot/policyAttachment:PolicyAttachment":
            let (policy, target) = try pair(inputs, "policy", "target")
            _ = try await call(iot.attachPolicy, ["policyName": .string(policy), "target": .string(target)])
            return ("\(policy)|\(target)", inputs)
        case "aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment":
            let (thing, principal) = try pair(inputs, "thing", "principal")
            _ = try await call(iot.attachThingPrincipal, ["thingName": .string(thing), "principal": .string(principal)])
            return ("\(thing)|\(principal)", inputs)
        default:
            throw AWSError.invalidInput(operation: "create", reason: "\(type) is not an IoT type")
        }
    }

    func pair(_ inputs: [String: PropertyValue], _ a: String, _ b: String) throws -> (String, String) {
        guard let first = inputs[a]?.stringValue, let second = inputs[b]?.stringValue else {
            throw AWSError.invalidInput(operation: "attach", reason: "'\(a)' and '\(b)' are required")
        }
        return (first, second)
    }

    /// Inputs plus what the cloud computed.
    func outputs(_ inputs: [String: PropertyValue], _ computed: [String: PropertyValue]) -> [String: PropertyValue] {
        inputs.merging(computed.filter { $0.value != .null }) { _, new in new }
    }

    static func notFound(_ error: any Error) -> Bool {
        guard let error = error as? AWSError else { return false }
        return error.code == "ResourceNotFoundException" || error.code == "NotFoundException"
    }

    public func read(type: String, id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        do {
            switch type {
            case "aws-native:iot:Thing":
                let answer = try await call(iot.describeThing, ["thingName": .string(id)])
                var result: [String: PropertyValue] = ["thingName": .string(id), "arn": Self.string(answer["thingArn"]) ?? .null,
                                                       "id": Self.string(answer["thingId"]) ?? .null]
                let attributes = answer["attributes"].map(PropertyValue.init(json:)) ?? .object([:])
                if attributes != .object([:]) || inputs["attributePayload"] != nil { result["attributePayload"] = .object(["attributes": attributes]) }
                return result
            case "aws-native:iot:ThingType":
                let answer = try await call(iot.describeThingType, ["thingTypeName": .string(id)])
                var live = LiveValues(inputs: inputs)
                live.output("thingTypeName", .string(id))
                live.output("arn", Self.string(answer["thingTypeArn"]))
                live.output("id", Self.string(answer["thingTypeId"]))
                let properties = answer["thingTypeProperties"]?.objectValue ?? [:]
                live.set("thingTypeProperties", properties.isEmpty ? nil : LiveValues.members(properties, like: inputs["thingTypeProperties"]))
                live.set("deprecateThingType", answer["thingTypeMetadata"]?["deprecated"].map(PropertyValue.init(json:)), default: .bool(false))
                return live.values
            case "aws-native:iot:ThingGroup":
                let answer = try await call(iot.describeThingGroup, ["thingGroupName": .string(id)])
                var live = LiveValues(inputs: inputs)
                live.output("thingGroupName", .string(id))
                live.output("arn", Self.string(answer["thingGroupArn"]))
                live.output("id", Self.string(answer["thingGroupId"]))
                var properties = answer["thingGroupProperties"]?.objectValue ?? [:]
                if properties["attributePayload"]?["attributes"]?.objectValue?.isEmpty ?? true { properties["attributePayload"] = nil }
                live.set("thingGroupProperties", properties.isEmpty ? nil : LiveValues.members(properties, like: inputs["thingGroupProperties"],
                                                                                                always: ["thingGroupDescription", "attributePayload"]))
                return live.values
            case "aws-native:iot:Policy":
                let answer = try await call(iot.getPolicy, ["policyName": .string(id)])
                var result = outputs(inputs, ["policyName": .string(id), "arn": Self.string(answer["policyArn"]) ?? .null, "id": .string(id)])
                if let text = answer["policyDocument"]?.stringValue, let parsed = try? JSONValue.parse(text) {
                    result["policyDocument"] = inputs["policyDocument"].map { if case .string = $0.revealed { return .string(text) }; return PropertyValue(json: parsed) }
                        ?? PropertyValue(json: parsed)
                }
                return result
            case "aws-native:iot:RoleAlias":
                let answer = try await call(iot.describeRoleAlias, ["roleAlias": .string(id)])
                let description = answer["roleAliasDescription"]
                return outputs(inputs, ["roleAlias": .string(id), "roleAliasArn": Self.string(description?["roleAliasArn"]) ?? .null,
                                        "roleArn": Self.string(description?["roleArn"]) ?? .null,
                                        "credentialDurationSeconds": description?["credentialDurationSeconds"].map(PropertyValue.init(json:)) ?? .null])
            case "aws-native:iot:TopicRule":
                let answer = try await call(iot.getTopicRule, ["ruleName": .string(id)])
                var live = LiveValues(inputs: inputs)
                live.output("ruleName", .string(id))
                live.output("arn", Self.string(answer["ruleArn"]))
                live.set("topicRulePayload", answer["rule"]?.objectValue.map { LiveValues.members($0, like: inputs["topicRulePayload"], always: ["sql", "actions"]) })
                return live.values
            case "aws-native:iot:Certificate":
                let answer = try await call(iot.describeCertificate, ["certificateId": .string(id)])
                let description = answer["certificateDescription"]
                var live = LiveValues(inputs: inputs)
                live.output("arn", Self.string(description?["certificateArn"]))
                live.output("id", .string(id))
                live.output("certificatePem", Self.string(description?["certificatePem"]))
                live.set("status", Self.string(description?["status"]))
                return live.values
            case "aws-native:iot:ProvisioningTemplate":
                let answer = try await call(iot.describeProvisioningTemplate, ["templateName": .string(id)])
                var live = LiveValues(inputs: inputs)
                live.output("templateName", .string(id))
                live.output("templateArn", Self.string(answer["templateArn"]))
                live.set("templateBody", LiveValues.document(answer["templateBody"]?.stringValue, like: inputs["templateBody"]))
                live.set("enabled", answer["enabled"].map(PropertyValue.init(json:)), default: .bool(false))
                live.set("provisioningRoleArn", Self.string(answer["provisioningRoleArn"]))
                live.set("description", Self.string(answer["description"]))
                live.set("preProvisioningHook", answer["preProvisioningHook"]?.objectValue.map { LiveValues.members($0, like: inputs["preProvisioningHook"], always: ["targetArn"]) })
                return live.values
            case "aws-native:iot:AccountAuditConfiguration":
                let answer = try await call(iot.describeAccountAuditConfiguration, [:])
                guard answer["roleArn"]?.stringValue != nil else { return nil }
                var live = LiveValues(inputs: inputs)
                live.set("roleArn", Self.string(answer["roleArn"]))
                // Each check the program names, with AWS's enabled flag (checks it leaves out are AWS's business).
                let checks = answer["auditCheckConfigurations"]?.objectValue ?? [:]
                var configured: [String: PropertyValue] = [:]
                for (name, _) in inputs["auditCheckConfigurations"]?.plainJSON.objectValue ?? [:] {
                    configured[name] = .object(["enabled": .bool(checks[Self.checkName(name)]?["enabled"]?.boolValue ?? false)])
                }
                live.set("auditCheckConfigurations", .object(configured))
                if let sns = answer["auditNotificationTargetConfigurations"]?["SNS"]?.objectValue {
                    live.set("auditNotificationTargetConfigurations", .object(["sns": LiveValues.members(sns, like: inputs["auditNotificationTargetConfigurations"]?["sns"])]))
                } else {
                    live.set("auditNotificationTargetConfigurations", nil)
                }
                return live.values
            case "aws-native:iot:ScheduledAudit":
                let answer = try await call(iot.describeScheduledAudit, ["scheduledAuditName": .string(id)])
                var live = LiveValues(inputs: inputs)
                live.output("scheduledAuditName", .string(id))
                live.output("scheduledAuditArn", Self.string(answer["scheduledAuditArn"]))
                live.set("frequency", Self.string(answer["frequency"]))
                live.set("dayOfWeek", Self.string(answer["dayOfWeek"]))
                live.set("dayOfMonth", Self.string(answer["dayOfMonth"]))
                live.set("targetCheckNames", LiveValues.list((answer["targetCheckNames"]?.arrayValue ?? []).map(PropertyValue.init(json:)),
                                                              like: inputs["targetCheckNames"]))
                return live.values
            case "aws:iot/policyAttachment:PolicyAttachment":
                let parts = id.split(separator: "|", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { return nil }
                let attached = try await client.all(iot.service, iot.listAttachedPolicies, ["target": .string(parts[1])])
                return attached.contains { $0["policyName"]?.stringValue == parts[0] } ? ["policy": .string(parts[0]), "target": .string(parts[1])] : nil
            case "aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment":
                let parts = id.split(separator: "|", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { return nil }
                let principals = try await client.all(iot.service, iot.listThingPrincipals, ["thingName": .string(parts[0])], key: "principals")
                return principals.contains(.string(parts[1])) ? ["thing": .string(parts[0]), "principal": .string(parts[1])] : nil
            default:
                return nil
            }
        } catch where Self.notFound(error) {
            return nil
        }
    }

    public func update(type: String, id: String, old: ResourceState, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue] {
        switch type {
        case "aws-native:iot:Thing":
            var payload = Self.json(inputs["attributePayload"] ?? .object(["attributes": .object([:])]))
            if case .object(var object) = payload {
                // Attributes removed from the program are removed from the thing.
                var attributes = object["attributes"]?.objectValue ?? JSONObject()
                for key in (old.inputs["attributePayload"]?["attributes"]?.plainJSON.objectValue ?? JSONObject()).keys where attributes[key] == nil {
                    attributes[key] = ""
                }
                object["attributes"] = .object(attributes)
                object["merge"] = true
                payload = .object(object)
            }
            _ = try await call(iot.updateThing, ["thingName": .string(id), "attributePayload": payload])
        case "aws-native:iot:ThingType":
            let deprecate = inputs["deprecateThingType"] == .bool(true)
            if deprecate != (old.inputs["deprecateThingType"] == .bool(true)) {
                _ = try await call(iot.deprecateThingType, ["thingTypeName": .string(id), "undoDeprecate": .bool(!deprecate)])
            }
        case "aws-native:iot:ThingGroup":
            _ = try await call(iot.updateThingGroup, ["thingGroupName": .string(id),
                                                      "thingGroupProperties": Self.json(inputs["thingGroupProperties"] ?? .object([:]))])
        case "aws-native:iot:Policy":
            try await pruneVersions(id)
            _ = try await call(iot.createPolicyVersion, ["policyName": .string(id), "policyDocument": Self.document(inputs["policyDocument"]),
                                                         "setAsDefault": true])
        case "aws-native:iot:RoleAlias":
            var input: JSONObject = ["roleAlias": .string(id)]
            if let arn = inputs["roleArn"] { input["roleArn"] = Self.json(arn) }
            if let duration = inputs["credentialDurationSeconds"] { input["credentialDurationSeconds"] = Self.json(duration) }
            _ = try await call(iot.updateRoleAlias, input)
        case "aws-native:iot:TopicRule":
            _ = try await call(iot.replaceTopicRule, ["ruleName": .string(id), "topicRulePayload": Self.json(inputs["topicRulePayload"])])
        case "aws-native:iot:ProvisioningTemplate":
            // The body is versioned: a new default version, then the template's own settings.
            if inputs["templateBody"] != old.inputs["templateBody"] {
                let versions = try await call(iot.listProvisioningTemplateVersions, ["templateName": .string(id)])["versions"]?.arrayValue ?? []
                let old = versions.filter { $0["isDefaultVersion"]?.boolValue != true }
                for version in old.prefix(max(0, versions.count - 4)) {
                    _ = try await call(iot.deleteProvisioningTemplateVersion, ["templateName": .string(id), "versionId": version["versionId"] ?? .null])
                }
                _ = try await call(iot.createProvisioningTemplateVersion, ["templateName": .string(id), "templateBody": Self.document(inputs["templateBody"]),
                                                                           "setAsDefault": true])
            }
            var input: JSONObject = ["templateName": .string(id)]
            for key in ["description", "enabled", "provisioningRoleArn", "preProvisioningHook"] { if let value = inputs[key] { input[key] = value.plainJSON } }
            if old.inputs["preProvisioningHook"] != nil && inputs["preProvisioningHook"] == nil { input["removePreProvisioningHook"] = true }
            _ = try await call(iot.updateProvisioningTemplate, input)
        case "aws-native:iot:AccountAuditConfiguration":
            _ = try await call(iot.updateAccountAuditConfiguration, Self.auditInput(inputs))
        case "aws-native:iot:ScheduledAudit":
            var input: JSONObject = ["scheduledAuditName": .string(id)]
            for key in ["frequency", "targetCheckNames", "dayOfMonth", "dayOfWeek"] { if let value = inputs[key] { input[key] = value.plainJSON } }
            _ = try await call(iot.updateScheduledAudit, input)
        case "aws-native:iot:Certificate":
            if let status = inputs["status"]?.stringValue {
                _ = try await call(iot.updateCertificate, ["certificateId": .string(id), "newStatus": .string(status)])
            }
        default:
            throw AWSError.invalidInput(operation: "update", reason: "\(type) is replaced, not updated")
        }
        return try await read(type: type, id: id, inputs: inputs).map { outputs(inputs, $0) } ?? inputs
    }

    /// IoT keeps at most 5 versions of a policy: delete the oldest non-default ones first.
    func pruneVersions(_ policy: String) async throws {
        let versions = try await call(iot.listPolicyVersions, ["policyName": .string(policy)])["policyVersions"]?.arrayValue ?? []
        let removable = versions.filter { $0["isDefaultVersion"]?.boolValue != true }
            .sorted { Int($0["versionId"]?.stringValue ?? "0") ?? 0 < Int($1["versionId"]?.stringValue ?? "0") ?? 0 }
        for version in removable.prefix(max(0, versions.count - 4)) {
            _ = try await call(iot.deletePolicyVersion, ["policyName": .string(policy), "policyVersionId": version["versionId"] ?? .null])
        }
    }

    public func delete(type: String, id: String, old: ResourceState) async throws {
        do {
            switch type {
            case "aws-native:iot:Thing": _ = try await call(iot.deleteThing, ["thingName": .string(id)])
            case "aws-native:iot:ThingType": try await deleteThingType(id)
            case "aws-native:iot:ThingGroup": _ = try await call(iot.deleteThingGroup, ["thingGroupName": .string(id)])
            case "aws-native:iot:Policy":
                let versions = try await call(iot.listPolicyVersions, ["policyName": .string(id)])["policyVersions"]?.arrayValue ?? []
                for version in versions where version["isDefaultVersion"]?.boolValue != true {
                    _ = try await call(iot.deletePolicyVersion, ["policyName": .string(id), "policyVersionId": version["versionId"] ?? .null])
                }
                _ = try await call(iot.deletePolicy, ["policyName": .string(id)])
            case "aws-native:iot:RoleAlias": _ = try await call(iot.deleteRoleAlias, ["roleAlias": .string(id)])
            case "aws-native:iot:TopicRule": _ = try await call(iot.deleteTopicRule, ["ruleName": .string(id)])
            case "aws-native:iot:Certificate":
                _ = try? await call(iot.updateCertificate, ["certificateId": .string(id), "newStatus": "INACTIVE"])
                _ = try await call(iot.deleteCertificate, ["certificateId": .string(id)])
            case "aws-native:iot:ProvisioningTemplate":
                _ = try await call(iot.deleteProvisioningTemplate, ["templateName": .string(id)])
            case "aws-native:iot:AccountAuditConfiguration":
                // As CloudFormation does: deleting the resource disables every check.
                var disabled = JSONObject()
                for (name, _) in old.inputs["auditCheckConfigurations"]?.plainJSON.objectValue ?? JSONObject() {
                    disabled[Self.checkName(name)] = ["enabled": false]
                }
                _ = try await call(iot.updateAccountAuditConfiguration, ["roleArn": old.inputs["roleArn"]?.plainJSON ?? .null,
                                                                         "auditCheckConfigurations": .object(disabled)])
            case "aws-native:iot:ScheduledAudit":
                _ = try await call(iot.deleteScheduledAudit, ["scheduledAuditName": .string(id)])
            case "aws:iot/policyAttachment:PolicyAttachment":
                let (policy, target) = try pair(old.inputs, "policy", "target")
                _ = try await call(iot.detachPolicy, ["policyName": .string(policy), "target": .string(target)])
            case "aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment":
                let (thing, principal) = try pair(old.inputs, "thing", "principal")
                _ = try await call(iot.detachThingPrincipal, ["thingName": .string(thing), "principal": .string(principal)])
            default:
                throw AWSError.invalidInput(operation: "delete", reason: "\(type) is not an IoT type")
            }
        } catch where Self.notFound(error) {
            return  // already gone
        }
    }
}
