import FleetValues
import AWSCore
import JSON

/// The fleet screens read and change the account through the loader.
extension FleetLoader: FleetReader, FleetWriter {
    public func now() -> Int64 { Int64(AWSClient.wallClock()) }

    public func managed() async throws -> ManagedIndex { try await managedBy() }

    public func devices(query: String?, page: @Sendable ([Device]) async -> Bool) async throws {
        try await devices(query: query, pageSize: 250, page: page)
    }

    public func related(_ kind: Related, _ id: String) async throws -> [String] {
        switch kind {
        case .groupMembers: return try await groupMembers(id)
        case .certificatePolicies: return try await certificatePolicies(id)
        case .policyVersions: return try await policyVersions(id)
        }
    }

    public func check(_ action: BulkAction, _ items: [String]) async throws -> [String: BulkOutcome] {
        switch action {
        case .addToGroup(let group): return try await checkAddToGroup(items, group: group)
        case .attachPolicy(let policy): return try await checkAttachPolicy(policy, to: items)
        case .setCertificateStatus(let status): return try await checkCertificateStatus(items, status: status)
        }
    }

    public func apply(_ action: BulkAction, _ items: [String], progress: @Sendable (String, String?) -> Void) async {
        switch action {
        case .addToGroup(let group): await addToGroup(items, group: group, progress: progress)
        case .attachPolicy(let policy): await attachPolicy(policy, to: items, progress: progress)
        case .setCertificateStatus(let status): await setCertificateStatus(items, status: status, progress: progress)
        }
    }
}
