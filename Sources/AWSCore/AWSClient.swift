import AWSSigning
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Calls AWS operations: encodes the input per the service's protocol, signs with the current
/// credentials, sends, applies the retry policy, decodes the answer. One client per process;
/// it is safe to use from many tasks at once.
public final class AWSClient: Sendable {
    public let settings: AWSSettings
    public let http: any HTTPClient
    public let retryPolicy: RetryPolicy
    public let timeoutSeconds: Double
    let credentialProvider: any CredentialProvider
    let quota = Mutex(RetryQuota())
    /// The adaptive client-side rate, shared by every call of this client.
    let limiter = Mutex(ClientRateLimiter())
    private static let epoch = ContinuousClock.now
    /// How long one attempt may take, unless the client is made with another timeout.
    public static let defaultTimeoutSeconds: Double = 30

    /// The longest a call can keep sending attempts, plus what the last one may take: after it,
    /// nothing the call sent can still take effect (a throttled call retries for its budget).
    public static func requestLifetime(_ policy: RetryPolicy, timeoutSeconds: Double = defaultTimeoutSeconds) -> Double {
        max(policy.throttledBudgetSeconds, Double(policy.maxAttempts) * (timeoutSeconds + policy.maxBackoffSeconds)) + timeoutSeconds
    }

