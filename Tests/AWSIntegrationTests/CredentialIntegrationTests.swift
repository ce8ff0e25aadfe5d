import AWSCore
import AWSServices
import AWSSigning
import Foundation
import Testing

/// The credential chain end to end: profiles, assume-role and web identity through moto's STS,
/// credential_process, and the errors for bad files and unknown profiles.
@Suite struct CredentialIntegrationTests {
    func files(config: String, credentials: String = "") throws -> [String: String?] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(Sandbox.unique("aws"))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try config.write(to: folder.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        try credentials.write(to: folder.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        return ["AWS_CONFIG_FILE": folder.appendingPathComponent("config").path,
                "AWS_SHARED_CREDENTIALS_FILE": folder.appendingPathComponent("credentials").path,
                "AWS_ACCESS_KEY_ID": nil, "AWS_SECRET_ACCESS_KEY": nil, "AWS_SESSION_TOKEN": nil]
    }

    @Test func assumeRoleFromSourceProfile() async throws {
        let env = try files(config: """
            [profile deployer]
            role_arn = arn:aws:iam::123456789012:role/deployer
            source_profile = base
            role_session_name = ci
            region = eu-west-1
            """, credentials: "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n")
        let client = try Sandbox.client(env.merging(["AWS_REGION": nil, "AWS_DEFAULT_REGION": nil]) { $1 }, profile: "deployer")
        #expect(client.settings.region == "eu-west-1")
        let credentials = try await client.credentials()
        #expect(credentials.accessKeyID != "AKIDBASE")
        #expect(credentials.sessionToken?.isEmpty == false)
        #expect(credentials.expiration != nil)
        let identity = try await client.call(STSOperations.service, STSOperations.getCallerIdentity)
        #expect(identity["Arn"]?.stringValue?.contains("assumed-role/deployer/ci") == true)
    }

    @Test func webIdentityFromEnvironment() async throws {
        var env = try files(config: "")
        let token = FileManager.default.temporaryDirectory.appendingPathComponent(Sandbox.unique("token")).path
        try "header.payload.signature".write(toFile: token, atomically: true, encoding: .utf8)
        env["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/github-oidc"
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = token
        let client = try Sandbox.client(env)
        let credentials = try await client.credentials()
        #expect(credentials.sessionToken?.isEmpty == false)
        let identity = try await client.call(STSOperations.service, STSOperations.getCallerIdentity)
        #expect(identity["Arn"]?.stringValue?.contains("github-oidc") == true)
    }

    @Test func credentialProcess() async throws {
        let env = try files(config: """
            [default]
            credential_process = printf '{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"s","SessionToken":"t","Expiration":"2099-01-01T00:00:00Z"}'
            """)
        let client = try Sandbox.client(env)
        let credentials = try await client.credentials()
        #expect(credentials.accessKeyID == "AKIDPROC")
        #expect(credentials.expiration == CivilTime.parseISO8601("2099-01-01T00:00:00Z"))
    }

    @Test func malformedFileNamesFileAndLine() throws {
        let env = try files(config: "[default]\nregion = us-east-1\n", credentials: "[default]\naws_access_key_id = A\nthis line is wrong\n")
        #expect(throws: AWSError.self) { try Sandbox.client(env) }
        do {
            _ = try Sandbox.client(env)
        } catch {
            #expect("\(error)".hasSuffix("credentials:3: expected 'key = value' or '[section]', found \"this line is wrong\""), "\(error)")
        }
    }

    @Test func unknownProfileAndRegionAreNamed() throws {
        let env = try files(config: "[default]\nregion = us-east-1\n")
        do {
            _ = try Sandbox.client(env, profile: "nope")
            Issue.record("unknown profile accepted")
        } catch {
            #expect("\(error)".hasPrefix("AWS profile 'nope' is not in "))
        }
        do {
            _ = try Sandbox.client(env.merging(["AWS_REGION": "moon-1"]) { $1 })
            Issue.record("bad region accepted")
        } catch {
            #expect("\(error)" == "unknown AWS region 'moon-1' (expected a name like us-east-1 or eu-west-2)")
        }
    }

    @Test func noCredentialsSaysWhereItLooked() async throws {
        let env = try files(config: "[default]\nregion = us-east-1\n")
        let client = try Sandbox.client(env)
        do {
            _ = try await client.credentials()
            Issue.record("credentials appeared from nowhere")
        } catch {
            #expect("\(error)".hasPrefix("no AWS credentials: looked in the environment (AWS_ACCESS_KEY_ID), AWS_WEB_IDENTITY_TOKEN_FILE, and profile 'default'"))
        }
    }

    @Test func tlsWithTheRightCAOnly() async throws {
        let https = try Sandbox.require("FLEETDECK_SANDBOX_HTTPS_URL")
        let good = try Sandbox.client(["AWS_ENDPOINT_URL": https, "AWS_CA_BUNDLE": try Sandbox.require("FLEETDECK_MQTT_CA")])
        let identity = try await good.call(STSOperations.service, STSOperations.getCallerIdentity)
        #expect(identity["Account"] == "123456789012")
        let bad = try Sandbox.client(["AWS_ENDPOINT_URL": https, "AWS_CA_BUNDLE": try Sandbox.require("FLEETDECK_SANDBOX_OTHER_CA"),
                                      "AWS_MAX_ATTEMPTS": "1"])
        do {
            _ = try await bad.call(STSOperations.service, STSOperations.getCallerIdentity)
            Issue.record("a server certificate from an unknown CA was accepted")
        } catch let error as AWSError {
            #expect(error.description.contains("certificate"), "\(error)")
        }
    }
}
