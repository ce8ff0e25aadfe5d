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
                      ThingsCommand.self, ShadowCommand.self, FleetCommand.self, TailCommand.self, PublishCommand.self, SimulateCommand.self, DemoCommand.self, GroupsCommand.self, CertsCommand.self],
        defaultSubcommand: ConsoleCommand.self
    )

    /// Runs the chosen command; a failure of ours prints one line, "fleetdeck: reason", and exits 1.
    static func main() async {
        do {
            var command = try parseAsRoot()
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
    @Option(name: .customShort("C"), help: "The project folder.")
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
