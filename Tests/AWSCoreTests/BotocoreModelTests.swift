import AWSCore
import AWSServices
import Foundation
import TestSupport
import Testing

/// For the operations moto lacks (provisioning templates, audit configuration, scheduled
/// audits, tagging, Greengrass V2), the request the encoder builds is checked against botocore's model of the
/// operation, read independently with botocore itself: method, path, query, body members,
/// required members and headers.
@Suite struct BotocoreModelTests {
    struct ModelOperation: Decodable {
        var method: String
        var requestUri: String
        var members: [String: Member]
        var required: [String]
        var payload: String?
        struct Member: Decodable { var location: String; var locationName: String }
    }

    static let models: [String: ModelOperation] = {
        let script = """
        import botocore.session, json, sys
        session = botocore.session.get_session()
        out = {}
        for service, name in [a.split('.') for a in sys.argv[1:]]:
            op = session.get_service_model(service).operation_model(name)
            members = {}
            shape = op.input_shape
            for member_name, member in (shape.members.items() if shape else []):
                location = member.serialization.get('location', 'body')
                members[member_name] = {'location': location, 'locationName': member.serialization.get('name', member_name)}
            out[service + '.' + name] = {'method': op.http['method'], 'requestUri': op.http['requestUri'], 'members': members,
                                         'required': (shape.required_members if shape else []),
                                         'payload': shape.serialization.get('payload') if shape else None}
        print(json.dumps(out))
        """
        let names = cases.map { "\($0.service).\($0.operation.name)" }
        let result = try? ProcessRunner.run("/usr/bin/env", ["python3", "-c", script] + names)
        return (try? JSONDecoder().decode([String: ModelOperation].self, from: Data((result?.stdout ?? "").utf8))) ?? [:]
    }()

    struct Case: CustomStringConvertible, Sendable {
        var service: String
        var operation: AWSOperation
        var input: JSONObject
        var description: String { operation.name }
    }

