import StackModel

/// A parsed `Pulumi.yaml` (runtime yaml): the project and its program, every part located.
public struct Program: Sendable {
    public var file: String
    public var name: String
    public var description: String?
    public var backendURL: String?
    public var config: [ConfigDeclaration]
    public var variables: [Variable]
    public var resources: [ResourceDeclaration]
    public var outputs: [Output]
    /// Pulumi.yaml's `main`: the folder the program is read from (Main.json, Main.yaml or its
    /// own Pulumi.yaml there), relative to the project.
    public var main: String?
    /// Whether the file declared a program (variables, resources or outputs).
    public var declaresProgram: Bool { !variables.isEmpty || !resources.isEmpty || !outputs.isEmpty }

    public func resource(_ name: String) -> ResourceDeclaration? { resources.first { $0.name == name } }
    public func variable(_ name: String) -> Variable? { variables.first { $0.name == name } }
}

/// A typed configuration value the program declares (`config:`), with an optional default.
public struct ConfigDeclaration: Sendable {
    public enum ValueType: String, Sendable, CaseIterable { case string, integer, boolean, number, array = "List<String>", object }
    /// As written: `key` (the project's namespace) or `namespace:key`.
    public var name: String
    public var type: ValueType?
    public var defaultValue: Expression?
    public var secret: Bool
    public var description: String?
    public var location: SourceLocation
}

public struct Variable: Sendable {
    public var name: String
    public var value: Expression
    public var location: SourceLocation
}

public struct Output: Sendable {
    public var name: String
    public var value: Expression
    public var location: SourceLocation
}

public struct PropertyEntry: Sendable {
    public var name: String
    public var location: SourceLocation
    public var value: Expression
}

/// `options:` of a resource, as far as Fleetdeck honours them.
public struct ResourceOptions: Sendable {
    public var dependsOn: [(String, SourceLocation)] = []
    public var protect = false
    public var ignoreChanges: [String] = []
    public var replaceOnChanges: [String] = []
    public var deleteBeforeReplace = false
    public var retainOnDelete = false
    public var importID: String?
    /// The explicit provider resource (`options.provider: ${name}`) that manages this resource
    /// instead of the stack's default provider.
    public var provider: (String, SourceLocation)?

    public init() {}
}

public struct ResourceDeclaration: Sendable {
    public var name: String
    public var type: String
    public var typeLocation: SourceLocation
    public var properties: [PropertyEntry]
    public var options: ResourceOptions
    public var location: SourceLocation

    /// Every access made by properties and options, for dependencies.
    public var accesses: [(PropertyAccess, SourceLocation)] {
        properties.flatMap(\.value.accesses) + (options.dependsOn + (options.provider.map { [$0] } ?? [])).map { (PropertyAccess(root: $0.0), $0.1) }
    }
}
