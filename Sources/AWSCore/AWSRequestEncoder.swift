import AWSSigning

/// Turns an operation's input into an HTTP request following the service's protocol (REST-JSON,
/// query, REST-XML). Pure: no clock, no credentials; signing happens afterwards.
public enum AWSRequestEncoder {
    public static func encode(service: AWSService, operation: AWSOperation, input: JSONObject, payload: [UInt8]? = nil,
                              endpoint: Endpoint) throws(AWSError) -> HTTPRequest {
        for name in operation.required where input[name] == nil && !(name == operation.payload && payload != nil) {
            throw .invalidInput(operation: operation.name, reason: "missing required member '\(name)'")
        }
        var headers: [(name: String, value: String)] = [("Host", endpoint.hostHeader)]
        switch service.protocol {
        case .query:
            var fields: [(String, String)] = [("Action", operation.name), ("Version", service.apiVersion)]
            for member in operation.input {
                guard let value = input[member.name] else { continue }
                flattenQuery(prefix: member.locationName, value: value, isMap: member.type == .map, into: &fields)
            }
            headers.append(("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"))
            let body = fields.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
            return HTTPRequest(method: "POST", endpoint: endpoint, path: endpoint.basePath + "/", headers: headers, body: Array(body.utf8))
        case .json:
            // POST / with the operation named in X-Amz-Target and every member in the JSON body.
            guard let target = service.targetPrefix else {
                throw .invalidInput(operation: operation.name, reason: "the service \(service.id) names no X-Amz-Target prefix")
            }
            var body = JSONObject()
            for member in operation.input {
                if let value = input[member.name] { body[member.locationName] = value }
            }
            headers.append(("Content-Type", "application/x-amz-json-\(service.jsonVersion ?? "1.1")"))
            headers.append(("X-Amz-Target", "\(target).\(operation.name)"))
            return HTTPRequest(method: "POST", endpoint: endpoint, path: endpoint.basePath + "/", headers: headers, body: Array(JSONValue.object(body).serialized().utf8))
        case .restJSON, .restXML:
            break
        }

        // REST: the URI template, then query, header and body members.
        let template = operation.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var path = String(template[0])
        var query: [(String, String)] = []
        var bareTemplateKeys: Set<String> = []
        if template.count > 1 {
            for item in template[1].split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1)
                query.append((String(pair[0]), pair.count > 1 ? String(pair[1]) : ""))
                if pair.count == 1 { bareTemplateKeys.insert(String(pair[0])) }
            }
        }
        var body = JSONObject()
        for member in operation.input {
            guard let value = input[member.name] else { continue }
            switch member.location {
            case .uri:
                guard let text = value.stringValue, !text.isEmpty else {
                    throw .invalidInput(operation: operation.name, reason: "member '\(member.name)' must be a non-empty string")
                }
                let greedy = "{\(member.locationName)+}"
                if path.contains(greedy) {
                    path = path.replacingOccurrences(greedy, URIEncoding.encode(text, keepSlash: true))
                } else {
                    path = path.replacingOccurrences("{\(member.locationName)}", URIEncoding.encode(text))
                }
            case .query:
                // Numbers and booleans as their text (nothing given is dropped in silence).
                for item in value.arrayValue {
                    switch item {
                    case .string(let text): query.append((member.locationName, text))
                    case .integer(let number): query.append((member.locationName, String(number)))
                    case .bool(let flag): query.append((member.locationName, flag ? "true" : "false"))
                    case .double(let number): query.append((member.locationName, String(number)))
                    default:
                        throw .invalidInput(operation: operation.name, reason: "member '\(member.name)' cannot go in the query string: \(item.serialized())")
                    }
                }
            case .header:
                if let text = value.stringValue { headers.append((member.locationName, text)) }
            case .headerPrefix:
                for (key, item) in value.objectValue ?? JSONObject() {
                    if let text = item.stringValue { headers.append((member.locationName + key, text)) }
                }
            case .body:
                if member.name != operation.payload { body[member.locationName] = value }
            case .statusCode:
                break
            }
        }
        var bytes: [UInt8] = []
        if let payloadName = operation.payload {
            if let payload {
                bytes = payload
            } else if let value = input[payloadName] {
                if operation.rawPayload {
                    bytes = Array((value.stringValue ?? value.serialized()).utf8)
                } else if service.protocol == .restXML {
                    let name = operation.input.first { $0.name == payloadName }?.locationName ?? payloadName
                    bytes = Array(xmlDocument(root: name, value: value).utf8)
                    headers.append(("Content-Type", "application/xml"))
                } else {
                    bytes = value.bytes
                    headers.append(("Content-Type", "application/json"))
                }
            }
        } else if !body.isEmpty {
            bytes = JSONValue.object(body).bytes
            headers.append(("Content-Type", "application/json"))
        }
        // A template's bare sub-resource (S3's `?versioning`) goes out as written, without '='.
        let queryString = query.map { $0.1.isEmpty && bareTemplateKeys.contains($0.0)
            ? URIEncoding.encode($0.0) : "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        return HTTPRequest(method: operation.method, endpoint: endpoint, path: endpoint.basePath + path, query: queryString,
                           headers: headers, body: bytes)
    }

    /// The query protocol's flattening: `A.B=..`, lists as `A.member.N`, maps as `A.entry.N.key/value`.
    static func flattenQuery(prefix: String, value: JSONValue, isMap: Bool, into fields: inout [(String, String)]) {
        switch value {
        case .object(let object):
            if isMap {
                for (index, entry) in object.enumerated() {
                    fields.append(("\(prefix).entry.\(index + 1).key", entry.key))
                    flattenQuery(prefix: "\(prefix).entry.\(index + 1).value", value: entry.value, isMap: false, into: &fields)
                }
            } else {
                for (key, item) in object { flattenQuery(prefix: "\(prefix).\(key)", value: item, isMap: false, into: &fields) }
            }
        case .array(let items):
            if items.isEmpty { fields.append((prefix, "")) }
            for (index, item) in items.enumerated() {
                flattenQuery(prefix: "\(prefix).member.\(index + 1)", value: item, isMap: false, into: &fields)
            }
        case .null:
            break
        default:
            fields.append((prefix, value.stringValue ?? ""))
        }
    }

    static func xmlDocument(root: String, value: JSONValue) -> String {
        "<\(root) xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + xmlContent(value) + "</\(root)>"
    }

    static func xmlContent(_ value: JSONValue) -> String {
        switch value {
        case .object(let object):
            return object.map { entry in
                entry.value.arrayValue.count > 1 || { if case .array = entry.value { return true }; return false }()
                    ? entry.value.arrayValue.map { "<\(entry.key)>\(xmlContent($0))</\(entry.key)>" }.joined()
                    : "<\(entry.key)>\(xmlContent(entry.value))</\(entry.key)>"
            }.joined()
        case .array(let items):
            return items.map(xmlContent).joined()
        default:
            return xmlEscape(value.stringValue ?? "")
        }
    }

    static func xmlEscape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}

extension String {
    /// Replaces every occurrence of `target` (FoundationEssentials-free).
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
