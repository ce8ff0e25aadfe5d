import Foundation
import TestSupport
import Testing

/// Issue 26: Pulumi's habits, each tried on Pulumi's own files: a secret inside an object is shown
/// decrypted by `config get`; `stack import --file F`; `propertyDependencies` recorded per
/// property, as Pulumi records them; and a stack that does not exist is refused by name.
@Suite struct PulumiHabitsTests {
    static let fixtures = ProcessRunner.packageRoot.appendingPathComponent("Tests/Fixtures").path

    @Test func configGetShowsAnObjectWithItsSecretsDecrypted() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: countdown\nruntime: yaml\n")
        try FileManager.default.copyItem(atPath: Self.fixtures + "/pulumi-state/Pulumi.password.yaml", toPath: project.folder + "/Pulumi.password.yaml")
        func get(_ arguments: [String]) throws -> ProcessResult {
            try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["config", "get"] + arguments + ["-C", project.folder, "-s", "password"],
                                  environment: ProcessRunner.environment(["PULUMI_CONFIG_PASSPHRASE": "password", "PULUMI_CONFIG_PASSPHRASE_FILE": nil,
                                                                          "FLEETDECK_BACKEND_URL": "file://\(project.folder)/state"]))
        }
        let whole = try get(["db"])
        #expect(whole.status == 0 && whole.stdout == #"{"host":"db.internal","password":"db-secret"}"# + "\n", "\(whole.stdout)\(whole.stderr)")
        #expect(try get(["db", "--json"]).stdout == #"{"value":{"host":"db.internal","password":"db-secret"},"secret":true}"# + "\n")
        #expect(try get(["--path", "db.password"]).stdout == "db-secret\n")
        #expect(try get(["--path", "db.host"]).stdout == "db.internal\n")
        let missing = try get(["--path", "db.port"])
        #expect(missing.status == 1 && missing.stderr.contains("'db.port' is not set for stack 'password'"), "\(missing.stderr)")
    }

    @Test func stackImportTakesPulumisFileFlag() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: iot-ref-arch\nruntime: yaml\n")
        let checkpoint = Self.fixtures + "/seed-iot-ref-arch/.pulumi/stacks/iot-ref-arch/dev.json"
        let imported = try project.fleetdeck(["stack", "import", "--file", checkpoint])
        #expect(imported.status == 0 && imported.stdout.contains("Imported \(checkpoint) into stack 'dev'"), "\(imported.stdout)\(imported.stderr)")
        let both = try project.fleetdeck(["stack", "import", checkpoint, "--file", checkpoint])
        #expect(both.status != 0 && both.stderr.contains("name the file once"), "\(both.stderr)")
    }

    @Test func propertyDependenciesNameWhatEachPropertyRefersTo() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "propdeps\(UUID().uuidString.prefix(6).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: """
            name: \(p)
            runtime: yaml
            variables:
              topicArn: ${alerts.topicArn}
            resources:
              alerts:
                type: aws-native:sns:Topic
                properties:
                  topicName: \(p)-alerts
              sensor:
                type: aws-native:iot:Thing
                properties:
                  thingName: \(p)-sensor
                  attributePayload:
                    attributes:
                      alerts: ${topicArn}
            """)
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        let exported = try project.fleetdeck(["stack", "export"]).stdout
        let document = try PulumiMigrationTests.json(exported)
        let resources = try #require((document["deployment"] as? [String: Any])?["resources"] as? [[String: Any]])
        let sensor = try #require(resources.first { ($0["urn"] as? String)?.hasSuffix("::sensor") == true })
        let topic = "urn:pulumi:dev::\(p)::aws-native:sns:Topic::alerts"
        #expect((sensor["propertyDependencies"] as? [String: [String]]) == ["attributePayload": [topic], "thingName": []], "\(sensor)")
        #expect((sensor["dependencies"] as? [String]) == [topic])
        #expect(try PulumiMigrationTests.schemaVerdict(exported) == "valid")
        #expect(try project.fleetdeck(["destroy", "--yes"]).status == 0)
    }

    /// Pulumi refuses a stack that was never made; so does Fleetdeck, before reading or writing
    /// anything: a typo in -s is never a new stack.
    @Test func aStackThatDoesNotExistIsRefusedByNameAndNothingIsWritten() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: typo\nruntime: yaml\nresources:\n  t:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: typo-t\n")
        let before = try FileManager.default.contentsOfDirectory(atPath: project.folder).sorted()
        for arguments in [["up", "--yes"], ["preview"], ["config", "set", "prefix", "zz"], ["stack", "output"], ["stack", "history"], ["destroy", "--yes"],
                          ["refresh", "--yes"], ["config", "get", "prefix"], ["stack", "export"]] {
            let run = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", project.folder, "-s", "nosuch"],
                                            environment: ProcessRunner.environment(project.environment))
            #expect(run.status == 1 && run.stderr.contains("no stack named 'nosuch' (this project has: dev)"), "\(arguments): \(run.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.folder).sorted() == before, "a file was written")
        // stack init makes it; then it is there.
        #expect(try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["stack", "init", "nosuch", "-C", project.folder],
                                      environment: ProcessRunner.environment(project.environment)).status == 0)
        #expect(try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["config", "set", "prefix", "zz", "-C", project.folder, "-s", "nosuch"],
                                      environment: ProcessRunner.environment(project.environment)).status == 0)
    }
}
