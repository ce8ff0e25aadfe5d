import AWSCore
import AWSServices
import ArgumentParser

/// `fleetdeck whoami`: the account and identity the credentials belong to, and where calls go.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Show the AWS account, identity, region and endpoints in use.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await AWSCommandContext.run {
            let client = try AWSCommandContext.client(global)
            let identity = try await client.callerIdentity()
            var endpoints = JSONObject()
            for service in [IoTOperations.service, IoTDataPlaneOperations.service, IAMOperations.service, LambdaOperations.service,
                            SNSOperations.service, S3Operations.service, STSOperations.service] {
                let resolved = try client.settings.endpoint(for: service)
                endpoints[service.id] = .string(resolved.map { "\($0.endpoint)" } ?? "discovered at first use (DescribeEndpoint iot:Data-ATS)")
            }
            let result: JSONValue = [
                "account": .string(identity.account),
                "arn": .string(identity.arn),
                "userId": .string(identity.userID),
                "region": .string(client.settings.region),
                "profile": .string(client.settings.profileName),
                "endpoints": .object(endpoints),
            ]
            if global.json {
                writeStandardOutput(result.serialized() + "\n")
            } else {
                var text = ""
                text += "account   \(identity.account)\n"
                text += "arn       \(identity.arn)\n"
                text += "region    \(client.settings.region)\n"
                text += "profile   \(client.settings.profileName)\n"
                text += "endpoints\n"
                for (name, value) in endpoints { text += "  \(name.padded(16)) \(value.stringValue ?? "")\n" }
                writeStandardOutput(text)
            }
        }
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// A table for the terminal: the titles, then a line per row, each column padded to its width
/// (`widths` has one fewer than the titles: the last column is as it is).
func textTable(_ titles: [String], widths: [Int], _ rows: [[String]]) -> String {
    ([titles] + rows).map { cells in
        cells.enumerated().map { index, cell in index < widths.count ? cell.padded(widths[index]) : cell }.joined() + "\n"
    }.joined()
}
