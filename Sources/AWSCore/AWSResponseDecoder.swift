/// The decoded answer of one operation: the output members as JSON, and the raw payload for
/// operations whose output is a blob (a shadow document, an S3 object).
public struct AWSResponse: Sendable {
    public var output: JSONValue
    public var payload: [UInt8]
    public var status: Int
    public var requestID: String?

    public subscript(key: String) -> JSONValue? { output[key] }
}

/// Reads an HTTP response per the service's protocol; service errors become `AWSError.service`,
/// anything unreadable (an HTML error page instead of JSON) `AWSError.invalidResponse`.
public enum AWSResponseDecoder {
    public static func decode(service: AWSService, operation: AWSOperation, response: HTTPResponse) throws(AWSError) -> AWSResponse {
        let requestID = response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")
        if response.status >= 300 {
            throw decodeError(service: service, operation: operation, response: response, requestID: requestID)
        }
        var output = JSONObject()
        var payload: [UInt8] = []
        switch service.protocol {
        case .restJSON, .json:
            if operation.outputPayload != nil && operation.rawOutputPayload {
                payload = response.body
            } else if !response.body.isEmpty {
                do {
                    let value = try JSONValue.parse(response.body)
                    if let name = operation.outputPayload {
                        output[name] = value
                    } else if let object = value.objectValue {
                        output = object
                    }
                } catch {
                    throw .invalidResponse(operation: operation.name, status: response.status, reason: describeUnreadable(response.body, expected: "JSON", error: "\(error)"))
                }
            }
        case .query, .restXML:
            if operation.outputPayload != nil && operation.rawOutputPayload {
                payload = response.body
            } else if !response.body.isEmpty {
                do {
                    let root = try XMLElement.parse(response.body)
                    var element = root
                    if service.protocol == .query, let wrapper = operation.resultWrapper {
                        element = root.child(wrapper) ?? XMLElement(name: wrapper)
                    }
                    if let object = element.jsonValue.objectValue { output = object }
                } catch {
                    throw .invalidResponse(operation: operation.name, status: response.status, reason: describeUnreadable(response.body, expected: "XML", error: "\(error)"))
                }
            }
        }
        for member in operation.output {
            switch member.location {
            case .header:
                if let value = response.header(member.locationName) { output[member.name] = .string(value) }
            case .statusCode:
                output[member.name] = .integer(Int64(response.status))
            case .headerPrefix:
                var map = JSONObject()
                let prefix = member.locationName.lowercased()
                for header in response.headers where header.name.lowercased().hasPrefix(prefix) {
                    map[String(header.name.dropFirst(prefix.count))] = .string(header.value)
                }
                if !map.isEmpty { output[member.name] = .object(map) }
            default:
                break
            }
        }
        return AWSResponse(output: .object(output), payload: payload, status: response.status, requestID: requestID)
    }

    static func decodeError(service: AWSService, operation: AWSOperation, response: HTTPResponse, requestID: String?) -> AWSError {
        var code: String?
        var message = ""
        var id = requestID
        if !response.body.isEmpty {
            switch service.protocol {
            case .restJSON, .json:
                if let value = try? JSONValue.parse(response.body), value.objectValue != nil {
                    code = value["__type"]?.stringValue ?? value["code"]?.stringValue ?? value["Code"]?.stringValue
                    message = value["message"]?.stringValue ?? value["Message"]?.stringValue ?? value["errorMessage"]?.stringValue ?? ""
                }
            case .query, .restXML:
                if let root = try? XMLElement.parse(response.body) {
                    let error = root.name == "Error" ? root : (root.child("Error") ?? root.child("Errors")?.child("Error"))
                    code = error?.child("Code")?.text
                    message = error?.child("Message")?.text ?? ""
                    id = id ?? root.child("RequestId")?.text ?? error?.child("RequestId")?.text
                }
            }
        }
        if let header = response.header("x-amzn-ErrorType"), code == nil || code!.isEmpty {
            code = header
        }
        if var found = code, !found.isEmpty {
            if let colon = found.firstIndex(of: ":") { found = String(found[..<colon]) }
            if let hash = found.lastIndex(of: "#") { found = String(found[found.index(after: hash)...]) }
            return .service(operation: operation.name, status: response.status, code: found, message: message, requestID: id)
        }
        if response.body.isEmpty {
            return .service(operation: operation.name, status: response.status, code: statusCode(response.status), message: "", requestID: id)
        }
        return .invalidResponse(operation: operation.name, status: response.status,
                                reason: describeUnreadable(response.body, expected: service.protocol == .restJSON ? "JSON" : "XML", error: nil))
    }

    static func statusCode(_ status: Int) -> String {
        switch status {
        case 400: return "BadRequest"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 409: return "Conflict"
        case 412: return "PreconditionFailed"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        default: return "HTTP\(status)"
        }
    }

    /// One line about a body that is not the protocol's format: an HTML page's title, or the start.
    static func describeUnreadable(_ body: [UInt8], expected: String, error: String?) -> String {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        let lower = text.lowercased()
        if lower.contains("<html") || lower.contains("<!doctype html") {
            var title = ""
            if let start = lower.firstRange(of: "<title>"), let end = lower.firstRange(of: "</title>"), start.upperBound <= end.lowerBound {
                title = String(text[start.upperBound..<end.lowerBound]).trimmingWhitespace()
            }
            return "the endpoint sent an HTML page\(title.isEmpty ? "" : " (\"\(title)\")") instead of \(expected); is this an AWS endpoint, and does it implement this operation?"
        }
        let start = text.prefix(80).split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map(String.init) ?? ""
        return "the body is not \(expected)\(error.map { " (\($0))" } ?? ""): \"\(start)\""
    }
}

