import Foundation
import TestSupport
import Testing

/// Issue 12: a Pulumi stack moves to Fleetdeck and back without silent loss.
@Suite struct PulumiMigrationTests {
    static func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Pulumi's JSON schemas' verdict on a stack export ("valid", or the errors with their paths).
    static func schemaVerdict(_ export: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try export.write(toFile: file, atomically: true, encoding: .utf8)
        let validator = ProcessRunner.packageRoot.appendingPathComponent("Tests/Fixtures/pulumi-apitype/validate.py").path
        let result = try ProcessRunner.run("/usr/bin/env", ["python3", validator, file])
        return (result.stdout + result.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func write(_ object: Any, to path: String) throws {
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
    }

    /// What the account's things look like in a Pulumi export made by pulumi-aws-native for the
    /// same program: a default provider resource, `provider` and `parent` on every resource,
    /// per-property dependencies and custom timeouts. (Pulumi also writes `created` and
    /// `modified`, which Fleetdeck keeps too, but Pulumi's schemas do not list them: see
    /// Tests/Fixtures/pulumi-apitype/SOURCES.md.)
    static func pulumiShaped(_ deployment: [String: Any], project: String, stack: String) -> [String: Any] {
        var deployment = deployment
        let stackURN = "urn:pulumi:\(stack)::\(project)::pulumi:pulumi:Stack::\(project)-\(stack)"
        let providerURN = "urn:pulumi:\(stack)::\(project)::pulumi:providers:aws-native::default_1_20_0"
        var resources = deployment["resources"] as? [[String: Any]] ?? []
        for index in resources.indices where resources[index]["type"] as? String == "aws-native:iot:Thing" {
            resources[index]["provider"] = providerURN + "::6f1e9b1c-0d2a-4a53-9a2e-0c9a1b2c3d4e"
            resources[index]["parent"] = stackURN
            resources[index]["propertyDependencies"] = ["thingName": [Any]()]
            resources[index]["customTimeouts"] = ["create": 600]
        }
        resources.insert(["urn": providerURN, "custom": true, "id": "6f1e9b1c-0d2a-4a53-9a2e-0c9a1b2c3d4e", "type": "pulumi:providers:aws-native",
                          "inputs": ["region": "us-east-1", "version": "1.20.0"], "outputs": ["region": "us-east-1", "version": "1.20.0"],
                          "parent": stackURN], at: 1)
        deployment["resources"] = resources
        deployment["manifest"] = ["time": "2026-11-30T10:00:00.000000Z", "magic": "0d3bb3a4b9e2b0e1", "version": "v3.200.0"]
        return deployment
    }

    @Test func aPulumiExportImportsPreviewsNoChangesAndGoesBackWithItsFields() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "mig\(UUID().uuidString.prefix(5).lowercased())"
        let program = DashboardOperationsTests.program(p, things: 2)
        let original = try DeployAcceptanceTests.Project(program: program)
        #expect(try original.fleetdeck(["up", "--yes"]).status == 0)

        // stack export prints Pulumi's export form.
        let exported = try Self.json(try original.fleetdeck(["stack", "export"]).stdout)
        #expect(exported["version"] as? Int == 3)
        #expect(exported["checkpoint"] == nil)
        let deployment = try #require(exported["deployment"] as? [String: Any])
        #expect((deployment["resources"] as? [Any])?.count == 3)  // the stack and two things

        // As Pulumi would have exported the same resources, imported into a new project folder
        // (its own backend): it previews "no changes", and keeps what it does not act on.
        let moved = try DeployAcceptanceTests.Project(program: program)
        let file = moved.folder + "/export.json"
        try Self.write(["version": 3, "deployment": Self.pulumiShaped(deployment, project: p, stack: "dev")], to: file)
        let imported = try moved.fleetdeck(["stack", "import", file])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "Imported \(file) into stack 'dev' (4 resources)\n")
        let preview = try moved.fleetdeck(["preview", "--expect-no-changes"])
        #expect(preview.status == 0, "\(preview.stdout) \(preview.stderr)")
        // Round trip: what stack export prints, imported again elsewhere, exports byte for byte the same.
        let first = try moved.fleetdeck(["stack", "export"]).stdout
        let again = try DeployAcceptanceTests.Project(program: program)
        try first.write(toFile: again.folder + "/export.json", atomically: true, encoding: .utf8)
        #expect(try again.fleetdeck(["stack", "import", again.folder + "/export.json"]).status == 0)
        #expect(try again.fleetdeck(["stack", "export"]).stdout == first)
        #expect(try Self.schemaVerdict(first) == "valid")
        #expect(preview.stdout.contains("0 changes. 2 unchanged"), "\(preview.stdout)")

        // A change applied: the things keep their provider, parent and timestamps; the provider stays.
        try moved.edit("thingName: \(p)-1", "thingName: \(p)-1\n      attributePayload:\n        attributes:\n          moved: \"yes\"")
        #expect(try moved.fleetdeck(["up", "--yes"]).status == 0)
        let backText = try moved.fleetdeck(["stack", "export"]).stdout
        #expect(try Self.schemaVerdict(backText) == "valid")
        let back = try Self.json(backText)
        let resources = try #require((back["deployment"] as? [String: Any])?["resources"] as? [[String: Any]])
        #expect(resources.contains { $0["type"] as? String == "pulumi:providers:aws-native" })
        let things = resources.filter { $0["type"] as? String == "aws-native:iot:Thing" }
        #expect(things.count == 2)
        for thing in things {
            #expect((thing["provider"] as? String)?.hasPrefix("urn:pulumi:dev::\(p)::pulumi:providers:aws-native::default_1_20_0::") == true, "\(thing)")
            #expect(thing["parent"] as? String == "urn:pulumi:dev::\(p)::pulumi:pulumi:Stack::\(p)-dev")
            #expect((thing["customTimeouts"] as? [String: Int]) == ["create": 600])
        }
        let updated = try #require(things.first { ($0["inputs"] as? [String: Any])?["attributePayload"] != nil })
        #expect((updated["propertyDependencies"] as? [String: Any])?.keys.sorted() == ["attributePayload", "thingName"])
        #expect(try moved.fleetdeck(["destroy", "--yes"]).status == 0)
    }

