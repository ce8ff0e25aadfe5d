import Foundation
import TestSupport
import Testing

/// The Messages screen of the real binary in tmux, with the simulator publishing through the
/// sandbox's mosquitto.
@Suite(.serialized) struct MessagesScreenTerminalTests {
    @Test func tailTheSimulatorPauseSearchAndInspect() throws {
        try #require(ProcessInfo.processInfo.environment["FLEETDECK_MQTT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "ui\(UUID().uuidString.prefix(4).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: "name: msgs\nruntime: yaml\nresources: {}\n")
        #expect(try project.fleetdeck(["stack", "init", "dev"]).status == 0)
        let simulator = try ProcessRunner.spawn(ProcessRunner.fleetdeckBinary, ["simulate", "--devices", "5", "--rate", "4", "--prefix", prefix, "--duration", "120"])
        defer { kill(simulator, SIGTERM); _ = ProcessRunner.waitForExit(simulator) }
        var environment = project.terminalEnvironment
        for key in ["FLEETDECK_MQTT_URL"] { environment[key] = ProcessInfo.processInfo.environment[key] }
        let session = try TmuxSession("cd \(project.folder) && \(ProcessRunner.fleetdeckBinary); echo EXIT=$?; sleep 600", width: 120, height: 30, environment: environment)
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" dev ") } }, "\(session.screen)")
        try session.sendKeys("-l", ":tail device/+/telemetry")
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains { $0.contains("device/\(prefix)-") } }, "\(session.screen)")
        // Other tests' simulators may share the broker: narrow the list to this one's devices.
        try session.sendKeys("/")
        try session.sendKeys("-l", prefix)
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in (1...5).allSatisfy { n in lines.contains { $0.contains("device/\(prefix)-00\(n)/telemetry  {\"temperature\":") } } },
                "\(session.screen)")
        #expect(session.screen.contains("● mqtt://127.0.0.1:"))

        try session.sendKeys("Space")
        #expect(session.waitFor { $0.contains { $0.contains("PAUSED, ") && !$0.contains("PAUSED, 0 new") } }, "\(session.screen)")
        try session.sendKeys("Space")

        try session.sendKeys("/")
        try session.sendKeys("-l", "\(prefix)-003")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in
            let rows = lines.filter { $0.contains("/telemetry  {") }
            return !rows.isEmpty && rows.allSatisfy { $0.contains("\(prefix)-003") }
        }, "\(session.screen)")

        try session.sendKeys("Enter")  // the detail pane
        #expect(session.waitFor { $0.contains { $0.contains("temperature: ") && $0.contains("▁") || $0.contains("temperature: ") && $0.contains("█") } }, "\(session.screen)")
        #expect(session.waitFor(text: "\"humidity\": "), "\(session.screen)")

        try session.sendKeys("-l", ":publish device/\(prefix)-003/telemetry {\"temperature\":99.5}")
        try session.sendKeys("Enter")
        #expect(session.waitFor(text: "{\"temperature\":99.5}"), "\(session.screen)")
        try session.sendKeys("q")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXIT=0"), "\(session.screen)")
    }
}

/// `fleetdeck demo` (what ./scripts/demo runs inside the sandbox), in tmux.
@Suite(.serialized) struct DemoTerminalTests {
    /// boto3 in the demo's region (us-west-2: the reference architecture's account audit
    /// configuration is one per account and region, and ReferenceArchitectureTests has us-east-1's).
    static func boto(_ script: String) throws -> String {
        try DeployAcceptanceTests.boto("iot = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-west-2')\n" + script)
    }