    /// Seconds on a monotonic clock.
    static func monotonic() -> Double {
        let elapsed = ContinuousClock.now - epoch
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
    let now: @Sendable () -> Int64
    let random: @Sendable () -> Double
    let discoveredEndpoints = Mutex<[String: Endpoint]>([:])
    /// Answers that do not change during a run (who the caller is, the account's endpoints).
    let remembered = Mutex<[String: AWSResponse]>([:])

    public init(settings: AWSSettings, http: any HTTPClient, credentials: (any CredentialProvider)? = nil,
                retryPolicy: RetryPolicy? = nil, timeoutSeconds: Double = AWSClient.defaultTimeoutSeconds,
                now: @escaping @Sendable () -> Int64 = AWSClient.wallClock,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.settings = settings
        self.http = http
        self.retryPolicy = retryPolicy ?? RetryPolicy(environment: settings.environment)
        self.timeoutSeconds = timeoutSeconds
        self.now = now
        self.random = random
        let box = WeakClientBox()
        self.box = box
        if let credentials {
            credentialProvider = credentials
        } else {
            let chain = CredentialChain(settings: settings) { action, fields, credentials in
                guard let client = box.client else { throw AWSError.credentials("the AWS client is gone") }
                return try await client.stsQuery(action, fields, credentials: credentials)
            }
            credentialProvider = CredentialCache(now: now) { try await chain.resolve() }
        }
        box.client = self
    }

    private let box: WeakClientBox

    /// Seconds since 1970 from the system clock.
    public static let wallClock: @Sendable () -> Int64 = {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }

    public func credentials() async throws -> AWSCredentials {
        try await credentialProvider.credentials()
    }

    /// A call whose answer does not change during a run, made once per client and input (a
    /// failed one is asked again next time).
    public func rememberedCall(_ service: AWSService, _ operation: AWSOperation, _ input: JSONObject = JSONObject()) async throws -> AWSResponse {
        let key = service.id + " " + operation.name + " " + JSONValue.object(input).serialized(sortedKeys: true)
        if let answer = remembered.withLock({ $0[key] }) { return answer }
        let answer = try await call(service, operation, input)
        remembered.withLock { $0[key] = answer }
        return answer
    }

    /// Sets the endpoint for a service whose endpoint is discovered (the IoT data plane).
    public func setDiscoveredEndpoint(_ endpoint: Endpoint, for service: AWSService) {
        discoveredEndpoints.withLock { $0[service.id] = endpoint }
    }

    public func discoveredEndpoint(for service: AWSService) -> Endpoint? {
        discoveredEndpoints.withLock { $0[service.id] }
    }

    /// Calls one operation. `payload` is the raw body for operations with a blob payload.
    public func call(_ service: AWSService, _ operation: AWSOperation, _ input: JSONObject = JSONObject(),
                     payload: [UInt8]? = nil) async throws -> AWSResponse {
        let (endpoint, signingRegion) = try resolveEndpoint(service, operation: operation)
        let request = try AWSRequestEncoder.encode(service: service, operation: operation, input: input, payload: payload, endpoint: endpoint)
        let response = try await send(request, service: service, signingRegion: signingRegion, operation: operation.name,
                                      decode: { response throws(AWSError) in try AWSResponseDecoder.decode(service: service, operation: operation, response: response) })
        return response
    }

    func resolveEndpoint(_ service: AWSService, operation: AWSOperation) throws(AWSError) -> (Endpoint, String) {
        if let resolved = try settings.endpoint(for: service) { return (resolved.endpoint, resolved.signingRegion) }
        guard let discovered = discoveredEndpoint(for: service) else {
            throw .configuration("\(operation.name): the \(service.id) endpoint has not been discovered yet (DescribeEndpoint)")
        }
        return (discovered, settings.region)
    }

    /// Signs and sends with retries; `decode` turns a response into the result or a service error.
    func send<Result>(_ request: HTTPRequest, service: AWSService, signingRegion: String, operation: String, signed: Bool = true,
                      credentials explicit: AWSCredentials? = nil,
                      decode: (HTTPResponse) throws(AWSError) -> Result) async throws -> Result {
        var attempt = 0
        var tokensUsed = 0
        let started = Self.monotonic()
        while true {
            attempt += 1
            let wait = limiter.withLock { $0.reserve(now: Self.monotonic()) }
            if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
            var outgoing = request
            if signed {
                let credentials: AWSCredentials
                if let explicit { credentials = explicit } else { credentials = try await credentialProvider.credentials() }
                let options: SigV4Signer.Options = service.protocol == .restXML ? .s3 : SigV4Signer.Options()
                let signer = SigV4Signer(credentials: credentials, region: signingRegion, service: service.signingName, options: options)
                let hash = SigV4Signer.hexSHA256(request.body)
                let result = signer.sign(SignableRequest(method: request.method, path: request.path, query: request.query, headers: request.headers),
                                         payloadHash: hash, time: SigningTime(secondsSince1970: now()))
                outgoing.headers = result.request.headers
            }
            let outcome: AttemptOutcome
            let failure: any Error
            do {
                let response = try await http.send(outgoing, timeoutSeconds: timeoutSeconds)
                do {
                    let value = try decode(response)
                    quota.withLock { $0.recordSuccess(retryTokensUsed: tokensUsed) }
                    limiter.withLock { $0.succeeded() }
                    return value
                } catch {
                    failure = error
                    outcome = .serviceError(status: response.status, code: error.code,
                                            retryAfterSeconds: response.header("Retry-After").flatMap(Double.init))
                }
            } catch let error as AWSError {
                failure = error
                if case .transport(_, _, let timedOut) = error { outcome = .transportError(timedOut: timedOut) } else { throw error }
            }
            if retryPolicy.isThrottling(outcome) { limiter.withLock { $0.throttled() } }
            let before = quota.withLock { $0.available }
            let elapsed = Self.monotonic() - started
            let delay = quota.withLock { quota in
                retryPolicy.delayBeforeRetry(after: attempt, outcome: outcome, random: random(), quota: &quota, elapsed: elapsed)
            }
            guard let delay else { throw failure }
            tokensUsed += before - quota.withLock { $0.available }
            if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
        }
    }

    /// A query-protocol call to STS for the credential chain (nil credentials: unsigned).
    func stsQuery(_ action: String, _ fields: [(String, String)], credentials: AWSCredentials?) async throws -> XMLElement {
        let service = AWSService(id: "STS", endpointPrefix: "sts", signingName: "sts", protocol: .query, apiVersion: "2011-06-15",
                                 environmentName: "STS", globalEndpoint: nil)
        guard let (endpoint, signingRegion, _) = try settings.endpoint(for: service) else { throw AWSError.configuration("no STS endpoint") }
        let all = [("Action", action), ("Version", service.apiVersion)] + fields
        let body = all.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        let request = HTTPRequest(method: "POST", endpoint: endpoint, path: endpoint.basePath + "/",
                                  headers: [("Host", endpoint.hostHeader), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                                  body: Array(body.utf8))
        let operation = AWSOperation(name: action, method: "POST", uri: "/", input: [], required: [], payload: nil, rawPayload: false,
                                     output: [], outputPayload: nil, rawOutputPayload: false, resultWrapper: "\(action)Result", pagination: nil)
        return try await send(request, service: service, signingRegion: signingRegion, operation: action, signed: credentials != nil,
                              credentials: credentials) { response throws(AWSError) in
            _ = try AWSResponseDecoder.decode(service: service, operation: operation, response: response)
            guard let root = try? XMLElement.parse(response.body), let result = root.child("\(action)Result") else {
                throw AWSError.invalidResponse(operation: action, status: response.status, reason: "no \(action)Result element")
            }
            return result
        }
    }
}

/// Lets the credential chain call STS through the client that owns it without a retain cycle.
final class WeakClientBox: @unchecked Sendable {
    private let lock = Mutex<Void>(())
    private weak var stored: AWSClient?
    var client: AWSClient? {
        get { lock.withLock { _ in stored } }
        set { lock.withLock { _ in stored = newValue } }
    }
}