    @Test func olderVersionsAreMigratedAndWhatCannotBeReadIsRefusedWithNothingStored() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: countdown\nruntime: yaml\noutputs:\n  o: x\n")
        let urn = "urn:pulumi:dev::countdown::aws-native:iot:Thing::t"
        let v1: [String: Any] = ["version": 1, "checkpoint": ["target": "dev", "latest": [
            "time": "2017-11-08T11:52:26.954469-08:00",
            "resources": [["urn": urn, "custom": true, "id": "t-1", "type": "aws-native:iot:Thing", "inputs": ["thingName": "t-1"],
                           "defaults": ["thingName": "t-1"], "outputs": ["thingName": "t-1"], "dependencies": ["urn:pulumi:dev::countdown::aws-native:iot:ThingType::tt"]],
                          ["urn": "urn:pulumi:dev::countdown::aws-native:iot:ThingType::tt", "custom": true, "id": "tt", "type": "aws-native:iot:ThingType",
                           "inputs": [String: Any](), "outputs": [String: Any]()]]]]]
        try Self.write(v1, to: project.folder + "/v1.json")
        let imported = try project.fleetdeck(["stack", "import", project.folder + "/v1.json"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let migrated = try Self.json(try project.fleetdeck(["stack", "export"]).stdout)
        let thing = try #require(((migrated["deployment"] as? [String: Any])?["resources"] as? [[String: Any]])?.first)
        #expect(thing["defaults"] == nil)
        #expect((thing["propertyDependencies"] as? [String: [String]]) == ["thingName": ["urn:pulumi:dev::countdown::aws-native:iot:ThingType::tt"]])

        let state = { try ProcessRunner.shell("cd \(project.folder)/state && find . -type f -name '*.json' -not -path '*history*' -exec sha256sum {} + | sort").stdout }
        let before = try state()
        let resource: [String: Any] = ["urn": urn, "custom": true, "id": "t-1", "type": "aws-native:iot:Thing"]
        func deployment(_ resources: [[String: Any]]) -> [String: Any] { ["manifest": ["time": "", "magic": "", "version": ""], "resources": resources] }
        let cases: [(Any, String)] = [
            (["version": 5, "deployment": deployment([resource])], "version 5: Fleetdeck reads versions 1 to 4"),
            (["version": 4, "features": ["refreshBeforeUpdate"], "deployment": deployment([resource])],
             "it needs the Pulumi features refreshBeforeUpdate, which Fleetdeck does not support"),
            (["version": 3, "deployment": deployment([resource.merging(["external": true]) { $1 }])],
             "\(urn) is external (read with get, not managed by the stack), which Fleetdeck does not support"),
            (["version": 3, "deployment": deployment([resource.merging(["brandNewField": 1]) { $1 }])],
             "\(urn) has the field 'brandNewField', which Fleetdeck does not know"),
            (["version": 3, "deployment": deployment([resource.merging(["urn": "urn:pulumi:prod::countdown::aws-native:iot:Thing::t"]) { $1 }])],
             "belongs to stack 'prod' of project 'countdown', not 'dev' of 'countdown'"),
            (["version": 3, "resources": [Any]()], "neither a checkpoint ({\"version\", \"checkpoint\"}) nor a stack export ({\"version\", \"deployment\"})"),
        ]
        for (document, message) in cases {
            try Self.write(document, to: project.folder + "/bad.json")
            let result = try project.fleetdeck(["stack", "import", project.folder + "/bad.json"])
            #expect(result.status == 1)
            #expect(result.stderr.contains(message) && result.stderr.hasSuffix("; nothing was changed\n"), "\(result.stderr)")
            #expect(try state() == before, "\(message)")
        }
        try "{\"version\": 3, \"deployment\": ".write(toFile: project.folder + "/bad.json", atomically: true, encoding: .utf8)
        let torn = try project.fleetdeck(["stack", "import", project.folder + "/bad.json"])
        #expect(torn.status == 1 && torn.stderr.contains("bad.json cannot be imported: unsupported state: not JSON"), "\(torn.stderr)")
        #expect(try state() == before)
    }
}

/// Issue 12: programs and stack settings read as Pulumi and pulumi-yaml read them.
@Suite struct PulumiProgramCompatibilityTests {
    func fleetdeck(_ project: DeployAcceptanceTests.Project, _ arguments: [String], environment: [String: String?] = [:]) throws -> ProcessResult {
        var env = project.environment
        for (key, value) in environment { env[key] = value }
        return try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", project.folder, "-s", "dev"], environment: ProcessRunner.environment(env))
    }

    @Test func theProgramIsFoundWherePulumiYAMLFindsIt() throws {
        let p = "main\(UUID().uuidString.prefix(5).lowercased())"
        let template = "resources:\n  t:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(p)\noutputs:\n  name: ${t.thingName}\n"
        // Main.yaml beside Pulumi.yaml (what `pulumi convert` writes).
        let beside = try DeployAcceptanceTests.Project(program: "name: \(p)\nruntime: yaml\n")
        try template.write(toFile: beside.folder + "/Main.yaml", atomically: true, encoding: .utf8)
        let preview = try fleetdeck(beside, ["preview", "--json"])
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains("\"create\"") && preview.stdout.contains("aws-native:iot:Thing"), "\(preview.stdout)")

