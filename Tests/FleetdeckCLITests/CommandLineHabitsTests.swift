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
}
