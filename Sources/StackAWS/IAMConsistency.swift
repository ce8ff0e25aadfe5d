import AWSCore

/// Retries a call that IAM's eventual consistency refuses ("cannot be assumed", a role not yet
/// visible), with backoff, as CloudFormation does: up to about 40 seconds.
enum IAMConsistency {
    static func retry<T>(_ body: () async throws -> T) async throws -> T {
        var delay: UInt64 = 500_000_000
        for attempt in 1...8 {
            do {
                return try await body()
            } catch let error as AWSError where attempt < 8 && isPropagationError(error) {
                try await Task.sleep(nanoseconds: delay)
                delay = min(delay * 2, 8_000_000_000)
            }
        }
        return try await body()
    }

    static func isPropagationError(_ error: AWSError) -> Bool {
        guard case .service(_, _, let code, let message, _) = error else { return false }
        let lower = message.lowercased()
        return code == "InvalidParameterValueException" && (lower.contains("cannot be assumed") || lower.contains("role") && lower.contains("not"))
    }
}
