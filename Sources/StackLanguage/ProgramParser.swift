import StackModel
import YAMLSyntax

/// Reads a `Pulumi.yaml` text into a `Program`, collecting every problem as a located
/// diagnostic rather than stopping at the first.
public struct ProgramParser {
    public let file: String
    var diagnostics: [Diagnostic] = []

    static let topLevelKeys: Set<String> = ["name", "runtime", "description", "config", "configuration", "variables", "resources",
                                            "outputs", "backend", "options", "template", "main", "stackConfigDir", "plugins",
                                            "packages", "author", "license", "website"]
    static let resourceKeys: Set<String> = ["type", "properties", "options", "get", "defaultProvider"]
    static let supportedOptions: Set<String> = ["dependsOn", "protect", "ignoreChanges", "replaceOnChanges", "deleteBeforeReplace",
                                                "retainOnDelete", "import", "provider"]
    static let ignoredOptions: Set<String> = ["version", "pluginDownloadURL", "customTimeouts", "additionalSecretOutputs", "hideDiffs"]
    static let unsupportedOptions: Set<String> = ["providers", "parent", "aliases", "replaceWith", "deletedWith"]
    public static let builtins: Set<String> = ["fn::toJSON", "fn::join", "fn::split", "fn::select", "fn::toBase64", "fn::fromBase64",
                                               "fn::readFile", "fn::secret", "fn::stringAsset", "fn::fileAsset", "fn::fileArchive",
                                               "fn::assetArchive", "fn::invoke", "fn::remoteAsset", "fn::remoteArchive"]

    public init(file: String) { self.file = file }

    /// Each builtin's name by its lower-case spelling.
    static let canonicalBuiltins: [String: String] = Dictionary(uniqueKeysWithValues: builtins.map { ($0.lowercased(), $0) })

    /// An object key as pulumi-yaml reads it: `$$` is a literal `$`; an interpolation in a key
    /// (a key computed at run time) is refused, never kept as literal text.
    mutating func objectKey(_ node: YAMLNode) -> String {
        let text = node.scalarText ?? ""
        guard text.contains("$") else { return text }
        switch try? InterpolationParser.parse(text, at: location(node.mark)) {
        case .string(let literal, _)?: return literal
        default:
            error("'\(text)': interpolation in a key is not supported (write $$ for a literal $)", node.mark)
            return text
        }
    }

    /// Parses the program; returns it with warnings, or throws every error found.
    /// `template`: the file is a program template (pulumi-yaml's Main.yaml or Main.json), where
    /// the project's `name` and `runtime` come from Pulumi.yaml.
    public static func parse(_ text: String, file: String = "Pulumi.yaml", template: Bool = false) throws(Diagnostics) -> (Program, [Diagnostic]) {
        var parser = ProgramParser(file: file)
        let program = parser.program(text, template: template)
        let errors = parser.diagnostics.filter { $0.severity == .error }
        guard let program, errors.isEmpty else { throw Diagnostics(errors) }
        return (program, parser.diagnostics)
    }

    func location(_ mark: YAMLMark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }

    mutating func error(_ message: String, _ mark: YAMLMark) { diagnostics.append(.error(message, at: location(mark))) }
    mutating func warning(_ message: String, _ mark: YAMLMark) { diagnostics.append(Diagnostic(.warning, message, at: location(mark))) }

