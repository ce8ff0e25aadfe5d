import JSON
import StackModel

/// What evaluation may read from outside the program: the stack's identity, its
/// configuration, files, and data-source calls (`fn::invoke`).
public struct EvaluationContext: Sendable {
    public var stack: String
    public var project: String
    public var cwd: String
    public var organization: String
    /// Configuration by full key (`project:key`, `aws:region`), typed as given.
    public var config: [String: PropertyValue]
    public var readFile: @Sendable (String) throws -> String
    /// Checks the file or folder behind `fn::fileAsset` (false) or `fn::fileArchive` (true) and
    /// returns the hash of its contents (a change to the files is a change to the resource);
    /// nil where no files are read (unit tests).
    public var fileHash: @Sendable (_ path: String, _ archive: Bool) throws -> String?
    public var invoke: @Sendable (String, PropertyValue) async throws -> PropertyValue

    public init(stack: String, project: String, cwd: String, organization: String = "organization", config: [String: PropertyValue] = [:],
                readFile: @escaping @Sendable (String) throws -> String = { path in throw Diagnostic.error("cannot read \(path)", at: nil) },
                fileHash: @escaping @Sendable (String, Bool) throws -> String? = { _, _ in nil },
                invoke: @escaping @Sendable (String, PropertyValue) async throws -> PropertyValue = { name, _ in
                    throw Diagnostic.error("fn::invoke of '\(name)' is not available here", at: nil) }) {
        self.stack = stack
        self.project = project
        self.cwd = cwd
        self.organization = organization
        self.config = config
        self.readFile = readFile
        self.fileHash = fileHash
        self.invoke = invoke
    }
}

/// A resource as evaluation sees it: its URN, its id and its output properties. A resource
/// that does not exist yet (in a preview) has unknown id and computed outputs.
public struct ResourceValue: Sendable {
    public var urn: URN
    public var id: PropertyValue
    public var outputs: [String: PropertyValue]
    /// When true, properties not in `outputs` are unknown rather than missing.
    public var outputsIncomplete: Bool

    public init(urn: URN, id: PropertyValue, outputs: [String: PropertyValue], outputsIncomplete: Bool = false) {
        self.urn = urn
        self.id = id
        self.outputs = outputs
        self.outputsIncomplete = outputsIncomplete
    }
}

/// Evaluates a program's expressions: configuration, variables (each once), resource
/// properties and outputs, with unknowns and secrets carried through.
public final class Evaluator {
    public let program: Program
    public let context: EvaluationContext
    public var resources: [String: ResourceValue] = [:]
    private var variableValues: [String: PropertyValue] = [:]
    private var evaluating: Set<String> = []

    public init(program: Program, context: EvaluationContext) {
        self.program = program
        self.context = context
    }

    /// Problems with the stack's configuration: required values missing, values of the wrong type.
    public func configurationDiagnostics() -> [Diagnostic] {
        program.config.compactMap { declaration -> Diagnostic? in
            let key = fullKey(declaration.name)
            guard let value = context.config[key] else {
                if declaration.defaultValue != nil { return nil }
                return .error("missing required configuration value '\(key)': set it with 'fleetdeck config set \(declaration.name) VALUE'", at: declaration.location)
            }
            do throws(Diagnostic) {
                _ = try typed(value, declaration)
                return nil
            } catch {
                return error
            }
        }
    }

    func fullKey(_ name: String) -> String { name.contains(":") ? name : "\(program.name):\(name)" }

    func typed(_ value: PropertyValue, _ declaration: ConfigDeclaration) throws(Diagnostic) -> PropertyValue {
        guard let type = declaration.type, case .string(let text) = value.revealed else { return value }
        let converted: PropertyValue?
        switch type {
        case .string: converted = value.revealed
        case .integer: converted = Int64(text).map { .number(Double($0)) }
        case .number: converted = Double(text).map(PropertyValue.number)
        case .boolean: converted = text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
        case .array, .object: converted = (try? JSONValue.parse(text)).map(PropertyValue.init(json:))
        }
        guard let converted else {
            throw .error("configuration value '\(fullKey(declaration.name))' must be \(type.rawValue), found '\(text)'", at: declaration.location)
        }
        return value.isSecret || declaration.secret ? .secret(converted) : converted
    }

