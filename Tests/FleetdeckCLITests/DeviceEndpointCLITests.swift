import Foundation
import Testing
import TestSupport

/// Fleetdeck's own MQTT client (publish, tail over mTLS) against the sandbox's device endpoint,
/// which admits and authorizes as AWS IoT Core does: a device publishes and reads back its own
/// retained state, is refused another thing's topic, and a certificate that is not ACTIVE cannot
/// connect; each refusal says what AWS IoT's refusal means.
@Suite struct DeviceEndpointCLITests {
    /// A folder for a test's key files, removed at the end.
    final class TemporaryFolder {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("fd-endpoint-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// A thing with its own certificate and a policy scoped to its own topics (files 0600).
    static func device(active: Bool, in folder: String) throws -> (name: String, flags: [String]) {
        let name = "ep-\(UUID().uuidString.prefix(8).lowercased())"
        let made = try DeployAcceptanceTests.boto("""
            iot = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name=os.environ['AWS_REGION'])
            account = boto3.client('sts', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name=os.environ['AWS_REGION']).get_caller_identity()['Account']
            prefix = 'arn:aws:iot:' + os.environ['AWS_REGION'] + ':' + account
            thing = '${iot:Connection.Thing.ThingName}'
            iot.create_policy(policyName='\(name)', policyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [
                {'Effect': 'Allow', 'Action': 'iot:Connect', 'Resource': prefix + ':client/' + thing},
                {'Effect': 'Allow', 'Action': ['iot:Publish', 'iot:Receive', 'iot:RetainPublish'], 'Resource': prefix + ':topic/device/' + thing + '/*'},
                {'Effect': 'Allow', 'Action': 'iot:Subscribe', 'Resource': prefix + ':topicfilter/device/' + thing + '/*'}]}))
            made = iot.create_keys_and_certificate(setAsActive=\(active ? "True" : "False"))
            iot.attach_policy(policyName='\(name)', target=made['certificateArn'])
            iot.create_thing(thingName='\(name)')
            iot.attach_thing_principal(thingName='\(name)', principal=made['certificateArn'])
            keep_keys(made, '\(folder)/\(name)')
            print('ok')
            """)
        #expect(made == "ok")
        let env = ProcessInfo.processInfo.environment
        return (name, ["--url", env["FLEETDECK_DEVICE_ENDPOINT_URL"]!, "--ca", env["FLEETDECK_MQTT_CA"]!,
                       "--cert", "\(folder)/\(name).pem", "--key", "\(folder)/\(name).key", "--client-id", name])
    }

    @Test func aDeviceUsesItsOwnTopicsAndIsRefusedAnothers() throws {
        try #require(ProcessInfo.processInfo.environment["FLEETDECK_DEVICE_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let folder = try TemporaryFolder()
        let (name, flags) = try Self.device(active: true, in: folder.path)
        let published = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["publish", "device/\(name)/state", "{\"on\":true}", "--qos", "1", "--retain"] + flags)
        #expect(published.status == 0 && published.stdout == "Published 11 bytes to device/\(name)/state (QoS 1, retained).\n", "\(published.stderr)")
        let tail = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["tail", "device/\(name)/#", "--count", "1", "--json"] + flags, timeout: 20)
        #expect(tail.stdout.hasPrefix("{\"topic\":\"device/\(name)/state\",\"payload\":\"{\\\"on\\\":true}\",\"qos\":0,\"retain\":true,"), "\(tail.stdout)\(tail.stderr)")
        // Another thing's topic: AWS IoT closes the connection; publish says what that means.
        let refused = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["publish", "device/someone-else/state", "{}", "--qos", "1"] + flags, timeout: 30)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("closed the connection instead of acknowledging the message") && refused.stderr.contains("iot:Publish on device/someone-else/state"),
                "\(refused.stderr)")
    }

    @Test func aCertificateThatIsNotActiveCannotConnect() throws {
        try #require(ProcessInfo.processInfo.environment["FLEETDECK_DEVICE_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let folder = try TemporaryFolder()
        let (name, flags) = try Self.device(active: false, in: folder.path)
        let tail = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["tail", "device/\(name)/#", "--duration", "2"] + flags, timeout: 20)
        #expect(tail.stdout.isEmpty)
        #expect(tail.stderr.contains("closed the connection before accepting it (AWS IoT does so when the certificate is not registered and ACTIVE"), "\(tail.stderr)")
        let publish = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["publish", "device/\(name)/state", "{}"] + flags, timeout: 30)
        #expect(publish.status == 1 && publish.stderr.contains("could not reach") && publish.stderr.contains("before accepting it"), "\(publish.stderr)")
    }

    /// Fleet provisioning by claim with Fleetdeck's own client, as a device does it: two listed
    /// serial numbers get their things (in the template's group, with their own certificates and
    /// keys written 0600, the keys never printed) and connect with them; one off the allowlist is
    /// refused by the example's own pre-provisioning hook, and no thing is made for it.
    @Test func devicesProvisionByClaimAndTheHookRefusesOneOffTheAllowlist() throws {
        try #require(ProcessInfo.processInfo.environment["FLEETDECK_DEVICE_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let folder = try TemporaryFolder()
        let suffix = UUID().uuidString.prefix(6).lowercased()
        let listed = ["GG-\(suffix)-1", "GG-\(suffix)-2"], unlisted = "GG-\(suffix)-9", lookedUp = "GG-\(suffix)-3"
        let fixture = try ProcessRunner.run("/usr/bin/env", ["python3", "scripts/moto/tests/fixtures.py", "provisioning", folder.path] + listed + [lookedUp],
                                            timeout: 60)
        #expect(fixture.status == 0, "\(fixture.stderr)")
        let made = try #require(try JSONSerialization.jsonObject(with: Data(fixture.stdout.utf8)) as? [String: String])
        let template = try #require(made["template"]), group = try #require(made["group"])
        let out = folder.path + "/devices"
        let provisioned = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["provision"] + listed + [unlisted, "--template", template,
            "--cert", folder.path + "/claim.pem.crt", "--key", folder.path + "/claim.private.pem.key", "--out", out], timeout: 120)
        #expect(provisioned.status == 1 && provisioned.stderr == "fleetdeck: 1 of 3 serial numbers were not provisioned\n", "\(provisioned.stderr)")
        for serial in listed {
            #expect(provisioned.stdout.contains("\(serial): provisioned as \(serial), certificate "), "\(provisioned.stdout)")
            let key = out + "/\(serial).private.pem.key"
            var info = stat()
            #expect(stat(key, &info) == 0 && info.st_mode & 0o777 == 0o600)
            let text = try String(contentsOfFile: key, encoding: .utf8)
            #expect(!provisioned.stdout.contains(text.split(separator: "\n")[1]))
            // The device connects with its own certificate, as its thing.
            let published = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["publish", "device/\(serial)/telemetry", "{}", "--qos", "1",
                "--url", ProcessInfo.processInfo.environment["FLEETDECK_DEVICE_ENDPOINT_URL"]!, "--cert", out + "/\(serial).pem.crt", "--key", key,
                "--client-id", serial])
            #expect(published.status == 0, "\(published.stderr)")
        }
        #expect(provisioned.stdout.contains("\(unlisted): refused: $aws/provisioning-templates/\(template)/provision/json rejected: 403 AccessDenied"),
                "\(provisioned.stdout)")
        // Without a URL, the device looks the endpoint up as devices do: DescribeEndpoint
        // (iot:Data-ATS), port 8883 (the sandbox listens there on the host it names).
        let lookup = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["provision", lookedUp, "--template", template, "--cert", folder.path + "/claim.pem.crt",
                                                                           "--key", folder.path + "/claim.private.pem.key", "--out", out],
                                           environment: ProcessRunner.environment(["FLEETDECK_DEVICE_ENDPOINT_URL": nil]), timeout: 60)
        #expect(lookup.status == 0 && lookup.stdout.contains("\(lookedUp): provisioned as \(lookedUp)"), "\(lookup.stdout)\(lookup.stderr)")
        let things = try DeployAcceptanceTests.boto("""
            iot = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name=os.environ['AWS_REGION'])
            print(json.dumps(sorted(iot.list_things_in_thing_group(thingGroupName='\(group)')['things'])))
            print(any(t['thingName'] == '\(unlisted)' for t in all_things()))
            """)
        #expect(things == "[\"\(listed[0])\", \"\(listed[1])\", \"\(lookedUp)\"]\nFalse")
    }

    /// An operator's tail with no broker named goes where operators' tools go: the account's
    /// iot:Data-ATS endpoint (DescribeEndpoint) on port 443, over WebSocket signed with SigV4.
    @Test func anOperatorsTailFindsTheEndpointAndSignsItsWebSocket() throws {
        let env = ProcessInfo.processInfo.environment
        try #require(env["FLEETDECK_DEVICE_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        try #require(env["FLEETDECK_DEVICE_ENDPOINT_STANDARD_PORTS"]?.contains("443") == true,
                     "the sandbox could not bind port 443 on its endpoint's address (it needs root): \(env["FLEETDECK_DEVICE_ENDPOINT_STANDARD_PORTS"] ?? "")")
        let topic = "ops/\(UUID().uuidString.prefix(8))"
        let folder = try TemporaryFolder()
        let log = folder.path + "/tail.out"
        let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let pid = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["tail", topic, "--count", "1", "--json"], environment: ProcessRunner.environment(
            ["FLEETDECK_MQTT_URL": nil, "FLEETDECK_MQTT_CERT": nil, "FLEETDECK_MQTT_KEY": nil]), stdout: fd)
        close(fd)
        defer { kill(pid, SIGTERM); _ = ProcessRunner.waitForExit(pid) }
        // Published over HTTP (iot-data) until the tail has it: its subscription may not be in yet.
        #expect(eventually(timeout: .seconds(20), interval: .milliseconds(250)) {
            _ = try? DeployAcceptanceTests.boto("boto3.client('iot-data', endpoint_url=os.environ['AWS_ENDPOINT_URL']).publish(topic='\(topic)', qos=1, payload=b'{\"x\":1}')")
            return ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("\"topic\":\"\(topic)\"")
        })
        let moto = (try? String(contentsOfFile: (env["FLEETDECK_SANDBOX_DIR"] ?? "") + "/moto.log", encoding: .utf8)) ?? ""
        #expect(moto.contains("a WebSocket connection signed by \(env["AWS_ACCESS_KEY_ID"] ?? "?")"))
    }
}