    mutating func program(_ text: String, template: Bool = false) -> Program? {
        let root: YAMLNode
        do {
            guard let parsed = try YAMLNode.parse(text) else {
                diagnostics.append(.error("the file is empty; a Pulumi.yaml needs at least 'name' and 'runtime: yaml'", at: SourceLocation(file: file, line: 1, column: 1)))
                return nil
            }
            root = parsed
        } catch {
            diagnostics.append(.error("YAML syntax: \(error.problem)", at: location(error.mark)))
            return nil
        }
        guard case .mapping(let entries, _) = root else {
            error("expected a mapping of project settings at the top level", root.mark)
            return nil
        }
        var program = Program(file: file, name: "", config: [], variables: [], resources: [], outputs: [])
        var sawName = false, sawRuntime = false
        for (keyNode, value) in entries {
            guard let key = keyNode.scalarText else { error("expected a key name", keyNode.mark); continue }
            switch key {
            case "name":
                sawName = true
                if let name = value.scalarText, !name.isEmpty { program.name = name } else { error("'name' must be a non-empty string", value.mark) }
            case "runtime":
                sawRuntime = true
                let runtime = value.scalarText ?? value["name"]?.scalarText
                if runtime != "yaml" {
                    error("runtime '\(runtime ?? "?")' is not supported: Fleetdeck runs Pulumi YAML programs ('runtime: yaml')", value.mark)
                }
            case "description": program.description = value.scalarText
            case "backend": program.backendURL = value["url"]?.scalarText
            case "config", "configuration": program.config += configDeclarations(value)
            case "variables":
                for (name, nameNode, node) in namedEntries(value, what: "variables") {
                    program.variables.append(Variable(name: name, value: expression(node), location: location(nameNode.mark)))
                }
            case "resources":
                for (name, nameNode, node) in namedEntries(value, what: "resources") {
                    if let resource = resource(name, nameNode: nameNode, node) { program.resources.append(resource) }
                }
            case "outputs":
                for (name, nameNode, node) in namedEntries(value, what: "outputs") {
                    program.outputs.append(Output(name: name, value: expression(node), location: location(nameNode.mark)))
                }
            case "main":
                guard let main = value.scalarText, !main.isEmpty, !main.hasPrefix("/"), !main.split(separator: "/").contains("..") else {
                    error("'main' must be a folder inside the project (the program is read from Main.yaml, Main.json or Pulumi.yaml there)", value.mark)
                    continue
                }
                program.main = main
            case "stackConfigDir":
                error("'stackConfigDir' is not supported: keep Pulumi.<stack>.yaml next to Pulumi.yaml (stack config would be read from the wrong place)", keyNode.mark)
            case "options":
                // Project options change what a deploy does (refresh: always, ...): none is read silently.
                if case .mapping(let options, _) = value {
                    for (option, _) in options { error("project option '\(option.scalarText ?? "?")' is not supported", option.mark) }
                } else if value.scalarValue != .null {
                    error("'options' must be a mapping", value.mark)
                }
            case "template", "plugins", "packages", "author", "license", "website":
                continue  // for `pulumi new`, plugin installation and the registry: nothing a deploy reads
            default:
                let hint = closestMatch(to: key, in: Self.topLevelKeys).map { "; did you mean '\($0)'?" } ?? ""
                error("unknown top-level key '\(key)'\(hint)", keyNode.mark)
            }
        }
        if !template && !sawName { error("missing 'name': every project needs a name", root.mark) }
        if !template && !sawRuntime { error("missing 'runtime: yaml'", root.mark) }
        checkDuplicateNames(program)
        return program
    }

    /// `key: value` entries of a mapping section, diagnosing non-mappings and repeated names.
    mutating func namedEntries(_ node: YAMLNode, what: String) -> [(String, YAMLNode, YAMLNode)] {
        guard case .mapping(let entries, _) = node else {
            if node.scalarValue == .null { return [] }
            error("'\(what)' must be a mapping of names to definitions", node.mark)
            return []
        }
        var seen: Set<String> = []
        var result: [(String, YAMLNode, YAMLNode)] = []
        for (keyNode, value) in entries {
            guard let name = keyNode.scalarText, !name.isEmpty else { error("expected a name", keyNode.mark); continue }
            if !seen.insert(name).inserted { error("'\(name)' is defined twice in '\(what)'", keyNode.mark); continue }
            result.append((name, keyNode, value))
        }
        return result
    }

    mutating func checkDuplicateNames(_ program: Program) {
        let resources = Set(program.resources.map(\.name))
        for variable in program.variables where resources.contains(variable.name) {
            diagnostics.append(.error("'\(variable.name)' names both a variable and a resource", at: variable.location))
        }
    }

