import CYAML

/// A position in a YAML text, 1-based.
public struct YAMLMark: Sendable, Equatable, Hashable {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// How a scalar was written; quoted scalars are always strings.
public enum YAMLScalarStyle: Sendable, Equatable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// A YAML document node with the position it starts at, for diagnostics that point at the
/// exact line and column. Aliases are resolved (copied) when the tree is built.
public indirect enum YAMLNode: Sendable, Equatable {
    case scalar(String, YAMLScalarStyle, tag: String?, YAMLMark)
    case sequence([YAMLNode], YAMLMark)
    case mapping([(key: YAMLNode, value: YAMLNode)], YAMLMark)

    public var mark: YAMLMark {
        switch self {
        case .scalar(_, _, _, let mark), .sequence(_, let mark), .mapping(_, let mark): return mark
        }
    }

    /// The text of a scalar, nil for collections.
    public var scalarText: String? {
        if case .scalar(let text, _, _, _) = self { return text }
        return nil
    }

    /// The value of a mapping key given as a string, with its key node.
    public func entry(_ key: String) -> (key: YAMLNode, value: YAMLNode)? {
        guard case .mapping(let entries, _) = self else { return nil }
        return entries.first { $0.key.scalarText == key }
    }

    public subscript(key: String) -> YAMLNode? { entry(key)?.value }

    /// A plain scalar's YAML 1.2 core-schema value; quoted and block scalars are strings.
    public var scalarValue: YAMLScalarValue? {
        guard case .scalar(let text, let style, let tag, _) = self else { return nil }
        if let tag, tag.hasSuffix(":str") { return .string(text) }
        guard style == .plain else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let integer = Int64(text) { return .integer(integer) }
        if text.hasPrefix("0x"), let hex = Int64(text.dropFirst(2), radix: 16) { return .integer(hex) }
        if text.hasPrefix("0o"), let octal = Int64(text.dropFirst(2), radix: 8) { return .integer(octal) }
        let numeric = text.first.map { $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." } ?? false
        if numeric, let double = Double(text) { return .double(double) }
        switch text {
        case ".inf", "+.inf", ".Inf": return .double(.infinity)
        case "-.inf", "-.Inf": return .double(-.infinity)
        case ".nan", ".NaN": return .double(.nan)
        default: return .string(text)
        }
    }

    public static func == (lhs: YAMLNode, rhs: YAMLNode) -> Bool {
        switch (lhs, rhs) {
        case let (.scalar(a, s1, t1, m1), .scalar(b, s2, t2, m2)): return a == b && s1 == s2 && t1 == t2 && m1 == m2
        case let (.sequence(a, m1), .sequence(b, m2)): return a == b && m1 == m2
        case let (.mapping(a, m1), .mapping(b, m2)):
            return m1 == m2 && a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

public enum YAMLScalarValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
}

/// A YAML syntax error at a position, as libyaml reports it.
public struct YAMLSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var mark: YAMLMark
    public var problem: String
    public var description: String { "\(mark.line):\(mark.column): \(problem)" }

    public init(mark: YAMLMark, problem: String) {
        self.mark = mark
        self.problem = problem
    }
}

extension YAMLNode {
    /// The text of a file that must be UTF-8: the first byte that is not is an error at its line
    /// and column (it is never read as U+FFFD, which would silently change names and values).
    public static func text(_ bytes: [UInt8]) throws(YAMLSyntaxError) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var decoder = Unicode.UTF8()
        var iterator = bytes.makeIterator()
        var (line, column) = (1, 1)
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" { (line, column) = (line + 1, 1) } else { column += 1 }
            case .emptyInput:
                return String(decoding: bytes, as: UTF8.self)
            case .error:
                throw YAMLSyntaxError(mark: YAMLMark(line: line, column: column), problem: "invalid UTF-8: the file must be UTF-8 text")
            }
        }
    }

    /// Parses the first document of a YAML text; nil for an empty text.
    public static func parse(_ text: String) throws(YAMLSyntaxError) -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLSyntaxError(mark: YAMLMark(line: 1, column: 1), problem: "cannot initialise the YAML parser")
        }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(YAMLSyntaxError) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var builder = TreeBuilder()
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
                    let context = parser.context.map { String(cString: $0) }
                    let mark = parser.problem_mark
                    throw YAMLSyntaxError(mark: YAMLMark(line: Int(mark.line) + 1, column: Int(mark.column) + 1),
                                          problem: context.map { "\(problem) \($0)" } ?? problem)
                }
                defer { yaml_event_delete(&event) }
                let done = try builder.handle(&event)
                if done { return builder.root }
            }
        }
    }
}

private struct TreeBuilder {
    /// The built-in each open collection's tag stands for (nil: none), innermost last.
    var builtins: [String?] = []

    /// An open collection. A struct mutated in place on the stack (`stack[last].items.append`),
    /// so appending never copies what is already there: an enum's payload, taken out and put
    /// back, was copied on every append, which made a mapping of n entries cost n^2.
    struct Frame {
        var isMapping: Bool
        var items: [YAMLNode] = []
        var entries: [(key: YAMLNode, value: YAMLNode)] = []
        var pendingKey: YAMLNode?
        var mark: YAMLMark
        var anchor: String?
    }

