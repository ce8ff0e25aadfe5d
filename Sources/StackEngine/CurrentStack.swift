import Crypto
import JSON
import POSIXFiles
import YAMLSyntax

/// The project's current stack, kept where Pulumi keeps it (`pulumi stack select` and
/// `fleetdeck stack select` see each other's choice): `$PULUMI_HOME/workspaces/<project>-<sha1
/// of the absolute path of Pulumi.yaml>-workspace.json`, `{"stack": NAME}`, 0600.
public struct CurrentStack: Sendable {
    public var home: String
    public var project: String
    /// The absolute path of the project's Pulumi.yaml.
    public var projectFile: String

    /// `directory` is the project folder (absolute or relative to `workingDirectory`).
    public init(environment: [String: String], directory: String, workingDirectory: String, project: String) {
        home = environment["PULUMI_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (environment["HOME"] ?? "") + "/.pulumi"
        self.project = project
        projectFile = Self.absolute(directory.hasPrefix("/") ? directory : workingDirectory + "/" + directory) + "/Pulumi.yaml"
    }

    public var path: String {
        let digest = Insecure.SHA1.hash(data: Array(projectFile.utf8)).map { byte in
            let hex = Array("0123456789abcdef")
            return String([hex[Int(byte >> 4)], hex[Int(byte & 15)]])
        }.joined()
        return "\(home)/workspaces/\(project)-\(digest)-workspace.json"
    }

    /// The selected stack, if any; a workspace file that cannot be read is an error naming it.
    public func read() throws -> String? {
        guard AtomicFile.exists(path) else { return nil }
        do {
            let stack = try JSONValue.parse(try AtomicFile.readRegular(path, limit: 1 << 20))["stack"]?.stringValue
            return stack.flatMap { $0.isEmpty ? nil : $0 }
        } catch {
            throw StateError.io("\(path): unreadable current-stack file (\(error)): 'fleetdeck stack select NAME' writes it again")
        }
    }

    /// Makes `stack` the current one (keeping anything else Pulumi wrote in the file).
    public func select(_ stack: String) throws {
        var settings = (try? JSONValue.parse(AtomicFile.readRegular(path, limit: 1 << 20)))?.objectValue ?? [:]
        settings["stack"] = .string(stack)
        try AtomicFile.makeFolders(home + "/workspaces")
        try AtomicFile.write(Array(JSONValue.object(settings).pretty().utf8), to: path, mode: 0o600)
    }

    /// A path with `.` and `..` resolved and no trailing slash, as Go's filepath.Abs leaves it.
    static func absolute(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The project's name from `DIR/Pulumi.yaml` alone (nil when there is none to read).
    public static func projectName(directory: String) -> String? {
        guard let bytes = AtomicFile.read(directory + "/Pulumi.yaml"), let text = try? YAMLNode.text(bytes),
              let root = try? YAMLNode.parse(text) else { return nil }
        return root["name"]?.scalarText
    }
}
