/// The AWS shared config and credentials files (`~/.aws/config`, `~/.aws/credentials`, or
/// `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`), parsed into profiles.
public struct SharedConfig: Sendable, Equatable {
    /// Profile name to settings; the credentials file's keys win over the config file's.
    public var profiles: [String: [String: String]]
    public var configPath: String
    public var credentialsPath: String

    public init(profiles: [String: [String: String]] = [:], configPath: String = "~/.aws/config", credentialsPath: String = "~/.aws/credentials") {
        self.profiles = profiles
        self.configPath = configPath
        self.credentialsPath = credentialsPath
    }

    /// Reads both files (a missing file is empty); a malformed line is an error naming file:line.
    public static func load(environment: [String: String]) throws(AWSError) -> SharedConfig {
        let configPath = LocalFiles.expandHome(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config", environment: environment)
        let credentialsPath = LocalFiles.expandHome(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials", environment: environment)
        var config = SharedConfig(configPath: configPath, credentialsPath: credentialsPath)
        if let bytes = LocalFiles.read(configPath) {
            config.merge(try parse(String(decoding: bytes, as: UTF8.self), path: configPath, isConfigFile: true))
        }
        if let bytes = LocalFiles.read(credentialsPath) {
            config.merge(try parse(String(decoding: bytes, as: UTF8.self), path: credentialsPath, isConfigFile: false))
        }
        return config
    }

    mutating func merge(_ other: [String: [String: String]]) {
        for (name, values) in other {
            profiles[name, default: [:]].merge(values) { _, new in new }
        }
    }

    /// INI as the AWS CLI reads it: `[profile NAME]` (config) or `[NAME]` (credentials),
    /// `key = value`, `#`/`;` comments, indented sub-settings (skipped).
    public static func parse(_ text: String, path: String, isConfigFile: Bool) throws(AWSError) -> [String: [String: String]] {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        var skipSection = false
        var inNested = false
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = String(line).trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if line.first == " " || line.first == "\t" {
                if inNested || skipSection { continue }
                throw .configuration("\(path):\(lineNumber): unexpected indented line (a continuation needs 'key =' above it)")
            }
            inNested = false
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else {
                    throw .configuration("\(path):\(lineNumber): section header is missing its closing ']'")
                }
                var name = String(trimmed.dropFirst().dropLast()).trimmingWhitespace()
                skipSection = false
                if isConfigFile {
                    if name.hasPrefix("profile ") {
                        name = String(name.dropFirst("profile ".count)).trimmingWhitespace()
                    } else if name != "default" {
                        skipSection = true  // sso-session, services, ...
                    }
                }
                guard !name.isEmpty else { throw .configuration("\(path):\(lineNumber): empty profile name") }
                current = skipSection ? nil : name
                if let current { profiles[current, default: [:]] = profiles[current] ?? [:] }
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw .configuration("\(path):\(lineNumber): expected 'key = value' or '[section]', found \"\(trimmed.prefix(40))\"")
            }
            let key = String(trimmed[..<equals]).trimmingWhitespace().lowercased()
            let value = String(trimmed[trimmed.index(after: equals)...]).trimmingWhitespace()
            guard !key.isEmpty else { throw .configuration("\(path):\(lineNumber): a setting has no name before '='") }
            if skipSection { continue }
            guard let current else {
                throw .configuration("\(path):\(lineNumber): setting '\(key)' comes before any [profile] section")
            }
            if value.isEmpty { inNested = true; continue }
            profiles[current]![key] = value
        }
        return profiles
    }
}
