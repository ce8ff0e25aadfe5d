import FleetValues
import AWSCore
import AWSServices
import JSON

extension FleetLoader {
    /// Adding things to a group, planned from the account: a missing group refuses the plan.
    public func checkAddToGroup(_ things: [String], group: String) async throws -> [String: BulkOutcome] {
        try await requireGroup(group)
        var outcomes: [String: BulkOutcome] = [:]
        for thing in things {
            do {
                let groups = try await client.all(IoTOperations.service, IoTOperations.listThingGroupsForThing, ["thingName": .string(thing)], key: "thingGroups")
                outcomes[thing] = groups.contains { $0["groupName"]?.stringValue == group } ? .unchanged("already a member") : .change
            } catch where Self.notFound(error) {
                outcomes[thing] = .impossible("no such thing")
            }
        }
        return outcomes
    }

    /// Attaching a policy to things' certificates, planned from the account: a missing policy
    /// refuses the plan; a thing whose certificates all have it already is no change.
    public func checkAttachPolicy(_ policy: String, to things: [String]) async throws -> [String: BulkOutcome] {
        try await requirePolicy(policy)
        var outcomes: [String: BulkOutcome] = [:]
        for thing in things {
            do {
                let certificates = try await client.all(IoTOperations.service, IoTOperations.listThingPrincipals, ["thingName": .string(thing)], key: "principals")
                    .compactMap(\.stringValue).filter { $0.contains(":cert/") }
                guard !certificates.isEmpty else { outcomes[thing] = .impossible("no certificate to attach it to"); continue }
                var missing = false
                for certificate in certificates {
                    let attached = try await client.all(IoTOperations.service, IoTOperations.listAttachedPolicies, ["target": .string(certificate)], key: "policies")
                    if !attached.contains(where: { $0["policyName"]?.stringValue == policy }) { missing = true }
                }
                outcomes[thing] = missing ? .change : .unchanged("already attached")
            } catch where Self.notFound(error) {
                outcomes[thing] = .impossible("no such thing")
            }
        }
        return outcomes
    }

    /// Setting certificates' status (INACTIVE, REVOKED, ACTIVE), planned from the account: one
    /// already there is no change; a revoked one stays revoked (AWS refuses any other status).
    public func checkCertificateStatus(_ certificates: [String], status: String) async throws -> [String: BulkOutcome] {
        var outcomes: [String: BulkOutcome] = [:]
        for id in certificates {
            do {
                let described = try await client.call(IoTOperations.service, IoTOperations.describeCertificate, ["certificateId": .string(id)])
                let current = described["certificateDescription"]?["status"]?.stringValue ?? ""
                outcomes[id] = current == status ? .unchanged("already \(status)") : current == "REVOKED" ? .impossible("revoked: a revoked certificate stays revoked")
                    : current == "PENDING_TRANSFER" ? .impossible("being transferred to another account") : .change
            } catch where Self.notFound(error) {
                outcomes[id] = .impossible("no such certificate")
            }
        }
        return outcomes
    }

    /// Sets each certificate's status, reporting each (id, error or nil).
    public func setCertificateStatus(_ certificates: [String], status: String, progress: @Sendable (String, String?) -> Void) async {
        await eachReported(certificates, progress) { id in
            _ = try await client.call(IoTOperations.service, IoTOperations.updateCertificate, ["certificateId": .string(id), "newStatus": .string(status)])
        }
    }

    /// The things in a group (directly).
    public func groupMembers(_ group: String) async throws -> [String] {
        try await client.all(IoTOperations.service, IoTOperations.listThingsInThingGroup, ["thingGroupName": .string(group)], key: "things")
            .compactMap(\.stringValue).sorted()
    }

    /// The policies attached to a certificate (by its ARN).
    public func certificatePolicies(_ arn: String) async throws -> [String] {
        try await client.all(IoTOperations.service, IoTOperations.listAttachedPolicies, ["target": .string(arn)], key: "policies")
            .compactMap { $0["policyName"]?.stringValue }.sorted()
    }

    /// A policy's versions, newest first: "v3 (default) 2026-12-03 10:00:00 UTC".
    public func policyVersions(_ policy: String) async throws -> [String] {
        let answer = try await client.call(IoTOperations.service, IoTOperations.listPolicyVersions, ["policyName": .string(policy)])
        return (answer["policyVersions"]?.arrayValue ?? []).map { version in
            let id = version["versionId"]?.stringValue ?? "?"
            let created = version["createDate"]?.doubleValue.map { " " + CivilTime(secondsSince1970: Int64($0)).stamp } ?? ""
            return "v\(id)" + (version["isDefaultVersion"]?.boolValue == true ? " (default)" : "") + created
        }.sorted { (Int($0.dropFirst().prefix { $0.isNumber }) ?? 0) > (Int($1.dropFirst().prefix { $0.isNumber }) ?? 0) }
    }

    /// Refuses a plan whose thing group does not exist.
    public func requireGroup(_ group: String) async throws {
        do {
            _ = try await client.call(IoTOperations.service, IoTOperations.describeThingGroup, ["thingGroupName": .string(group)])
        } catch where Self.notFound(error) {
            throw BulkRefused(reason: "there is no thing group '\(group)': nothing was changed")
        }
    }

    /// Refuses a plan whose policy does not exist.
    public func requirePolicy(_ policy: String) async throws {
        do {
            _ = try await client.call(IoTOperations.service, IoTOperations.getPolicy, ["policyName": .string(policy)])
        } catch where Self.notFound(error) {
            throw BulkRefused(reason: "there is no policy '\(policy)': nothing was changed")
        }
    }

    static func notFound(_ error: any Error) -> Bool {
        (error as? AWSError)?.code == "ResourceNotFoundException"
    }
}
