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
    @Test func demoDeploysSimulatesShowsMessagesAndCleansUp() throws {
        let env = ProcessInfo.processInfo.environment
        try #require(env["FLEETDECK_MQTT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        var environment: [String: String] = [:]
        for (key, value) in env where key.hasPrefix("AWS_") || key.hasPrefix("FLEETDECK_") { environment[key] = value }
        let session = try TmuxSession("\(ProcessRunner.fleetdeckBinary) demo --devices 5 --rate 4; echo EXIT=$?; sleep 600", width: 120, height: 30,
                                      environment: environment)
        #expect(session.waitFor(timeout: .seconds(60)) { $0.contains { $0.contains("device/demo-sensor-") } }, "\(session.screen)")
        // Other tests' simulators may share the broker: narrow the list to the demo's devices.
        try session.sendKeys("/")
        try session.sendKeys("-l", "demo-sensor")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in (1...5).allSatisfy { n in lines.contains { $0.contains("device/demo-sensor-00\(n)/telemetry  {\"temperature\":") } } },
                "\(session.screen)")
        // The demo's project folder (the only one: demos clean up after themselves).
        let folders = try ProcessRunner.run("/bin/sh", ["-c", "ls -d /tmp/fleetdeck-demo-*"]).stdout.split(separator: "\n").map(String.init)
        #expect(folders.count == 1, "\(folders)")
        // The devices and their shadows.
        try session.sendKeys("-l", ":things")
        try session.sendKeys("Enter")
        try session.sendKeys("/")
        try session.sendKeys("-l", "demo-sensor-003")
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains { $0.hasPrefix("   demo-sensor-003") } }, "\(session.screen)")
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains { $0.contains("REPORTED") } && $0.contains { $0.contains("\"firmware\": ") } }, "\(session.screen)")
        // Enrolled as a fleet would be: in the group, with an active certificate carrying the policy.
        #expect(session.screen.contains("groups: demo-fleet"))
        #expect(session.screen.contains("ACTIVE  expires in 36"), "\(session.screen)")
        #expect(session.screen.contains("policy demo-telemetry (dev/telemetryPolicy)"), "\(session.screen)")
        try session.sendKeys("-l", ":stacks")
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" dev ") && $0.contains(" 4 ") } }, "\(session.screen)")
        #expect(try DeployAcceptanceTests.boto("print(len([t for t in all_things() if t['thingName'].startswith('demo-sensor-0')]))") == "5")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXIT=0", timeout: .seconds(60)), "\(session.screen)")
        #expect(try DeployAcceptanceTests.boto("print(len([t for t in all_things() if t['thingName'].startswith('demo-sensor-0') or t['thingName'] == 'demo-gateway']))") == "0")
        #expect(try DeployAcceptanceTests.boto("print('demo-telemetry' in [p['policyName'] for p in iot.list_policies()['policies']])") == "False")
        #expect(folders.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
    }

    @Test func demoRefusesOutsideTheSandbox() throws {
        let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["demo"], environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp"])
        #expect(result.status == 1)
        #expect(result.stderr == "fleetdeck: the demo runs on the local sandbox (moto and mosquitto): use ./scripts/demo, or scripts/sandbox -- fleetdeck demo\n")
    }
}
