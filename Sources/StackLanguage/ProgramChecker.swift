import StackModel
import StackSchemas

/// Checks a parsed program before anything runs: resource types and their properties against
/// the schemas, every reference, dependency cycles, and the shape of `fn::` calls. Every
/// problem comes back as a located diagnostic.
public struct ProgramChecker {
    public let program: Program
    let schemaFor: (String) -> ResourceSchema?
    /// Configuration names the stack supplies beyond the declared ones (its own keys).
    let extraConfig: Set<String>
    var diagnostics: [Diagnostic] = []

    public static let pulumiProperties: Set<String> = ["stack", "project", "cwd", "organization"]

    public init(program: Program, extraConfig: Set<String> = [], schemaFor: @escaping (String) -> ResourceSchema? = ResourceSchema.named) {
        self.program = program
        self.schemaFor = schemaFor
        self.extraConfig = extraConfig
    }

    public static func check(_ program: Program, extraConfig: Set<String> = []) -> [Diagnostic] {
        var checker = ProgramChecker(program: program, extraConfig: extraConfig)
        checker.run()
        return checker.diagnostics
    }

    /// Names a `${...}` may start with for configuration: the declared name and, for the
    /// project's namespace, the bare key.
    var configNames: Set<String> {
        var names = extraConfig
        for declaration in program.config {
            names.insert(declaration.name)
            if declaration.name.hasPrefix(program.name + ":") { names.insert(String(declaration.name.dropFirst(program.name.count + 1))) }
        }
        return names
    }

