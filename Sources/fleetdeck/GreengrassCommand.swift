import ArgumentParser
import JSON
import POSIXFiles
import AWSCore
import Fleet

/// `fleetdeck gg`: the Greengrass V2 fleet.
struct GreengrassCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gg", abstract: "The Greengrass V2 fleet.", subcommands: [Cores.self, Components.self, Deploy.self, Deployments.self])

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

    struct Components: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "components", abstract: "The account's component catalogue.",
                                                        subcommands: [List.self, Versions.self, Show.self, Diff.self, Publish.self])

        /// NAME or NAME@VERSION.
        static func split(_ reference: String) -> (name: String, version: String?) {
            let parts = reference.split(separator: "@", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : nil)
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "ls", abstract: "Every component: latest version, platforms, description.")
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await AWSCommandContext.run {
                    let components = try await FleetLoader(client: try AWSCommandContext.client(global)).components()
                    writeStandardOutput(global.json ? JSONValue.array(components.map(\.json)).pretty() + "\n" : ComponentInfo.text(components))
                }
            }
        }

        struct Versions: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "versions", abstract: "A component's versions, newest first.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The component's name.") var name: String

            func run() async throws {
                try await AWSCommandContext.run {
                    let versions = try await FleetLoader(client: try AWSCommandContext.client(global)).componentVersions(name)
                    writeStandardOutput(global.json ? JSONValue.array(versions.map(JSONValue.string)).serialized() + "\n" : versions.map { $0 + "\n" }.joined())
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "A version's recipe, platforms and the component's versions.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "NAME or NAME@VERSION (default: the latest).") var component: String
            @Flag(help: "Only the recipe, as YAML (as AWS gives it).") var yaml = false

            func run() async throws {
                try await AWSCommandContext.run {
                    let (name, version) = Components.split(component)
                    if yaml {
                        writeStandardOutput(try await FleetLoader(client: try AWSCommandContext.client(global)).recipe(name, version: version, format: "YAML"))
                        return
                    }
                    let detail = try await FleetLoader(client: try AWSCommandContext.client(global)).componentVersion(name, version: version)
                    writeStandardOutput(global.json ? detail.json.pretty() + "\n" : detail.text)
                }
            }
        }

        struct Diff: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "diff", abstract: "What changed in a component's recipe between two versions.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The component's name.") var name: String
            @Argument(help: "The older version.") var from: String
            @Argument(help: "The newer version (default: the latest).") var to: String?

            func run() async throws {
                try await AWSCommandContext.run {
                    let loader = FleetLoader(client: try AWSCommandContext.client(global))
                    let old = try await loader.componentVersion(name, version: from), new = try await loader.componentVersion(name, version: to)
                    let lines = LineDiff.diff(old.recipeValue?.pretty() ?? old.recipe, new.recipeValue?.pretty() ?? new.recipe)
                    writeStandardOutput("\(name) \(old.version) -> \(new.version)\n" + lines.map { $0 + "\n" }.joined())
                }
            }
        }

        struct Publish: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "publish", abstract: "Publish component folders as upstream's gdk lays them out (recipe.yaml, gdk-config.json), or recipe files, as a plan.",
                discussion: "gdk-config.json names the component and its version: NEXT_PATCH is the catalogue's latest with its patch number plus one (1.0.0 for a new component); {COMPONENT_NAME} and {COMPONENT_VERSION} in the recipe are filled in. Idempotent: a component whose recipe is the one its version was published from (a tag on the version says so) publishes nothing; a fixed version that is in the catalogue with another recipe is refused.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "Component folders (recipe.yaml or recipe.json, gdk-config.json) or recipe files.") var paths: [String]
            @Flag(name: [.short, .long], help: "Approve without asking.") var yes = false

            func run() async throws {
                var sources: [ComponentSource] = []
                for path in paths {
                    do { sources.append(try ComponentSource.read(path)) } catch { throw ValidationFailure(message: "\(error)") }
                }
                try await AWSCommandContext.run {
                    let loader = FleetLoader(client: try AWSCommandContext.client(global))
                    var steps: [ComponentPublishStep] = []
                    for source in sources { steps.append(try await loader.publishStep(source)) }
                    let made = steps.filter { $0.version != nil }
                    let plan = "Publishing \(made.count) component version\(made.count == 1 ? "" : "s"):\n" + steps.map { $0.text + "\n" }.joined()
                    writeStandardOutput(plan)
                    guard !made.isEmpty else { return }
                    if !yes {
                        guard try StackCommandContext.confirm("Do you want to publish them?", details: { plan }) else {
                            throw ValidationFailure(message: "publish cancelled: nothing was published")
                        }
                    }
                    for step in made {
                        do {
                            try await loader.publish(step)
                            writeStandardOutput("  published \(step.source.name) \(step.version ?? "")\n")
                        } catch {
                            throw ValidationFailure(message: "\(step.source.recipeFile): \(error)")
                        }
                    }
                }
            }
        }
    }
}
