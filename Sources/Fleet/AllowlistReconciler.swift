import FleetValues
import AWSCore
import AWSServices

/// One change that reconciling the registry with an allowlist makes.
public struct ReconcileAction: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Off the list: certificates detached, revoked and deleted, policies detached, thing deleted.
        case remove
        /// On the list: joins the group and/or its certificates get the policy.
        case admit
    }

    public var kind: Kind
    public var thing: String
    /// What will be done, one line each ("detach and delete certificate 1a2b...", "add to group G").
    public var details: [String]
    public var certificates: [String]
    public var joinGroup: Bool
    public var certificatesNeedingPolicy: [String]
    /// The thing is a Greengrass core device, deleted with it.
    public var greengrassCore = false

    public var glyph: String { kind == .remove ? "-" : "~" }
}

/// Brings the thing registry in line with an allowlist of serial numbers (thing names), as the
/// reference architecture's setup workflow did, but as a plan shown before anything happens.
public struct AllowlistReconciler: Sendable {
    let client: AWSClient
    let iot = IoTOperations.self

    public init(client: AWSClient) { self.client = client }

    /// The plan: every thing of the registry off the list is removed; listed things are put in
    /// `group` and their certificates given `policy` when those are named.
    /// `prefix` limits the registry to things whose names start with it (an account shared with
    /// other things).
    public func plan(allowed: Set<String>, group: String?, policy: String?, prefix: String = "") async throws -> [ReconcileAction] {
        // The group and policy listed things must get exist, or the plan is refused before approval.
        let loader = FleetLoader(client: client)
        if let group { try await loader.requireGroup(group) }
        if let policy { try await loader.requirePolicy(policy) }
        let things = try await client.all(iot.service, iot.listThings, ["maxResults": 250]).compactMap { $0["thingName"]?.stringValue }
            .filter { $0.hasPrefix(prefix) }.sorted()
        var members: Set<String> = []
        if let group {
            members = Set(try await client.all(iot.service, iot.listThingsInThingGroup, ["thingGroupName": .string(group)]).compactMap(\.stringValue))
        }
        var actions: [ReconcileAction] = []
        for thing in things {
            let principals = try await client.all(iot.service, iot.listThingPrincipals, ["thingName": .string(thing)], key: "principals")
                .compactMap(\.stringValue).filter { $0.contains(":cert/") }
            if !allowed.contains(thing) {
                var details = principals.map { "detach, revoke and delete certificate \(Self.certificateID($0).prefix(12))" }
                details.append("delete thing")
                let core = try await isGreengrassCore(thing)
                if core { details.append("delete Greengrass core device") }
                actions.append(ReconcileAction(kind: .remove, thing: thing, details: details, certificates: principals, joinGroup: false,
                                               certificatesNeedingPolicy: [], greengrassCore: core))
                continue
            }
            var details: [String] = []
            let join = group != nil && !members.contains(thing)
            if join, let group { details.append("add to group \(group)") }
            var needing: [String] = []
            if let policy {
                for certificate in principals {
                    let attached = try await client.all(iot.service, iot.listAttachedPolicies, ["target": .string(certificate)])
                    if !attached.contains(where: { $0["policyName"]?.stringValue == policy }) {
                        needing.append(certificate)
                        details.append("attach policy \(policy) to certificate \(Self.certificateID(certificate).prefix(12))")
                    }
                }
            }
            if !details.isEmpty {
                actions.append(ReconcileAction(kind: .admit, thing: thing, details: details, certificates: principals, joinGroup: join,
                                               certificatesNeedingPolicy: needing))
            }
        }
        return actions
    }

    static func certificateID(_ arn: String) -> String { String(arn.split(separator: "/").last ?? "") }

    /// Whether Greengrass V2 knows the thing as a core device (any other answer is an error).
    func isGreengrassCore(_ thing: String) async throws -> Bool {
        do {
            _ = try await client.call(GreengrassV2Operations.service, GreengrassV2Operations.getCoreDevice, ["coreDeviceThingName": .string(thing)])
            return true
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {
            return false
        }
    }

    /// Carries out one action.
    public func apply(_ action: ReconcileAction, group: String?, policy: String?) async throws {
        switch action.kind {
        case .remove:
            for certificate in action.certificates {
                let id = Self.certificateID(certificate)
                _ = try await client.call(iot.service, iot.detachThingPrincipal, ["thingName": .string(action.thing), "principal": .string(certificate)])
                for attached in try await client.all(iot.service, iot.listAttachedPolicies, ["target": .string(certificate)]) {
                    _ = try await client.call(iot.service, iot.detachPolicy, ["policyName": attached["policyName"] ?? .null, "target": .string(certificate)])
                }
                let others = try await client.all(iot.service, iot.listPrincipalThings, ["principal": .string(certificate)], key: "things")
                guard others.isEmpty else { continue }  // still used by another thing: keep it
                _ = try await client.call(iot.service, iot.updateCertificate, ["certificateId": .string(id), "newStatus": "REVOKED"])
                _ = try await client.call(iot.service, iot.deleteCertificate, ["certificateId": .string(id)])
            }
            _ = try await client.call(iot.service, iot.deleteThing, ["thingName": .string(action.thing)])
            // Then its Greengrass core device, as upstream's check-devices step does.
            if action.greengrassCore {
                _ = try await client.call(GreengrassV2Operations.service, GreengrassV2Operations.deleteCoreDevice,
                                          ["coreDeviceThingName": .string(action.thing)])
            }
        case .admit:
            if action.joinGroup, let group {
                _ = try await client.call(iot.service, iot.addThingToThingGroup, ["thingGroupName": .string(group), "thingName": .string(action.thing)])
            }
            if let policy {
                for certificate in action.certificatesNeedingPolicy {
                    _ = try await client.call(iot.service, iot.attachPolicy, ["policyName": .string(policy), "target": .string(certificate)])
                }
            }
        }
    }
}