    /// The resolved properties a resource declares.
    public func properties(of resource: ResourceDeclaration) async throws(Diagnostic) -> [String: PropertyValue] {
        var values: [String: PropertyValue] = [:]
        for property in resource.properties {
            let value = try await evaluate(property.value)
            if value != .null { values[property.name] = value }
        }
        return values
    }

    /// The stack outputs.
    public func outputs() async throws(Diagnostic) -> [String: PropertyValue] {
        var values: [String: PropertyValue] = [:]
        for output in program.outputs { values[output.name] = try await evaluate(output.value) }
        return values
    }

    public func evaluate(_ expression: Expression) async throws(Diagnostic) -> PropertyValue {
        switch expression {
        case .null: return .null
        case .bool(let value, _): return .bool(value)
        case .number(let value, _): return .number(value)
        case .string(let text, _): return .string(text)
        case .symbol(let access, let location): return try await resolve(access, at: location)
        case .interpolation(let parts, let location):
            var text = ""
            var secret = false
            for part in parts {
                switch part {
                case .text(let literal): text += literal
                case .access(let access):
                    let value = try await resolve(access, at: location)
                    if value.containsUnknown { return .unknown }
                    secret = secret || value.containsSecret
                    guard let piece = value.revealed.stringValue ?? (value.revealed == .null ? "" : nil) else {
                        throw .error("'${\(access)}' is \(Self.noun(value)) and cannot be interpolated into a string", at: location)
                    }
                    text += piece
                }
            }
            return secret ? .secret(.string(text)) : .string(text)
        case .list(let items, _):
            var values: [PropertyValue] = []
            for item in items { values.append(try await evaluate(item)) }
            return .array(values)
        case .object(let entries, _):
            var fields: [String: PropertyValue] = [:]
            for entry in entries { fields[entry.key] = try await evaluate(entry.value) }
            return .object(fields)
        case .builtin(let name, let argument, let location):
            return try await builtin(name, argument, at: location)
        }
    }

    static func noun(_ value: PropertyValue) -> String {
        switch value.revealed {
        case .array: return "a list"
        case .object: return "an object"
        case .asset: return "an asset"
        case .archive: return "an archive"
        default: return "a value"
        }
    }

    // MARK: names

    func resolve(_ access: PropertyAccess, at location: SourceLocation) async throws(Diagnostic) -> PropertyValue {
        var value: PropertyValue
        var accessors = access.accessors[...]
        if access.root == "pulumi" {
            guard case .property(let name)? = accessors.popFirst() else { throw .error("'${pulumi}' needs .stack, .project, .cwd or .organization", at: location) }
            switch name {
            case "stack": value = .string(context.stack)
            case "project": value = .string(context.project)
            case "cwd": value = .string(context.cwd)
            case "organization": value = .string(context.organization)
            default: throw .error("'${pulumi.\(name)}': pulumi offers stack, project, cwd and organization", at: location)
            }
        } else if let declaration = program.resource(access.root) {
            guard let resource = resources[declaration.name] else {
                throw .error("'${\(access)}' is used before resource '\(declaration.name)' exists", at: location)
            }
            guard case .property(let name)? = accessors.popFirst() else { return .string(resource.urn.description) }
            switch name {
            case "id": value = resource.id
            case "urn": value = .string(resource.urn.description)
            default:
                if let output = resource.outputs[name] {
                    value = output
                } else if resource.outputsIncomplete {
                    return .unknown
                } else {
                    value = .null
                }
            }
        } else if program.variable(access.root) != nil {
            value = try await variable(access.root, at: location)
        } else {
            value = try configValue(access.root, at: location)
        }
        for accessor in accessors {
            value = try step(value, accessor, access: access, at: location)
        }
        return value
    }

    func variable(_ name: String, at location: SourceLocation) async throws(Diagnostic) -> PropertyValue {
        if let cached = variableValues[name] { return cached }
        guard !evaluating.contains(name) else { throw .error("variable '\(name)' depends on itself", at: location) }
        evaluating.insert(name)
        defer { evaluating.remove(name) }
        let value = try await evaluate(program.variable(name)!.value)
        variableValues[name] = value
        return value
    }