        // A `main:` folder with Main.json in it.
        let folder = try DeployAcceptanceTests.Project(program: "name: \(p)\nruntime: yaml\nmain: infra/\n")
        try FileManager.default.createDirectory(atPath: folder.folder + "/infra", withIntermediateDirectories: true)
        try "{\"resources\": {\"t\": {\"type\": \"aws-native:iot:Thing\", \"properties\": {\"thingName\": \"\(p)\"}}}}"
            .write(toFile: folder.folder + "/infra/Main.json", atomically: true, encoding: .utf8)
        let json = try fleetdeck(folder, ["preview", "--json"])
        #expect(json.status == 0 && json.stdout.contains("aws-native:iot:Thing"), "\(json.stdout) \(json.stderr)")

        // Never two programs, and never a `main:` that names nothing.
        try "name: \(p)\nruntime: yaml\nresources:\n  other:\n    type: aws-native:iot:Thing\n".write(toFile: beside.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
        let both = try fleetdeck(beside, ["preview"])
        #expect(both.status == 1 && both.stderr.contains("Pulumi.yaml:1:1: error: the program is read from ")
                && both.stderr.contains("Main.yaml (as pulumi-yaml reads it), so the variables, resources and outputs here would be ignored"), "\(both.stderr)")
        try "name: \(p)\nruntime: yaml\nmain: missing\n".write(toFile: folder.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
        let missing = try fleetdeck(folder, ["preview"])
        #expect(missing.status == 1 && missing.stderr.contains("'main: missing' names a folder with no Main.yaml, Main.json or Pulumi.yaml"), "\(missing.stderr)")
        // Project settings that would change what a deploy does are refused, not ignored.
        try "name: \(p)\nruntime: yaml\nstackConfigDir: config\noptions:\n  refresh: always\n".write(toFile: folder.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
        let settings = try fleetdeck(folder, ["preview"])
        #expect(settings.status == 1 && settings.stderr.contains("Pulumi.yaml:3:1: error: 'stackConfigDir' is not supported")
                && settings.stderr.contains("Pulumi.yaml:5:3: error: project option 'refresh' is not supported"), "\(settings.stderr)")
    }

    @Test func builtinsTagsAndKeysAsPulumiYAMLReadsThem() throws {
        let program = """
        name: cased
        runtime: yaml
        config:
          count:
            type: Integer
            default: 2
        variables:
          parts:
            Fn::Split: [",", "a,b,c"]
          second: !Select [1, "${parts}"]
          joined: !Join ["-", ["x", "${second}"]]
          json:
            FN::TOJSON:
              $${literal}: 1
        outputs:
          second: ${second}
          joined: ${joined}
          json: ${json}
          count: ${count}
        """
        let project = try DeployAcceptanceTests.Project(program: program)
        let up = try fleetdeck(project, ["up", "--yes"])
        #expect(up.status == 0, "\(up.stderr)")
        let outputs = try PulumiMigrationTests.json(try fleetdeck(project, ["stack", "output", "--json"]).stdout)
        #expect(outputs["second"] as? String == "b")
        #expect(outputs["joined"] as? String == "x-b")
        #expect(outputs["json"] as? String == "{\"${literal}\":1}")
        #expect(outputs["count"] as? Int == 2)
        try program.replacingOccurrences(of: "$${literal}: 1", with: "${parts}: 1").write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
        let keyed = try fleetdeck(project, ["preview"])
        #expect(keyed.status == 1 && keyed.stderr.contains("'${parts}': interpolation in a key is not supported"), "\(keyed.stderr)")
    }

    @Test func theRegionAndProfileComeFromTheStackConfigAsTheProvidersReadThem() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "reg\(UUID().uuidString.prefix(5).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: DashboardOperationsTests.program(p, things: 1))
        try "config:\n  aws-native:region: eu-west-1\n".write(toFile: project.folder + "/Pulumi.dev.yaml", atomically: true, encoding: .utf8)
        #expect(try fleetdeck(project, ["up", "--yes"]).status == 0)
        let regions = try DeployAcceptanceTests.boto("""
            for region in ['us-east-1', 'eu-west-1']:
                client = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name=region)
                print(region, len([t for t in client.list_things(maxResults=1000)['things'] if t['thingName'] == '\(p)-0']))
            """)
        #expect(regions == "us-east-1 0\neu-west-1 1", "\(regions)")
        #expect(try fleetdeck(project, ["destroy", "--yes"]).status == 0)

        for (config, message) in [("config:\n  aws-native:region: eu-west-1\n  aws:region: us-west-2\n",
                                   "'aws-native:region' is eu-west-1 but 'aws:region' is us-west-2"),
                                  ("config:\n  aws:skipCredentialsValidation: true\n",
                                   "the provider setting 'aws:skipCredentialsValidation' is not applied by Fleetdeck")] {
            try config.write(toFile: project.folder + "/Pulumi.dev.yaml", atomically: true, encoding: .utf8)
            let refused = try fleetdeck(project, ["preview"])
            #expect(refused.status == 1 && refused.stderr.contains(message), "\(refused.stderr)")
        }
    }

