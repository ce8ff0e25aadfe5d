import Foundation
import TestSupport
import Testing

/// The dashboard of the real binary in tmux, on a project with a deployed stack and a
/// production stack.
@Suite(.serialized) struct DashboardTerminalTests {
    @Test func stacksThenAStacksResourcesThenBackAndQuit() throws {
        let env = ProcessInfo.processInfo.environment
        try #require(env["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "dash\(UUID().uuidString.prefix(5).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: """
            name: \(p)
            runtime: yaml
            resources:
              group:
                type: aws-native:iot:ThingGroup
                properties:
                  thingGroupName: \(p)-group
              sensor:
                type: aws-native:iot:Thing
                properties:
                  thingName: \(p)-sensor
            outputs:
              groupArn: ${group.arn}
            """)
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        try "config:\n  \(p):aws-account-id: \"123456789012\"\n".write(toFile: project.folder + "/Pulumi.production.yaml", atomically: true, encoding: .utf8)
        let environment = project.terminalEnvironment
        let session = try TmuxSession("cd \(project.folder) && \(ProcessRunner.fleetdeckBinary); echo EXIT=$?; sleep 600", width: 100, height: 30, environment: environment)
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" dev ") && $0.contains("2") } && $0.contains { $0.hasPrefix(" production") } }, "\(session.screen)")
        let lines = session.capture()
        #expect(lines[0].hasPrefix(" Fleetdeck › \(p)"))
        #expect(lines.first { $0.hasPrefix(" production") }?.contains("PROD") == true)
        #expect(lines.first { $0.hasPrefix(" dev ") }?.contains("PROD") == false)
        try session.sendKeys("Enter")
        #expect(session.waitFor(text: "\(p)-sensor"), "\(session.screen)")
        #expect(session.screen.contains("aws-native:iot:ThingGroup"))
        try session.sendKeys("2")  // the outputs tab
        #expect(session.waitFor(text: "arn:aws:iot:us-east-1:123456789012:thinggroup/\(p)-group"), "\(session.screen)")
        try session.sendKeys("q")
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" production") } }, "\(session.screen)")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXIT=0"), "\(session.screen)")
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }
}

/// Colours as the terminal can show them: 256 (bright colours as such), 8 (folded), none
/// (NO_COLOR: attributes only).
@Suite(.serialized) struct DashboardColourTests {
    @Test(arguments: [("xterm-256color", false), ("xterm", false), ("xterm-256color", true)])
    func coloursFollowTheTerminal(term: String, noColor: Bool) throws {
        let project = try DeployAcceptanceTests.Project(program: "name: colours\nruntime: yaml\nresources: {}\n")
        #expect(try project.fleetdeck(["stack", "init", "dev"]).status == 0)
        var environment = project.terminalEnvironment
        environment["TERM"] = term
        if noColor { environment["NO_COLOR"] = "1" }
        let session = try TmuxSession("cd \(project.folder) && \(ProcessRunner.fleetdeckBinary); sleep 600", width: 80, height: 24, environment: environment)
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" dev ") } }, "\(session.screen)")
        let styled = session.styledScreen
        let codes = Set(styled.matches(of: /\x1b\[([0-9;]*)m/).flatMap { $0.output.1.split(separator: ";").compactMap { Int($0) } })
        let basic = codes.filter { (30...37).contains($0) || (40...47).contains($0) }, bright = codes.filter { (90...97).contains($0) || (100...107).contains($0) }
        if noColor {
            #expect(basic.isEmpty && bright.isEmpty && !codes.contains(38) && !codes.contains(48), "NO_COLOR drew colours: \(codes.sorted())")
            #expect(codes.contains(1) || codes.contains(7), "no attributes either: \(codes.sorted())")
        } else if term == "xterm" {
            #expect(!basic.isEmpty && bright.isEmpty && !codes.contains(38), "8 colours: \(codes.sorted())")
        } else {
            #expect(!bright.isEmpty, "the theme's bright colours: \(codes.sorted())")
        }
    }
}

/// A broken theme file of the user's is named with its line and column, and the built-in
/// theme is used.
@Suite struct DashboardThemeFileTests {
    @Test func aMalformedUserThemeIsReportedAndTheDefaultUsed() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: themes\nruntime: yaml\nresources: {}\n")
        #expect(try project.fleetdeck(["stack", "init", "dev"]).status == 0)
        let home = project.folder + "/home"
        try FileManager.default.createDirectory(atPath: home + "/.config/fleetdeck/themes", withIntermediateDirectories: true)
        try "name: default\nroles:\n  title: {fg: purple}\n".write(toFile: home + "/.config/fleetdeck/themes/default.yaml", atomically: true, encoding: .utf8)
        var environment = project.terminalEnvironment
        environment["HOME"] = home
        let session = try TmuxSession("cd \(project.folder) && \(ProcessRunner.fleetdeckBinary); sleep 600", width: 120, height: 24, environment: environment)
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" dev ") } }, "\(session.screen)")
        #expect(session.waitFor(text: "theme: ~/.config/fleetdeck/themes/default.yaml:3:15: unknown colour 'purple'"), "\(session.screen)")
        #expect(session.styledScreen.contains("\u{1b}[44m"))  // the built-in title bar (blue) is drawn
    }
}

/// Issue 6's acceptance: a production-named stack reviewed, refused, then approved by typing
/// its name, deployed while the terminal is resized, in tmux on moto.
@Suite(.serialized) struct DashboardDeployTests {
    @Test func reviewRefuseApproveByNameAndDeploy() throws {
        let env = ProcessInfo.processInfo.environment
        try #require(env["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "ui\(UUID().uuidString.prefix(5).lowercased())"
        var program = "name: \(p)\nruntime: yaml\nresources:\n"
        for index in 0..<12 { program += "  t\(index):\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(p)-\(index)\n" }
        let project = try DeployAcceptanceTests.Project(program: program)
        try "config: {}\n".write(toFile: project.folder + "/Pulumi.prod-eu.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: project.folder + "/Pulumi.dev.yaml")  // prod-eu is the only stack
        let environment = project.terminalEnvironment
        let session = try TmuxSession("cd \(project.folder) && \(ProcessRunner.fleetdeckBinary); echo EXIT=$?; sleep 600", width: 100, height: 30, environment: environment)
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" prod-eu") && $0.contains("PROD") } }, "\(session.screen)")
        try session.sendKeys("Enter")
        #expect(session.waitFor(text: "Plan: +12 create  (0 unchanged)"), "\(session.screen)")
        try session.sendKeys("p")
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" Plan ") && $0.contains("+12 create") } }, "\(session.screen)")
        try session.sendKeys("n")
        #expect(session.waitFor(text: "not deployed: nothing was changed"), "\(session.screen)")
        #expect(try InterruptionAcceptanceTests.things(prefix: p).isEmpty)
        try session.sendKeys("p")
        #expect(session.waitFor { $0.contains { $0.hasPrefix(" Plan ") && $0.contains("+12 create") } }, "\(session.screen)")
        try session.sendKeys("y")
        #expect(session.waitFor(text: "Type 'prod-eu' to approve (production)"), "\(session.screen)")
        try session.sendKeys("-l", "prod-eu")
        try session.sendKeys("Enter")
        try session.resize(width: 40, height: 12)
        try session.resize(width: 100, height: 30)
        #expect(session.waitFor(timeout: .seconds(60)) { $0.contains { $0.contains("Update of prod-eu succeeded: 12 changes") } }, "\(session.screen)")
        #expect(session.screen.contains("12/12"))
        #expect(try InterruptionAcceptanceTests.things(prefix: p).count == 12)
        try session.sendKeys("Escape")
        try session.sendKeys("q")
        try session.sendKeys("q")
        #expect(session.waitFor(text: "EXIT=0", timeout: .seconds(20)), "\(session.screen)")
        #expect(try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["destroy", "--yes", "-C", project.folder, "-s", "prod-eu"],
                                      environment: ProcessRunner.environment(project.environment)).status == 0)
    }
}
