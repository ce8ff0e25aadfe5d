import StackModel

/// One step of a property access: `.name`, `[0]`, `["key"]`.
public enum Accessor: Sendable, Hashable, CustomStringConvertible {
    case property(String)
    case index(Int)
    case key(String)

    public var description: String {
        switch self {
        case .property(let name): return ".\(name)"
        case .index(let index): return "[\(index)]"
        case .key(let key): return "[\"\(key)\"]"
        }
    }
}

/// `${root.a[0]["b"]}`: a name (resource, variable, config key or `pulumi`) and accessors.
public struct PropertyAccess: Sendable, Hashable, CustomStringConvertible {
    public var root: String
    public var accessors: [Accessor]

    public init(root: String, accessors: [Accessor] = []) {
        self.root = root
        self.accessors = accessors
    }

    public var description: String { root + accessors.map(\.description).joined() }
}

/// A piece of an interpolated string: literal text or a `${...}` access.
public enum InterpolationPart: Sendable, Hashable {
    case text(String)
    case access(PropertyAccess)
}

/// A Pulumi YAML expression with the place it was written.
public indirect enum Expression: Sendable, Hashable {
    case null(SourceLocation)
    case bool(Bool, SourceLocation)
    case number(Double, SourceLocation)
    case string(String, SourceLocation)
    /// A string with `${...}` parts; evaluates to a string.
    case interpolation([InterpolationPart], SourceLocation)
    /// A string that is exactly `${...}`: keeps the referenced value's type.
    case symbol(PropertyAccess, SourceLocation)
    case list([Expression], SourceLocation)
    case object([ObjectEntry], SourceLocation)
    /// `fn::name: argument`.
    case builtin(String, Expression, SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .null(let l), .bool(_, let l), .number(_, let l), .string(_, let l), .interpolation(_, let l),
             .symbol(_, let l), .list(_, let l), .object(_, let l), .builtin(_, _, let l):
            return l
        }
    }

    /// Every property access inside, with where it was written.
    public var accesses: [(PropertyAccess, SourceLocation)] {
        switch self {
        case .null, .bool, .number, .string: return []
        case .interpolation(let parts, let location):
            return parts.compactMap { if case .access(let access) = $0 { return (access, location) }; return nil }
        case .symbol(let access, let location): return [(access, location)]
        case .list(let items, _): return items.flatMap(\.accesses)
        case .object(let entries, _): return entries.flatMap(\.value.accesses)
        case .builtin(_, let argument, _): return argument.accesses
        }
    }
}

public struct ObjectEntry: Sendable, Hashable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: Expression

    public init(key: String, keyLocation: SourceLocation, value: Expression) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}
