import CExpat

/// A parsed XML element: what AWS query and REST-XML protocols answer with.
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLElement]
    public var text: String

    public init(name: String, attributes: [String: String] = [:], children: [XMLElement] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// Parses a document with Expat; the error names the line and column.
    public static func parse(_ bytes: [UInt8]) throws(XMLParseError) -> XMLElement {
        let builder = XMLTreeBuilder()
        guard let parser = XML_ParserCreate(nil) else { throw XMLParseError(line: 0, column: 0, reason: "out of memory") }
        defer { XML_ParserFree(parser) }
        let context = Unmanaged.passUnretained(builder).toOpaque()
        XML_SetUserData(parser, context)
        XML_SetElementHandler(parser, { context, name, attributes in
            let builder = Unmanaged<XMLTreeBuilder>.fromOpaque(context!).takeUnretainedValue()
            var attrs: [String: String] = [:]
            var cursor = attributes
            while let key = cursor?.pointee, let value = cursor?.advanced(by: 1).pointee {
                attrs[String(cString: key)] = String(cString: value)
                cursor = cursor?.advanced(by: 2)
            }
            builder.start(String(cString: name!), attrs)
        }, { context, _ in
            Unmanaged<XMLTreeBuilder>.fromOpaque(context!).takeUnretainedValue().end()
        })
        XML_SetCharacterDataHandler(parser, { context, text, length in
            let builder = Unmanaged<XMLTreeBuilder>.fromOpaque(context!).takeUnretainedValue()
            text!.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
                builder.characters(UnsafeBufferPointer(start: $0, count: Int(length)))
            }
        })
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buffer.count, 1)) {
                XML_Parse(parser, $0, Int32(buffer.count), 1)
            }
        }
        if status != XML_STATUS_OK {
            let reason = XML_ErrorString(XML_GetErrorCode(parser)).map { String(cString: $0) } ?? "malformed XML"
            throw XMLParseError(line: Int(XML_GetCurrentLineNumber(parser)), column: Int(XML_GetCurrentColumnNumber(parser)) + 1, reason: reason)
        }
        guard let root = builder.root else { throw XMLParseError(line: 1, column: 1, reason: "no root element") }
        return root
    }

    /// The element as JSON the way AWS shapes read: leaves become strings, a list wrapper
    /// (children all `member`) an array, a map (`entry` with `key`/`value`) an object, and
    /// repeated sibling names (flattened lists) an array.
    public var jsonValue: JSONValue {
        if children.isEmpty { return .string(text) }
        if children.allSatisfy({ $0.name == "member" }) { return .array(children.map(\.jsonValue)) }
        if children.allSatisfy({ $0.name == "entry" && $0.child("key") != nil }) {
            var object = JSONObject()
            for entry in children { object[entry.child("key")!.text] = entry.child("value")?.jsonValue ?? .null }
            return .object(object)
        }
        var object = JSONObject()
        for child in children {
            let value = child.jsonValue
            switch object[child.name] {
            case nil: object[child.name] = value
            case .array(var items)? where children.filter({ $0.name == child.name }).count > 1:
                items.append(value)
                object[child.name] = .array(items)
            case let existing?: object[child.name] = .array([existing, value])
            }
        }
        return .object(object)
    }
}

public struct XMLParseError: Error, Equatable, CustomStringConvertible, Sendable {
    public var line: Int
    public var column: Int
    public var reason: String
    public var description: String { "line \(line), column \(column): \(reason)" }
}

private final class XMLTreeBuilder {
    var stack: [XMLElement] = []
    var texts: [[UInt8]] = []
    var root: XMLElement?

    func start(_ name: String, _ attributes: [String: String]) {
        stack.append(XMLElement(name: name, attributes: attributes))
        texts.append([])
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !texts.isEmpty else { return }
        texts[texts.count - 1] += bytes
    }

    func end() {
        var element = stack.removeLast()
        let text = texts.removeLast()
        element.text = element.children.isEmpty ? String(decoding: text, as: UTF8.self) : ""
        if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
    }
}
