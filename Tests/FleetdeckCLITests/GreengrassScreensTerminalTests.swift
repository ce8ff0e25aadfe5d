import Foundation
import TestSupport
import Testing

/// The cores screens as a person uses them, in tmux on the sandbox: simulated cores report on
/// the health topic, `:cores` lists them with the unhealthy one standing out, `/` finds it,
/// Enter says why it is unhealthy, `d` goes to the thing and `c` comes back.
@Suite(.serialized) struct GreengrassScreensTerminalTests {
    @Test func fromTheListToWhyOneCoreIsUnhealthy() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "tg\(UUID().uuidString.prefix(5).lowercased())"
        let simulate = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["simulate", "--greengrass", "--devices", "10", "--rate", "1", "--prefix", prefix,
                                                                             "--duration", "1"])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        // The reports reach the sandbox's Greengrass through the bridge: listed once they have.
        let deadline = Date().addingTimeInterval(30)
        while try !ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["gg", "cores", "ls"]).stdout.contains("\(prefix)-010") {
            try #require(Date() < deadline, "the simulated cores' reports did not arrive within 30 s")
        }
        let project = try DeployAcceptanceTests.Project(program: "name: ggui\nruntime: yaml\nresources: {}\n")
        let session = try TmuxSession("cd \(project.folder) && \(ProcessRunner.fleetdeckBinary); echo EXIT=$?; sleep 600", width: 140, height: 40,
                                      environment: project.terminalEnvironment)
        #expect(session.waitFor { $0.contains { $0.contains(" dev ") } }, "\(session.screen)")
        try session.sendKeys("-l", ":cores")
        try session.sendKeys("Enter")
        #expect(session.waitFor { $0.contains { $0.contains(" core devices: ") && $0.contains("UNHEALTHY") } }, "\(session.screen)")
        #expect(session.screen.contains("nucleus 2.12.6"), "\(session.screen)")
        try session.sendKeys("/")
        try session.sendKeys("-l", "\(prefix)")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in
            lines.contains { $0.contains("10 match /\(prefix)") } && lines.contains { $0.contains("\(prefix)-010") && $0.contains("UNHEALTHY") }
                && lines.filter { $0.contains("\(prefix)-0") && $0.contains(" HEALTHY") }.count == 9
        }, "\(session.screen)")
        // To the unhealthy one (the list is in name order; -010 is the last).
        try session.sendKeys("G")
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in
            lines.contains { $0.contains("why: docker_corrupt 1.0.0 is BROKEN (RUN_ERROR)") }
                && lines.contains { $0.contains("FAILED") && $0.contains("docker_corrupt: the component broke") }
        }, "\(session.screen)")
        try session.sendKeys("d")
        #expect(session.waitFor { $0.contains { $0.contains("c core device") } }, "\(session.screen)")
        try session.sendKeys("c")
        #expect(session.waitFor { $0.contains { $0.contains("why: docker_corrupt") } }, "\(session.screen)")
        // The matrix: every core's root components; this run's ten, the broken one and the drift.
        try session.sendKeys("-l", ":matrix")
        try session.sendKeys("Enter")
        #expect(session.waitFor(timeout: .seconds(30)) { $0.contains { $0.contains(" core devices × ") } }, "\(session.screen)")
        try session.sendKeys("/")
        try session.sendKeys("-l", prefix)
        try session.sendKeys("Enter")
        #expect(session.waitFor { lines in
            lines.contains { $0.contains("10 match /\(prefix)") } && lines.contains { $0.contains("\(prefix)-010") && $0.contains("BROKEN") }
                && lines.contains { $0.contains("drift in") && $0.contains("docker_led") }
        }, "\(session.screen)")
        for _ in 0..<6 { try session.sendKeys("q") }
        #expect(session.waitFor { $0.contains { $0.contains("EXIT=0") } }, "\(session.screen)")
    }
}
