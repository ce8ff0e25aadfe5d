import AWSSigning
import CCurl
import MQTT
#if canImport(Glibc)
import Glibc
#endif

/// Where a broker is: `mqtt://host[:1883]` (TCP), `mqtts://host[:8883]` (TLS, with a client
/// certificate), `ws://` or `wss://host[:443]/path?query` (MQTT over WebSocket).
public struct BrokerEndpoint: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case tcp, tls, websocket, secureWebSocket }

    public var kind: Kind
    public var host: String
    public var port: Int
    /// Path and query, for WebSocket endpoints.
    public var path: String
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    /// For AWS IoT over wss://: what the URL is presigned with, so every connection attempt is
    /// signed anew (a presigned URL is only good for a day).
    public var signing: (region: String, credentials: AWSCredentials)?

    public init(kind: Kind, host: String, port: Int, path: String = "/mqtt", caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.kind = kind
        self.host = host
        self.port = port
        self.path = path
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }

    public static func == (lhs: BrokerEndpoint, rhs: BrokerEndpoint) -> Bool {
        lhs.kind == rhs.kind && lhs.host == rhs.host && lhs.port == rhs.port && lhs.path == rhs.path && lhs.caFile == rhs.caFile
            && lhs.certFile == rhs.certFile && lhs.keyFile == rhs.keyFile && lhs.signing?.region == rhs.signing?.region
            && lhs.signing?.credentials == rhs.signing?.credentials
    }

    /// AWS IoT's MQTT over WebSocket at `host` (the account's iot:Data-ATS endpoint), SigV4-presigned.
    public static func awsIoT(host: String, region: String, credentials: AWSCredentials, caFile: String? = nil) -> BrokerEndpoint {
        var endpoint = BrokerEndpoint(kind: .secureWebSocket, host: host, port: 443, caFile: caFile)
        endpoint.signing = (region, credentials)
        return endpoint
    }

    /// The path to ask for now: presigned at this moment for AWS IoT, else as given.
    func currentPath(now: Int64) -> String {
        guard let signing else { return path }
        let url = SigV4Signer.iotWebSocketURL(host: host, region: signing.region, credentials: signing.credentials, time: SigningTime(secondsSince1970: now))
        return String(url.dropFirst("wss://".count + host.count))
    }

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func parse(_ url: String, caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) throws(Invalid) -> BrokerEndpoint {
        guard let schemeEnd = url.firstRange(of: "://") else { throw Invalid(description: "'\(url)' is not a broker URL (mqtt://, mqtts://, ws:// or wss://HOST[:PORT])") }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var path = String(rest.dropFirst(authority.count))
        let kinds: [String: (Kind, Int)] = ["mqtt": (.tcp, 1883), "tcp": (.tcp, 1883), "mqtts": (.tls, 8883), "ssl": (.tls, 8883),
                                            "ws": (.websocket, 80), "wss": (.secureWebSocket, 443)]
        guard let (kind, defaultPort) = kinds[scheme] else { throw Invalid(description: "unknown scheme '\(scheme)' in '\(url)' (mqtt, mqtts, ws, wss)") }
        var host = String(authority), port = defaultPort
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = String(authority[..<colon])
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw Invalid(description: "bad port in '\(url)'")
            }
            port = number
        }
        if host.isEmpty { throw Invalid(description: "no host in '\(url)'") }
        if path.isEmpty || path.hasPrefix("?") { path = "/mqtt" + path }
        return BrokerEndpoint(kind: kind, host: host, port: port, path: path, caFile: caFile, certFile: certFile, keyFile: keyFile)
    }

    public var description: String {
        let scheme = [Kind.tcp: "mqtt", .tls: "mqtts", .websocket: "ws", .secureWebSocket: "wss"][kind]!
        return "\(scheme)://\(host):\(port)" + (kind == .websocket || kind == .secureWebSocket ? String(path.prefix { $0 != "?" }) : "")
    }
}