    @Test func demoDeploysTheReferenceArchitectureSimulatesTheAllowlistedFleetAndCleansUp() throws {
        let env = ProcessInfo.processInfo.environment
        try #require(env["FLEETDECK_MQTT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        var environment: [String: String] = [:]
        for (key, value) in env where key.hasPrefix("AWS_") || key.hasPrefix("FLEETDECK_") { environment[key] = value }
        environment["AWS_REGION"] = "us-west-2"
        environment["AWS_DEFAULT_REGION"] = "us-west-2"
        let example = ProcessRunner.packageRoot.appendingPathComponent("examples/iot-ref-arch").path
        // $PAGER is a script that keeps what it was given to show.
        let paged = FileManager.default.temporaryDirectory.appendingPathComponent("fd-paged-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: paged, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: paged) }
        try "#!/bin/sh\ncp \"$1\" \(paged)/shown.txt\n".write(toFile: paged + "/pager", atomically: true, encoding: .utf8)
        chmod(paged + "/pager", 0o755)
        environment["PAGER"] = paged + "/pager"
        // The demo's folder in a TMPDIR of its own: other runs' leftovers are not counted.
        environment["TMPDIR"] = paged
        let session = try TmuxSession("\(ProcessRunner.fleetdeckBinary) demo --devices 5 --rate 4 --program \(example); echo EXIT=$?; sleep 600", width: 120, height: 40,
                                      environment: environment)
        #expect(session.waitFor(timeout: .seconds(90)) { $0.contains { $0.contains("device/GG-000") } }, "\(session.screen)")
        // Other tests' simulators may share the broker: narrow the list to the demo's devices.
        try session.sendKeys("/")
        try session.sendKeys("-l", "GG-000")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in (1...5).allSatisfy { n in lines.contains { $0.contains("device/GG-000\(n)/telemetry  {\"temperature\":") } } },
                "\(session.screen)")
        // The devices provisioned themselves by claim: the template's answers, as each heard them
        // (the 5 listed accepted, the 2 that are not refused by the stack's hook).
        try session.sendKeys("/")
        try session.sendKeys("-l", "provision/json")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in lines.contains { $0.contains("─ accepted 5 ") } && lines.contains { $0.contains("─ rejected 2 ") } }, "\(session.screen)")
        try session.sendKeys("/")
        try session.sendKeys("-l", "rejected")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in lines.filter { $0.contains("│ ") && $0.contains(" $aws/provisioning-templates/GreengrassFleetProvisioningTemplate/provision") }.count == 2 },
                "\(session.screen)")
        // An audit from the dashboard finds the two short-lived certificates (GG-0001's and
        // GG-0002's); the stack's functions rotate GG-0001's through the device, and the old one
        // is revoked; GG-0002 drops its new certificate (the demo's device that loses it).
        let before = try Self.boto("print(iot.list_thing_principals(thingName='GG-0001')['principals'])")
        try session.sendKeys("-l", ":audit")
        try session.sendKeys("Enter")
        #expect(session.waitFor(text: "start an on-demand Device Defender audit of "), "\(session.screen)")
        try session.sendKeys("y")
        try session.sendKeys("/")
        try session.sendKeys("-l", "GG-0001/c")
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(30)) { lines in
            ["device/GG-0001/csr_req", "lambda/GG-0001/csr_res", "device/GG-0001/crt ", "lambda/GG-0001/crt_ack"].allSatisfy { topic in lines.contains { $0.contains(topic) } }
        }, "\(session.screen)")
        #expect(eventually(timeout: .seconds(30)) {
            (try? Self.boto("""
                p = iot.list_thing_principals(thingName='GG-0001')['principals']
                d = iot.describe_certificate(certificateId=p[0].split('/')[-1])['certificateDescription']
                print(len(p) == 1 and p != \(before) and d['status'] == 'ACTIVE' and d['validity']['notAfter'].year == 2049)
                """)) == "True"
        })
        // The audit and its finding on screen, and the finding's device one key away.
        try session.sendKeys("-l", ":audits")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in lines.contains { $0.contains("on demand") && $0.contains("DEVICE_CERTIFICATE_EXPIRING 2/") } }, "\(session.screen)")
        try session.sendKeys("Enter")
        // (GG-0001's certificate was rotated and deleted since: the finding says it was acted on)
        #expect(session.waitFor { lines in lines.contains { $0.contains("MEDIUM") && $0.contains("(certificate deleted") } }, "\(session.screen)")
        // The provisioning attempts: the two unlisted serial numbers refused by the hook, and why.
        try session.sendKeys("-l", ":provisioning")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in ["GG-0006", "GG-0007"].allSatisfy { serial in
            lines.contains { $0.contains(serial) && $0.contains("refused") && $0.contains("not on the allowlist") } } }, "\(session.screen)")
        // The five listed were admitted, and the registry's THING events (the demo enables them)
        // say when each one's thing was made.
        #expect(session.screen.contains("THING events on"), "\(session.screen)")
        let made = try Regex(#"GG-000[1-5] +admitted +yes +\d\d:\d\d:\d\d"#)
        let joined = session.screen.split(separator: "\n").filter { $0.contains(made) }.map { $0.split(separator: " ").first { $0.hasPrefix("GG-") } }
        #expect(joined.count == 5 && Set(joined).count == 5, "\(session.screen)")
        // The rotation, device by device: GG-0001 went through every step to "old revoked".
        try session.sendKeys("-l", ":rotation")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in lines.contains { $0.contains("GG-0001") && $0.contains("old revoked") } }, "\(session.screen)")
        // GG-0002 never took its certificate: stuck at "certificate issued" once the demo's 20 s pass.
        #expect(session.waitFor(timeout: .seconds(60)) { lines in lines.contains { $0.contains("GG-0002") && $0.contains("certificate issued (stuck)") } },
                "\(session.screen)")
        try session.sendKeys("-l", ":messages")
        try session.sendKeys("Enter")
        // The demo's project folder (the only one: demos clean up after themselves), set up as
        // upstream's workflows leave it: the allowlist and config_parameters.txt in the bucket.
        let folders = try ProcessRunner.run("/bin/sh", ["-c", "ls -d \(paged)/fleetdeck-demo-*"]).stdout.split(separator: "\n").map(String.init)
        #expect(folders.count == 1, "\(folders)")
        // deploy-apps.yml's deployment, as the demo wrote it (with a staged rollout): the plan
        // fails on the x86_64 core (GG-0005: upstream's components are built for aarch64) and
        // marks os_update's reboots, so CI's preview is refused.
        let file = (folders.first ?? "") + "/deployment.json"
        func fleetdeck(_ arguments: [String]) throws -> ProcessResult {
            try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments, environment: environment, timeout: 90)
        }
        let preview = try fleetdeck(["gg", "deploy", file, "--preview", "--json"])
        let plan = try JSONSerialization.jsonObject(with: Data(preview.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(preview.status == 1 && plan["platformFailures"] as? [String] == ["GG-0005"] && (plan["restarting"] as? [String])?.count == 4,
                "\(preview.stdout)\(preview.stderr)")
        // Reviewed and approved in the dashboard (the group's name typed: it fails and restarts
        // devices), then watched: docker_corrupt breaks on every aarch64 core and each rolls
        // back, GG-0005 fails for its platform, and the rollout aborts at its threshold.
        try session.sendKeys("-l", ":deploy \(file)")
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(30)) { lines in lines.contains { $0.contains("GG-0005:") && $0.contains("FAILS: no manifest for its platform") } },
                "\(session.screen)")
        #expect(session.screen.contains("10 devices a minute: 5 devices in about 1 min; abort when 50.0% of at least 5 failed"), "\(session.screen)")
        try session.sendKeys("-l", "y")
        #expect(session.waitFor(text: "type 'GreengrassGroup' and enter to deploy to GreengrassGroup"), "\(session.screen)")
        try session.sendKeys("-l", "GreengrassGroup")
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(60)) { lines in lines.contains { $0.contains("the rollout stopped: FAILED_THRESHOLD_REACHED") }
            && lines.contains { $0.contains("4 × docker_corrupt: the component broke after 3 restarts (exit status 1); rolled back") }
            && lines.contains { $0.contains("1 × No matching platform for docker_button ") } }, "\(session.screen)")
        #expect((1...5).allSatisfy { n in session.screen.split(separator: "\n").contains { $0.contains("GG-000\(n)") && $0.contains("FAILED") } }, "\(session.screen)")
        // The revision without docker_corrupt: its removal marked before approval; after it every
        // core but the x86_64 one took it.
        try session.sendKeys("-l", ":deploy \(folders.first ?? "")/deployment-fixed.json")
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(30)) { lines in lines.contains { $0.contains("docker_corrupt - 1.0.0 (REMOVED from every device of the target)") }
            && lines.contains { $0.contains("!! This deployment removes docker_corrupt from the target's 5 devices") } }, "\(session.screen)")
        try session.sendKeys("-l", "y")
        #expect(session.waitFor(text: "type 'GreengrassGroup' and enter to deploy to GreengrassGroup"), "\(session.screen)")
        try session.sendKeys("-l", "GreengrassGroup")
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(60)) { lines in lines.contains { $0.contains("4 succeeded, 1 failed") } }, "\(session.screen)")
        // The rollout was followed by its job execution events (the demo enables them): they are
        // in the messages too.
        try session.sendKeys("-l", ":messages")
        try session.sendKeys("Enter")
        try session.sendKeys("/")
        try session.sendKeys("-l", "jobExecution")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in lines.contains { $0.contains("$aws/events/jobExecution/") && $0.contains("/succeeded") } }, "\(session.screen)")
        try session.sendKeys("Escape")
        #expect(try Self.boto("""
            s3 = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-west-2')
            read = lambda k: s3.get_object(Bucket='demo-greengrass-certificates', Key=k)['Body'].read().decode()
            print(read('allowlist.txt').split()[-1], read('config_parameters.txt').split()[3:])
            """) == "GG-0005 ['GreengrassCoreTokenExchangeRoleAlias', 'GreengrassFleetProvisioningTemplate']")
        // The devices and their shadows.
        try session.sendKeys("-l", ":things")
        try session.sendKeys("Enter")
        try session.sendKeys("/")
        try session.sendKeys("-l", "GG-0003")
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains { $0.hasPrefix("   GG-0003") } }, "\(session.screen)")
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains { $0.contains("REPORTED") } && $0.contains { $0.contains("\"firmware\": ") } }, "\(session.screen)")
        // Enrolled as the fleet's provisioning template would: in the stack's group, with an
        // active certificate carrying the stack's thing policy, issued as AWS IoT issues them
        // (valid until the end of 2049).
        #expect(session.screen.contains("groups: GreengrassGroup"))
        #expect(session.screen.contains("ACTIVE  expires 2049-12-31"), "\(session.screen)")
        #expect(session.screen.contains("policy GreengrassV2IoTThingPolicy (dev/ThingPolicyID)"), "\(session.screen)")
        // As Greengrass cores: each reported its nucleus's status, with upstream's components.
        try session.sendKeys("-l", ":cores")
        try session.sendKeys("Enter")
        try session.sendKeys("/")
        try session.sendKeys("-l", "GG-000")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in lines.contains { $0.contains("match /GG-000") } && (1...5).allSatisfy { n in lines.contains { $0.contains("GG-000\(n)") && $0.contains("HEALTHY") } } },
                "\(session.screen)")
        try session.sendKeys("-l", ":components")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in ["docker_led", "docker_corrupt", "os_update"].allSatisfy { name in lines.contains { $0.contains(name) } } },
                "\(session.screen)")
        try session.sendKeys("-l", ":stacks")
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" dev ") && $0.contains(" 33 ") } }, "\(session.screen)")
        #expect(try Self.boto("print(len([t for t in all_things() if t['thingName'].startswith('GG-000')]))") == "5")

        // prod waits, set up but not deployed: reviewed, approved by typing its name, deployed
        // in its own region with its own IAM names.
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" prod ") && $0.contains("PROD") && $0.contains("not deployed") } }, "\(session.screen)")
        try session.sendKeys("j")
        try session.sendKeys("Enter")
        try session.sendKeys("p")
        #expect(session.waitFor(timeout: .seconds(60)) { $0.contains { $0.contains("+33 create") } }, "\(session.screen)")

        // Read what is approved: the thing policy's document and the template's body, whole,
        // as their structure (not one escaped line cut at the edge), searched, and handed to $PAGER.
        func openStep(_ name: String) throws -> Bool {
            for _ in 0..<40 {
                try session.sendKeys("o")
                if session.waitFor(timeout: .seconds(2), { $0.contains { $0.contains(" \(name) (aws-native:") } }) { return true }
                try session.sendKeys("Escape")
                try session.sendKeys("j")
            }
            return false
        }
        #expect(try openStep("ThingPolicyID"), "\(session.screen)")
        #expect(session.waitFor(text: "\"policyDocument\": {"), "\(session.screen)")
        #expect(session.screen.contains("\"Resource\": \"output<"), "the role alias's ARN is known once applied: \(session.screen)")
        try session.sendKeys("/")
        try session.sendKeys("-l", "AssumeRoleWithCertificate")
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains { $0.contains("\"iot:AssumeRoleWithCertificate\"") } }, "\(session.screen)")
        try session.sendKeys("v")
        #expect(eventually(timeout: .seconds(10)) { FileManager.default.fileExists(atPath: paged + "/shown.txt") })
        let shown = (try? String(contentsOfFile: paged + "/shown.txt", encoding: .utf8)) ?? ""
        #expect(shown.contains("\"greengrass:*\"") && shown.contains("\"iot:AssumeRoleWithCertificate\"") && shown.contains("\"policyName\": \"GreengrassV2IoTThingPolicy\""),
                "\(shown)")
        #expect(session.waitFor(text: "shown in \(paged)/pager"), "\(session.screen)")
        try session.sendKeys("Escape")
        try session.sendKeys("g")
        #expect(try openStep("FleetTemplateID"), "\(session.screen)")
        #expect(session.waitFor(text: "\"templateBody\": (JSON text) {"), "\(session.screen)")
        try session.sendKeys("/")
        try session.sendKeys("-l", "Certificate::Id")
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains { $0.contains("\"AWS::IoT::Certificate::Id\"") } }, "\(session.screen)")
        try session.sendKeys("Escape")

        try session.sendKeys("y")
        #expect(session.waitFor(text: "Type 'prod' to approve (production)"), "\(session.screen)")
        try session.sendKeys("-l", "prod")
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(120)) { $0.contains { $0.contains("Update of prod succeeded") } }, "\(session.screen)")
        let prodPolicies = "boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='\(Self.prodRegion)').list_policies()['policies']"
        #expect(try Self.boto("print('GreengrassV2IoTThingPolicy' in [p['policyName'] for p in \(prodPolicies)])") == "True")
        try session.sendKeys("Escape")
        try session.sendKeys("Escape")
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" prod ") && $0.contains(" 33 ") } }, "\(session.screen)")

        // q asks (quitting removes everything); any other key stays. Ctrl-C quits the same way.
        try session.sendKeys("q")
        #expect(session.waitFor(text: "Quit the demo? Its devices and stacks are removed. y quits"), "\(session.screen)")
        try session.sendKeys("n")
        #expect(session.waitFor { !$0.joined().contains("Quit the demo?") && $0.contains { $0.hasPrefix(" prod ") } }, "\(session.screen)")
        try session.sendKeys("C-c")
        #expect(session.waitFor(text: "EXIT=0", timeout: .seconds(120)), "\(session.screen)")
        #expect(session.screen.contains("removed 5 simulated devices") && session.screen.contains("destroyed prod: 33 resources deleted")
                && session.screen.contains("destroyed dev: 33 resources deleted"), "\(session.screen)")
        #expect(try Self.boto("print(len([t for t in all_things() if t['thingName'].startswith('GG-000')]))") == "0")
        #expect(try Self.boto("print('GreengrassV2IoTThingPolicy' in [p['policyName'] for p in iot.list_policies()['policies']])") == "False")
        // The core devices and the components it published went too.
        #expect(session.screen.contains("removed the 5 components it published"), "\(session.screen)")
        #expect(try Self.boto("""
            gg = boto3.client('greengrassv2', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-west-2')
            print(len(gg.list_components()['components']), len([d for d in gg.list_core_devices()['coreDevices'] if d['coreDeviceThingName'].startswith('GG-000')]))
            """) == "0 0")
        #expect(try Self.boto("print('GreengrassV2IoTThingPolicy' in [p['policyName'] for p in \(prodPolicies)])") == "False")
        #expect(folders.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
    }

    /// The demo's prod region when dev is in us-west-2.
    static let prodRegion = "ap-southeast-2"

    @Test func demoRefusesOutsideTheSandbox() throws {
        let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["demo"], environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp"])
        #expect(result.status == 1)
        #expect(result.stderr == "fleetdeck: the demo runs on the local sandbox (moto and mosquitto): use ./scripts/demo, or scripts/sandbox -- fleetdeck demo\n")
    }
}