    /// An explicit provider resource, as pulumi-yaml programs use one for a second region.
    @Test func anExplicitProviderManagesItsResourcesInItsRegionAndIsRecordedAsPulumiRecordsIt() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "prv\(UUID().uuidString.prefix(5).lowercased())"
        func program(region: String, provider: String? = "${europe}") -> String {
            """
            name: \(p)
            runtime: yaml
            resources:
              europe:
                type: pulumi:providers:aws-native
                properties:
                  region: \(region)
              far:
                type: aws-native:iot:Thing
                properties:
                  thingName: \(p)-far
                  attributePayload:
                    attributes:
                      token:
                        fn::secret: s3cr3t-value
            \(provider.map { "    options:\n      provider: \($0)\n" } ?? "")  near:
                type: aws-native:iot:Thing
                properties:
                  thingName: \(p)-near
            """
        }
        let project = try DeployAcceptanceTests.Project(program: program(region: "eu-west-1"))
        let up = try fleetdeck(project, ["up", "--yes"])
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        func regions() throws -> String {
            try DeployAcceptanceTests.boto("""
                for region in ['us-east-1', 'eu-west-1']:
                    client = boto3.client('iot', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name=region)
                    print(region, sorted(t['thingName'] for t in client.list_things(maxResults=1000)['things'] if t['thingName'].startswith('\(p)-')))
                """)
        }
        #expect(try regions() == "us-east-1 ['\(p)-near']\neu-west-1 ['\(p)-far']")
        // In state as Pulumi records it: the provider with a generated id, the reference on the resource.
        let exportedText = try fleetdeck(project, ["stack", "export"]).stdout
        #expect(!exportedText.contains("s3cr3t-value"))
        // What Fleetdeck writes validates against Pulumi's schemas, secrets encrypted or shown.
        #expect(try PulumiMigrationTests.schemaVerdict(exportedText) == "valid")
        let shown = try fleetdeck(project, ["stack", "export", "--show-secrets"]).stdout
        #expect(shown.contains("s3cr3t-value"))
        #expect(try PulumiMigrationTests.schemaVerdict(shown) == "valid")
        let exported = try PulumiMigrationTests.json(exportedText)
        let resources = try #require((exported["deployment"] as? [String: Any])?["resources"] as? [[String: Any]])
        let provider = try #require(resources.first { $0["type"] as? String == "pulumi:providers:aws-native" })
        let id = try #require(provider["id"] as? String)
        #expect(id.count == 36 && (provider["inputs"] as? [String: String]) == ["region": "eu-west-1"])
        let far = try #require(resources.first { ($0["urn"] as? String)?.hasSuffix("::far") == true })
        #expect(far["provider"] as? String == "urn:pulumi:dev::\(p)::pulumi:providers:aws-native::europe::\(id)")
        #expect(resources.first { ($0["urn"] as? String)?.hasSuffix("::near") == true }?["provider"] == nil)
        #expect(try fleetdeck(project, ["preview", "--expect-no-changes"]).status == 0)

        // Moving resources between regions is refused, by a provider's change or a resource's.
        for (text, message) in [(program(region: "us-west-2"), "provider 'europe' would change its settings while 1 resource(s) use it (far)"),
                                (program(region: "eu-west-1", provider: nil), "'far' would move from provider 'europe' to the stack's default provider")] {
            try text.write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
            let refused = try fleetdeck(project, ["preview"])
            #expect(refused.status == 1 && refused.stderr.contains(message), "\(refused.stderr)")
        }
        try program(region: "eu-west-1").write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
        let destroyed = try fleetdeck(project, ["destroy", "--yes"])
        #expect(destroyed.status == 0, "\(destroyed.stdout)\(destroyed.stderr)")
        #expect(try regions() == "us-east-1 []\neu-west-1 []")
        let empty = try PulumiMigrationTests.json(try fleetdeck(project, ["stack", "export"]).stdout)
        #expect(((empty["deployment"] as? [String: Any])?["resources"] as? [Any] ?? []).count <= 1)

