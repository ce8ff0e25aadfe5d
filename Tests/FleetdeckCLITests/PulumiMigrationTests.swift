import Foundation
import TestSupport
import Testing

/// Issue 12: a Pulumi stack moves to Fleetdeck and back without silent loss.
@Suite struct PulumiMigrationTests {
    static func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func write(_ object: Any, to path: String) throws {
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
    }

    /// What the account's things look like in a Pulumi export made by pulumi-aws-native for the
    /// same program: a default provider resource, `provider` and `parent` on every resource,
    /// per-property dependencies and timestamps.
    static func pulumiShaped(_ deployment: [String: Any], project: String, stack: String) -> [String: Any] {
        var deployment = deployment
        let stackURN = "urn:pulumi:\(stack)::\(project)::pulumi:pulumi:Stack::\(project)-\(stack)"
        let providerURN = "urn:pulumi:\(stack)::\(project)::pulumi:providers:aws-native::default_1_20_0"
        var resources = deployment["resources"] as? [[String: Any]] ?? []
        for index in resources.indices where resources[index]["type"] as? String == "aws-native:iot:Thing" {
            resources[index]["provider"] = providerURN + "::6f1e9b1c-0d2a-4a53-9a2e-0c9a1b2c3d4e"
            resources[index]["parent"] = stackURN
            resources[index]["propertyDependencies"] = ["thingName": [Any]()]
            resources[index]["created"] = "2026-11-30T10:00:00.000000Z"
            resources[index]["modified"] = "2026-11-30T10:00:00.000000Z"
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
        #expect(preview.stdout.contains("0 changes. 2 unchanged"), "\(preview.stdout)")

        // A change applied: the things keep their provider, parent and timestamps; the provider stays.
        try moved.edit("thingName: \(p)-1", "thingName: \(p)-1\n      attributePayload:\n        attributes:\n          moved: \"yes\"")
        #expect(try moved.fleetdeck(["up", "--yes"]).status == 0)
        let back = try Self.json(try moved.fleetdeck(["stack", "export"]).stdout)
        let resources = try #require((back["deployment"] as? [String: Any])?["resources"] as? [[String: Any]])
        #expect(resources.contains { $0["type"] as? String == "pulumi:providers:aws-native" })
        let things = resources.filter { $0["type"] as? String == "aws-native:iot:Thing" }
        #expect(things.count == 2)
        for thing in things {
            #expect((thing["provider"] as? String)?.hasPrefix("urn:pulumi:dev::\(p)::pulumi:providers:aws-native::default_1_20_0::") == true, "\(thing)")
            #expect(thing["parent"] as? String == "urn:pulumi:dev::\(p)::pulumi:pulumi:Stack::\(p)-dev")
            #expect(thing["created"] as? String == "2026-11-30T10:00:00.000000Z")
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
