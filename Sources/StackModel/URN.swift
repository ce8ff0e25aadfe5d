/// A Pulumi resource name: `urn:pulumi:<stack>::<project>::<type>::<name>`. Stable across
/// deploys; renaming the logical name is a new resource.
public struct URN: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var stack: String
    public var project: String
    public var type: String
    public var name: String

    public init(stack: String, project: String, type: String, name: String) {
        self.stack = stack
        self.project = project
        self.type = type
        self.name = name
    }

    /// Parses a URN; the type may carry a parent chain (`a$b`), of which the last is the type.
    public init?(_ text: String) {
        guard text.hasPrefix("urn:pulumi:") else { return nil }
        let parts = String(text.dropFirst("urn:pulumi:".count)).components(separatedBy: "::")
        guard parts.count >= 4 else { return nil }
        stack = parts[0]
        project = parts[1]
        type = TypeToken.canonical(String(parts[2].split(separator: "$").last ?? ""))
        name = parts[3...].joined(separator: "::")
    }

    public var description: String { "urn:pulumi:\(stack)::\(project)::\(type)::\(name)" }

    public static func < (lhs: URN, rhs: URN) -> Bool { lhs.description < rhs.description }

    /// The root resource Pulumi records for every stack.
    public static func stackResource(stack: String, project: String) -> URN {
        URN(stack: stack, project: project, type: "pulumi:pulumi:Stack", name: "\(project)-\(stack)")
    }
}

extension String {
    /// Splits on a multi-character separator (FoundationEssentials-free).
    public func components(separatedBy separator: String) -> [String] {
        // On UTF-8 bytes (every state read splits thousands of URNs; `firstRange` on characters
        // was a measurable part of a large preview).
        let bytes = Array(utf8), needle = Array(separator.utf8)
        guard !needle.isEmpty else { return [self] }
        var parts: [String] = []
        var start = 0, index = 0
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0] && bytes[index..<index + needle.count].elementsEqual(needle) {
                parts.append(String(decoding: bytes[start..<index], as: UTF8.self))
                index += needle.count
                start = index
            } else {
                index += 1
            }
        }
        parts.append(String(decoding: bytes[start...], as: UTF8.self))
        return parts
    }
}

/// Resource type tokens as Pulumi records them. pulumi-yaml accepts a classic AWS type in its
/// short form (`aws:iot:PolicyAttachment`) and registers it under the provider schema's token
/// (`aws:iot/policyAttachment:PolicyAttachment`); state written by Pulumi carries that form, so
/// Fleetdeck writes and compares it too (and reads its own older short-form state as the same).
public enum TypeToken {
    public static func canonical(_ token: String) -> String {
        let parts = token.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "aws", !parts[1].contains("/"), let first = parts[2].first else { return token }
        return "aws:\(parts[1])/\(first.lowercased())\(parts[2].dropFirst()):\(parts[2])"
    }
}
