import Foundation
import TestSupport
import Testing

/// `gg components` on the sandbox: recipes published (as a plan approved with --yes) and
/// refused as AWS refuses them, the catalogue listed, a version's recipe shown, two versions'
/// recipes diffed.
@Suite struct GreengrassComponentsTests {
    func fleetdeck(_ arguments: [String]) throws -> ProcessResult {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        return try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments, environment: ProcessRunner.environment([:]))
    }

    static func recipe(_ name: String, _ version: String, run: String) -> String {
        """
        RecipeFormatVersion: "2020-01-25"
        ComponentName: \(name)
        ComponentVersion: "\(version)"
        ComponentDescription: "A test component"
        ComponentPublisher: fleetdeck-tests
        ComponentDependencies:
          aws.greengrass.DockerApplicationManager:
            VersionRequirement: ~2.0.0
        Manifests:
          - Platform:
              os: linux
              architecture: aarch64
            Lifecycle:
              Run: "\(run)"

        """
    }

    @Test func publishListShowAndDiff() throws {
        let name = "com.fleetdeck.test\(UUID().uuidString.prefix(6).lowercased())"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
        for (version, run) in [("1.0.0", "docker run led"), ("1.1.0", "docker run led --blink")] {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(version)", withIntermediateDirectories: true)
            try Self.recipe(name, version, run: run).write(toFile: "\(folder)/\(version)/recipe.yaml", atomically: true, encoding: .utf8)
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Without --yes and without a terminal to ask on: refused, nothing published.
        let unasked = try fleetdeck(["gg", "components", "publish", "\(folder)/1.0.0"])
        #expect(unasked.status != 0)
        #expect(try fleetdeck(["gg", "components", "versions", name]).status != 0)
        let published = try fleetdeck(["gg", "components", "publish", "\(folder)/1.0.0", "\(folder)/1.1.0", "--yes"])
        #expect(published.status == 0 && published.stdout.contains("published \(name) 1.0.0") && published.stdout.contains("published \(name) 1.1.0"),
                "\(published.stdout)\(published.stderr)")
        // The same recipe again publishes nothing; another recipe under a version that exists is refused.
        let again = try fleetdeck(["gg", "components", "publish", "\(folder)/1.0.0", "--yes"])
        #expect(again.status == 0 && again.stdout.contains("= \(name) 1.0.0 (unchanged: nothing to publish)") && !again.stdout.contains("published"),
                "\(again.stdout)\(again.stderr)")
        try Self.recipe(name, "1.0.0", run: "docker run led --changed").write(toFile: "\(folder)/1.0.0/recipe.yaml", atomically: true, encoding: .utf8)
        let changed = try fleetdeck(["gg", "components", "publish", "\(folder)/1.0.0", "--yes"])
        #expect(changed.status == 1 && changed.stderr.contains("\(name) 1.0.0 is in the catalogue with another recipe"), "\(changed.stderr)")
        // A recipe AWS refuses (gdk's NEXT_PATCH never resolved): the reason, nothing published.
        try Self.recipe(name, "NEXT_PATCH", run: "x").write(toFile: "\(folder)/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try fleetdeck(["gg", "components", "publish", "\(folder)/bad.yaml", "--yes"])
        #expect(bad.status == 1 && bad.stderr.contains("bad.yaml") && bad.stderr.contains("is not a semantic version"), "\(bad.stderr)")

        let listed = try fleetdeck(["gg", "components", "ls", "--json"])
        let entry = try #require((try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])?.first { $0["componentName"] as? String == name })
        #expect(entry["latestVersion"] as? String == "1.1.0" && entry["platforms"] as? [String] == ["linux/aarch64"])
        #expect(try fleetdeck(["gg", "components", "versions", name]).stdout == "1.1.0\n1.0.0\n")
        let shown = try fleetdeck(["gg", "components", "show", "\(name)@1.0.0", "--json"])
        let detail = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let recipe = try #require(detail["recipe"] as? [String: Any])
        #expect(recipe["ComponentVersion"] as? String == "1.0.0" && (recipe["ComponentDependencies"] as? [String: Any])?["aws.greengrass.DockerApplicationManager"] != nil)
        #expect((detail["runningOn"] as? [String: Any])?.isEmpty == true)  // no core device runs it yet
        #expect(try fleetdeck(["gg", "components", "show", name]).stdout.contains("runs on   no core device runs it"))
        let yaml = try fleetdeck(["gg", "components", "show", "\(name)@1.1.0", "--yaml"]).stdout
        #expect(yaml.contains("ComponentVersion: 1.1.0") && yaml.contains("VersionRequirement: ~2.0.0"), "\(yaml)")
        let diff = try fleetdeck(["gg", "components", "diff", name, "1.0.0"])
        #expect(diff.stdout.hasPrefix("\(name) 1.0.0 -> 1.1.0\n"), "\(diff.stdout)")
        #expect(diff.stdout.contains("-   \"ComponentVersion\": \"1.0.0\",\n+   \"ComponentVersion\": \"1.1.0\","), "\(diff.stdout)")
        #expect(diff.stdout.contains("docker run led --blink"))
        // gdk's layout: gdk-config.json with NEXT_PATCH, the recipe's placeholders filled in.
        try FileManager.default.createDirectory(atPath: "\(folder)/gdk", withIntermediateDirectories: true)
        try #"{"component": {"\#(name)": {"author": "fleetdeck-tests", "version": "NEXT_PATCH", "build": {"build_system": "zip"}, "publish": {"bucket": "b", "region": "us-east-1"}}}, "gdk_version": "1.0.0"}"#
            .write(toFile: "\(folder)/gdk/gdk-config.json", atomically: true, encoding: .utf8)
        try Self.recipe("{COMPONENT_NAME}", "{COMPONENT_VERSION}", run: "docker run led --gdk").write(toFile: "\(folder)/gdk/recipe.yaml", atomically: true, encoding: .utf8)
        let gdk = try fleetdeck(["gg", "components", "publish", "\(folder)/gdk", "--yes"])
        #expect(gdk.status == 0 && gdk.stdout.contains("+ \(name) 1.1.1 (NEXT_PATCH after 1.1.0)") && gdk.stdout.contains("published \(name) 1.1.1"), "\(gdk.stdout)\(gdk.stderr)")
        let unchanged = try fleetdeck(["gg", "components", "publish", "\(folder)/gdk", "--yes"])
        #expect(unchanged.stdout.contains("= \(name) 1.1.1 (unchanged: nothing to publish)"), "\(unchanged.stdout)\(unchanged.stderr)")
        try Self.recipe("{COMPONENT_NAME}", "{COMPONENT_VERSION}", run: "docker run led --gdk2").write(toFile: "\(folder)/gdk/recipe.yaml", atomically: true, encoding: .utf8)
        #expect(try fleetdeck(["gg", "components", "publish", "\(folder)/gdk", "--yes"]).stdout.contains("published \(name) 1.1.2"))
        // The sandbox's catalogue answers as botocore's model says.
        let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/moto/check_answers.py").path
        let arn = "arn:aws:greengrass:us-east-1:123456789012:components:\(name)"
        for (operation, input) in [("ListComponents", "{}"), ("ListComponentVersions", #"{"arn": "\#(arn)"}"#),
                                   ("GetComponent", #"{"arn": "\#(arn):versions:1.0.0", "recipeOutputFormat": "YAML"}"#),
                                   ("DescribeComponent", #"{"arn": "\#(arn):versions:1.1.0"}"#)] {
            let checked = try ProcessRunner.run("/usr/bin/env", ["python3", checker, "greengrassv2", operation, input])
            #expect(checked.status == 0 && checked.stdout == "ok\n", "\(operation): \(checked.stdout)\(checked.stderr)")
        }
    }
}