    mutating func configDeclarations(_ node: YAMLNode) -> [ConfigDeclaration] {
        var declarations: [ConfigDeclaration] = []
        for (name, nameNode, value) in namedEntries(node, what: "config") {
            var declaration = ConfigDeclaration(name: name, type: nil, defaultValue: nil, secret: false, description: nil, location: location(nameNode.mark))
            if case .mapping(let fields, _) = value, fields.contains(where: { ["type", "default", "secret", "description", "value"].contains($0.key.scalarText ?? "") }) {
                for (fieldNode, fieldValue) in fields {
                    switch fieldNode.scalarText ?? "" {
                    case "type":
                        let text = fieldValue.scalarText ?? ""
                        // Type names are matched without regard to case, as pulumi-yaml matches them.
                        let lowered = text.lowercased()
                        if let type = ConfigDeclaration.ValueType.allCases.first(where: { $0.rawValue.lowercased() == lowered }) ?? (lowered == "array" ? .array : nil) {
                            declaration.type = type
                        } else {
                            error("config type '\(text)' is not one of string, integer, boolean, number, List<String>, object", fieldValue.mark)
                        }
                    case "default", "value": declaration.defaultValue = expression(fieldValue)
                    case "secret": declaration.secret = fieldValue.scalarValue == .bool(true)
                    case "description": declaration.description = fieldValue.scalarText
                    case "items": continue
                    case let other: error("unknown config setting '\(other)' (expected type, default, secret or description)", fieldNode.mark)
                    }
                }
            } else {
                declaration.defaultValue = expression(value)
            }
            declarations.append(declaration)
        }
        return declarations
    }

    mutating func resource(_ name: String, nameNode: YAMLNode, _ node: YAMLNode) -> ResourceDeclaration? {
        guard case .mapping(let fields, _) = node else {
            error("resource '\(name)' must be a mapping with 'type' and 'properties'", node.mark)
            return nil
        }
        var type: (String, YAMLMark)?
        var properties: [PropertyEntry] = []
        var options = ResourceOptions()
        for (fieldNode, value) in fields {
            let key = fieldNode.scalarText ?? ""
            switch key {
            case "type":
                if let text = value.scalarText, !text.isEmpty { type = (text, value.mark) } else { error("'type' must be a resource type token", value.mark) }
            case "properties":
                for (property, propertyNode, propertyValue) in namedEntries(value, what: "properties of \(name)") {
                    properties.append(PropertyEntry(name: property, location: location(propertyNode.mark), value: expression(propertyValue)))
                }
            case "options":
                options = resourceOptions(value, resource: name)
            case "get", "defaultProvider":
                error("'\(key)' on resource '\(name)' is not supported by Fleetdeck", fieldNode.mark)
            default:
                let hint = closestMatch(to: key, in: Self.resourceKeys).map { "; did you mean '\($0)'?" } ?? ""
                error("unknown key '\(key)' in resource '\(name)'\(hint)", fieldNode.mark)
            }
        }
        guard let type else {
            error("resource '\(name)' has no 'type'", nameNode.mark)
            return nil
        }
        return ResourceDeclaration(name: name, type: TypeToken.canonical(type.0), typeLocation: location(type.1), properties: properties, options: options,
                                   location: location(nameNode.mark))
    }

