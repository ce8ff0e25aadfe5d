import Foundation
import TestSupport
import Testing

/// Issue 15: Pulumi's command-line habits. Global options before the subcommand (as Pulumi users
/// type them), `--cwd`, and shell completion scripts.
@Suite struct CommandLineHabitsTests {
    static func project() throws -> DeployAcceptanceTests.Project {
        try DeployAcceptanceTests.Project(program: """
            name: habits
            runtime: yaml
            resources:
              sensor:
                type: aws-native:iot:Thing
                properties:
                  thingName: habits-sensor
            """)
    }

    func run(_ arguments: [String], _ project: DeployAcceptanceTests.Project) throws -> ProcessResult {
        try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments, environment: ProcessRunner.environment(["PULUMI_CONFIG_PASSPHRASE": "habits"]))
    }

    @Test func globalOptionsWorkBeforeOrAfterTheSubcommand() throws {
        let project = try Self.project()
        let backend = "file://\(project.folder)/state"
        let after = try run(["preview", "--json", "-C", project.folder, "-s", "dev", "--backend", backend], project)
        #expect(after.status == 0, "\(after.stderr)")
        for arguments in [["-C", project.folder, "-s", "dev", "--backend", backend, "--json", "preview"],
                          ["--cwd", project.folder, "--stack=dev", "preview", "--json", "--backend", backend],
                          ["--json", "--cwd=\(project.folder)", "-s", "dev", "preview", "--backend=\(backend)"]] {
            let before = try run(arguments, project)
            #expect(before.status == 0, "\(arguments): \(before.stderr)")
            #expect(before.stdout == after.stdout, "\(arguments)")
        }
        // Nested subcommands too, with their own arguments after.
        let stacks = try run(["-C", project.folder, "--backend", backend, "stack", "init", "dev"], project)
        #expect(stacks.status == 0, "\(stacks.stderr)")
        let listed = try run(["--json", "-C", project.folder, "--backend", backend, "stack", "ls"], project)
        #expect(listed.stdout.contains("\"name\": \"dev\""), "\(listed.stdout) \(listed.stderr)")
    }

    @Test func completionScriptsForBashZshAndFish() throws {
        let project = try Self.project()
        let bash = try run(["completion", "bash"], project)
        #expect(bash.status == 0 && bash.stdout.contains("_fleetdeck"))
        #expect(try run(["completion", "zsh"], project).stdout.hasPrefix("#compdef fleetdeck"))
        #expect(try run(["completion", "fish"], project).stdout.contains("fleetdeck"))
        let unknown = try run(["completion", "tcsh"], project)
        #expect(unknown.status == 1 && unknown.stderr == "fleetdeck: no completion for 'tcsh': choose bash, zsh or fish\n")

        // The bash script, sourced, completes subcommands.
        let offered = try ProcessRunner.shell("""
            source <(\(ProcessRunner.fleetdeckBinary) completion bash)
            COMP_WORDS=(fleetdeck stack ""); COMP_CWORD=2; COMP_LINE="fleetdeck stack "; COMP_POINT=16
            _fleetdeck; echo "${COMPREPLY[@]}"
            """)
        for word in ["ls", "init", "export", "import", "unlock"] { #expect(offered.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.contains(word), "\(offered.stdout)") }
    }

    /// Issue 27: Pulumi's everyday verbs. `stack select` makes `-s` needless (kept where Pulumi
    /// keeps it), `config` lists the stack's config with secrets masked, and `up` and `destroy`
    /// close with Pulumi's summary.
    @Test func stackSelectConfigListingAndTheUpdateSummary() throws {
        try #require(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] != nil, "run with scripts/test: the sandbox is not running")
        let p = "sel\(UUID().uuidString.prefix(6).lowercased())"
        let project = try DeployAcceptanceTests.Project(program: "name: \(p)\nruntime: yaml\nresources:\n  sensor:\n    type: aws-native:iot:Thing\n    properties:\n      thingName: \(p)-sensor\n")
        try "config: {}\n".write(toFile: project.folder + "/Pulumi.other.yaml", atomically: true, encoding: .utf8)
        var environment = project.environment
        environment["PULUMI_HOME"] = project.folder + "/pulumi-home"
        func fleetdeck(_ arguments: [String]) throws -> ProcessResult {
            try ProcessRunner.run(ProcessRunner.fleetdeckBinary, arguments + ["-C", project.folder], environment: ProcessRunner.environment(environment))
        }
        let none = try fleetdeck(["preview"])
        #expect(none.status == 1 && none.stderr.contains("no stack chosen: pass -s NAME or 'fleetdeck stack select NAME' (this project has: dev, other)"), "\(none.stderr)")
        #expect(try fleetdeck(["stack", "select"]).stdout == "No stack is selected: 'fleetdeck stack select NAME'.\n")
        #expect(try fleetdeck(["stack", "select", "dev"]).status == 0)
        #expect(try fleetdeck(["stack", "select"]).stdout == "The current stack is 'dev'.\n")
        // Where Pulumi keeps it: $PULUMI_HOME/workspaces/<project>-<sha1 of Pulumi.yaml's path>-workspace.json.
        let workspaces = try FileManager.default.contentsOfDirectory(atPath: project.folder + "/pulumi-home/workspaces")
        #expect(workspaces.count == 1 && workspaces[0].hasPrefix("\(p)-") && workspaces[0].hasSuffix("-workspace.json"), "\(workspaces)")

        #expect(try fleetdeck(["config", "set", "greeting", "hello"]).status == 0)
        #expect(try fleetdeck(["config", "set", "--secret", "token", "s3cr3t-value"]).status == 0)
        let listed = try fleetdeck(["config"])
        #expect(listed.stdout == "KEY       VALUE\ngreeting  hello\ntoken     [secret]\n", "\(listed.stdout)\(listed.stderr)")
        #expect(try fleetdeck(["config", "--show-secrets"]).stdout.contains("token     s3cr3t-value"))
        #expect(try String(contentsOfFile: project.folder + "/Pulumi.dev.yaml", encoding: .utf8).contains("\(p):greeting: hello"))
        #expect(try fleetdeck(["preview"]).stdout.contains("Previewing update (dev)"))

        let up = try fleetdeck(["up", "--yes"])
        #expect(up.status == 0 && up.stdout.contains("Resources:\n    + 1 created\n\nDuration: ") && up.stdout.hasSuffix("Update succeeded.\n"), "\(up.stdout)\(up.stderr)")
        let again = try fleetdeck(["up", "--yes"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try fleetdeck(["stack", "ls"]).stdout.contains("\ndev*"))

        let missing = try fleetdeck(["stack", "select", "qa"])
        #expect(missing.status == 1 && missing.stderr.contains("no stack named 'qa'"), "\(missing.stderr)")
        #expect(try fleetdeck(["stack", "select", "qa", "--create"]).stdout.contains("Created stack 'qa'"))
        #expect(try fleetdeck(["stack", "ls"]).stdout.contains("\nqa*"))
        #expect(try fleetdeck(["stack", "select", "dev"]).status == 0)
        let destroyed = try fleetdeck(["destroy", "--yes"])
        #expect(destroyed.status == 0 && destroyed.stdout.contains("Resources:\n    - 1 deleted\n\nDuration: "), "\(destroyed.stdout)")
    }
}