    var stack: [Frame] = []
    var anchors: [String: YAMLNode] = [:]
    var root: YAMLNode?
    var finishedDocument = false

    /// Deeper nesting is refused (a tree 50,000 deep exhausts the stack of whatever walks it).
    static let maxDepth = 256
    /// More nodes, counting what aliases repeat, are refused (a 1 KB "billion laughs" document
    /// would otherwise expand to gigabytes when read).
    static let maxNodes = 1_000_000
    /// Nodes so far, aliases counted at their full size, and the size of each anchored node.
    var nodes = 0
    var anchorSizes: [String: Int] = [:]
    /// The node count when each open collection started (to size it when it ends).
    var startCounts: [Int] = []

    mutating func count(_ added: Int, at mark: YAMLMark) throws(YAMLSyntaxError) {
        nodes += added
        guard nodes <= Self.maxNodes else {
            throw YAMLSyntaxError(mark: mark, problem: "the document expands to more than \(Self.maxNodes) nodes (through its aliases): refused")
        }
    }

    static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    /// pulumi-yaml's tags for built-ins: `!Select [...]` is `{Fn::Select: [...]}`, and so on.
    static let builtinTags: [String: String] = ["!Sub": "Fn::Sub", "!Select": "Fn::Select", "!Join": "Fn::Join"]

    /// Only YAML's own tags (`!!str`, ...), the non-specific `!` and pulumi-yaml's built-in tags
    /// are read; any other tag (a CloudFormation `!Ref`, say) would change meaning if dropped, so it
    /// is an error. Returns the built-in a tag stands for.
    @discardableResult
    static func check(tag: String?, at mark: YAMLMark) throws(YAMLSyntaxError) -> String? {
        guard let tag, tag != "!", !tag.hasPrefix("tag:yaml.org,2002:") else { return nil }
        if let builtin = builtinTags[tag] { return builtin }
        throw YAMLSyntaxError(mark: mark, problem: "the YAML tag '\(tag)' is not supported: Pulumi YAML's tags are !Sub, !Select and !Join (or use ${...} or an fn:: built-in)")
    }

    static func wrap(_ node: YAMLNode, in builtin: String?, at mark: YAMLMark) -> YAMLNode {
        guard let builtin else { return node }
        return .mapping([(key: .scalar(builtin, .plain, tag: nil, mark), value: node)], mark)
    }

    /// Returns true when the first document is complete.
    mutating func handle(_ event: inout yaml_event_t) throws(YAMLSyntaxError) -> Bool {
        let mark = YAMLMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = scalar.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self) } ?? ""
            let style: YAMLScalarStyle
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let tag = Self.string(scalar.tag)
            let builtin = try Self.check(tag: tag, at: mark)
            let node = Self.wrap(YAMLNode.scalar(text, style, tag: builtin == nil ? tag : nil, mark), in: builtin, at: mark)
            try count(1, at: mark)
            if let anchor = Self.string(scalar.anchor) { anchors[anchor] = node; anchorSizes[anchor] = 1 }
            add(node)
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let node = anchors[name] else {
                throw YAMLSyntaxError(mark: mark, problem: "unknown alias '*\(name)'")
            }
            try count(anchorSizes[name] ?? 1, at: mark)
            add(node)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            guard stack.count < Self.maxDepth else {
                throw YAMLSyntaxError(mark: mark, problem: "nesting deeper than \(Self.maxDepth) levels: refused")
            }
            try count(1, at: mark)
            startCounts.append(nodes)
            if event.type == YAML_SEQUENCE_START_EVENT {
                builtins.append(try Self.check(tag: Self.string(event.data.sequence_start.tag), at: mark))
                stack.append(Frame(isMapping: false, mark: mark, anchor: Self.string(event.data.sequence_start.anchor)))
            } else {
                builtins.append(try Self.check(tag: Self.string(event.data.mapping_start.tag), at: mark))
                stack.append(Frame(isMapping: true, mark: mark, anchor: Self.string(event.data.mapping_start.anchor)))
            }
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let builtin = builtins.removeLast()
            let frame = stack.removeLast()
            let node = Self.wrap(frame.isMapping ? .mapping(frame.entries, frame.mark) : .sequence(frame.items, frame.mark), in: builtin, at: frame.mark)
            let anchor = frame.anchor
            let started = startCounts.removeLast()
            if let anchor { anchors[anchor] = node; anchorSizes[anchor] = nodes - started + 1 }
            add(node)
        case YAML_DOCUMENT_END_EVENT:
            finishedDocument = true
            return true
        case YAML_STREAM_END_EVENT:
            return true
        default:
            break
        }
        return false
    }

    mutating func add(_ node: YAMLNode) {
        let last = stack.count - 1
        guard last >= 0 else {
            root = node
            return
        }
        if !stack[last].isMapping {
            stack[last].items.append(node)
        } else if let pending = stack[last].pendingKey {
            stack[last].entries.append((pending, node))
            stack[last].pendingKey = nil
        } else {
            stack[last].pendingKey = node
        }
    }
}
