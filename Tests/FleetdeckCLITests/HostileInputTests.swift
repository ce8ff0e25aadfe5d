import Foundation
import TestSupport
import Testing

/// Issue 16: hostile input never writes outside the project or the backend, and is refused with a
/// one-line error naming what is wrong.
@Suite struct HostileInputTests {
    @Test func stackNamesThatLeaveTheBackendAreRefusedEverywhere() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: hostile\nruntime: yaml\noutputs:\n  greeting: hello\n")
        let elsewhere = project.folder + "/elsewhere"
        let names = ["../../../../elsewhere/x", "..", ".", "a/b", "dev x", String(repeating: "s", count: 101)]
        for name in names {
            for (arguments, environment) in [(["up", "--yes", "-s", name], [String: String?]()), (["preview"], ["FLEETDECK_STACK": name]),
                                             (["stack", "init", name], [:]), (["config", "set", "k", "v", "-s", name], [:])] {
                var env = project.environment
                for (key, value) in environment { env[key] = value }
                let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", project.folder], environment: ProcessRunner.environment(env))
                #expect(result.status == 1, "\(arguments) \(name): \(result.stdout)")
                #expect(result.stderr.contains("is not a stack name: stack names may only contain letters, digits, hyphens, underscores and periods"),
                        "\(arguments) \(name): \(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: elsewhere))
        let written = try ProcessRunner.shell("cd \(project.folder) && find . -type f | sort").stdout
        #expect(written == "./Pulumi.yaml\n", "files written: \(written)")
    }
}