    mutating func run() {
        let resources = Dictionary(program.resources.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for resource in program.resources {
            guard let schema = schemaFor(resource.type) else {
                let hint = closestMatch(to: resource.type, in: ResourceSchema.tokens).map { "; did you mean '\($0)'?" } ?? ""
                diagnostics.append(.error("unknown resource type '\(resource.type)'\(hint)", at: resource.typeLocation))
                continue
            }
            checkProperties(resource, schema: schema)
            for path in resource.options.ignoreChanges + resource.options.replaceOnChanges {
                let first = String(path.split(whereSeparator: { $0 == "." || $0 == "[" }).first ?? "")
                if schema.properties[first] == nil {
                    diagnostics.append(.error("option path '\(path)' of '\(resource.name)' names no property of \(resource.type)", at: resource.location))
                }
            }
            for (name, location) in resource.options.dependsOn where resources[name] == nil {
                diagnostics.append(.error("dependsOn names '\(name)', which is not a resource", at: location))
            }
            if let (name, location) = resource.options.provider {
                // The provider must be an explicit provider resource of the resource's package.
                let package = String(resource.type.split(separator: ":").first ?? "")
                if let provider = resources[name], provider.type == "pulumi:providers:\(package)" {
                } else if let provider = resources[name] {
                    diagnostics.append(.error("provider '\(name)' is a \(provider.type), but \(resource.type) needs a pulumi:providers:\(package)", at: location))
                } else {
                    diagnostics.append(.error("provider names '\(name)', which is not a resource", at: location))
                }
            }
        }
        let expressions: [Expression] = program.resources.flatMap { $0.properties.map(\.value) } + program.variables.map(\.value)
            + program.outputs.map(\.value) + program.config.compactMap(\.defaultValue)
        for expression in expressions {
            checkReferences(expression, resources: resources)
            checkBuiltins(expression)
        }
        checkCycles()
    }

    // MARK: properties

    mutating func checkProperties(_ resource: ResourceDeclaration, schema: ResourceSchema) {
        let given = Set(resource.properties.map(\.name))
        for property in resource.properties {
            if schema.readOnly.contains(property.name) {
                diagnostics.append(.error("'\(property.name)' is an output of \(resource.type) and cannot be set", at: property.location))
                continue
            }
            guard let propertySchema = schema.properties[property.name] else {
                let hint = closestMatch(to: property.name, in: schema.inputProperties.keys).map { "; did you mean '\($0)'?" } ?? ""
                diagnostics.append(.error("unknown property '\(property.name)' of \(resource.type)\(hint)", at: property.location))
                continue
            }
            checkValue(property.value, against: propertySchema, path: property.name, type: resource.type)
        }
        for required in schema.required where !given.contains(required) {
            diagnostics.append(.error("resource '\(resource.name)' is missing required property '\(required)' of \(resource.type)", at: resource.location))
        }
    }

    /// The static type of an expression where it is known without evaluating.
    static func staticNoun(_ expression: Expression) -> String? {
        switch expression {
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string, .interpolation: return "a string"
        case .list: return "a list"
        case .object: return "an object"
        case .builtin(let name, _, _):
            switch name {
            case "fn::toJSON", "fn::join", "fn::toBase64", "fn::fromBase64", "fn::readFile": return "a string"
            case "fn::split": return "a list"
            default: return nil
            }
        case .null, .symbol: return nil
        }
    }

    mutating func checkValue(_ expression: Expression, against schema: PropertySchema, path: String, type: String) {
        func mismatch() {
            if let noun = Self.staticNoun(expression) {
                diagnostics.append(.error("'\(path)' of \(type) expects \(schema.noun), found \(noun)", at: expression.location))
            }
        }
        switch (schema, expression) {
        case (.any, _), (_, .null), (_, .symbol): return
        case (_, .builtin(let name, _, _)) where Self.staticNoun(expression) == nil || name == "fn::secret": return
        case (.string, _):
            if Self.staticNoun(expression) != "a string" { mismatch() }
        case (.integer, .number(let value, _)):
            if value.rounded() != value { diagnostics.append(.error("'\(path)' of \(type) expects an integer, found \(PropertyValue.format(value))", at: expression.location)) }
        case (.number, .number), (.boolean, .bool):
            return
        case (.array(let item), .list(let items, _)):
            for (index, element) in items.enumerated() { checkValue(element, against: item, path: "\(path)[\(index)]", type: type) }
        case (.map(let value), .object(let entries, _)):
            for entry in entries { checkValue(entry.value, against: value, path: "\(path).\(entry.key)", type: type) }
        case (.object(let fields, let required), .object(let entries, _)):
            for entry in entries {
                guard let field = fields[entry.key] else {
                    let hint = closestMatch(to: entry.key, in: fields.keys).map { "; did you mean '\($0)'?" } ?? ""
                    diagnostics.append(.error("unknown property '\(path).\(entry.key)' of \(type)\(hint)", at: entry.keyLocation))
                    continue
                }
                checkValue(entry.value, against: field, path: "\(path).\(entry.key)", type: type)
            }
            let given = Set(entries.map(\.key))
            for name in required where !given.contains(name) {
                diagnostics.append(.error("'\(path)' of \(type) is missing required property '\(name)'", at: expression.location))
            }
        default:
            mismatch()
        }
    }

    // MARK: references

    mutating func checkReferences(_ expression: Expression, resources: [String: ResourceDeclaration]) {
        let variables = Set(program.variables.map(\.name))
        let config = configNames
        for (access, location) in expression.accesses {
            if let resource = resources[access.root] {
                guard case .property(let property)? = access.accessors.first else { continue }
                guard let schema = schemaFor(resource.type), property != "id", property != "urn" else { continue }
                if schema.properties[property] == nil {
                    let hint = closestMatch(to: property, in: schema.properties.keys).map { "; did you mean '\($0)'?" } ?? ""
                    diagnostics.append(.error("resource '\(resource.name)' (\(resource.type)) has no property '\(property)'\(hint)", at: location))
                }
            } else if access.root == "pulumi" {
                guard case .property(let name)? = access.accessors.first, Self.pulumiProperties.contains(name) else {
                    diagnostics.append(.error("'${\(access)}': pulumi offers stack, project, cwd and organization", at: location))
                    continue
                }
            } else if !variables.contains(access.root) && !config.contains(access.root) {
                let candidates = Array(resources.keys) + Array(variables) + Array(config)
                let hint = closestMatch(to: access.root, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
                diagnostics.append(.error("'${\(access)}' refers to '\(access.root)', which is not a resource, variable or configuration value\(hint)", at: location))
            }
        }
    }

    // MARK: fn::

    mutating func checkBuiltins(_ expression: Expression) {
        switch expression {
        case .list(let items, _): items.forEach { checkBuiltins($0) }
        case .object(let entries, _): entries.forEach { checkBuiltins($0.value) }
        case .builtin(let name, let argument, let location):
            checkBuiltins(argument)
            let problem: String?
            switch (name, argument) {
            case ("fn::join", .list(let items, _)):
                problem = items.count == 2 && (Self.isListLike(items[1])) ? nil : "fn::join takes [separator, [values...]]"
            case ("fn::split", .list(let items, _)):
                problem = items.count == 2 ? nil : "fn::split takes [separator, string]"
            case ("fn::select", .list(let items, _)):
                problem = items.count == 2 && (Self.isListLike(items[1])) ? nil : "fn::select takes [index, [values...]]"
                if problem == nil, case .number(let index, _) = items[0], index < 0 || index.rounded() != index {
                    diagnostics.append(.error("fn::select needs a non-negative whole index, found \(PropertyValue.format(index))", at: items[0].location))
                }
            case ("fn::join", _), ("fn::split", _), ("fn::select", _):
                problem = argument.isDynamic ? nil : "\(name) takes a list of two values"
            case ("fn::assetArchive", .object), ("fn::assetArchive", .symbol):
                problem = nil
            case ("fn::assetArchive", _):
                problem = "fn::assetArchive takes a mapping of file names to assets or archives"
            case ("fn::invoke", .object(let entries, _)):
                problem = entries.contains { $0.key == "function" } ? nil : "fn::invoke needs 'function' (and 'arguments')"
            case ("fn::invoke", _):
                problem = "fn::invoke takes a mapping with 'function', 'arguments' and optionally 'return'"
            case ("fn::toBase64", _), ("fn::fromBase64", _), ("fn::readFile", _), ("fn::stringAsset", _), ("fn::fileAsset", _),
                 ("fn::fileArchive", _), ("fn::remoteAsset", _), ("fn::remoteArchive", _):
                problem = Self.staticNoun(argument).map { $0 == "a string" ? nil : "\(name) takes a string, found \($0)" } ?? nil
            default:
                problem = nil
            }
            if let problem { diagnostics.append(.error(problem, at: location)) }
        default:
            return
        }
    }

    static func isListLike(_ expression: Expression) -> Bool {
        switch expression {
        case .list, .symbol: return true
        case .builtin(let name, _, _): return name == "fn::split" || name == "fn::select" || name == "fn::invoke" || name == "fn::secret"
        default: return false
        }
    }

    // MARK: cycles

    /// Dependency edges between resources and variables.
    public static func dependencies(of program: Program) -> [String: [String]] {
        let nodes = Set(program.resources.map(\.name) + program.variables.map(\.name))
        var edges: [String: [String]] = [:]
        for resource in program.resources {
            edges[resource.name] = Array(Set(resource.accesses.map(\.0.root).filter(nodes.contains))).sorted()
        }
        for variable in program.variables {
            edges[variable.name] = Array(Set(variable.value.accesses.map(\.0.root).filter(nodes.contains))).sorted()
        }
        return edges
    }

    mutating func checkCycles() {
        let edges = Self.dependencies(of: program)
        let order = program.resources.map(\.name) + program.variables.map(\.name)
        for component in StronglyConnected.components(order: order, edges: edges) {
            guard component.count > 1 || edges[component[0]]?.contains(component[0]) == true else { continue }
            // Walk the cycle in dependency order from the first declared member.
            let members = Set(component)
            let start = order.first { members.contains($0) }!
            var path = [start]
            var current = start
            while true {
                guard let next = edges[current]?.first(where: { members.contains($0) && (!path.contains($0) || $0 == start) }) else { break }
                if next == start { break }
                path.append(next)
                current = next
            }
            let extra = component.filter { !path.contains($0) }.sorted()
            let location = program.resource(start)?.location ?? program.variable(start)?.location
            let described = (path + [start]).joined(separator: " -> ") + (extra.isEmpty ? "" : " (also: \(extra.joined(separator: ", ")))")
            diagnostics.append(.error("dependency cycle: \(described)", at: location))
        }
    }
}

extension Expression {
    /// Whether the value is only known when evaluated (a reference or a function call).
    var isDynamic: Bool {
        switch self {
        case .symbol, .builtin: return true
        default: return false
        }
    }
}

/// Tarjan's strongly connected components, deterministic in the given node order.
enum StronglyConnected {
    static func components(order: [String], edges: [String: [String]]) -> [[String]] {
        var index = 0
        var indices: [String: Int] = [:], lowlink: [String: Int] = [:]
        var stack: [String] = [], onStack: Set<String> = []
        var result: [[String]] = []
        func visit(_ node: String) {
            indices[node] = index; lowlink[node] = index; index += 1
            stack.append(node); onStack.insert(node)
            for next in edges[node] ?? [] {
                if indices[next] == nil {
                    visit(next)
                    lowlink[node] = min(lowlink[node]!, lowlink[next]!)
                } else if onStack.contains(next) {
                    lowlink[node] = min(lowlink[node]!, indices[next]!)
                }
            }
            if lowlink[node] == indices[node] {
                var component: [String] = []
                while let top = stack.popLast() {
                    onStack.remove(top)
                    component.append(top)
                    if top == node { break }
                }
                result.append(component)
            }
        }
        for node in order where indices[node] == nil { visit(node) }
        return result
    }
}
