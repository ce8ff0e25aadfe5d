import AWSCore
import AWSServices
import JSON
import StackEngine
import StackModel

/// `aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment`: its declaration and its cloud calls.
struct ThingPrincipalAttachmentHandler: IoTHandler {
    static let declaration = ResourceType("aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment", identity: .pair("thing", "principal"))
    let context: HandlerContext

    func create(name: String, inputs: [String: PropertyValue]) async throws -> (id: String, outputs: [String: PropertyValue]) {
        let (thing, principal) = try pair(inputs, "thing", "principal")
        _ = try await call(iot.attachThingPrincipal, ["thingName": .string(thing), "principal": .string(principal)])
        return ("\(thing)|\(principal)", inputs)
    }

    func read(id: String, inputs: [String: PropertyValue]) async throws -> [String: PropertyValue]? {
        let parts = id.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let principals = try await client.all(iot.service, iot.listThingPrincipals, ["thingName": .string(parts[0])], key: "principals")
        return principals.contains(.string(parts[1])) ? ["thing": .string(parts[0]), "principal": .string(parts[1])] : nil
    }

    func delete(id: String, old: ResourceState) async throws {
        let (thing, principal) = try pair(old.inputs, "thing", "principal")
        _ = try await call(iot.detachThingPrincipal, ["thingName": .string(thing), "principal": .string(principal)])
    }
}