    mutating func resourceOptions(_ node: YAMLNode, resource: String) -> ResourceOptions {
        var options = ResourceOptions()
        for (key, keyNode, value) in namedEntries(node, what: "options of \(resource)") {
            switch key {
            case "dependsOn":
                for item in listItems(value, what: "dependsOn") {
                    if case .symbol(let access, let at) = expression(item), access.accessors.isEmpty {
                        options.dependsOn.append((access.root, at))
                    } else {
                        error("dependsOn entries must be resource references like ${name}", item.mark)
                    }
                }
            case "protect": options.protect = boolean(value, "protect")
            case "deleteBeforeReplace": options.deleteBeforeReplace = boolean(value, "deleteBeforeReplace")
            case "retainOnDelete": options.retainOnDelete = boolean(value, "retainOnDelete")
            case "ignoreChanges": options.ignoreChanges = listItems(value, what: "ignoreChanges").compactMap { stringItem($0, "ignoreChanges") }
            case "replaceOnChanges": options.replaceOnChanges = listItems(value, what: "replaceOnChanges").compactMap { stringItem($0, "replaceOnChanges") }
            case "import":
                if let id = value.scalarText, !id.isEmpty { options.importID = id } else { error("'import' must be the resource's cloud id", value.mark) }
            case "provider":
                if case .symbol(let access, let at) = expression(value), access.accessors.isEmpty {
                    options.provider = (access.root, at)
                } else {
                    error("'provider' must be a provider resource reference like ${name}", value.mark)
                }
            default:
                if Self.ignoredOptions.contains(key) {
                    warning("resource option '\(key)' has no effect in Fleetdeck and is ignored", keyNode.mark)
                } else if Self.unsupportedOptions.contains(key) {
                    error("resource option '\(key)' is not supported by Fleetdeck yet", keyNode.mark)
                } else {
                    let hint = closestMatch(to: key, in: Self.supportedOptions).map { "; did you mean '\($0)'?" } ?? ""
                    error("unknown resource option '\(key)'\(hint)", keyNode.mark)
                }
            }
        }
        return options
    }

    mutating func listItems(_ node: YAMLNode, what: String) -> [YAMLNode] {
        if case .sequence(let items, _) = node { return items }
        error("'\(what)' must be a list", node.mark)
        return []
    }

    mutating func stringItem(_ node: YAMLNode, _ what: String) -> String? {
        if let text = node.scalarText, !text.isEmpty { return text }
        error("'\(what)' entries must be property paths", node.mark)
        return nil
    }

    mutating func boolean(_ node: YAMLNode, _ what: String) -> Bool {
        if case .bool(let value)? = node.scalarValue { return value }
        error("'\(what)' must be true or false", node.mark)
        return false
    }

    /// A YAML node as an expression: typed scalars, interpolated strings, lists, objects, `fn::` calls.
    mutating func expression(_ node: YAMLNode) -> Expression {
        let at = location(node.mark)
        switch node {
        case .scalar(let text, _, _, _):
            switch node.scalarValue ?? .string(text) {
            case .null: return .null(at)
            case .bool(let value): return .bool(value, at)
            case .integer(let value): return .number(Double(value), at)
            case .double(let value): return .number(value, at)
            case .string(let text):
                do {
                    return try InterpolationParser.parse(text, at: at)
                } catch {
                    diagnostics.append(error)
                    return .string(text, at)
                }
            }
        case .sequence(let items, _):
            return .list(items.map { expression($0) }, at)
        case .mapping(let entries, _):
            // Builtins are matched without regard to case (`Fn::Select` is `fn::select`), as pulumi-yaml matches them.
            let functionKeys = entries.compactMap { $0.key.scalarText }.filter { $0.lowercased().hasPrefix("fn::") }
            if let written = functionKeys.first {
                let function = Self.canonicalBuiltins[written.lowercased()] ?? written
                guard entries.count == 1 else {
                    error("'\(function)' must be the only key of its mapping", node.mark)
                    return .null(at)
                }
                guard Self.builtins.contains(function) else {
                    let hint = closestMatch(to: function, in: Self.builtins).map { "; did you mean '\($0)'?" } ?? ""
                    error("unknown function '\(function)'\(hint)", entries[0].key.mark)
                    return .null(at)
                }
                return .builtin(function, expression(entries[0].value), at)
            }
            var result: [ObjectEntry] = []
            for (key, value) in entries {
                result.append(ObjectEntry(key: objectKey(key), keyLocation: location(key.mark), value: expression(value)))
            }
            return .object(result, at)
        }
    }
}
