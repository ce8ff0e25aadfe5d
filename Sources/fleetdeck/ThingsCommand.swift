import AWSCore
import AWSServices
import ArgumentParser
import Fleet

/// `fleetdeck things ls|show`: the registry's things.
struct ThingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "things", abstract: "List and inspect things.",
                                                    subcommands: [List.self, Show.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List things (all pages).")

        @OptionGroup var global: GlobalOptions
        @Option(help: "A fleet-index query (SearchIndex), e.g. 'thingName:sensor-*'.")
        var query: String?
        @Option(help: "Only the things in this thing group.")
        var group: String?

        func run() async throws {
            try await AWSCommandContext.run {
                let client = try AWSCommandContext.client(global)
                let things: [JSONValue]
                if let query {
                    things = try await FleetLoader(client: client).search(query)
                } else {
                    things = try await FleetLoader(client: client).things(group: group)
                }
                if global.json {
                    writeStandardOutput(JSONValue.array(things).serialized() + "\n")
                    return
                }
                var text = "NAME".padded(32) + " " + "TYPE".padded(20) + " ATTRIBUTES\n"
                for thing in things {
                    let attributes = (thing["attributes"]?.objectValue ?? JSONObject()).map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(separator: ",")
                    text += (thing["thingName"]?.stringValue ?? "").padded(32) + " " + (thing["thingTypeName"]?.stringValue ?? "-").padded(20) + " " + attributes + "\n"
                }
                text += "\(things.count) thing\(things.count == 1 ? "" : "s")\n"
                writeStandardOutput(text)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one thing: attributes, groups, principals, shadows.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The thing's name.") var name: String

        func run() async throws {
            try await AWSCommandContext.run {
                let result = try await FleetLoader(client: AWSCommandContext.client(global)).thing(name)
                if global.json {
                    writeStandardOutput(JSONValue.object(result).serialized() + "\n")
                } else {
                    writeStandardOutput(JSONValue.object(result).pretty() + "\n")
                }
            }
        }
    }
}
