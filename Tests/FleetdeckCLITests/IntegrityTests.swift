import Foundation
import TestSupport
import Testing

/// Issue 11: what is approved is what runs, and nothing is read or written silently wrong.
@Suite struct IntegrityTests {
    static func program(_ prefix: String, attribute: String = "plain") -> String {
        """
        name: \(prefix)
        runtime: yaml
        config:
          token:
            type: string
        resources:
          a:
            type: aws-native:iot:Thing
            properties:
              thingName: \(prefix)-a
              attributePayload:
                attributes:
                  token: ${token}
          b:
            type: aws-native:iot:Thing
            properties:
              thingName: \(prefix)-b

        """
    }

    static func project(_ prefix: String) throws -> DeployAcceptanceTests.Project {
        let project = try DeployAcceptanceTests.Project(program: program(prefix))
        try "config:\n  \(prefix):token: first\n".write(toFile: project.folder + "/Pulumi.dev.yaml", atomically: true, encoding: .utf8)
        return project
    }

    @Test func aTargetThatNamesNothingIsAnErrorBeforeAnythingRuns() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "target\(UUID().uuidString.prefix(6).lowercased())"
        let project = try Self.project(prefix)
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        try Self.program(prefix).replacingOccurrences(of: "  b:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(prefix)-b\n", with: "")
            .write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
        for command in [["up", "--yes"], ["preview"]] {
            let result = try project.fleetdeck(command + ["--target", "nosuchthing"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("--target 'nosuchthing' names no resource"), "\(result.stderr)")
        }
        #expect(try CrashMatrixTests.things(prefix).keys.sorted() == ["\(prefix)-a", "\(prefix)-b"], "b must not be deleted")
        // A resource only the state still has can be targeted by name: just its delete runs.
        #expect(try project.fleetdeck(["up", "--yes", "--target", "b"]).status == 0)
        #expect(try CrashMatrixTests.things(prefix).keys.sorted() == ["\(prefix)-a"])
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }

    @Test func anUnreadableJournalLineStopsWithTheFileAndLineAndATornLastLineIsDropped() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "journal\(UUID().uuidString.prefix(6).lowercased())"
        let project = try Self.project(prefix)
        var environment = project.environment
        environment["FLEETDECK_CRASH_AT"] = "b:create:after-journal"
        let crashed = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["up", "--yes", "-C", project.folder, "-s", "dev"],
                                            environment: ProcessRunner.environment(environment))
        #expect(crashed.terminatedBySignal)
        let journal = "\(project.folder)/state/.pulumi/stacks/\(prefix)/dev.journal"
        let original = try String(contentsOfFile: journal, encoding: .utf8)
        let lines = original.split(separator: "\n").map(String.init)
        #expect(lines.count >= 3)

        // A damaged line in the middle: nothing is read, the file and line are named, nothing changes.
        var damaged = lines
        damaged[1] = "{\"end\": \"done\", \"urn\": "
        try (damaged.joined(separator: "\n") + "\n").write(toFile: journal, atomically: true, encoding: .utf8)
        let checkpointBefore = try? String(contentsOfFile: "\(project.folder)/state/.pulumi/stacks/\(prefix)/dev.json", encoding: .utf8)
        for command in [["preview"], ["up", "--yes"]] {
            let result = try project.fleetdeck(command)
            #expect(result.status != 0)
            #expect(result.stderr.contains("\(journal):2: unreadable journal record"), "\(result.stderr)")
        }
        #expect(try String(contentsOfFile: journal, encoding: .utf8) == damaged.joined(separator: "\n") + "\n")
        #expect((try? String(contentsOfFile: "\(project.folder)/state/.pulumi/stacks/\(prefix)/dev.json", encoding: .utf8)) == checkpointBefore)

        // A torn last line (a write the crash cut short) is dropped and the run goes on.
        try (original + "{\"begin\": \"creat").write(toFile: journal, atomically: true, encoding: .utf8)
        let resumed = try project.fleetdeck(["up", "--yes"])
        #expect(resumed.status == 0, "\(resumed.stdout) \(resumed.stderr) \(original)")
        #expect(try CrashMatrixTests.things(prefix).keys.sorted() == ["\(prefix)-a", "\(prefix)-b"])
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }

    @Test func secretsAppearInNoOutputAndNoFileThroughDiffsJSONAndACrashSettledUpdate() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "secret\(UUID().uuidString.prefix(6).lowercased())"
        let project = try Self.project(prefix)
        var printed = ""
        func run(_ arguments: [String], crashAt: String? = nil) throws -> ProcessResult {
            var environment = project.environment
            environment["FLEETDECK_CRASH_AT"] = crashAt
            let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", project.folder, "-s", "dev"],
                                               environment: ProcessRunner.environment(environment))
            printed += result.stdout + result.stderr
            return result
        }
        #expect(try run(["up", "--yes"]).status == 0)
        // The plain value becomes a secret, then another secret: neither may be shown again.
        #expect(try run(["config", "set", "--secret", "token", "HUSH-one-8841"]).status == 0)
        #expect(try run(["preview", "--diff"]).stdout.contains("[secret]"))
        #expect(try run(["preview", "--json"]).status == 0)
        #expect(try run(["up", "--yes", "--diff"]).status == 0)
        #expect(try run(["config", "set", "--secret", "token", "HUSH-two-5150"]).status == 0)
        #expect(try run(["preview", "--diff"]).status == 0)
        #expect(try run(["preview", "--json"]).status == 0)
        #expect(try run(["up", "--yes", "--diff"], crashAt: "a:update:after-call").terminatedBySignal)
        #expect(try run(["up", "--yes", "--diff"]).status == 0)
        #expect(try run(["stack", "history"]).status == 0)
        #expect(try run(["stack", "export"]).status == 0)
        #expect(try run(["preview", "--expect-no-changes"]).status == 0)

        #expect(!printed.contains("HUSH-"), "a secret was printed")
        #expect(!printed.contains("first"), "the value that became secret was printed")
        let grep = try ProcessRunner.shell("grep -rl 'HUSH-' \(project.folder)/state || true")
        #expect(grep.stdout.isEmpty, "secret in clear in \(grep.stdout)")
        #expect(try CrashMatrixTests.things(prefix).count == 2)
        #expect(try run(["destroy", "--yes"]).status == 0)
    }

    @Test func outputOnlyChangesArePlannedAppliedAndRecorded() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "outputs\(UUID().uuidString.prefix(6).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: "name: \(prefix)\nruntime: yaml\noutputs:\n  greeting: hello\n")
        let first = try project.fleetdeck(["preview", "--expect-no-changes"])
        #expect(first.status != 0, "a program with only outputs has changes to record")
        #expect(first.stdout.contains("+ greeting: \"hello\""), "\(first.stdout)")
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        #expect(try project.fleetdeck(["stack", "output", "greeting"]).stdout.contains("hello"))
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0)

        try "name: \(prefix)\nruntime: yaml\noutputs:\n  greeting: hi there\n".write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
        let preview = try project.fleetdeck(["preview", "--json"])
        #expect(preview.stdout.contains("\"outputChanges\""), "\(preview.stdout)")
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        #expect(try project.fleetdeck(["stack", "output", "greeting"]).stdout.contains("hi there"))
        #expect(try project.fleetdeck(["preview", "--expect-no-changes"]).status == 0)
    }
}