public struct TransportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A byte stream to the broker: MQTT packets go in and come out as bytes.
public protocol Transport: AnyObject {
    /// The socket to poll for readability.
    var socket: Int32 { get }
    func write(_ bytes: [UInt8]) throws(TransportError)
    /// What can be read without blocking (empty: nothing now); throws once the stream ended.
    func read() throws(TransportError) -> [UInt8]
    func close()
}

/// TCP or TLS over libcurl's raw byte stream (CURLOPT_CONNECT_ONLY + curl_easy_send/recv).
public final class CurlStream: Transport {
    private var easy: UnsafeMutableRawPointer?
    public let socket: Int32
    private var buffer = [UInt8](repeating: 0, count: 256 * 1024)

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    public init(host: String, port: Int, tls: Bool, caFile: String?, certFile: String?, keyFile: String?, timeoutSeconds: Int = 10) throws(TransportError) {
        _ = Self.globalInit
        guard let easy = curl_easy_init() else { throw TransportError("libcurl could not start") }
        let errors = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errors.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errors.deallocate() }
        let url = (tls ? "https://" : "http://") + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        _ = fd_curl_easy_setopt_string(easy, CURLOPT_URL, url)
        _ = fd_curl_easy_setopt_long(easy, CURLOPT_CONNECT_ONLY, 1)
        _ = fd_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = fd_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT, timeoutSeconds)
        _ = fd_curl_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)
        _ = fd_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errors)
        // Proxies are for HTTP; a broker connection goes direct.
        _ = fd_curl_easy_setopt_string(easy, CURLOPT_NOPROXY, "*")
        if tls {
            // A raw stream: no ALPN, or libcurl would speak HTTP/2 over it once the server agrees.
            _ = fd_curl_easy_setopt_long(easy, CURLOPT_SSL_ENABLE_ALPN, 0)
            _ = fd_curl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
            if let caFile { _ = fd_curl_easy_setopt_string(easy, CURLOPT_CAINFO, caFile) }
            if let certFile { _ = fd_curl_easy_setopt_string(easy, CURLOPT_SSLCERT, certFile) }
            if let keyFile { _ = fd_curl_easy_setopt_string(easy, CURLOPT_SSLKEY, keyFile) }
        }
        let code = curl_easy_perform(easy)
        // The buffer is freed on return: libcurl must not write to it afterwards.
        _ = fd_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, nil)
        guard code == CURLE_OK else {
            let detail = String(cString: errors)
            curl_easy_cleanup(easy)
            throw TransportError("could not connect to \(host):\(port): " + (detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail))
        }
        var socket: curl_socket_t = -1
        _ = fd_curl_easy_getinfo_socket(easy, &socket)
        self.easy = easy
        self.socket = socket
    }

    deinit { close() }

    public func write(_ bytes: [UInt8]) throws(TransportError) {
        guard let easy else { throw TransportError("the connection is closed") }
        var offset = 0
        while offset < bytes.count {
            var sent = 0
            let code = bytes.withUnsafeBytes { raw in curl_easy_send(easy, raw.baseAddress! + offset, raw.count - offset, &sent) }
            if code == CURLE_AGAIN {
                var descriptor = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
                if poll(&descriptor, 1, 10_000) == 0 { throw TransportError("the broker stopped reading (write timed out)") }
                continue
            }
            guard code == CURLE_OK else { throw TransportError("the connection was lost: \(String(cString: curl_easy_strerror(code)))") }
            offset += sent
        }
    }

    public func read() throws(TransportError) -> [UInt8] {
        guard let easy else { throw TransportError("the connection is closed") }
        var received = 0
        let code = buffer.withUnsafeMutableBytes { raw in curl_easy_recv(easy, raw.baseAddress!, raw.count, &received) }
        if code == CURLE_AGAIN { return [] }
        guard code == CURLE_OK else { throw TransportError("the connection was lost: \(String(cString: curl_easy_strerror(code)))") }
        if received == 0 { throw TransportError("the broker closed the connection") }
        return Array(buffer[0..<received])
    }

    public func close() {
        if let easy { curl_easy_cleanup(easy) }
        easy = nil
    }
}

