import Foundation
import TestSupport
import Testing

/// Issue 11's crash matrix for things: every step kind (create, update, replace with its create
/// and its delete of the old thing, delete) times every crash point (before the cloud call, after
/// it, after the journal line). The process kills itself there (`FLEETDECK_CRASH_AT`); the next
/// `up` must converge: moto then holds exactly the program's things with the program's values.
@Suite struct CrashMatrixTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var kind: String
        var crashAt: String
        var testDescription: String { "\(kind) at \(crashAt)" }
    }

    static let points = ["before-call", "after-call", "after-journal"]
    static let cases: [Case] = points.flatMap { point in
        [Case(kind: "create", crashAt: "a:create:\(point)"), Case(kind: "update", crashAt: "a:update:\(point)"),
         Case(kind: "replace", crashAt: "b:replace:\(point)"), Case(kind: "replace", crashAt: "b:delete:\(point)"),
         Case(kind: "delete", crashAt: "c:delete:\(point)")]
    }

    static func program(_ prefix: String, version: String = "1", bName: String = "b", withC: Bool = true) -> String {
        var text = """
            name: \(prefix)
            runtime: yaml
            resources:
              a:
                type: aws-native:iot:Thing
                properties:
                  thingName: \(prefix)-a
                  attributePayload:
                    attributes:
                      version: "\(version)"
              b:
                type: aws-native:iot:Thing
                properties:
                  thingName: \(prefix)-\(bName)

            """
        if withC { text += "  c:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(prefix)-c\n" }
        return text
    }

    /// name -> the thing's `version` attribute ("" without one), for the things of this prefix.
    static func things(_ prefix: String) throws -> [String: String] {
        let output = try DeployAcceptanceTests.boto("""
            for t in all_things():
                if t['thingName'].startswith('\(prefix)-'):
                    print(t['thingName'], t.get('attributes', {}).get('version', ''))
            """)
        var result: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    @Test(arguments: cases)
    func crashThenUpConverges(_ testCase: Case) throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let prefix = "crash\(UUID().uuidString.prefix(6).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: Self.program(prefix))
        var expected: [String: String] = ["\(prefix)-a": "1", "\(prefix)-b": "", "\(prefix)-c": ""]
        if testCase.kind != "create" {
            #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
            let next: String
            switch testCase.kind {
            case "update": next = Self.program(prefix, version: "2"); expected["\(prefix)-a"] = "2"
            case "replace": next = Self.program(prefix, bName: "b2"); expected["\(prefix)-b"] = nil; expected["\(prefix)-b2"] = ""
            default: next = Self.program(prefix, withC: false); expected["\(prefix)-c"] = nil
            }
            try next.write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
        }
        try Self.crashThenConverge(project, at: testCase.crashAt, expected: expected, empty: [:]) { try Self.things(prefix) }
    }

    /// Runs `up` until it kills itself at `crashAt`, then the `up` that must converge: what
    /// `inspect` finds in the account must then be `expected`, no change may be left, and after a
    /// destroy it must find `empty`.
    static func crashThenConverge<Seen: Equatable>(_ project: DeployAcceptanceTests.Project, at crashAt: String, expected: Seen, empty: Seen,
                                                   inspect: () throws -> Seen) throws {
        var environment = project.environment
        environment["FLEETDECK_CRASH_AT"] = crashAt
        // A case may delete a stack's only resource, which --yes alone refuses as a mass delete.
        let crashed = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["up", "--yes", "--allow-mass-delete", "-C", project.folder, "-s", "dev"],
                                            environment: ProcessRunner.environment(environment))
        #expect(crashed.terminatedBySignal && crashed.status == 128 + SIGKILL, "the run did not reach \(crashAt): \(crashed.stdout) \(crashed.stderr)")

        let resumed = try project.fleetdeck(["up", "--yes", "--allow-mass-delete"])
        #expect(resumed.status == 0, "\(resumed.stdout) \(resumed.stderr)")
        #expect(try inspect() == expected, "after \(crashAt): \(resumed.stdout)")
        let preview = try project.fleetdeck(["preview", "--expect-no-changes", "--diff"])
        #expect(preview.status == 0, "\(preview.stdout) \(preview.stderr)")
        let destroyed = try project.fleetdeck(["destroy", "--yes"])
        #expect(destroyed.status == 0, "\(destroyed.stdout) \(destroyed.stderr)")
        #expect(try inspect() == empty)
    }
}
