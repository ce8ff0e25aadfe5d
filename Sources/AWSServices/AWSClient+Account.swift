import AWSCore
import JSON

/// Who the credentials are: STS GetCallerIdentity's answer.
public struct CallerIdentity: Sendable, Equatable {
    public var account: String
    public var arn: String
    public var userID: String
}

extension AWSClient {
    /// Who the credentials are, asked once per client (the credentials stay the same for a run);
    /// `fresh` asks again (a connection check).
    public func callerIdentity(fresh: Bool = false) async throws -> CallerIdentity {
        let answer = fresh ? try await call(STSOperations.service, STSOperations.getCallerIdentity)
            : try await rememberedCall(STSOperations.service, STSOperations.getCallerIdentity)
        return CallerIdentity(account: answer["Account"]?.stringValue ?? "?", arn: answer["Arn"]?.stringValue ?? "?",
                              userID: answer["UserId"]?.stringValue ?? "?")
    }

    /// One of the account's AWS IoT endpoints (`iot:Data-ATS`, `iot:CredentialProvider`, ...),
    /// asked once per client and type.
    public func iotEndpoint(_ type: String = "iot:Data-ATS") async throws -> String {
        let answer = try await rememberedCall(IoTOperations.service, IoTOperations.describeEndpoint, ["endpointType": .string(type)])
        guard let host = answer["endpointAddress"]?.stringValue, !host.isEmpty else {
            throw AWSError.invalidResponse(operation: "DescribeEndpoint", status: answer.status, reason: "no endpointAddress for \(type)")
        }
        return host
    }
}
