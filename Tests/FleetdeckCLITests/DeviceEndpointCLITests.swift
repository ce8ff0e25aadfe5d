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
            for suffix, text in (('pem', made['certificatePem']), ('key', made['keyPair']['PrivateKey'])):
                path = '\(folder)/\(name).' + suffix
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                open(path, 'w').write(text)
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
}
