import AWSCore
import AWSServices
import StackLanguage
import StackModel

/// The data sources `fn::invoke` offers programs: the account's IoT endpoint, the caller's
/// identity and the region (Pulumi's `aws:iot:getEndpoint`, `aws:index:getCallerIdentity`,
/// `aws:index:getRegion`, and their aws-native spellings).
enum Invokes {
    static func call(_ function: String, _ arguments: PropertyValue, client: () throws -> AWSClient) async throws -> PropertyValue {
        switch function {
        case "aws:iot:getEndpoint", "aws-native:iot:getEndpoint":
            let type = arguments["endpointType"]?.stringValue ?? "iot:Data-ATS"
            return .object(["endpointAddress": .string(try await client().iotEndpoint(type)), "endpointType": .string(type)])
        case "aws:index:getCallerIdentity", "aws-native:index:getAccountId", "aws:getCallerIdentity":
            let identity = try await client().callerIdentity()
            return .object(["accountId": .string(identity.account), "arn": .string(identity.arn), "userId": .string(identity.userID)])
        case "aws:index:getRegion", "aws-native:index:getRegion", "aws:getRegion":
            return .object(["name": .string(try client().settings.region), "region": .string(try client().settings.region)])
        default:
            throw Diagnostic.error("fn::invoke: unknown function '\(function)' (available: aws:iot:getEndpoint, aws:index:getCallerIdentity, aws:index:getRegion)", at: nil)
        }
    }
}
