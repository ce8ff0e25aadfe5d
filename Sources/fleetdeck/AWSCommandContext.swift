#if canImport(Glibc)
import Glibc
#endif
import AWSCore
import AWSCurl

/// The composition root for commands that talk to AWS: settings from the command line,
/// the environment and the shared files; libcurl underneath.
enum AWSCommandContext {
    /// `profile` and `region` are defaults (a stack's own); the command-line flags win.
    static func client(_ global: GlobalOptions, profile: String? = nil, region: String? = nil) throws -> AWSClient {
        let environment = ProcessEnvironment.current
        let settings: AWSSettings
        do {
            settings = try AWSSettings.resolve(environment: environment, profile: global.profile ?? profile, region: global.region ?? region)
        } catch {
            throw ValidationFailure(message: "\(error)")
        }
        return AWSClient(settings: settings, http: CurlHTTPClient(environment: environment))
    }

    /// Runs AWS work, turning any failure into one line.
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as ValidationFailure {
            throw failure
        } catch let error as AWSError {
            throw ValidationFailure(message: error.description)
        } catch {
            throw ValidationFailure(message: "\(error)")
        }
    }
}
