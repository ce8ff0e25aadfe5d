import AWSCore
import AWSServices
import FleetValues
import JSON

/// The registry and the shadows as the command line reads and changes them (raw AWS documents).
extension FleetLoader {
    /// Every thing (ListThings), or the things of a group (their names only, as AWS lists them).
    public func things(group: String?) async throws -> [JSONValue] {
        if let group {
            return try await client.all(IoTOperations.service, IoTOperations.listThingsInThingGroup, ["thingGroupName": .string(group), "maxResults": 250])
                .map { ["thingName": $0] }
        }
        return try await client.all(IoTOperations.service, IoTOperations.listThings, ["maxResults": 250])
    }

    /// One thing as DescribeThing gives it, with its groups and principals.
    public func thing(_ name: String) async throws -> JSONObject {
        async let thing = client.call(IoTOperations.service, IoTOperations.describeThing, ["thingName": .string(name)])
        async let groups = client.all(IoTOperations.service, IoTOperations.listThingGroupsForThing, ["thingName": .string(name)])
        async let principals = client.all(IoTOperations.service, IoTOperations.listThingPrincipals, ["thingName": .string(name)], key: "principals")
        var result = try await thing.output.objectValue ?? JSONObject()
        result["groups"] = .array(try await groups)
        result["principals"] = .array(try await principals)
        return result
    }

    static func shadowInput(_ thing: String, _ shadow: String?) -> JSONObject {
        var input: JSONObject = ["thingName": .string(thing)]
        if let shadow { input["shadowName"] = .string(shadow) }
        return input
    }

    /// A shadow's document as the shadow service answers (nil name: the classic shadow).
    public func shadowDocument(thing: String, shadow: String?) async throws -> [UInt8] {
        try await client.callIoTData(IoTDataPlaneOperations.getThingShadow, Self.shadowInput(thing, shadow)).payload
    }

    /// Sends a shadow update document (`{"state": {"desired": ...}, "version": ...}`); the answer.
    public func updateShadow(thing: String, shadow: String?, document: JSONValue) async throws -> [UInt8] {
        try await client.callIoTData(IoTDataPlaneOperations.updateThingShadow, Self.shadowInput(thing, shadow), payload: document.bytes).payload
    }

    /// Deletes a shadow; the answer.
    public func removeShadow(thing: String, shadow: String?) async throws -> [UInt8] {
        try await client.callIoTData(IoTDataPlaneOperations.deleteThingShadow, Self.shadowInput(thing, shadow)).payload
    }
}

extension FleetSetup {
    /// Puts bytes at `s3://bucket/key` (what `fleet reconcile --upload` sends the allowlist to).
    public static func upload(_ bytes: [UInt8], to url: String, client: AWSClient) async throws {
        guard url.hasPrefix("s3://"), let slash = url.dropFirst(5).firstIndex(of: "/") else {
            throw AWSError.invalidInput(operation: "PutObject", reason: "--upload must be s3://bucket/key, not '\(url)'")
        }
        let path = url.dropFirst(5)
        _ = try await client.call(S3Operations.service, S3Operations.putObject,
                                  ["Bucket": .string(String(path[..<slash])), "Key": .string(String(path[path.index(after: slash)...]))], payload: bytes)
    }
}
