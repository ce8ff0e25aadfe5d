/// Profile, region and endpoints resolved the way the AWS CLI does, from the command line,
/// the environment and the shared config files. Made once per process; a value afterwards.
public struct AWSSettings: Sendable {
    public var environment: [String: String]
    public var config: SharedConfig
    public var profileName: String
    /// Whether the profile was named (`--profile`, `AWS_PROFILE`) rather than defaulted.
    public var profileNamed: Bool
    public var profileFromFlag: Bool
    public var region: String

    public static func resolve(environment: [String: String], profile: String? = nil, region: String? = nil) throws(AWSError) -> AWSSettings {
        let config = try SharedConfig.load(environment: environment)
        let named = profile ?? environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"]
        let profileName = named ?? "default"
        if let named, config.profiles[named] == nil {
            throw .configuration("AWS profile '\(named)' is not in \(config.credentialsPath) or \(config.configPath)")
        }
        let values = config.profiles[profileName] ?? [:]
        let chosen = region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? values["region"]
        guard let chosen, !chosen.isEmpty else {
            throw .configuration("no AWS region: pass --region, set AWS_REGION, or set region in profile '\(profileName)' of \(config.configPath)")
        }
        guard Self.isValidRegion(chosen) else {
            throw .configuration("unknown AWS region '\(chosen)' (expected a name like us-east-1 or eu-west-2)")
        }
        return AWSSettings(environment: environment, config: config, profileName: profileName, profileNamed: named != nil,
                           profileFromFlag: profile != nil, region: chosen)
    }

    /// Region names as AWS forms them: `us-east-1`, `us-gov-west-1`, `cn-north-1`, `eu-central-2`.
    public static func isValidRegion(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts.count <= 4, parts[0].count == 2, parts[0].allSatisfy({ $0.isLowercase && $0.isLetter }),
              let last = parts.last, !last.isEmpty, last.allSatisfy(\.isNumber) else { return false }
        return parts.dropFirst().dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLowercase && $0.isLetter } }
    }

    public var profile: [String: String] { config.profiles[profileName] ?? [:] }

    /// Where a service's requests go, the region to sign for, and where that came from.
    /// nil for the IoT data plane without an override: its endpoint is discovered.
    public func endpoint(for service: AWSService) throws(AWSError) -> (endpoint: Endpoint, signingRegion: String, source: String)? {
        let specific = "AWS_ENDPOINT_URL_\(service.environmentName)"
        for (name, value) in [(specific, environment[specific]), ("AWS_ENDPOINT_URL", environment["AWS_ENDPOINT_URL"]),
                              ("endpoint_url of profile '\(profileName)'", profile["endpoint_url"])] {
            guard let value, !value.isEmpty else { continue }
            guard let endpoint = Endpoint(url: value) else {
                throw .configuration("\(name) is not a URL: '\(value)' (expected http[s]://host[:port])")
            }
            return (endpoint, service.globalEndpoint != nil ? "us-east-1" : region, name)
        }
        if let global = service.globalEndpoint {
            return (Endpoint(scheme: "https", host: global), "us-east-1", "standard")
        }
        if service.environmentName == "IOT_DATA_PLANE" { return nil }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return (Endpoint(scheme: "https", host: "\(service.endpointPrefix).\(region).\(suffix)"), region, "standard")
    }
}