        // What a provider cannot be is a positioned error.
        for (text, message) in [
            (program(region: "eu-west-1").replacingOccurrences(of: "      region: eu-west-1", with: "      region: eu-west-1\n      skipCredentialsValidation: true"),
             "Pulumi.yaml:8:7: error: unknown property 'skipCredentialsValidation' of pulumi:providers:aws-native"),
            (program(region: "eu-west-1", provider: "${near}"), "error: provider 'near' is a aws-native:iot:Thing, but aws-native:iot:Thing needs a pulumi:providers:aws-native"),
            (program(region: "eu-west-1").replacingOccurrences(of: "pulumi:providers:aws-native", with: "pulumi:providers:aws"),
             "error: provider 'europe' is a pulumi:providers:aws, but aws-native:iot:Thing needs a pulumi:providers:aws-native"),
        ] {
            try text.write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
            let refused = try fleetdeck(project, ["preview"])
            #expect(refused.status == 1 && refused.stderr.contains(message), "\(refused.stderr)")
        }
    }

    @Test func backendsAreChosenAsPulumiChoosesThemAndNamed() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: chosen\nruntime: yaml\noutputs:\n  o: x\n")
        let other = project.folder + "/pulumi-store"
        // PULUMI_BACKEND_URL when nothing of Fleetdeck's names one.
        let viaEnvironment = try fleetdeck(project, ["preview"], environment: ["FLEETDECK_BACKEND_URL": nil, "PULUMI_BACKEND_URL": "file://\(other)"])
        #expect(viaEnvironment.stdout.hasPrefix("Stack 'dev' has no state in file://\(other) yet"), "\(viaEnvironment.stdout)")
        // Pulumi's current login, from $PULUMI_HOME/credentials.json.
        let home = project.folder + "/pulumi-home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try "{\"current\": \"file://\(other)-login\", \"accessTokens\": {}}".write(toFile: home + "/credentials.json", atomically: true, encoding: .utf8)
        let viaLogin = try fleetdeck(project, ["up", "--yes"], environment: ["FLEETDECK_BACKEND_URL": nil, "PULUMI_HOME": home])
        #expect(viaLogin.status == 0, "\(viaLogin.stderr)")
        #expect(FileManager.default.fileExists(atPath: other + "-login/.pulumi/stacks/chosen/dev.json"))
        // A Pulumi Cloud login is refused by name.
        try "{\"current\": \"https://api.pulumi.com\"}".write(toFile: home + "/credentials.json", atomically: true, encoding: .utf8)
        let cloud = try fleetdeck(project, ["preview"], environment: ["FLEETDECK_BACKEND_URL": nil, "PULUMI_HOME": home])
        #expect(cloud.status == 1 && cloud.stderr.contains("is https://api.pulumi.com, which Fleetdeck does not use"), "\(cloud.stderr)")
    }

    @Test func historyIsPulumisUpdateInfoForEveryUpdateAndLocksAreNamedAsPulumiNamesThem() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: hist\nruntime: yaml\noutputs:\n  o: x\n")
        try "config:\n  hist:greeting: hello\n".write(toFile: project.folder + "/Pulumi.dev.yaml", atomically: true, encoding: .utf8)
        #expect(try fleetdeck(project, ["up", "--yes"]).status == 0)
        // A no-op is recorded too; without $USER and $LOGNAME (cron, containers) the user comes
        // from the password database, not "unknown".
        #expect(try fleetdeck(project, ["up", "--yes"], environment: ["USER": nil, "LOGNAME": nil]).status == 0)
        let folder = project.folder + "/state/.pulumi/history/hist/dev"
        let records = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".history.json") }.sorted()
        #expect(records.count == 2)
        var versions: [Int] = []
        for name in records {
            let record = try PulumiMigrationTests.json(try String(contentsOfFile: folder + "/" + name, encoding: .utf8))
            #expect(record["kind"] as? String == "update" && record["result"] as? String == "succeeded")
            let start = try #require(record["startTime"] as? Int), end = try #require(record["endTime"] as? Int)
            #expect(start > 1_700_000_000 && end >= start)
            #expect(record["message"] as? String == "")
            #expect((record["config"] as? [String: [String: Any]])?["hist:greeting"]?["string"] as? String == "hello")
            versions.append(try #require(record["version"] as? Int))
        }
        #expect(versions.sorted() == [1, 2])
        let users = try records.map { try PulumiMigrationTests.json(try String(contentsOfFile: folder + "/" + $0, encoding: .utf8))["environment"] as? [String: Any] }
            .compactMap { $0?["user"] as? String }
        #expect(users.count == 2 && users.allSatisfy { $0 == String(cString: getpwuid(getuid()).pointee.pw_name) }, "\(users)")
        #expect(try fleetdeck(project, ["stack", "history"]).stdout.components(separatedBy: "succeeded").count - 1 == 2)
        // A lock Pulumi sees as a lock: <uuid>.json in the stack's lock folder.
        let lockFolder = project.folder + "/state/.pulumi/locks/organization/hist/dev"
        try FileManager.default.createDirectory(atPath: lockFolder, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: lockFolder + "/f1ee7dec-0000-4000-8000-00000000f1ee.json",
                                       contents: Data("{\"pid\": 1, \"username\": \"other\", \"hostname\": \"elsewhere\", \"timestamp\": \"2026-12-01T00:00:00Z\"}".utf8))
        let locked = try fleetdeck(project, ["up", "--yes"])
        #expect(locked.status == 1 && locked.stderr.contains("is locked by"), "\(locked.stderr)")
    }

    @Test func aPlanThatDeletesMostOfTheStackIsMarkedAndRefusedWithYes() throws {
        let resources = (0..<10).map { "  t\($0):\n    type: aws-native:iot:ThingGroup\n    properties:\n      thingGroupName: mass-\($0)\n" }
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "mass\(UUID().uuidString.prefix(5).lowercased())"
        let program = "name: \(p)\nruntime: yaml\nresources:\n" + resources.joined().replacingOccurrences(of: "mass-", with: "\(p)-")
        let project = try DeployAcceptanceTests.Project(program: program)
        #expect(try fleetdeck(project, ["up", "--yes"]).status == 0)
        // A program misread as empty: every resource would go.
        try "name: \(p)\nruntime: yaml\n".write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
        let preview = try fleetdeck(project, ["preview"])
        #expect(preview.stdout.contains("warning: this plan deletes every resource of the stack (10): is the program read as intended?"), "\(preview.stdout)")
        let refused = try fleetdeck(project, ["up", "--yes"])
        #expect(refused.status == 1 && refused.stderr.contains("refused with --yes") && refused.stderr.hasSuffix("nothing was changed\n"), "\(refused.stderr)")
        #expect(try DeployAcceptanceTests.boto("print(len([g for g in iot.list_thing_groups(maxResults=250)['thingGroups'] if g['groupName'].startswith('\(p)-')]))") == "10")
        // Six of ten: more than half.
        try (program.components(separatedBy: "  t4:")[0]).write(toFile: project.folder + "/Pulumi.yaml", atomically: true, encoding: .utf8)
        #expect(try fleetdeck(project, ["up", "--yes"]).status == 1)
        #expect(try fleetdeck(project, ["up", "--yes", "--allow-mass-delete"]).status == 0)
        // destroy is unaffected.
        #expect(try fleetdeck(project, ["destroy", "--yes"]).status == 0)
    }
}

extension PulumiProgramCompatibilityTests {
    @Test func objectConfigKeepsItsTypesAndItsNestedSecrets() throws {
        let program = """
        name: nested
        runtime: yaml
        config:
          db:
            type: object
        outputs:
          port: ${db.port}
          tls: ${db.tls}
          password: ${db.password}
        """
        let project = try DeployAcceptanceTests.Project(program: program)
        // A secret made with the stack's passphrase, then moved inside an object, as
        // `pulumi config set --path --secret db.password ...` writes it.
        #expect(try fleetdeck(project, ["config", "set", "--secret", "scratch", "hunter2"]).status == 0)
        let path = project.folder + "/Pulumi.dev.yaml"
        let written = try String(contentsOfFile: path, encoding: .utf8)
        let ciphertext = try #require(written.components(separatedBy: "secure: ").dropFirst().first?.split(separator: "\n").first.map(String.init))
        let salt = try #require(written.components(separatedBy: "encryptionsalt: ").dropFirst().first?.split(separator: "\n").first.map(String.init))
        try "encryptionsalt: \(salt)\nconfig:\n  nested:db:\n    port: 5432\n    tls: true\n    password:\n      secure: \(ciphertext)\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let up = try fleetdeck(project, ["up", "--yes"])
        #expect(up.status == 0, "\(up.stderr)")
        let masked = try PulumiMigrationTests.json(try fleetdeck(project, ["stack", "output", "--json"]).stdout)
        // The object holds a secret, so all of it is secret (as Pulumi marks it).
        #expect(masked["password"] as? String == "[secret]" && masked["port"] as? String == "[secret]", "a nested secret stays secret: \(masked)")
        let shown = try PulumiMigrationTests.json(try fleetdeck(project, ["stack", "output", "--json", "--show-secrets"]).stdout)
        #expect(shown["password"] as? String == "hunter2")
        #expect(shown["port"] as? Int == 5432, "typed, not \"5432\": \(shown)")
        #expect(shown["tls"] as? Bool == true)
        let state = try String(contentsOfFile: project.folder + "/state/.pulumi/stacks/nested/dev.json", encoding: .utf8)
        #expect(!state.contains("hunter2"))
    }
}