/// MQTT over a WebSocket (RFC 6455, subprotocol `mqtt`) over a `CurlStream`.
public final class WebSocketStream: Transport {
    private let stream: CurlStream
    private var decoder = WebSocket.Decoder()
    public var socket: Int32 { stream.socket }

    public init(_ endpoint: BrokerEndpoint, timeoutSeconds: Int = 10) throws(TransportError) {
        stream = try CurlStream(host: endpoint.host, port: endpoint.port, tls: endpoint.kind == .secureWebSocket, caFile: endpoint.caFile,
                                certFile: endpoint.certFile, keyFile: endpoint.keyFile, timeoutSeconds: timeoutSeconds)
        let key = WebSocket.randomKey()
        let defaultPort = endpoint.kind == .secureWebSocket ? 443 : 80
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        try stream.write(WebSocket.handshake(host: endpoint.port == defaultPort ? endpoint.host : "\(endpoint.host):\(endpoint.port)",
                                             path: endpoint.currentPath(now: Int64(wall.tv_sec)), key: key))
        var head: [UInt8] = []
        let deadline = Self.now() + Double(timeoutSeconds)
        while true {
            let chunk = try stream.read()
            if chunk.isEmpty {
                let left = Int32(max(0, (deadline - Self.now()) * 1000))
                var descriptor = pollfd(fd: stream.socket, events: Int16(POLLIN), revents: 0)
                if left == 0 || poll(&descriptor, 1, left) == 0 { stream.close(); throw TransportError("the WebSocket handshake timed out") }
                continue
            }
            head += chunk
            if let end = Self.headerEnd(head) {
                do {
                    try WebSocket.checkResponse(String(decoding: head[..<end], as: UTF8.self), key: key)
                } catch {
                    stream.close()
                    throw TransportError(error.description)
                }
                decoder.append(Array(head[(end + 4)...]))
                return
            }
            if head.count > 64 * 1024 { stream.close(); throw TransportError("the WebSocket handshake response is too long") }
        }
    }

    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    public func write(_ bytes: [UInt8]) throws(TransportError) {
        try stream.write(WebSocket.frame(.binary, bytes))
    }

    public func read() throws(TransportError) -> [UInt8] {
        let chunk = try stream.read()
        if !chunk.isEmpty { decoder.append(chunk) }
        var data: [UInt8] = []
        while true {
            let frame: (WebSocket.Opcode, [UInt8])?
            do { frame = try decoder.next() } catch { throw TransportError(error.description) }
            guard let (opcode, payload) = frame else { break }
            switch opcode {
            case .ping: try stream.write(WebSocket.frame(.pong, payload))
            case .close:
                try? stream.write(WebSocket.frame(.close, Array(payload.prefix(2))))
                throw TransportError("the broker closed the WebSocket")
            case .pong: continue
            default: data += payload
            }
        }
        return data
    }

    public func close() {
        try? stream.write(WebSocket.frame(.close, [0x03, 0xE8]))
        stream.close()
    }
}

extension BrokerEndpoint {
    /// Opens the transport this endpoint names.
    public func open(timeoutSeconds: Int = 10) throws(TransportError) -> any Transport {
        switch kind {
        case .tcp: return try CurlStream(host: host, port: port, tls: false, caFile: nil, certFile: nil, keyFile: nil, timeoutSeconds: timeoutSeconds)
        case .tls: return try CurlStream(host: host, port: port, tls: true, caFile: caFile, certFile: certFile, keyFile: keyFile, timeoutSeconds: timeoutSeconds)
        case .websocket, .secureWebSocket: return try WebSocketStream(self, timeoutSeconds: timeoutSeconds)
        }
    }
}
