/// What happened to one attempt, as far as retrying is concerned.
public enum AttemptOutcome: Sendable, Equatable {
    case success
    case serviceError(status: Int, code: String?, retryAfterSeconds: Double?)
    case transportError(timedOut: Bool)
}

/// The AWS SDKs' "standard" retry mode as a pure function: which outcomes are retried, after
/// how long (exponential backoff with full jitter, capped at 20 s, `Retry-After` honoured), and
/// a token bucket that stops retry storms. The loop that applies it lives in `AWSClient`.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var maxBackoffSeconds: Double = 20

    public init(maxAttempts: Int = 3) {
        self.maxAttempts = max(1, maxAttempts)
    }

    /// `AWS_MAX_ATTEMPTS` if set to a positive integer, else 3.
    public init(environment: [String: String]) {
        self.init(maxAttempts: environment["AWS_MAX_ATTEMPTS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 3)
    }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    ]
    static let transientCodes: Set<String> = ["RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure",
                                              "InternalFailureException", "ServiceUnavailable", "ServiceUnavailableException"]
    static let transientStatuses: Set<Int> = [500, 502, 503, 504]

    public func isRetryable(_ outcome: AttemptOutcome) -> Bool {
        switch outcome {
        case .success: return false
        case .transportError: return true
        case let .serviceError(status, code, _):
            if let code, Self.throttlingCodes.contains(code) || Self.transientCodes.contains(code) { return true }
            return status == 429 || Self.transientStatuses.contains(status)
        }
    }

    /// How long a throttled call keeps trying (adaptive mode): throttling says "slower", not
    /// "never", so it is retried past `maxAttempts` while the client's rate adapts.
    public var throttledBudgetSeconds: Double = 120

    public func isThrottling(_ outcome: AttemptOutcome) -> Bool {
        guard case let .serviceError(status, code, _) = outcome else { return false }
        return status == 429 || code.map(Self.throttlingCodes.contains) == true
    }

    /// Decides after attempt number `attempt` (1-based), `elapsed` seconds into the call.
    /// `random` is uniform in [0, 1). Returns the delay in seconds before the next attempt, or
    /// nil to stop.
    public func delayBeforeRetry(after attempt: Int, outcome: AttemptOutcome, random: Double, quota: inout RetryQuota,
                                 elapsed: Double = 0) -> Double? {
        let throttled = isThrottling(outcome) && elapsed < throttledBudgetSeconds
        guard attempt < maxAttempts || throttled, isRetryable(outcome) else { return nil }
        let timedOut: Bool
        if case .transportError(let didTimeOut) = outcome { timedOut = didTimeOut } else { timedOut = false }
        guard quota.acquire(timeout: timedOut) else { return nil }
        let exponential = min(throttled ? 5 : maxBackoffSeconds, Double(1 << min(attempt - 1, 30)))
        var delay = random * exponential
        if case .serviceError(_, _, let retryAfter?) = outcome {
            delay = min(maxBackoffSeconds, max(delay, retryAfter))
        }
        return delay
    }
}

/// The retry token bucket shared by all calls of a client (standard mode: 500 tokens, a retry
/// costs 5, a retry after a timeout 10, a success gives back what its retries took, or 1).
public struct RetryQuota: Sendable, Equatable {
    public private(set) var available: Int
    public let capacity: Int
    public static let retryCost = 5
    public static let timeoutCost = 10

    public init(capacity: Int = 500) {
        self.capacity = capacity
        available = capacity
    }

    mutating func acquire(timeout: Bool) -> Bool {
        let cost = timeout ? Self.timeoutCost : Self.retryCost
        guard available >= cost else { return false }
        available -= cost
        return true
    }

    /// Records a success; `retried` is the number of tokens its retries took.
    public mutating func recordSuccess(retryTokensUsed: Int) {
        available = min(capacity, available + (retryTokensUsed > 0 ? retryTokensUsed : 1))
    }
}

/// The SDKs' adaptive mode, as a pure value: once a call is throttled, requests go out at a
/// client-side rate that drops to 70% on each throttle and climbs back toward the rate of the
/// last throttle with each success (then beyond it, slowly), until it no longer limits anything.
/// It never goes below `minimumRate` (about the smallest request rate AWS IoT's control plane
/// allows per API), so a throttled run slows down but does not crawl.
public struct ClientRateLimiter: Sendable, Equatable {
    public private(set) var enabled = false
    /// Requests per second while enabled.
    public private(set) var rate: Double = 0
    /// The rate when the last throttle came.
    public private(set) var lastThrottleRate: Double = 0
    public static let minimumRate: Double = 10
    public static let maximumRate: Double = 10_000
    /// The earliest time the next request may go.
    private var next: Double = 0
    /// Requests sent in the current second, and the smoothed rate measured so far.
    private var bucketStart: Double = 0
    private var sentInBucket: Double = 0
    public private(set) var measured: Double = 0

    public init() {}

    /// Reserves a slot for a request at `now`; returns how long to wait before sending it.
    public mutating func reserve(now: Double) -> Double {
        if now - bucketStart >= 1 {
            let current = sentInBucket / max(1, now - bucketStart)
            measured = measured == 0 ? current : 0.6 * measured + 0.4 * current
            bucketStart = now
            sentInBucket = 0
        }
        sentInBucket += 1
        guard enabled else { return 0 }
        let start = max(now, next)
        next = start + 1 / rate
        return start - now
    }

    public mutating func throttled() {
        let current = enabled ? rate : max(measured, sentInBucket)
        lastThrottleRate = max(Self.minimumRate, current)
        rate = max(Self.minimumRate, current * 0.7)
        enabled = true
    }

    public mutating func succeeded() {
        guard enabled else { return }
        rate = rate < lastThrottleRate ? rate + (lastThrottleRate - rate) * 0.3 : min(Self.maximumRate, rate * 1.05)
        if rate >= Self.maximumRate { enabled = false }
    }
}
