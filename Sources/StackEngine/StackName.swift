/// Stack and project names as Pulumi's DIY backend accepts them: letters, digits, '-', '_' and
/// '.', at most 100 characters, and never `.` or `..` (which would name a parent folder in the
/// backend's layout). Every name that reaches a path is checked, so nothing is written outside
/// the backend or the project.
public enum StackName {
    public static func validate(_ name: String, what: String = "stack") throws {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F || byte == 0x2E
        }
        guard !name.isEmpty, name.utf8.count <= 100, allowed, name != ".", name != ".." else {
            let shown = name.count > 60 ? String(name.prefix(60)) + "…" : name
            throw StateError.unsupported("'\(shown)' is not a \(what) name: \(what) names may only contain letters, digits, hyphens, underscores and periods (at most 100, not '.' or '..')")
        }
    }

    /// Both names of a stack's paths.
    public static func check(project: String, stack: String) throws {
        try validate(project, what: "project")
        try validate(stack)
    }
}
