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
                } else if let group {
                    things = try await client.all(IoTOperations.service, IoTOperations.listThingsInThingGroup,
                                                  ["thingGroupName": .string(group), "maxResults": 250]).map { ["thingName": $0] }
                } else {
                    things = try await client.all(IoTOperations.service, IoTOperations.listThings, ["maxResults": 250])
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
                let client = try AWSCommandContext.client(global)
                async let thing = client.call(IoTOperations.service, IoTOperations.describeThing, ["thingName": .string(name)])
                async let groups = client.all(IoTOperations.service, IoTOperations.listThingGroupsForThing, ["thingName": .string(name)])
                async let principals = client.all(IoTOperations.service, IoTOperations.listThingPrincipals, ["thingName": .string(name)], key: "principals")
                var result = try await thing.output.objectValue ?? JSONObject()
                result["groups"] = .array(try await groups)
                result["principals"] = .array(try await principals)
                if global.json {
                    writeStandardOutput(JSONValue.object(result).serialized() + "\n")
                } else {
                    writeStandardOutput(JSONValue.object(result).pretty() + "\n")
                }
            }
        }
    }
}