extension PulumiMigrationTests {
    @Test func legacyAndGzippedStoresAreReadAndWrittenInTheirOwnForm() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: old\nruntime: yaml\noutputs:\n  o: one\n")
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        let store = project.folder + "/state/.pulumi"
        let fm = FileManager.default
        // The legacy layout: no meta.yaml, stacks/<stack>.json.
        try fm.moveItem(atPath: store + "/stacks/old/dev.json", toPath: store + "/stacks/dev.json")
        try fm.removeItem(atPath: store + "/stacks/old")
        try fm.removeItem(atPath: store + "/meta.yaml")
        try fm.removeItem(atPath: store + "/history")
        let preview = try project.fleetdeck(["preview", "--expect-no-changes"])
        #expect(preview.status == 0, "a legacy store's stack is read, not taken as empty: \(preview.stdout) \(preview.stderr)")
        try project.edit("o: one", "o: two")
        #expect(try project.fleetdeck(["up", "--yes"]).status == 0)
        #expect(try String(contentsOfFile: store + "/stacks/dev.json", encoding: .utf8).contains("\"two\""))
        #expect(!fm.fileExists(atPath: store + "/meta.yaml"), "the store is not converted")
        #expect(!fm.fileExists(atPath: store + "/stacks/old"))
        #expect(try fm.contentsOfDirectory(atPath: store + "/history/dev").contains { $0.hasSuffix(".history.json") })
        #expect(try project.fleetdeck(["stack", "ls"]).stdout.contains("dev"))

        // A gzipped checkpoint (PULUMI_DIY_BACKEND_GZIP) in a project-layout store.
        let zipped = try DeployAcceptanceTests.Project(program: "name: zipped\nruntime: yaml\noutputs:\n  o: one\n")
        #expect(try zipped.fleetdeck(["up", "--yes"]).status == 0)
        let checkpoint = zipped.folder + "/state/.pulumi/stacks/zipped/dev.json"
        #expect(try ProcessRunner.shell("gzip '\(checkpoint)'").status == 0)
        #expect(try zipped.fleetdeck(["preview", "--expect-no-changes"]).status == 0)
        try zipped.edit("o: one", "o: two")
        #expect(try zipped.fleetdeck(["up", "--yes"]).status == 0)
        #expect(!fm.fileExists(atPath: checkpoint))
        #expect(try ProcessRunner.shell("gunzip -c '\(checkpoint).gz'").stdout.contains("\"two\""))

        // A store version Fleetdeck does not know is named, not guessed at.
        try "version: 7\n".write(toFile: zipped.folder + "/state/.pulumi/meta.yaml", atomically: true, encoding: .utf8)
        let unknown = try zipped.fleetdeck(["preview"])
        #expect(unknown.status == 1 && unknown.stderr.contains("meta.yaml: store version 7 (Fleetdeck reads 0, the legacy layout, and 1)"), "\(unknown.stderr)")
    }
}

extension PulumiProgramCompatibilityTests {
    @Test func configSetEditsInPlaceWithPathsTypesAndNestedSecrets() throws {
        let program = "name: proj\nruntime: yaml\nconfig:\n  name:\n    type: string\n  db:\n    type: object\noutputs:\n  port: ${db.port}\n  password: ${db.password}\n  name: ${name}\n"
        let project = try DeployAcceptanceTests.Project(program: program)
        let path = project.folder + "/Pulumi.dev.yaml"
        #expect(try fleetdeck(project, ["config", "set", "--secret", "scratch", "x"]).status == 0)  // makes the salt
        let salt = try #require(try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "encryptionsalt: ").dropFirst().first?
            .split(separator: "\n").first.map(String.init))
        let handWritten = """
        # Stack settings for dev, written by hand.
        encryptionsalt: \(salt)
        config:
          # The region the providers use.
          aws-native:region: us-east-1
          proj:name: fleet   # an inline comment

          # Kept last on purpose.
          proj:zeta: last
        backend-note: untouched
        """ + "\n"
        try handWritten.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try fleetdeck(project, ["config", "set", "name", "fleet2"]).status == 0)
        #expect(try fleetdeck(project, ["config", "set", "--path", "db.port", "5432", "--type", "int"]).status == 0)
        #expect(try fleetdeck(project, ["config", "set", "--path", "--secret", "db.password", "hunter2"]).status == 0)
        #expect(try fleetdeck(project, ["config", "rm", "zeta"]).status == 0)
        let edited = try String(contentsOfFile: path, encoding: .utf8)
        let lines = edited.components(separatedBy: "\n")
        #expect(Array(lines.prefix(5)) == ["# Stack settings for dev, written by hand.", "encryptionsalt: \(salt)", "config:",
                                           "  # The region the providers use.", "  aws-native:region: us-east-1"], "\(edited)")
        #expect(lines[5] == "  proj:name: fleet2")
        #expect(lines[6] == "" && lines[7] == "  # Kept last on purpose.", "\(edited)")
        #expect(lines[8] == "  proj:db:" && lines[9] == "    port: 5432" && lines[10] == "    password:" && lines[11].hasPrefix("      secure: v1:"), "\(edited)")
        #expect(lines[12] == "backend-note: untouched", "\(edited)")
        #expect(!edited.contains("zeta") && !edited.contains("hunter2"))

        let up = try fleetdeck(project, ["up", "--yes"])
        #expect(up.status == 0, "\(up.stderr)")
        let shown = try PulumiMigrationTests.json(try fleetdeck(project, ["stack", "output", "--json", "--show-secrets"]).stdout)
        #expect(shown["port"] as? Int == 5432 && shown["password"] as? String == "hunter2" && shown["name"] as? String == "fleet2", "\(shown)")

        for (arguments, message) in [(["config", "set", "--path", "db.port", "x", "--type", "int"], "--type int: 'x' is not a whole number"),
                                     (["config", "set", "--path", "db.hosts[3]", "h"], "index 3 is past the end of a list of 0"),
                                     (["config", "set", "--path", "db.port.inner", "h"], "'inner' is inside a value that is not an object"),
                                     (["config", "set", "name", "3", "--type", "int"], "--type applies to --path values")] {
            let refused = try fleetdeck(project, arguments)
            #expect(refused.status == 1 && refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == edited, "a refused edit changes nothing")
    }
}

