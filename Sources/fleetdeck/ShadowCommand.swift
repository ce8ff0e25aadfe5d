import AWSCore
import AWSServices
import Fleet
import ArgumentParser

/// `fleetdeck shadow get|update|delete`: classic and named device shadows.
struct ShadowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "shadow", abstract: "Read and change device shadows.",
                                                    subcommands: [Get.self, Update.self, Delete.self])

    struct Target: ParsableArguments {
        @Argument(help: "The thing's name.") var thing: String
        @Option(help: "A named shadow (default: the classic shadow).") var name: String?

        func loader(_ global: GlobalOptions) throws -> FleetLoader { FleetLoader(client: try AWSCommandContext.client(global)) }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Print a shadow document.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: Target

        func run() async throws {
            try await AWSCommandContext.run {
                try printDocument(try await target.loader(global).shadowDocument(thing: target.thing, shadow: target.name), json: global.json)
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "update", abstract: "Set the desired state (optionally only at a version).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: Target
        @Option(help: "The desired state as JSON, e.g. '{\"led\":\"on\"}'.") var desired: String
        @Option(help: "Apply only if the shadow is at this version (optimistic lock).") var version: Int64?

        func run() async throws {
            let state: JSONValue
            do {
                state = try JSONValue.parse(desired)
            } catch {
                throw ValidationFailure(message: "--desired is not JSON: \(error)")
            }
            // AWS IoT takes an object here (or null only to delete the whole shadow, which 'shadow delete' does).
            guard case .object = state else {
                throw ValidationFailure(message: "--desired must be a JSON object such as '{\"led\":\"on\"}', not \(state.serialized())")
            }
            var document: JSONObject = ["state": ["desired": state]]
            if let version { document["version"] = .integer(version) }
            try await AWSCommandContext.run {
                let answer = try await target.loader(global).updateShadow(thing: target.thing, shadow: target.name, document: .object(document))
                try printDocument(answer, json: global.json)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a shadow.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: Target

        func run() async throws {
            try await AWSCommandContext.run {
                try printDocument(try await target.loader(global).removeShadow(thing: target.thing, shadow: target.name), json: global.json)
            }
        }
    }
}

func printDocument(_ payload: [UInt8], json: Bool) throws {
    guard !payload.isEmpty else { return }
    guard let document = try? JSONValue.parse(payload) else {
        throw ValidationFailure(message: "the shadow service answered with something that is not JSON")
    }
    writeStandardOutput((json ? document.serialized() : document.pretty()) + "\n")
}
