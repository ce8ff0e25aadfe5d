import ArgumentParser
import AWSCore
import Fleet

/// `fleetdeck gg`: the Greengrass V2 fleet.
struct GreengrassCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gg", abstract: "The Greengrass V2 fleet.", subcommands: [Cores.self])

    struct Cores: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cores", abstract: "Greengrass core devices.", subcommands: [List.self, Show.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "ls", abstract: "Core devices: health (stale when no report came within the reporting interval), nucleus, platform, last report.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "Only the devices that took this thing group's deployment (as AWS lists them).") var group: String?
            @Option(help: "Only HEALTHY, UNHEALTHY or STALE devices.") var status: String?

            func validate() throws {
                if let status, !["HEALTHY", "UNHEALTHY", "STALE"].contains(status.uppercased()) {
                    throw ValidationError("--status must be HEALTHY, UNHEALTHY or STALE, not '\(status)'")
                }
            }

            func run() async throws {
                try await AWSCommandContext.run {
                    let loader = FleetLoader(client: try AWSCommandContext.client(global))
                    let now = Int64(AWSClient.wallClock())
                    let list = try await loader.coreDevices(group: group).only(status?.uppercased(), now: now)
                    writeStandardOutput(global.json ? list.json(now: now).pretty() + "\n" : list.text(now: now))
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show", abstract: "One core device: why it is unhealthy, its components (state, status codes, what installed them), its deployments and groups.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The core device's thing name.") var thing: String

            func run() async throws {
                try await AWSCommandContext.run {
                    let detail = try await FleetLoader(client: try AWSCommandContext.client(global)).coreDeviceDetail(thing)
                    let now = Int64(AWSClient.wallClock())
                    writeStandardOutput(global.json ? detail.json(now: now).pretty() + "\n" : detail.text(now: now))
                }
            }
        }
    }
}