    func configValue(_ name: String, at location: SourceLocation) throws(Diagnostic) -> PropertyValue {
        let declaration = program.config.first { $0.name == name || fullKey($0.name) == fullKey(name) }
        let key = fullKey(declaration?.name ?? name)
        if let value = context.config[key] {
            return try declaration.map { declaration throws(Diagnostic) in try typed(value, declaration) } ?? value
        }
        if let declaration, let defaultValue = declaration.defaultValue {
            guard case .null = defaultValue else {
                return try evaluateConstant(defaultValue, secret: declaration.secret)
            }
        }
        throw .error("missing required configuration value '\(key)'", at: declaration?.location ?? location)
    }

    /// A config default is a constant (no references), evaluated synchronously.
    func evaluateConstant(_ expression: Expression, secret: Bool) throws(Diagnostic) -> PropertyValue {
        let value: PropertyValue
        switch expression {
        case .bool(let b, _): value = .bool(b)
        case .number(let n, _): value = .number(n)
        case .string(let s, _): value = .string(s)
        case .list(let items, _):
            var values: [PropertyValue] = []
            for item in items { values.append(try evaluateConstant(item, secret: false)) }
            value = .array(values)
        case .object(let entries, _):
            var fields: [String: PropertyValue] = [:]
            for entry in entries { fields[entry.key] = try evaluateConstant(entry.value, secret: false) }
            value = .object(fields)
        case .null: value = .null
        default: throw .error("a configuration default must be a constant", at: expression.location)
        }
        return secret ? .secret(value) : value
    }

    func step(_ value: PropertyValue, _ accessor: Accessor, access: PropertyAccess, at location: SourceLocation) throws(Diagnostic) -> PropertyValue {
        switch value {
        case .unknown: return .unknown
        case .secret(let inner):
            let stepped = try step(inner, accessor, access: access, at: location)
            return stepped.isSecret || stepped == .unknown ? stepped : .secret(stepped)
        case .null:
            throw .error("'${\(access)}': cannot take \(accessor) of a missing value", at: location)
        case .array(let items):
            guard case .index(let index) = accessor else { throw .error("'${\(access)}': \(accessor) applied to a list (use [n])", at: location) }
            guard items.indices.contains(index) else {
                throw .error("'${\(access)}': index \(index) is out of range (the list has \(items.count) items)", at: location)
            }
            return items[index]
        case .object(let fields):
            let key: String
            switch accessor {
            case .property(let name), .key(let name): key = name
            case .index(let index): throw .error("'${\(access)}': [\(index)] applied to an object", at: location)
            }
            return fields[key] ?? .null
        default:
            throw .error("'${\(access)}': cannot take \(accessor) of \(Self.noun(value))", at: location)
        }
    }

    // MARK: fn::