extension PulumiMigrationTests {
    @Test func anS3StoreInTheLegacyLayoutWithAGzippedCheckpointStaysSo() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "legs3\(UUID().uuidString.prefix(5).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: "name: old\nruntime: yaml\noutputs:\n  o: one\n")
        let s3 = "s3 = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')\n"
        _ = try DeployAcceptanceTests.boto(s3 + "s3.create_bucket(Bucket='\(p)')")
        var environment = project.environment
        environment["FLEETDECK_BACKEND_URL"] = "s3://\(p)"
        func run(_ arguments: [String]) throws -> ProcessResult {
            try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", project.folder, "-s", "dev"], environment: ProcessRunner.environment(environment))
        }
        #expect(try run(["up", "--yes"]).status == 0)
        // What an old Pulumi left: stacks/<stack>.json.gz, no meta.yaml, no project folder.
        let moved = try DeployAcceptanceTests.boto(s3 + """
            import gzip
            body = s3.get_object(Bucket='\(p)', Key='.pulumi/stacks/old/dev.json')['Body'].read()
            s3.put_object(Bucket='\(p)', Key='.pulumi/stacks/dev.json.gz', Body=gzip.compress(body))
            for key in ['.pulumi/stacks/old/dev.json', '.pulumi/meta.yaml']:
                s3.delete_object(Bucket='\(p)', Key=key)
            print('moved')
            """)
        #expect(moved == "moved")
        #expect(try run(["preview", "--expect-no-changes"]).status == 0, "the legacy stack is read, not taken as empty")
        try project.edit("o: one", "o: two")
        let up = try run(["up", "--yes"])
        #expect(up.status == 0, "\(up.stderr)")
        let keys = try DeployAcceptanceTests.boto(s3 + """
            import gzip
            keys = sorted(o['Key'] for o in s3.list_objects_v2(Bucket='\(p)')['Contents'] if '/history/' not in o['Key'])
            body = gzip.decompress(s3.get_object(Bucket='\(p)', Key='.pulumi/stacks/dev.json.gz')['Body'].read()).decode()
            print(keys, '"two"' in body)
            """)
        #expect(keys == "['.pulumi/stacks/dev.json.gz'] True", "\(keys)")
    }
}

/// pulumi-yaml's own example programs (Tests/Fixtures/pulumi-yaml, with their sources): each
/// runs with the outputs it must have, or stops at a positioned error; none is misread.
/// Issue 12: Pulumi's own state files and stack config (Tests/Fixtures/pulumi-state, with their
/// sources): each is read exactly or refused with its reason, nothing stored.
@Suite struct PulumiStateSuiteTests {
    static let fixtures = ProcessRunner.packageRoot.appendingPathComponent("Tests/Fixtures/pulumi-state").path

