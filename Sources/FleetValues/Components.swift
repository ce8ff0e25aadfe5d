import JSON

/// A component of the account's catalogue (ListComponents): its latest version.
public struct ComponentInfo: Sendable, Equatable {
    public var name: String
    public var arn: String
    public var latest: String
    public var description: String
    public var publisher: String
    /// The platforms its latest version runs on ("linux/aarch64").
    public var platforms: [String]

    public init(name: String, arn: String, latest: String, description: String = "", publisher: String = "", platforms: [String] = []) {
        self.name = name
        self.arn = arn
        self.latest = latest
        self.description = description
        self.publisher = publisher
        self.platforms = platforms
    }
}

/// One version of a component: its recipe (as JSON text, keys in the recipe's order) and what
/// DescribeComponent says of it.
public struct ComponentVersionDetail: Sendable, Equatable {
    public var name: String
    public var version: String
    public var arn: String
    public var recipe: String
    public var platforms: [String]
    public var description: String
    public var publisher: String
    /// Every version of the component, newest first.
    public var versions: [String]
    /// The core devices that run the component (as a root component), and which version each.
    public var runningOn: [String: String] = [:]

    public init(name: String, version: String, arn: String, recipe: String, platforms: [String], description: String, publisher: String, versions: [String]) {
        self.name = name
        self.version = version
        self.arn = arn
        self.recipe = recipe
        self.platforms = platforms
        self.description = description
        self.publisher = publisher
        self.versions = versions
    }
}

/// A line diff (the shortest edit script over lines): what `gg components diff` shows of two
/// recipes. Lines are " " kept, "-" only in the first, "+" only in the second.
public enum LineDiff {
    public static func diff(_ a: String, _ b: String) -> [String] {
        let old = a.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let new = b.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The longest common subsequence, by dynamic programming (recipes are small).
        var lengths = Array(repeating: Array(repeating: 0, count: new.count + 1), count: old.count + 1)
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                lengths[i][j] = old[i] == new[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var lines: [String] = []
        var (i, j) = (0, 0)
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i] == new[j] {
                lines.append("  " + old[i]); i += 1; j += 1
            } else if i < old.count, j == new.count || lengths[i + 1][j] >= lengths[i][j + 1] {
                lines.append("- " + old[i]); i += 1  // what went, before what came in its place
            } else {
                lines.append("+ " + new[j]); j += 1
            }
        }
        return lines
    }
}

/// `fleetdeck gg components` as JSON and as text (the executable only prints them).
extension ComponentInfo {
    public var json: JSONValue {
        ["componentName": .string(name), "arn": .string(arn), "latestVersion": .string(latest), "description": .string(description),
         "publisher": .string(publisher), "platforms": .array(platforms.map(JSONValue.string))]
    }

    public static func text(_ components: [ComponentInfo]) -> String {
        let width = max(9, components.map(\.name.count).max() ?? 0) + 2
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(1, width - text.count)) }
        return pad("COMPONENT", width) + pad("LATEST", 10) + pad("PLATFORMS", 16) + "DESCRIPTION\n"
            + components.map { pad($0.name, width) + pad($0.latest, 10) + pad($0.platforms.joined(separator: ","), 16) + $0.description + "\n" }.joined()
            + "\(components.count) component\(components.count == 1 ? "" : "s")\n"
    }
}

extension ComponentVersionDetail {
    /// The recipe as a JSON value (nil when it is not JSON).
    public var recipeValue: JSONValue? { try? JSONValue.parse(Array(recipe.utf8)) }

    public var json: JSONValue {
        ["componentName": .string(name), "componentVersion": .string(version), "arn": .string(arn), "description": .string(description),
         "publisher": .string(publisher), "platforms": .array(platforms.map(JSONValue.string)), "versions": .array(versions.map(JSONValue.string)),
         "recipe": recipeValue ?? .string(recipe),
         "runningOn": .object(JSONObject(runningOn.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))]
    }

    /// "12 devices: 1.0.3 (9), 1.0.2 (3)".
    public var running: String {
        guard !runningOn.isEmpty else { return "no core device runs it" }
        var counts: [String: Int] = [:]
        for version in runningOn.values { counts[version, default: 0] += 1 }
        return "\(runningOn.count) core device\(runningOn.count == 1 ? "" : "s"): "
            + counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
    }

    public var text: String {
        "\(name) \(version)" + (publisher.isEmpty ? "" : " by \(publisher)") + (description.isEmpty ? "" : ": \(description)") + "\n"
            + "  platforms " + (platforms.isEmpty ? "any" : platforms.joined(separator: ", ")) + "\n"
            + "  versions  " + versions.joined(separator: ", ") + "\n" + "  runs on   " + running + "\n" + "Recipe:\n" + (recipeValue?.pretty() ?? recipe) + "\n"
    }
}
