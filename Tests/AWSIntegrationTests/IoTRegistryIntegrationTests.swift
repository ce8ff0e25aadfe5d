import AWSCore
import AWSServices
import Foundation
import TestSupport
import Testing

/// The rest of the IoT registry operations moto implements.
@Suite struct IoTRegistryIntegrationTests {
    let iot = IoTOperations.self

    @Test func thingTypeAndGroupLifecycle() async throws {
        let client = try Sandbox.client()
        let type = Sandbox.unique("tt"), group = Sandbox.unique("tg"), child = Sandbox.unique("tg-child"), thing = Sandbox.unique("t")
        _ = try await client.call(iot.service, iot.createThingType, ["thingTypeName": .string(type),
                                                                     "thingTypeProperties": ["thingTypeDescription": "gateways"]])
        let described = try await client.call(iot.service, iot.describeThingType, ["thingTypeName": .string(type)])
        #expect(described["thingTypeProperties"]?["thingTypeDescription"] == "gateways")
        let types = try await client.all(iot.service, iot.listThingTypes, [:])
        #expect(types.contains { $0["thingTypeName"]?.stringValue == type })
        _ = try await client.call(iot.service, iot.deprecateThingType, ["thingTypeName": .string(type)])
        // Deprecated, as AWS records it; deleting it waits out AWS's period (the provider does,
        // and ProvisioningAndAuditTypesTests checks the sandbox refuses an early delete).
        let deprecated = try await client.call(iot.service, iot.describeThingType, ["thingTypeName": .string(type)])
        #expect(deprecated["thingTypeMetadata"]?["deprecated"] == true)

        _ = try await client.call(iot.service, iot.createThingGroup, ["thingGroupName": .string(group)])
        _ = try await client.call(iot.service, iot.createThingGroup, ["thingGroupName": .string(child), "parentGroupName": .string(group)])
        _ = try await client.call(iot.service, iot.updateThingGroup, ["thingGroupName": .string(group),
                                                                      "thingGroupProperties": ["thingGroupDescription": "fleet"]])
        let groupInfo = try await client.call(iot.service, iot.describeThingGroup, ["thingGroupName": .string(group)])
        #expect(groupInfo["thingGroupProperties"]?["thingGroupDescription"] == "fleet")
        let childInfo = try await client.call(iot.service, iot.describeThingGroup, ["thingGroupName": .string(child)])
        #expect(childInfo["thingGroupMetadata"]?["parentGroupName"]?.stringValue == group)
        let groups = try await client.all(iot.service, iot.listThingGroups, [:])
        #expect(groups.contains { $0["groupName"]?.stringValue == child })
        _ = try await client.call(iot.service, iot.createThing, ["thingName": .string(thing)])
        _ = try await client.call(iot.service, iot.updateThing, ["thingName": .string(thing), "attributePayload": ["attributes": ["fw": "1.2"]]])
        #expect(try await client.call(iot.service, iot.describeThing, ["thingName": .string(thing)])["attributes"]?["fw"] == "1.2")
        _ = try await client.call(iot.service, iot.addThingToThingGroup, ["thingGroupName": .string(child), "thingName": .string(thing)])
        _ = try await client.call(iot.service, iot.removeThingFromThingGroup, ["thingGroupName": .string(child), "thingName": .string(thing)])
        #expect(try await client.all(iot.service, iot.listThingsInThingGroup, ["thingGroupName": .string(child)]).isEmpty)
        _ = try await client.call(iot.service, iot.deleteThingGroup, ["thingGroupName": .string(child)])
        _ = try await client.call(iot.service, iot.deleteThingGroup, ["thingGroupName": .string(group)])
    }