    @Test func pulumisExportsWithComponentsOrAnotherSecretsProviderAreRefusedWithTheReason() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: aliases_rename_component\nruntime: yaml\n")
        for stack in ["foo", "asdsa"] {  // the stacks the exports are imported into exist (by their config files)
            try "config: {}\n".write(toFile: project.folder + "/Pulumi.\(stack).yaml", atomically: true, encoding: .utf8)
        }
        let state = { try ProcessRunner.shell("cd \(project.folder) && find . -path ./state -prune -o -type f -print | sort; find \(project.folder)/state -type f 2>/dev/null | wc -l").stdout }
        let before = try state()
        func fleetdeck(_ arguments: [String], stack: String) throws -> ProcessResult {
            try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", project.folder, "-s", stack],
                                  environment: ProcessRunner.environment(["PULUMI_CONFIG_PASSPHRASE": "x", "FLEETDECK_BACKEND_URL": "file://\(project.folder)/state"]))
        }
        for (file, stack) in [("aliases-nodejs-rename-component.json", "foo"), ("aliases-python-rename-component.json", "asdsa")] {
            let path = Self.fixtures + "/" + file
            let refused = try fleetdeck(["stack", "import", path], stack: stack)
            #expect(refused.status == 1 && refused.stderr.contains("its secrets provider is 'service', and Fleetdeck reads and writes passphrase secrets only")
                    && refused.stderr.hasSuffix("; nothing was changed\n"), "\(refused.stderr)")
            // The same stack after `pulumi stack change-secrets-provider passphrase`: its components are refused.
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let changed = text.replacingOccurrences(of: "\"type\": \"service\"", with: "\"type\": \"passphrase\"")
            try changed.write(toFile: project.folder + "/changed.json", atomically: true, encoding: .utf8)
            let components = try fleetdeck(["stack", "import", project.folder + "/changed.json"], stack: stack)
            #expect(components.status == 1 && components.stderr.contains("::my:module:ComponentThree::newcomp3 is a component resource (my:module:ComponentThree), which Fleetdeck does not support"),
                    "\(components.stderr)")
            // Without the components, the children (their URNs carry the parent type) are refused too.
            var document = try PulumiMigrationTests.json(changed)
            var deployment = try #require(document["deployment"] as? [String: Any])
            deployment["resources"] = (deployment["resources"] as? [[String: Any]] ?? []).filter { $0["type"] as? String != "my:module:ComponentThree" }
            document["deployment"] = deployment
            try PulumiMigrationTests.write(document, to: project.folder + "/changed.json")
            let children = try fleetdeck(["stack", "import", project.folder + "/changed.json"], stack: stack)
            #expect(children.status == 1 && children.stderr.contains("ComponentThree$my:module:Resource::otherchild is the child of a component resource"), "\(children.stderr)")
        }
        try FileManager.default.removeItem(atPath: project.folder + "/changed.json")
        #expect(try state() == before)
    }

    @Test func pulumisSaltsOpenWithTheirPassphrasesAndOnlyThose() throws {
        let project = try DeployAcceptanceTests.Project(program: "name: countdown\nruntime: yaml\n")
        for name in ["password", "empty", "broken"] {
            try FileManager.default.copyItem(atPath: Self.fixtures + "/Pulumi.\(name).yaml", toPath: project.folder + "/Pulumi.\(name).yaml")
        }
        func get(_ key: String, stack: String, passphrase: String) throws -> ProcessResult {
            try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["config", "get", key, "-C", project.folder, "-s", stack],
                                  environment: ProcessRunner.environment(["PULUMI_CONFIG_PASSPHRASE": passphrase, "PULUMI_CONFIG_PASSPHRASE_FILE": nil,
                                                                          "FLEETDECK_BACKEND_URL": "file://\(project.folder)/state"]))
        }
        #expect(try get("token", stack: "password", passphrase: "password").stdout == "hunter2-token\n")
        let wrong = try get("token", stack: "password", passphrase: "password123")
        #expect(wrong.status == 1 && wrong.stderr.contains("the passphrase does not decrypt stack 'password'"), "\(wrong.stderr)")
        #expect(try get("token", stack: "empty", passphrase: "").stdout == "no-passphrase-secret\n")
        let setBroken = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["config", "set", "--secret", "other", "x", "-C", project.folder, "-s", "broken"],
                                              environment: ProcessRunner.environment(["PULUMI_CONFIG_PASSPHRASE": "password", "FLEETDECK_BACKEND_URL": "file://\(project.folder)/state"]))
        #expect(setBroken.status == 1 && setBroken.stderr.contains("Pulumi.broken.yaml: encryptionsalt 'fozI5u6B030=:v1:F+6ZduL:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==' is not v1:<salt>:<verifier>"),
                "\(setBroken.stderr)")
        #expect(try String(contentsOfFile: project.folder + "/Pulumi.broken.yaml", encoding: .utf8)
                == String(contentsOfFile: Self.fixtures + "/Pulumi.broken.yaml", encoding: .utf8))
    }
}

@Suite struct PulumiCompatibilitySuiteTests {
    @Test func everyProgramRunsOrStopsAtAPositionedError() throws {
        let fixtures = ProcessRunner.packageRoot.appendingPathComponent("Tests/Fixtures/pulumi-yaml").path
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixtures + "/expected.json"))) as? [String: [String: Any]])
        let programs = try FileManager.default.contentsOfDirectory(atPath: fixtures).filter { !$0.contains(".") }.sorted()
        #expect(Set(programs) == Set(expected.keys), "every program has an expected result")
        for name in programs {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fd-compat-\(UUID().uuidString.prefix(6))").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            #expect(try ProcessRunner.shell("cp -r '\(fixtures)/\(name)' '\(folder)' && echo 'config: {}' > '\(folder)/Pulumi.dev.yaml'").status == 0)
            let run = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["up", "--yes", "-C", folder, "-s", "dev"],
                                            environment: ProcessRunner.environment(["PULUMI_CONFIG_PASSPHRASE": "compat", "FLEETDECK_BACKEND_URL": "file://\(folder)/state"]))
            if let outputs = expected[name]?["runs"] as? [String: String] {
                #expect(run.status == 0, "\(name): \(run.stderr)")
                let shown = try ProcessRunner.run(ProcessRunner.fleetdeckBinary, ["stack", "output", "--json", "-C", folder, "-s", "dev"],
                                                  environment: ProcessRunner.environment(["PULUMI_CONFIG_PASSPHRASE": "compat", "FLEETDECK_BACKEND_URL": "file://\(folder)/state"]))
                let values = try PulumiMigrationTests.json(shown.stdout)
                for (key, value) in outputs {
                    #expect(values[key] as? String == value.replacingOccurrences(of: "<folder>", with: folder), "\(name).\(key): \(values)")
                }
            } else {
                #expect(run.status == 1 && !run.terminatedBySignal, "\(name)")
                let lines = run.stderr.split(separator: "\n")
                #expect(!lines.isEmpty && lines.allSatisfy { $0.range(of: #"^fleetdeck: .*:\d+:\d+: error: "#, options: .regularExpression) != nil },
                        "\(name): every line is a positioned error: \(run.stderr)")
                for error in expected[name]?["errors"] as? [String] ?? [] {
                    #expect(run.stderr.contains(error), "\(name): \(run.stderr)")
                }
                #expect(!FileManager.default.fileExists(atPath: folder + "/state/.pulumi/stacks"), "\(name): nothing stored")
            }
        }
    }
}