    static let iot = IoTOperations.self
    static let role = JSONValue.string("arn:aws:iam::123456789012:role/fleet")
    static let cases: [Case] = [
        Case(service: "iot", operation: iot.createProvisioningTemplate, input: [
            "templateName": "GreengrassFleetProvisioningTemplate", "templateBody": "{\"Parameters\":{}}", "provisioningRoleArn": role,
            "enabled": true, "type": "FLEET_PROVISIONING",
            "preProvisioningHook": ["payloadVersion": "2020-04-01", "targetArn": "arn:aws:lambda:us-east-1:123456789012:function:hook"]]),
        Case(service: "iot", operation: iot.describeProvisioningTemplate, input: ["templateName": "t"]),
        Case(service: "iot", operation: iot.startOnDemandAuditTask, input: ["targetCheckNames": ["DEVICE_CERTIFICATE_EXPIRING_CHECK"]]),
        Case(service: "iot", operation: iot.describeAuditTask, input: ["taskId": "0123456789abcdef"]),
        Case(service: "iot", operation: iot.listAuditTasks, input: ["startTime": "2026-11-06T00:00:00Z", "endTime": "2026-12-06T00:00:00Z"]),
        Case(service: "iot", operation: iot.listAuditFindings, input: ["taskId": "0123456789abcdef", "listSuppressedFindings": true]),
        Case(service: "iot", operation: iot.describeEventConfigurations, input: [:]),
        Case(service: "iot", operation: iot.listJobs, input: ["status": "IN_PROGRESS", "namespaceId": "aws-gg-deployment", "thingGroupName": "g", "maxResults": 50]),
        Case(service: "iot", operation: iot.describeJob, input: ["jobId": "j"]),
        Case(service: "iot", operation: iot.listJobExecutionsForJob, input: ["jobId": "j", "maxResults": 100]),
        Case(service: "iot", operation: iot.describeJobExecution, input: ["jobId": "j", "thingName": "t"]),
        Case(service: "iot", operation: iot.cancelJob, input: ["jobId": "j", "force": true, "comment": "wrong image"]),
        Case(service: "iot", operation: iot.cancelJobExecution, input: ["jobId": "j", "thingName": "t", "force": false]),
        Case(service: "iot", operation: iot.updateEventConfigurations, input: ["eventConfigurations": ["THING": ["Enabled": true]]]),
        Case(service: "iot", operation: iot.updateProvisioningTemplate, input: ["templateName": "t", "enabled": false, "defaultVersionId": 2]),
        Case(service: "iot", operation: iot.deleteProvisioningTemplate, input: ["templateName": "t"]),
        Case(service: "iot", operation: iot.listProvisioningTemplates, input: ["maxResults": 10, "nextToken": "abc"]),
        Case(service: "iot", operation: iot.createProvisioningTemplateVersion, input: ["templateName": "t", "templateBody": "{}", "setAsDefault": true]),
        Case(service: "iot", operation: iot.listProvisioningTemplateVersions, input: ["templateName": "t", "maxResults": 5]),
        Case(service: "iot", operation: iot.deleteProvisioningTemplateVersion, input: ["templateName": "t", "versionId": 3]),
        Case(service: "iot", operation: iot.describeAccountAuditConfiguration, input: [:]),
        Case(service: "iot", operation: iot.updateAccountAuditConfiguration, input: [
            "roleArn": role,
            "auditNotificationTargetConfigurations": ["SNS": ["targetArn": "arn:aws:sns:us-east-1:123456789012:device_certificate_expiring", "roleArn": role, "enabled": true]],
            "auditCheckConfigurations": ["DEVICE_CERTIFICATE_EXPIRING_CHECK": ["enabled": true]]]),
        Case(service: "iot", operation: iot.deleteAccountAuditConfiguration, input: ["deleteScheduledAudits": true]),
        Case(service: "iot", operation: iot.createScheduledAudit, input: [
            "scheduledAuditName": "IoTDeviceDefenderDailyAudit", "frequency": "DAILY", "targetCheckNames": ["DEVICE_CERTIFICATE_EXPIRING_CHECK"]]),
        Case(service: "iot", operation: iot.describeScheduledAudit, input: ["scheduledAuditName": "IoTDeviceDefenderDailyAudit"]),
        Case(service: "iot", operation: iot.updateScheduledAudit, input: ["scheduledAuditName": "a", "frequency": "WEEKLY", "dayOfWeek": "MON"]),
        Case(service: "iot", operation: iot.deleteScheduledAudit, input: ["scheduledAuditName": "a"]),
        Case(service: "iot", operation: iot.listScheduledAudits, input: ["maxResults": 10]),
        Case(service: "iot", operation: iot.tagResource, input: ["resourceArn": "arn:aws:iot:us-east-1:123456789012:thinggroup/g",
                                                                  "tags": [["Key": "stack", "Value": "dev"]]]),
        Case(service: "iot", operation: iot.untagResource, input: ["resourceArn": "arn:aws:iot:us-east-1:123456789012:thinggroup/g", "tagKeys": ["stack", "owner"]]),
        Case(service: "iot", operation: iot.listTagsForResource, input: ["resourceArn": "arn:aws:iot:us-east-1:123456789012:thinggroup/g"]),
        // Greengrass V2, which moto lacks (the sandbox's stand-in answers it).
        Case(service: "greengrassv2", operation: GreengrassV2Operations.listCoreDevices,
             input: ["maxResults": 100, "status": "UNHEALTHY", "thingGroupArn": "arn:aws:iot:us-east-1:123456789012:thinggroup/GreengrassGroup"]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.getCoreDevice, input: ["coreDeviceThingName": "GG-0001"]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.deleteCoreDevice, input: ["coreDeviceThingName": "GG-0001"]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.listInstalledComponents,
             input: ["coreDeviceThingName": "GG-0001", "topologyFilter": "ALL", "maxResults": 100]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.listEffectiveDeployments, input: ["coreDeviceThingName": "GG-0001", "maxResults": 100]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.createDeployment, input: [
            "targetArn": "arn:aws:iot:us-east-1:123456789012:thinggroup/GreengrassGroup", "deploymentName": "Deployment from CI/CD pipeline",
            "components": ["aws.greengrass.Cli": ["componentVersion": "2.12.6"], "docker_led": ["componentVersion": "1.0.1", "configurationUpdate": ["reset": [""]]]],
            "deploymentPolicies": ["failureHandlingPolicy": "ROLLBACK", "componentUpdatePolicy": ["timeoutInSeconds": 60, "action": "NOTIFY_COMPONENTS"]],
            "iotJobConfiguration": [:]]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.listDeployments,
             input: ["targetArn": "arn:aws:iot:us-east-1:123456789012:thinggroup/GreengrassGroup", "historyFilter": "ALL", "maxResults": 50]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.getDeployment, input: ["deploymentId": "d-1"]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.cancelDeployment, input: ["deploymentId": "d-1"]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.createComponentVersion, input: ["inlineRecipe": "UmVjaXBl"]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.listComponents, input: ["scope": "PRIVATE", "maxResults": 100]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.listComponentVersions,
             input: ["arn": "arn:aws:greengrass:us-east-1:123456789012:components:docker_led", "maxResults": 100]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.getComponent,
             input: ["arn": "arn:aws:greengrass:us-east-1:123456789012:components:docker_led:versions:1.0.3", "recipeOutputFormat": "JSON"]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.describeComponent,
             input: ["arn": "arn:aws:greengrass:us-east-1:123456789012:components:docker_led:versions:1.0.3"]),
        Case(service: "greengrassv2", operation: GreengrassV2Operations.deleteComponent,
             input: ["arn": "arn:aws:greengrass:us-east-1:123456789012:components:docker_led:versions:1.0.3"]),
    ]

