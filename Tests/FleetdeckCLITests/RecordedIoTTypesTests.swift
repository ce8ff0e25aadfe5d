import Foundation
import TestSupport
import Testing

/// Provisioning templates, the account audit configuration and scheduled audits (moto lacks
/// them): deployed against scripts/recording-server, every recorded request checked against
/// botocore's model of the operation it is.
@Suite(.serialized) struct RecordedIoTTypesTests {
    static let validator = """
    import botocore.session, json, re, sys, urllib.parse
    model = botocore.session.get_session().get_service_model('iot')
    operations = []
    for name in model.operation_names:
        op = model.operation_model(name)
        uri = op.http['requestUri'].split('?')[0]
        pattern = '^' + '/'.join('[^/]+' if part.startswith('{') else re.escape(part) for part in uri.split('/')) + '$'
        operations.append((op, re.compile(pattern)))
    seen, problems = [], []
    for line in open(sys.argv[1]):
        record = json.loads(line)
        matches = [op for op, pattern in operations if op.http['method'] == record['method'] and pattern.match(record['path'])]
        if not matches:
            problems.append(f"no IoT operation is {record['method']} {record['path']}"); continue
        op = sorted(matches, key=lambda o: -len(o.http['requestUri']))[0]
        seen.append(op.name)
        shape = op.input_shape
        members = shape.members if shape else {}
        body_names = {m.serialization.get('name', n): n for n, m in members.items() if m.serialization.get('location') is None}
        query_names = {m.serialization.get('name', n) for n, m in members.items() if m.serialization.get('location') == 'querystring'}
        for key in record['body']:
            if key not in body_names: problems.append(f"{op.name}: body member '{key}' is not in the model")
        for key in record['query']:
            if key not in query_names: problems.append(f"{op.name}: query '{key}' is not in the model")
        for required in (shape.required_members if shape else []):
            location = members[required].serialization.get('location')
            wire = members[required].serialization.get('name', required)
            if location == 'uri': continue  # matched by the path pattern
            if location == 'querystring' and wire not in record['query']: problems.append(f"{op.name}: required query '{wire}' missing")
            if location is None and wire not in record['body']: problems.append(f"{op.name}: required member '{wire}' missing")
        if record['body'] and record['headers'].get('content-type') != 'application/json':
            problems.append(f"{op.name}: content-type {record['headers'].get('content-type')}")
        if not record['headers'].get('authorization', '').startswith('AWS4-HMAC-SHA256 Credential='):
            problems.append(f"{op.name}: not signed")
    print(json.dumps({'operations': sorted(set(seen)), 'problems': problems}))
    """

    @Test func provisioningTemplateAuditsAndScheduledAudits() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "rec\(UUID().uuidString.prefix(5).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: """
            name: \(p)
            runtime: yaml
            resources:
              template:
                type: aws-native:iot:ProvisioningTemplate
                properties:
                  templateName: \(p)-fleet
                  templateType: FLEET_PROVISIONING
                  enabled: true
                  provisioningRoleArn: arn:aws:iam::123456789012:role/fleet
                  preProvisioningHook:
                    payloadVersion: "2020-04-01"
                    targetArn: arn:aws:lambda:us-east-1:123456789012:function:hook
                  templateBody:
                    fn::toJSON:
                      Parameters:
                        SerialNumber: {Type: String}
                      Resources:
                        thing: {Type: "AWS::IoT::Thing", Properties: {ThingName: {Ref: SerialNumber}}}
              audit:
                type: aws-native:iot:AccountAuditConfiguration
                properties:
                  accountId: "123456789012"
                  roleArn: arn:aws:iam::123456789012:role/audit
                  auditCheckConfigurations:
                    deviceCertificateExpiringCheck:
                      enabled: true
                  auditNotificationTargetConfigurations:
                    sns:
                      targetArn: arn:aws:sns:us-east-1:123456789012:device_certificate_expiring
                      roleArn: arn:aws:iam::123456789012:role/audit
                      enabled: true
              daily:
                type: aws-native:iot:ScheduledAudit
                properties:
                  scheduledAuditName: \(p)-daily
                  frequency: DAILY
                  targetCheckNames: [DEVICE_CERTIFICATE_EXPIRING_CHECK]
            """)
        let folder = project.folder
        let record = folder + "/requests.jsonl", portFile = folder + "/port"
        let server = try ProcessRunner.spawn(ProcessRunner.packageRoot.appendingPathComponent("scripts/recording-server").path, [record, portFile])
        defer { kill(server, SIGTERM); _ = ProcessRunner.waitForExit(server) }
        #expect(eventually { FileManager.default.fileExists(atPath: portFile) })
        let url = "http://127.0.0.1:" + (try String(contentsOfFile: portFile, encoding: .utf8))
        let routes = ["aws-native:iot:ProvisioningTemplate", "aws-native:iot:AccountAuditConfiguration", "aws-native:iot:ScheduledAudit"]
            .map { "\($0)=\(url)" }.joined(separator: ";")
        func run(_ arguments: [String]) throws -> ProcessResult {
            var environment = project.environment
            environment["FLEETDECK_TYPE_ENDPOINTS"] = routes
            return try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", folder, "-s", "dev"], environment: ProcessRunner.environment(environment))
        }
        let up = try run(["up", "--yes"])
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        #expect(try run(["preview", "--expect-no-changes"]).status == 0)
        try project.edit("frequency: DAILY", "frequency: WEEKLY\n      dayOfWeek: MON")
        try project.edit("SerialNumber: {Type: String}", "SerialNumber: {Type: String}\n            Region: {Type: String}")
        let changed = try run(["up", "--yes"])
        #expect(changed.status == 0, "\(changed.stdout)\(changed.stderr)")
        #expect(changed.stdout.contains("~ 2 to update"), "\(changed.stdout)")
        #expect(try run(["destroy", "--yes"]).status == 0)

        let checked = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", Self.validator, record])
        let result = try JSONSerialization.jsonObject(with: Data(checked.stdout.utf8)) as? [String: Any]
        #expect(result?["problems"] as? [String] == [], "\(checked.stdout)\(checked.stderr)")
        let operations = Set(result?["operations"] as? [String] ?? [])
        #expect(operations.isSuperset(of: [
            "CreateProvisioningTemplate", "CreateProvisioningTemplateVersion", "UpdateProvisioningTemplate", "DeleteProvisioningTemplate",
            "ListProvisioningTemplateVersions", "UpdateAccountAuditConfiguration", "CreateScheduledAudit", "UpdateScheduledAudit", "DeleteScheduledAudit",
        ]), "\(checked.stdout)")
        let lines = try String(contentsOfFile: record, encoding: .utf8)
        #expect(lines.contains(#""auditCheckConfigurations": {"DEVICE_CERTIFICATE_EXPIRING_CHECK": {"enabled": true}}"#), "\(lines)")
        #expect(lines.contains(#""auditNotificationTargetConfigurations": {"SNS": "#))
        #expect(lines.contains(#"{"DEVICE_CERTIFICATE_EXPIRING_CHECK": {"enabled": false}}"#))  // deletion disables, as CloudFormation does
    }
}
