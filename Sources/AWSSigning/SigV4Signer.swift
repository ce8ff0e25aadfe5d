import JSON
import Crypto

/// AWS Signature Version 4 for one service in one region. Pure: credentials and the time
/// come in as values, so the same inputs always give the same signature.
public struct SigV4Signer: Sendable {
    public struct Options: Sendable, Equatable {
        /// Remove `.`/`..` segments and repeated slashes before signing (all services but S3).
        public var normalizePath = true
        /// Percent-encode the (already encoded) wire path again (all services but S3).
        public var encodePath = true
        /// Add `x-amz-content-sha256` with the payload hash (S3 requires it).
        public var addContentHashHeader = false
        /// Leave the session token out of the signature and add it afterwards (AWS IoT's
        /// WebSocket presign).
        public var omitSessionTokenFromSignature = false

        public init(normalizePath: Bool = true, encodePath: Bool = true, addContentHashHeader: Bool = false,
                    omitSessionTokenFromSignature: Bool = false) {
            self.normalizePath = normalizePath
            self.encodePath = encodePath
            self.addContentHashHeader = addContentHashHeader
            self.omitSessionTokenFromSignature = omitSessionTokenFromSignature
        }

        /// S3's rules: no normalisation, no second encoding, content hash header.
        public static let s3 = Options(normalizePath: false, encodePath: false, addContentHashHeader: true)
    }

    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// Headers that proxies and clients may change in flight; never signed.
    static let unsignedHeaders: Set<String> = ["authorization", "user-agent", "x-amzn-trace-id", "expect",
                                                "connection", "transfer-encoding", "content-length-unsigned"]

    public var credentials: AWSCredentials
    public var region: String
    public var service: String
    public var options: Options

    public init(credentials: AWSCredentials, region: String, service: String, options: Options = Options()) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.options = options
    }

    public static func hexSHA256(_ bytes: some Sequence<UInt8>) -> String {
        hex(SHA256.hash(data: Array(bytes)))
    }

    /// Header signing: adds X-Amz-Security-Token, X-Amz-Date, x-amz-content-sha256 (if
    /// configured) and Authorization. `payloadHash` is the hex SHA-256 of the body or
    /// `UNSIGNED-PAYLOAD`.
    public func sign(_ request: SignableRequest, payloadHash: String, time: SigningTime) -> SigningResult {
        var signed = request
        if let token = credentials.sessionToken {
            signed.headers.append(("X-Amz-Security-Token", token))
        }
        signed.headers.append(("X-Amz-Date", time.amzDate))
        if options.addContentHashHeader {
            signed.headers.append(("x-amz-content-sha256", payloadHash))
        }
        var toSign = signed.headers
        if options.omitSessionTokenFromSignature {
            toSign.removeAll { $0.name.lowercased() == "x-amz-security-token" }
        }
        let (canonicalHeaders, signedHeaders) = canonicalize(headers: toSign)
        let canonical = [request.method, canonicalPath(request.path), canonicalQuery(request.query),
                         canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
        let (stringToSign, signature) = signatureFor(canonicalRequest: canonical, time: time)
        signed.headers.append(("Authorization", "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(time)), SignedHeaders=\(signedHeaders), Signature=\(signature)"))
        return SigningResult(canonicalRequest: canonical, stringToSign: stringToSign, signature: signature,
                             signedHeaders: signedHeaders, request: signed)
    }

    /// Query presigning: the signature and its parameters go into the query string, valid for
    /// `expires` seconds.
    public func presign(_ request: SignableRequest, payloadHash: String = SigV4Signer.unsignedPayload,
                        expires: Int, time: SigningTime) -> SigningResult {
        let (canonicalHeaders, signedHeaders) = canonicalize(headers: request.headers)
        var parameters: [(String, String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(time))"),
            ("X-Amz-Date", time.amzDate),
            ("X-Amz-SignedHeaders", signedHeaders),
            ("X-Amz-Expires", String(expires)),
        ]
        var signedParameters = parameters
        if let token = credentials.sessionToken {
            parameters.append(("X-Amz-Security-Token", token))
            if !options.omitSessionTokenFromSignature { signedParameters.append(("X-Amz-Security-Token", token)) }
        }
        let extra = signedParameters.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        let fullQuery = request.query.isEmpty ? extra : request.query + "&" + extra
        let canonical = [request.method, canonicalPath(request.path), canonicalQuery(fullQuery),
                         canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
        let (stringToSign, signature) = signatureFor(canonicalRequest: canonical, time: time)
        parameters.append(("X-Amz-Signature", signature))
        var signed = request
        let appended = parameters.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        signed.query = request.query.isEmpty ? appended : request.query + "&" + appended
        return SigningResult(canonicalRequest: canonical, stringToSign: stringToSign, signature: signature,
                             signedHeaders: signedHeaders, request: signed)
    }

    // MARK: - The canonical request

    func scope(_ time: SigningTime) -> String {
        "\(time.dateStamp)/\(region)/\(service)/aws4_request"
    }

    func canonicalPath(_ path: String) -> String {
        var result = path.isEmpty ? "/" : path
        if options.normalizePath { result = Self.removeDotSegments(result) }
        if options.encodePath { result = URIEncoding.encode(result, keepSlash: true) }
        return result
    }

    /// RFC 3986 dot-segment removal, with empty segments (`//`) dropped; a trailing slash stays.
    static func removeDotSegments(_ path: String) -> String {
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        for segment in segments {
            switch segment {
            case ".": continue
            case "..": if !output.isEmpty { output.removeLast() }
            default: output.append(segment)
            }
        }
        let trailing = path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..")
        var joined = "/" + output.joined(separator: "/")
        if trailing && !output.isEmpty { joined += "/" }
        return joined
    }

    func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = URIEncoding.encode(URIEncoding.decode(String(parts[0])))
            let value = parts.count > 1 ? URIEncoding.encode(URIEncoding.decode(String(parts[1]))) : ""
            pairs.append((key, value))
        }
        pairs.sort { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    func canonicalize(headers: [(name: String, value: String)]) -> (canonical: String, signed: String) {
        var grouped: [String: [String]] = [:]
        var order: [String] = []
        for (name, value) in headers {
            let key = name.lowercased()
            if Self.unsignedHeaders.contains(key) { continue }
            if grouped[key] == nil { order.append(key) }
            grouped[key, default: []].append(Self.trimmedValue(value))
        }
        let names = order.sorted()
        let canonical = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        return (canonical, names.joined(separator: ";"))
    }

    /// Trims the value and folds every run of whitespace (including line breaks) to one space.
    static func trimmedValue(_ value: String) -> String {
        var out = ""
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    // MARK: - The signature

    func signatureFor(canonicalRequest: String, time: SigningTime) -> (stringToSign: String, signature: String) {
        let stringToSign = ["AWS4-HMAC-SHA256", time.amzDate, scope(time),
                            Self.hexSHA256(canonicalRequest.utf8)].joined(separator: "\n")
        return (stringToSign, Self.hex(hmac(signingKey(time), Array(stringToSign.utf8))))
    }

    func signingKey(_ time: SigningTime) -> [UInt8] {
        let date = hmac(Array(("AWS4" + credentials.secretAccessKey).utf8), Array(time.dateStamp.utf8))
        let region = hmac(date, Array(self.region.utf8))
        let service = hmac(region, Array(self.service.utf8))
        return hmac(service, Array("aws4_request".utf8))
    }

    func hmac(_ key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { Hex.encode(bytes) }
}
