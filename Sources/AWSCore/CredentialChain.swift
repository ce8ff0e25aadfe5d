import AWSSigning

/// Supplies credentials for signing. `CredentialCache` wraps the chain below.
public protocol CredentialProvider: Sendable {
    func credentials() async throws -> AWSCredentials
}

/// Credentials that never change (tests, fixed keys).
public struct StaticCredentials: CredentialProvider {
    public var value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() async throws -> AWSCredentials { value }
}

/// Keeps the last credentials and refreshes them five minutes before they expire, with at
/// most one refresh in flight however many calls ask at once.
public actor CredentialCache: CredentialProvider {
    private let resolve: @Sendable () async throws -> AWSCredentials
    private let now: @Sendable () -> Int64
    private var cached: AWSCredentials?
    private var inFlight: Task<AWSCredentials, any Error>?
    public private(set) var refreshCount = 0

    public init(now: @escaping @Sendable () -> Int64, resolve: @escaping @Sendable () async throws -> AWSCredentials) {
        self.resolve = resolve
        self.now = now
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, cached.expiration.map({ $0 - 300 > now() }) ?? true { return cached }
        if let inFlight { return try await inFlight.value }
        let task = Task { try await resolve() }
        inFlight = task
        refreshCount += 1
        defer { inFlight = nil }
        let fresh = try await task.value
        if let expiration = fresh.expiration, expiration <= now() {
            throw AWSError.credentials("the AWS credentials expired at \(SigningTime(secondsSince1970: expiration).iso8601); get fresh ones (a new session token, aws sso login, or the credential_process)")
        }
        cached = fresh
        return fresh
    }
}

/// The AWS CLI's credential order: environment; assume-role from the profile (`role_arn` with
/// `source_profile` or `credential_source`); web identity (`AWS_ROLE_ARN` +
/// `AWS_WEB_IDENTITY_TOKEN_FILE`, or the profile's `web_identity_token_file`); the profile's
/// static keys; the profile's `credential_process`.
public struct CredentialChain: Sendable {
    /// Calls an STS query action with optional credentials (nil: unsigned) and returns its result element.
    public typealias STSCall = @Sendable (_ action: String, _ fields: [(String, String)], _ credentials: AWSCredentials?) async throws -> XMLElement

    public var settings: AWSSettings
    public var sts: STSCall

    public init(settings: AWSSettings, sts: @escaping STSCall) {
        self.settings = settings
        self.sts = sts
    }

    public func resolve() async throws -> AWSCredentials {
        let env = settings.environment
        if !settings.profileFromFlag, let fromEnvironment = try environmentCredentials() { return fromEnvironment }
        if let role = env["AWS_ROLE_ARN"], let tokenFile = env["AWS_WEB_IDENTITY_TOKEN_FILE"], settings.profile["role_arn"] == nil {
            return try await webIdentity(roleARN: role, tokenFile: tokenFile, sessionName: env["AWS_ROLE_SESSION_NAME"])
        }
        return try await profileCredentials(settings.profileName, depth: 0)
    }