    @Test func botocoreIsReadable() {
        #expect(Self.models.count == Self.cases.count, "botocore could not be read with python3")
    }

    @Test(arguments: cases)
    func requestMatchesTheModel(_ testCase: Case) throws {
        let model = try #require(Self.models["\(testCase.service).\(testCase.operation.name)"])
        let endpoint = Endpoint(scheme: "https", host: "iot.us-east-1.amazonaws.com")
        let request = try AWSRequestEncoder.encode(service: IoTOperations.service, operation: testCase.operation, input: testCase.input, endpoint: endpoint)
        #expect(request.method == model.method)
        #expect(request.header("Host") == "iot.us-east-1.amazonaws.com")

        // The path is the model's URI template with each uri member substituted, encoded.
        var expectedPath = String(model.requestUri.split(separator: "?")[0])
        for (name, member) in model.members where member.location == "uri" {
            let value = try #require(testCase.input[name]?.stringValue, "uri member \(name) missing")
            expectedPath = expectedPath.replacingOccurrences(of: "{\(member.locationName)}", with: value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-_.~")))!)
        }
        #expect(request.path == expectedPath)

        // Query keys are exactly the model's querystring members that were given.
        let queryKeys = Set(request.query.split(separator: "&").map { String($0.split(separator: "=")[0]) })
        let expectedQuery = Set(model.members.filter { $0.value.location == "querystring" && testCase.input[$0.key] != nil }.map(\.value.locationName))
        #expect(queryKeys == expectedQuery)

        // Body: a JSON object holding exactly the given body members, under their wire names.
        let bodyMembers = model.members.filter { $0.value.location == "body" && testCase.input[$0.key] != nil }
        if bodyMembers.isEmpty {
            #expect(request.body.isEmpty)
        } else {
            #expect(request.header("Content-Type") == "application/json")
            let body = try JSONValue.parse(request.body)
            #expect(Set(body.objectValue?.keys ?? []) == Set(bodyMembers.map(\.value.locationName)))
            for (name, member) in bodyMembers { #expect(body[member.locationName] == testCase.input[name]) }
        }
        // Every required member was sent somewhere.
        for name in model.required { #expect(testCase.input[name] != nil, "required member \(name) not in the test input") }
    }

    /// CloudWatch Logs speaks JSON 1.1: POST / with the operation in X-Amz-Target (the model's
    /// targetPrefix) and every member in the body.
    @Test func aJSON11RequestIsWhatTheModelSays() throws {
        let script = """
        import botocore.session, json
        model = botocore.session.get_session().get_service_model('logs')
        op = model.operation_model('FilterLogEvents')
        print(json.dumps({'target': model.metadata['targetPrefix'], 'version': model.metadata['jsonVersion'], 'method': op.http['method'],
                          'uri': op.http['requestUri'], 'members': list(op.input_shape.members)}))
        """
        let result = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script])
        let model = try #require(try JSONValue.parse(Array(result.stdout.utf8)).objectValue, "\(result.stderr)")
        let input: JSONObject = ["logGroupName": "/aws/lambda/hook", "startTime": 1_796_000_000_000, "nextToken": "t"]
        let request = try AWSRequestEncoder.encode(service: CloudWatchLogsOperations.service, operation: CloudWatchLogsOperations.filterLogEvents,
                                                   input: input, endpoint: Endpoint(scheme: "https", host: "logs.us-east-1.amazonaws.com"))
        #expect(request.method == model["method"]?.stringValue && request.path == model["uri"]?.stringValue)
        #expect(request.header("X-Amz-Target") == "\(model["target"]?.stringValue ?? "?").FilterLogEvents")
        #expect(request.header("Content-Type") == "application/x-amz-json-\(model["version"]?.stringValue ?? "?")")
        let body = try #require(try JSONValue.parse(request.body).objectValue)
        #expect(Set(body.keys) == Set(input.keys) && Set(body.keys).isSubset(of: Set(model["members"]?.arrayValue.compactMap(\.stringValue) ?? [])))
    }

    @Test func missingRequiredMemberIsNamed() {
        #expect(throws: AWSError.invalidInput(operation: "CreateScheduledAudit", reason: "missing required member 'frequency'")) {
            try AWSRequestEncoder.encode(service: IoTOperations.service, operation: IoTOperations.createScheduledAudit,
                                         input: ["scheduledAuditName": "a", "targetCheckNames": ["X"]],
                                         endpoint: Endpoint(scheme: "https", host: "iot.us-east-1.amazonaws.com"))
        }
    }
}
