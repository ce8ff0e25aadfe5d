import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The command line: argument parsing and wiring only; the work lives in the library targets.
@main
struct Fleetdeck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleetdeck",
        abstract: "Run an AWS IoT fleet from the terminal: stacks, deploys, devices, shadows and messages.",
        version: FleetdeckVersion.short,
        subcommands: [ConsoleCommand.self, VersionCommand.self, WhoamiCommand.self, StackCommand.self, ConfigCommand.self,
                      PreviewCommand.self, UpCommand.self, DestroyCommand.self, RefreshCommand.self,
                      ThingsCommand.self, ShadowCommand.self, FleetCommand.self, TailCommand.self, PublishCommand.self, SimulateCommand.self, ProvisionCommand.self, DemoCommand.self, GroupsCommand.self, CertsCommand.self, AuditCommand.self, JobsCommand.self,
                      GreengrassCommand.self,
                      CompletionCommand.self],
        defaultSubcommand: ConsoleCommand.self
    )

    /// Runs the chosen command; a failure of ours prints one line, "fleetdeck: reason", and exits 1.
    static func main() async {
        do {
            var command = try parseAsRoot(GlobalOptions.movedAfterSubcommand(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as ValidationFailure {
            writeStandardError("fleetdeck: \(failure.message)\n")
            Glibc.exit(1)
        } catch {
            exit(withError: error)
        }
    }
}

/// Options every command accepts (PRODUCT.md, "Command line").
struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("C"), .customLong("cwd")], help: "The project folder.")
    var directory: String = "."

    @Option(name: [.short, .long], help: "The stack to act on.")
    var stack: String?

    @Option(help: "State backend URL (file://PATH or s3://bucket[/prefix]).")
    var backend: String?

    @Flag(help: "Machine output on stdout: one JSON document, or JSON lines for streams.")
    var json = false

    @Option(help: "AWS profile from the shared config and credentials files.")
    var profile: String?

    @Option(help: "AWS region.")
    var region: String?

    @Flag(help: "Plain output without colour.")
    var noColor = false
}

extension GlobalOptions {
    /// The global options that take a value, and those that do not.
    static let valued: Set<String> = ["-C", "--cwd", "-s", "--stack", "--backend", "--profile", "--region"]
    static let flags: Set<String> = ["--json", "--no-color"]

    /// Global options given before the subcommand (`fleetdeck -C infra -s dev up`, as Pulumi
    /// users type them) moved after the subcommand's path, where every command reads them.
    static func movedAfterSubcommand(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = String(argument.prefix { $0 != "=" })
            if flags.contains(argument) {
                leading.append(argument)
                index += 1
            } else if valued.contains(name), argument.contains("=") {
                leading.append(argument)
                index += 1
            } else if valued.contains(argument), index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        // The subcommand path: the words up to the first option or `--`.
        var rest = Array(arguments[index...])
        var path = 0
        while path < rest.count, !rest[path].hasPrefix("-") { path += 1 }
        rest.insert(contentsOf: leading, at: path)
        return rest
    }
}

/// `fleetdeck completion bash|zsh|fish`: the shell completion script.
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "completion", abstract: "Print the shell completion script (bash, zsh or fish).",
                                                    discussion: "bash: source <(fleetdeck completion bash); zsh: fleetdeck completion zsh > \"${fpath[1]}/_fleetdeck\"; fish: fleetdeck completion fish > ~/.config/fish/completions/fleetdeck.fish")
    @Argument(help: "bash, zsh or fish.") var shell: String

    func run() throws {
        guard let kind = CompletionShell(rawValue: shell) else {
            throw ValidationFailure(message: "no completion for '\(shell)': choose bash, zsh or fish")
        }
        writeStandardOutput(Fleetdeck.completionScript(for: kind))
    }
}