    func environmentCredentials() throws(AWSError) -> AWSCredentials? {
        let env = settings.environment
        let key = env["AWS_ACCESS_KEY_ID"], secret = env["AWS_SECRET_ACCESS_KEY"]
        switch (key, secret) {
        case (nil, nil): return nil
        case let (key?, secret?) where !key.isEmpty && !secret.isEmpty:
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: env["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
        case (nil, _), ("", _): throw .credentials("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        default: throw .credentials("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        }
    }

    func profileCredentials(_ name: String, depth: Int) async throws -> AWSCredentials {
        guard depth < 5 else { throw AWSError.credentials("profile '\(name)': role_arn/source_profile chain is too long or circular") }
        guard let profile = settings.config.profiles[name] else {
            throw AWSError.configuration("AWS profile '\(name)' is not in \(settings.config.credentialsPath) or \(settings.config.configPath)")
        }
        if let role = profile["role_arn"] {
            if let tokenFile = profile["web_identity_token_file"] {
                return try await webIdentity(roleARN: role, tokenFile: tokenFile, sessionName: profile["role_session_name"])
            }
            let source: AWSCredentials
            if let sourceProfile = profile["source_profile"] {
                source = sourceProfile == name ? try staticKeys(profile, name: name)
                    : try await profileCredentials(sourceProfile, depth: depth + 1)
            } else if profile["credential_source"] == "Environment", let fromEnvironment = try environmentCredentials() {
                source = fromEnvironment
            } else {
                throw AWSError.credentials("profile '\(name)' has role_arn but no source_profile (or credential_source = Environment with keys set)")
            }
            var fields: [(String, String)] = [("RoleArn", role), ("RoleSessionName", profile["role_session_name"] ?? "fleetdeck")]
            if let duration = profile["duration_seconds"] { fields.append(("DurationSeconds", duration)) }
            if let externalID = profile["external_id"] { fields.append(("ExternalId", externalID)) }
            return try Self.credentials(from: try await sts("AssumeRole", fields, source), action: "AssumeRole")
        }
        if profile["aws_access_key_id"] != nil || profile["aws_secret_access_key"] != nil {
            return try staticKeys(profile, name: name)
        }
        if let command = profile["credential_process"] {
            return try processCredentials(command, profile: name)
        }
        throw AWSError.credentials("no AWS credentials: looked in the environment (AWS_ACCESS_KEY_ID), AWS_WEB_IDENTITY_TOKEN_FILE, and profile '\(name)' of \(settings.config.credentialsPath) and \(settings.config.configPath) (no keys, role_arn or credential_process)")
    }

    func staticKeys(_ profile: [String: String], name: String) throws(AWSError) -> AWSCredentials {
        guard let key = profile["aws_access_key_id"], let secret = profile["aws_secret_access_key"] else {
            throw .credentials("profile '\(name)' has \(profile["aws_access_key_id"] == nil ? "aws_secret_access_key but no aws_access_key_id" : "aws_access_key_id but no aws_secret_access_key")")
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: profile["aws_session_token"])
    }

    func webIdentity(roleARN: String, tokenFile: String, sessionName: String?) async throws -> AWSCredentials {
        guard let token = LocalFiles.read(LocalFiles.expandHome(tokenFile, environment: settings.environment)) else {
            throw AWSError.credentials("cannot read the web identity token file \(tokenFile)")
        }
        let fields = [("RoleArn", roleARN), ("RoleSessionName", sessionName ?? "fleetdeck"),
                      ("WebIdentityToken", String(decoding: token, as: UTF8.self).trimmingWhitespace())]
        return try Self.credentials(from: try await sts("AssumeRoleWithWebIdentity", fields, nil), action: "AssumeRoleWithWebIdentity")
    }

    func processCredentials(_ command: String, profile: String) throws(AWSError) -> AWSCredentials {
        guard let (status, output) = LocalFiles.runShell(command, environment: settings.environment) else {
            throw .credentials("profile '\(profile)': credential_process could not be started: \(command)")
        }
        guard status == 0 else { throw .credentials("profile '\(profile)': credential_process exited with status \(status): \(command)") }
        guard let json = try? JSONValue.parse(output), let key = json["AccessKeyId"]?.stringValue,
              let secret = json["SecretAccessKey"]?.stringValue else {
            throw .credentials("profile '\(profile)': credential_process did not print JSON with AccessKeyId and SecretAccessKey")
        }
        if let version = json["Version"]?.intValue, version != 1 {
            throw .credentials("profile '\(profile)': credential_process printed Version \(version); only 1 is supported")
        }
        let expiration = json["Expiration"]?.stringValue.flatMap(CivilTime.parseISO8601)
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: json["SessionToken"]?.stringValue, expiration: expiration)
    }

    static func credentials(from result: XMLElement, action: String) throws(AWSError) -> AWSCredentials {
        guard let element = result.child("Credentials"), let key = element.child("AccessKeyId")?.text,
              let secret = element.child("SecretAccessKey")?.text else {
            throw .credentials("STS \(action) answered without credentials")
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: element.child("SessionToken")?.text,
                              expiration: element.child("Expiration").flatMap { CivilTime.parseISO8601($0.text) })
    }
}
