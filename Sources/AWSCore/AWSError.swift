/// Everything that can go wrong talking to AWS, each as one line a user can act on.
public enum AWSError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The service answered with an error.
    case service(operation: String, status: Int, code: String, message: String, requestID: String?)
    /// No HTTP answer: connection refused, DNS, TLS, timeout.
    case transport(url: String, reason: String, timedOut: Bool)
    /// No usable credentials, or a credential source failed.
    case credentials(String)
    /// Profile, region, endpoint or file problems.
    case configuration(String)
    /// The answer was not what the protocol promises (an HTML error page, say).
    case invalidResponse(operation: String, status: Int, reason: String)
    /// The input is missing a required member or cannot be encoded.
    case invalidInput(operation: String, reason: String)

    public var description: String {
        switch self {
        case let .service(operation, status, code, message, requestID):
            let id = requestID.map { ", request id \($0)" } ?? ""
            return "\(operation) failed: \(code): \(message.isEmpty ? "HTTP \(status)" : message) (HTTP \(status)\(id))"
        case let .transport(url, reason, _):
            return "cannot reach \(url): \(reason)"
        case .credentials(let message), .configuration(let message):
            return message
        case let .invalidResponse(operation, status, reason):
            return "\(operation): unexpected answer (HTTP \(status)): \(reason)"
        case let .invalidInput(operation, reason):
            return "\(operation): \(reason)"
        }
    }

    /// The service error code, if this is a service error.
    public var code: String? {
        if case .service(_, _, let code, _, _) = self { return code }
        return nil
    }
}
