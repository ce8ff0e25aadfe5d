import AWSCore
import AWSServices
import Crypto
import JSON
import POSIXFiles

/// A component folder as upstream's gdk lays it out: `recipe.yaml` (or `.json`) and, optionally,
/// `gdk-config.json` naming the component and its version (`NEXT_PATCH`: the catalogue's latest
/// with its patch number plus one, 1.0.0 for a new component; or a fixed version). The recipe's
/// `{COMPONENT_NAME}` and `{COMPONENT_VERSION}` are filled in, as gdk fills them, and so are its
/// top-level ComponentName and ComponentVersion.
public struct ComponentSource: Sendable, Equatable {
    public var folder: String
    public var name: String
    /// The version to publish; with `nextPatch`, worked out from the catalogue instead.
    public var version: String
    /// gdk-config.json says NEXT_PATCH.
    public var nextPatch = false
    public var recipe: String
    public var recipeFile: String

    /// Reads a folder (or a recipe file); errors name the file at fault.
    public static func read(_ path: String) throws -> ComponentSource {
        struct Refused: Error, CustomStringConvertible { var description: String }
        let isFile = path.hasSuffix(".yaml") || path.hasSuffix(".yml") || path.hasSuffix(".json") && !path.hasSuffix("gdk-config.json")
        let folder = isFile ? AtomicFile.parent(of: path) : path
        guard let recipeFile = isFile ? path : ["recipe.yaml", "recipe.json"].map({ "\(folder)/\($0)" }).first(where: AtomicFile.exists) else {
            throw Refused(description: "\(path): no recipe.yaml or recipe.json")
        }
        let recipe: String
        do { recipe = String(decoding: try AtomicFile.readRegular(recipeFile, limit: 1_048_576), as: UTF8.self) } catch { throw Refused(description: "\(recipeFile): \(error)") }
        var name = Self.topLevel("ComponentName", in: recipe), version = Self.topLevel("ComponentVersion", in: recipe)
        let gdk = "\(folder)/gdk-config.json"
        if AtomicFile.exists(gdk) {
            let config: JSONValue
            do { config = try JSONValue.parse(try AtomicFile.readRegular(gdk, limit: 1_048_576)) } catch { throw Refused(description: "\(gdk): \(error)") }
            guard let components = config["component"]?.objectValue, components.count == 1, let (key, entry) = components.first(where: { _ in true }) else {
                throw Refused(description: "\(gdk): 'component' names exactly one component (gdk's layout)")
            }
            guard let wanted = entry["version"]?.stringValue else { throw Refused(description: "\(gdk): component.\(key).version is required (NEXT_PATCH or a version)") }
            (name, version) = (key, wanted)
        }
        guard let name, !name.hasPrefix("{"), let version, !version.hasPrefix("{") else {
            throw Refused(description: "\(recipeFile): the component's name and version come from gdk-config.json or the recipe's ComponentName and ComponentVersion")
        }
        var source = ComponentSource(folder: folder, name: name, version: version, recipe: recipe, recipeFile: recipeFile)
        source.nextPatch = AtomicFile.exists(gdk) && version == "NEXT_PATCH"
        return source
    }

    public init(folder: String, name: String, version: String, recipe: String, recipeFile: String) {
        self.folder = folder
        self.name = name
        self.version = version
        self.recipe = recipe
        self.recipeFile = recipeFile
    }

    /// A top-level member's value in a YAML or JSON recipe ("ComponentName: x", "\"ComponentName\": \"x\"").
    static func topLevel(_ key: String, in recipe: String) -> String? {
        for line in recipe.split(separator: "\n", omittingEmptySubsequences: false) {
            for prefix in ["\(key):", "\"\(key)\":", "  \"\(key)\":"] where line.hasPrefix(prefix) {
                let value = line.dropFirst(prefix.count).trimmingCharacters(in: " \t,\"'")
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    /// The recipe with its name and `version` filled in.
    public func recipe(version: String) -> String {
        recipe.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("ComponentName:") { return "ComponentName: \(name)" }
            if line.hasPrefix("ComponentVersion:") { return "ComponentVersion: \"\(version)\"" }
            return String(line)
        }.joined(separator: "\n").replacingAll("{COMPONENT_NAME}", with: name).replacingAll("{COMPONENT_VERSION}", with: version)
    }

    /// What publishing compares: the recipe with no version in it (sha256, hex).
    public var fingerprint: String {
        SHA256.hash(data: Array(recipe(version: "0.0.0").utf8)).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    /// The next patch version after `latest` (1.0.0 when there is none).
    public static func nextPatch(after latest: String?) -> String {
        guard let latest else { return "1.0.0" }
        let numbers = latest.split(separator: "-")[0].split(separator: ".").map { Int($0) ?? 0 } + [0, 0, 0]
        return "\(numbers[0]).\(numbers[1]).\(numbers[2] + 1)"
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return components(separatedBy: target).joined(separator: replacement)
    }

    func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        return String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

extension Substring {
    func trimmingCharacters(in characters: String) -> String { String(self).trimmingCharacters(in: characters) }
}

/// What publishing a component source will do: nothing (the catalogue's latest is this recipe),
/// or make a version.
public struct ComponentPublishStep: Sendable, Equatable {
    public var source: ComponentSource
    /// The version to make; nil: unchanged since `latest`.
    public var version: String?
    public var latest: String?

    public var text: String {
        guard let version else { return "  = \(source.name) \(latest ?? "?") (unchanged: nothing to publish)" }
        return "  + \(source.name) \(version)" + (source.nextPatch ? " (NEXT_PATCH after \(latest ?? "none"))" : "") + "  \(source.recipeFile)"
    }
}

extension FleetLoader {
    static let recipeTag = "fleetdeck:recipe-sha256"

    /// What publishing `source` will do, from the catalogue: nothing when the version it would
    /// replace (NEXT_PATCH: the latest; else its own) was published from this recipe (its tag says
    /// so); a fixed version that exists with another recipe is refused (a new recipe under an old
    /// version).
    public func publishStep(_ source: ComponentSource) async throws -> ComponentPublishStep {
        let gg = GreengrassV2Operations.self
        let versions: [String]
        do { versions = try await componentVersions(source.name) } catch where Self.notFound(error) { versions = [] }
        let latest = versions.first
        let compared = source.nextPatch ? latest : versions.contains(source.version) ? source.version : nil
        if let compared {
            let described = try await client.call(gg.service, gg.describeComponent, ["arn": .string(try await componentARN(source.name, version: compared))])
            if described["tags"]?[Self.recipeTag]?.stringValue == source.fingerprint { return ComponentPublishStep(source: source, version: nil, latest: compared) }
            if !source.nextPatch {
                throw AWSError.invalidInput(operation: "CreateComponentVersion",
                                            reason: "\(source.recipeFile): \(source.name) \(compared) is in the catalogue with another recipe: give it a new version (or NEXT_PATCH in gdk-config.json)")
            }
        }
        return ComponentPublishStep(source: source, version: source.nextPatch ? ComponentSource.nextPatch(after: latest) : source.version, latest: latest)
    }

    /// Makes the step's version, tagged with its recipe's fingerprint.
    public func publish(_ step: ComponentPublishStep) async throws {
        guard let version = step.version else { return }
        _ = try await client.call(GreengrassV2Operations.service, GreengrassV2Operations.createComponentVersion, [
            "inlineRecipe": .string(Base64.encode(Array(step.source.recipe(version: version).utf8))),
            "tags": [.init(stringLiteral: Self.recipeTag): .string(step.source.fingerprint)],
        ])
    }
}
