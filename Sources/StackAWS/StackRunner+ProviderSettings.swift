import StackEngine

extension StackRunner {
    /// What the stack config tells the AWS providers, as pulumi-aws-native and pulumi-aws read
    /// it: `aws-native:region`/`aws:region` (or the project's `aws-region`) and
    /// `aws-native:profile`/`aws:profile`. The two providers must agree (Fleetdeck has one client);
    /// any other provider setting is refused by name rather than ignored.
    static func providerSettings(_ config: StackConfigFile, project: String) throws -> (profile: String?, region: String?) {
        func plain(_ key: String) throws -> String? {
            switch config.entries[key] {
            case .value(let value)?:
                guard let text = value.stringValue else { throw StateError.io("\(config.path): '\(key)' must be a string") }
                return text
            case .secure?: throw StateError.io("\(config.path): '\(key)' is a secret; provider settings are read in clear")
            default: return nil
            }
        }
        for key in config.entries.keys.sorted() where key.hasPrefix("aws:") || key.hasPrefix("aws-native:") {
            let setting = key.split(separator: ":", maxSplits: 1).last.map(String.init) ?? key
            guard setting == "region" || setting == "profile" else {
                throw StateError.io("\(config.path): the provider setting '\(key)' is not applied by Fleetdeck (it reads region and profile): remove it, or deploy this stack with Pulumi")
            }
        }
        func agreed(_ setting: String) throws -> String? {
            let native = try plain("aws-native:\(setting)"), classic = try plain("aws:\(setting)")
            if let native, let classic, native != classic {
                throw StateError.io("\(config.path): 'aws-native:\(setting)' is \(native) but 'aws:\(setting)' is \(classic); Fleetdeck deploys both providers' resources with one \(setting)")
            }
            return native ?? classic
        }
        return (try agreed("profile"), try agreed("region") ?? plain("\(project):aws-region"))
    }
}
