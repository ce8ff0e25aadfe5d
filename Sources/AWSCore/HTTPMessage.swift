/// An HTTP request ready for the transport: the path and query already percent-encoded.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var endpoint: Endpoint
    public var path: String
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, endpoint: Endpoint, path: String, query: String = "", headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.endpoint = endpoint
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    public var url: String {
        endpoint.origin + path + (query.isEmpty ? "" : "?" + query)
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name):\($0.value)" } == rhs.headers.map { "\($0.name):\($0.value)" }
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

/// Sends HTTP requests. The real one is libcurl (AWSCurl); tests of pure logic use closures.
public protocol HTTPClient: Sendable {
    /// Sends one request; throws `AWSError.transport` when no HTTP answer came back.
    func send(_ request: HTTPRequest, timeoutSeconds: Double) async throws -> HTTPResponse
}

/// A scheme, host and port (and an optional base path) to send requests to.
public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?
    public var basePath: String

    public init(scheme: String, host: String, port: Int? = nil, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
    }

    /// Parses `scheme://host[:port][/path]`; nil when it is not such a URL.
    public init?(url: String) {
        guard let separator = url.firstRange(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard ["http", "https", "ws", "wss", "mqtt", "mqtts"].contains(scheme) else { return nil }
        var rest = url[separator.upperBound...]
        var basePath = ""
        if let slash = rest.firstIndex(of: "/") {
            basePath = String(rest[slash...])
            rest = rest[..<slash]
        }
        while basePath.hasSuffix("/") { basePath.removeLast() }
        var host = String(rest)
        var port: Int?
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") {
            guard let value = Int(host[host.index(after: colon)...]), (1...65535).contains(value) else { return nil }
            port = value
            host = String(host[..<colon])
        }
        guard !host.isEmpty else { return nil }
        self.init(scheme: scheme, host: host, port: port, basePath: basePath)
    }

    /// `Host` header value: the host, with the port when it is not the scheme's default.
    public var hostHeader: String {
        guard let port else { return host }
        let standard = (scheme == "https" || scheme == "wss") ? 443 : (scheme == "http" || scheme == "ws") ? 80 : -1
        return port == standard ? host : "\(host):\(port)"
    }

    public var origin: String { "\(scheme)://\(hostHeader)\(basePath)" }
    public var description: String { origin }
}