    @Test func policyVersionsAndTargets() async throws {
        let client = try Sandbox.client()
        let policy = Sandbox.unique("p")
        let document = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]}"#
        _ = try await client.call(iot.service, iot.createPolicy, ["policyName": .string(policy), "policyDocument": .string(document)])
        _ = try await client.call(iot.service, iot.createPolicyVersion, ["policyName": .string(policy), "policyDocument": .string(document)])
        _ = try await client.call(iot.service, iot.setDefaultPolicyVersion, ["policyName": .string(policy), "policyVersionId": "2"])
        let got = try await client.call(iot.service, iot.getPolicy, ["policyName": .string(policy)])
        #expect(got["defaultVersionId"] == "2")
        let version = try await client.call(iot.service, iot.getPolicyVersion, ["policyName": .string(policy), "policyVersionId": "1"])
        #expect(version["isDefaultVersion"] == false)
        _ = try await client.call(iot.service, iot.deletePolicyVersion, ["policyName": .string(policy), "policyVersionId": "1"])
        let cert = try await client.call(iot.service, iot.createKeysAndCertificate, ["setAsActive": true])
        let arn = try #require(cert["certificateArn"]?.stringValue)
        _ = try await client.call(iot.service, iot.attachPolicy, ["policyName": .string(policy), "target": .string(arn)])
        let targets = try await client.all(iot.service, iot.listTargetsForPolicy, ["policyName": .string(policy)])
        #expect(targets == [.string(arn)])
        let policies = try await client.all(iot.service, iot.listPolicies, [:])
        #expect(policies.contains { $0["policyName"]?.stringValue == policy })
        _ = try await client.call(iot.service, iot.detachPolicy, ["policyName": .string(policy), "target": .string(arn)])
        _ = try await client.call(iot.service, iot.deletePolicy, ["policyName": .string(policy)])
    }

    @Test func certificateFromCSRAndPrincipalThings() async throws {
        let client = try Sandbox.client()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(Sandbox.unique("csr")).path
        let made = try ProcessRunner.shell("mkdir -p \(folder) && cd \(folder) && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout k.pem -out c.csr -subj /CN=device 2>/dev/null && cat c.csr")
        #expect(made.status == 0)
        let created = try await client.call(iot.service, iot.createCertificateFromCsr, ["certificateSigningRequest": .string(made.stdout), "setAsActive": true])
        let arn = try #require(created["certificateArn"]?.stringValue)
        #expect(created["certificatePem"]?.stringValue?.hasPrefix("-----BEGIN CERTIFICATE-----") == true)
        let thing = Sandbox.unique("csr-thing")
        _ = try await client.call(iot.service, iot.createThing, ["thingName": .string(thing)])
        _ = try await client.call(iot.service, iot.attachThingPrincipal, ["thingName": .string(thing), "principal": .string(arn)])
        let things = try await client.all(iot.service, iot.listPrincipalThings, ["principal": .string(arn)], key: "things")
        #expect(things == [.string(thing)])
    }

    @Test func roleAliasesTopicRulesIndexingAndEndpoint() async throws {
        let client = try Sandbox.client()
        let alias = Sandbox.unique("alias")
        _ = try await client.call(iot.service, iot.createRoleAlias, ["roleAlias": .string(alias), "roleArn": "arn:aws:iam::123456789012:role/tes",
                                                                     "credentialDurationSeconds": 3600])
        _ = try await client.call(iot.service, iot.updateRoleAlias, ["roleAlias": .string(alias), "credentialDurationSeconds": 7200])
        let described = try await client.call(iot.service, iot.describeRoleAlias, ["roleAlias": .string(alias)])
        #expect(described["roleAliasDescription"]?["credentialDurationSeconds"] == 7200)
        #expect(try await client.all(iot.service, iot.listRoleAliases, [:]).contains(.string(alias)))
        _ = try await client.call(iot.service, iot.deleteRoleAlias, ["roleAlias": .string(alias)])

        let rule = "CsrTrigger_" + Sandbox.unique("r").replacingOccurrences(of: "-", with: "_")
        let payload: JSONValue = ["sql": "SELECT * FROM 'lambda/+/csr_res'", "awsIotSqlVersion": "2016-03-23", "ruleDisabled": false,
                                  "actions": [["lambda": ["functionArn": "arn:aws:lambda:us-east-1:123456789012:function:rotate"]]]]
        _ = try await client.call(iot.service, iot.createTopicRule, ["ruleName": .string(rule), "topicRulePayload": payload])
        let got = try await client.call(iot.service, iot.getTopicRule, ["ruleName": .string(rule)])
        #expect(got["rule"]?["sql"] == "SELECT * FROM 'lambda/+/csr_res'")
        _ = try await client.call(iot.service, iot.disableTopicRule, ["ruleName": .string(rule)])
        #expect(try await client.call(iot.service, iot.getTopicRule, ["ruleName": .string(rule)])["rule"]?["ruleDisabled"] == true)
        _ = try await client.call(iot.service, iot.enableTopicRule, ["ruleName": .string(rule)])
        var replaced = payload
        if case .object(var object) = replaced { object["sql"] = "SELECT * FROM 'lambda/+/crt_ack'"; replaced = .object(object) }
        _ = try await client.call(iot.service, iot.replaceTopicRule, ["ruleName": .string(rule), "topicRulePayload": replaced])
        #expect(try await client.call(iot.service, iot.getTopicRule, ["ruleName": .string(rule)])["rule"]?["sql"] == "SELECT * FROM 'lambda/+/crt_ack'")
        #expect(try await client.all(iot.service, iot.listTopicRules, [:], key: "rules").contains { $0["ruleName"]?.stringValue == rule })
        _ = try await client.call(iot.service, iot.deleteTopicRule, ["ruleName": .string(rule)])

        _ = try await client.call(iot.service, iot.updateIndexingConfiguration, ["thingIndexingConfiguration": ["thingIndexingMode": "REGISTRY"]])
        let indexing = try await client.call(iot.service, iot.getIndexingConfiguration)
        #expect(indexing["thingIndexingConfiguration"]?["thingIndexingMode"] == "REGISTRY")
        let thing = Sandbox.unique("indexed")
        _ = try await client.call(iot.service, iot.createThing, ["thingName": .string(thing)])
        let found = try await client.all(iot.service, iot.searchIndex, ["queryString": .string("thingName:\(thing)")], key: "things")
        #expect(found.compactMap { $0["thingName"]?.stringValue } == [thing])
        let endpoint = try await client.call(iot.service, iot.describeEndpoint, ["endpointType": "iot:Data-ATS"])
        // The sandbox's device endpoint, where it listens at AWS IoT's ports.
        #expect(endpoint["endpointAddress"]?.stringValue == ProcessInfo.processInfo.environment["FLEETDECK_DEVICE_ENDPOINT_HOST"])
    }

    @Test func publishToTheDataPlane() async throws {
        let client = try Sandbox.client()
        let answer = try await client.callIoTData(IoTDataPlaneOperations.publish, ["topic": "device/a/csr_req", "qos": 1],
                                                  payload: Array(#"{"csr":"x"}"#.utf8))
        #expect(answer.status == 200)
    }
}
