import Foundation
import TestSupport
import Testing

/// The static release binary that scripts/build-release makes (scripts/test builds it first).
@Suite struct ReleaseBinaryTests {
    let binary = ProcessRunner.packageRoot.appendingPathComponent("dist/fleetdeck").path

    @Test func isFullyStaticAndRunsVersion() throws {
        try #require(FileManager.default.isExecutableFile(atPath: binary), "dist/fleetdeck is missing: run scripts/build-release")
        let ldd = try ProcessRunner.run("/usr/bin/ldd", [binary])
        #expect((ldd.stdout + ldd.stderr).contains("not a dynamic executable"), "ldd: \(ldd.stdout)\(ldd.stderr)")
        let version = try ProcessRunner.run(binary, ["version"])
        #expect(version.status == 0)
        #expect(version.stdout.contains("release build"))
        #expect(version.stdout.contains("ncurses 6."))
        #expect(version.stdout.contains("libcurl  7."))
        #expect(version.stdout.contains("OpenSSL/3"))
        #expect(version.stdout.contains("expat_2."))
    }

    /// The optimised static binary deploys and destroys as the debug one does (a task-local once
    /// crashed it, and only it, on the first step; the demo runs this binary).
    @Test func deploysAndDestroysWithWaitsAndExplicitProviders() throws {
        try #require(FileManager.default.isExecutableFile(atPath: binary), "dist/fleetdeck is missing: run scripts/build-release")
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "rel\(UUID().uuidString.prefix(6).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: """
            name: \(p)
            runtime: yaml
            resources:
              west:
                type: pulumi:providers:aws-native
                properties:
                  region: us-west-2
              kind:
                type: aws-native:iot:ThingType
                properties:
                  thingTypeName: \(p)-kind
              sensor:
                type: aws-native:iot:Thing
                properties:
                  thingName: \(p)-sensor
                options:
                  provider: ${west}
            """)
        func run(_ arguments: [String]) throws -> ProcessResult {
            try ProcessRunner.run(binary, arguments + ["-C", project.folder, "-s", "dev"], environment: ProcessRunner.environment(project.environment), timeout: 120)
        }
        let up = try run(["up", "--yes"])
        #expect(up.status == 0 && up.stdout.contains("Resources:\n    + 3 created"), "\(up.stdout)\(up.stderr)")
        let destroyed = try run(["destroy", "--yes"])
        #expect(destroyed.status == 0 && destroyed.stdout.contains("thing type \(p)-kind: AWS deletes a thing type"), "\(destroyed.stdout)\(destroyed.stderr)")
    }
}

/// `fleetdeck version` of the debug build.
@Suite struct VersionCommandTests {
    @Test func jsonNamesEveryLinkedLibrary() throws {
        let result = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["version", "--json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String]
        for key in ["version", "commit", "build", "ncurses", "libcurl", "tls", "expat"] {
            #expect(object?[key]?.isEmpty == false, "missing \(key) in \(result.stdout)")
        }
    }
}