    func builtin(_ name: String, _ argument: Expression, at location: SourceLocation) async throws(Diagnostic) -> PropertyValue {
        let value = try await evaluate(argument)
        if name == "fn::secret" { return value.isSecret ? value : .secret(value) }
        if name == "fn::invoke" { return try await invoke(value, at: location) }
        if value.containsUnknown { return .unknown }
        let secret = value.containsSecret
        let plain = value.revealed
        func wrap(_ result: PropertyValue) -> PropertyValue { secret ? .secret(result) : result }
        func string(_ value: PropertyValue, _ what: String) throws(Diagnostic) -> String {
            guard let text = value.stringValue, !isCollection(value) else { throw .error("\(name) needs \(what) as a string", at: location) }
            return text
        }
        /// A file read for the program, its errors placed at the call (the path resolved as Pulumi does).
        func located<T>(_ function: String, _ path: String, _ body: () throws -> T) throws(Diagnostic) -> T {
            do {
                return try body()
            } catch let error as Diagnostic {
                throw Diagnostic.error(error.message, at: location)
            } catch {
                throw .error("\(function): \(error)", at: location)
            }
        }
        func fileHash(_ path: String, archive: Bool) throws(Diagnostic) -> String? {
            try located(name, path) { try context.fileHash(path.hasPrefix("/") ? path : context.cwd + "/" + path, archive) }
        }
        func pair() throws(Diagnostic) -> (PropertyValue, PropertyValue) {
            guard case .array(let items) = plain, items.count == 2 else { throw .error("\(name) takes a list of two values", at: location) }
            return (items[0], items[1])
        }
        switch name {
        case "fn::toJSON":
            return wrap(.string(plain.plainJSON.serialized(sortedKeys: true)))
        case "fn::join":
            let (separator, list) = try pair()
            guard case .array(let items) = list else { throw .error("fn::join takes [separator, [values...]]", at: location) }
            var parts: [String] = []
            for item in items { parts.append(try string(item, "each value")) }
            return wrap(.string(parts.joined(separator: try string(separator, "the separator"))))
        case "fn::split":
            let (separator, text) = try pair()
            let parts = try string(text, "the text").components(separatedBy: try string(separator, "the separator"))
            return wrap(.array(parts.map(PropertyValue.string)))
        case "fn::select":
            let (index, list) = try pair()
            guard case .number(let number) = index, number >= 0, number.rounded() == number else {
                throw .error("fn::select needs a non-negative whole index", at: location)
            }
            guard case .array(let items) = list else { throw .error("fn::select takes [index, [values...]]", at: location) }
            guard number < Double(items.count) else {
                let shown = number < 1e15 ? String(Int64(number)) : "\(number)"
                throw .error("fn::select: index \(shown) is out of range (the list has \(items.count) items)", at: location)
            }
            return wrap(items[Int(number)])
        case "fn::toBase64":
            return wrap(.string(Base64.encode(Array(try string(plain, "its argument").utf8))))
        case "fn::fromBase64":
            guard let bytes = Base64.decode(try string(plain, "its argument")) else { throw .error("fn::fromBase64: the argument is not valid base64", at: location) }
            return wrap(.string(String(decoding: bytes, as: UTF8.self)))
        case "fn::readFile":
            let path = try string(plain, "the path")
            return wrap(.string(try located("fn::readFile", path) { try context.readFile(path.hasPrefix("/") ? path : context.cwd + "/" + path) }))
        case "fn::stringAsset": return wrap(.asset(Asset(text: try string(plain, "the text"))))
        case "fn::fileAsset":
            let path = try string(plain, "the path")
            return wrap(.asset(Asset(path: path, hash: try fileHash(path, archive: false))))
        case "fn::remoteAsset": return wrap(.asset(Asset(uri: try string(plain, "the URI"))))
        case "fn::fileArchive":
            let path = try string(plain, "the path")
            return wrap(.archive(Archive(path: path, hash: try fileHash(path, archive: true))))
        case "fn::remoteArchive": return wrap(.archive(Archive(path: try string(plain, "the URI"))))
        case "fn::assetArchive":
            guard case .object(let fields) = plain else { throw .error("fn::assetArchive takes a mapping of file names to assets", at: location) }
            for (file, item) in fields {
                switch item {
                case .asset, .archive: continue
                default: throw .error("fn::assetArchive: '\(file)' must be an asset or archive (fn::stringAsset, fn::fileAsset, ...)", at: location)
                }
            }
            return wrap(.archive(Archive(assets: fields)))
        default:
            throw .error("unknown function '\(name)'", at: location)
        }
    }

    func isCollection(_ value: PropertyValue) -> Bool {
        switch value.revealed {
        case .array, .object, .asset, .archive: return true
        default: return false
        }
    }

    func invoke(_ value: PropertyValue, at location: SourceLocation) async throws(Diagnostic) -> PropertyValue {
        guard case .string(let function)? = value["function"]?.revealed else { throw .error("fn::invoke needs 'function'", at: location) }
        if value.containsUnknown { return .unknown }
        let result: PropertyValue
        do {
            result = try await context.invoke(function, value["arguments"] ?? .object([:]))
        } catch let error as Diagnostic {
            throw Diagnostic.error(error.message, at: location)
        } catch {
            throw .error("fn::invoke \(function) failed: \(error)", at: location)
        }
        if case .string(let field)? = value["return"]?.revealed {
            guard let picked = result[field] else { throw .error("fn::invoke \(function) returned no '\(field)'", at: location) }
            return picked
        }
        return result
    }
}
