import AWSCore
import AWSCurl
import Foundation

/// The sandbox's moto and mosquitto, as scripts/test exports them. A test that needs them fails
/// with a clear message when run outside the sandbox (never skips).
enum Sandbox {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static func require(_ key: String) throws -> String {
        guard let value = environment[key], !value.isEmpty else {
            throw SandboxMissing(key: key)
        }
        return value
    }

    /// A client on the sandbox's moto, with extra environment if given.
    static func client(_ changes: [String: String?] = [:], profile: String? = nil) throws -> AWSClient {
        _ = try require("AWS_ENDPOINT_URL")
        var env = environment
        for (key, value) in changes { env[key] = value }
        let settings = try AWSSettings.resolve(environment: env, profile: profile)
        return AWSClient(settings: settings, http: CurlHTTPClient(environment: env))
    }

    static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

struct SandboxMissing: Error, CustomStringConvertible {
    var key: String
    var description: String { "\(key) is not set: run the tests with scripts/test (it starts the sandbox)" }
}
