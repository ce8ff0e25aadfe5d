import AWSCore
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 3)

    @Test func retriesThrottlingTransientAndTransportErrorsOnly() {
        #expect(policy.isRetryable(.serviceError(status: 400, code: "ThrottlingException", retryAfterSeconds: nil)))
        #expect(policy.isRetryable(.serviceError(status: 429, code: nil, retryAfterSeconds: nil)))
        #expect(policy.isRetryable(.serviceError(status: 503, code: nil, retryAfterSeconds: nil)))
        #expect(policy.isRetryable(.transportError(timedOut: true)))
        #expect(!policy.isRetryable(.serviceError(status: 404, code: "ResourceNotFoundException", retryAfterSeconds: nil)))
        #expect(!policy.isRetryable(.serviceError(status: 409, code: "ConflictException", retryAfterSeconds: nil)))
        #expect(!policy.isRetryable(.success))
    }

    @Test func fullJitterExponentialBackoffWithinAttempts() {
        var quota = RetryQuota()
        // (Throttling is retried past the attempts, within its budget: AdaptiveRetryTests.)
        let unavailable = AttemptOutcome.serviceError(status: 503, code: "ServiceUnavailable", retryAfterSeconds: nil)
        #expect(policy.delayBeforeRetry(after: 1, outcome: unavailable, random: 0.5, quota: &quota) == 0.5)
        #expect(policy.delayBeforeRetry(after: 2, outcome: unavailable, random: 0.5, quota: &quota) == 1.0)
        #expect(policy.delayBeforeRetry(after: 3, outcome: unavailable, random: 0.5, quota: &quota) == nil)
        #expect(quota.available == 490)
        let long = RetryPolicy(maxAttempts: 12)
        #expect(long.delayBeforeRetry(after: 10, outcome: unavailable, random: 0.999, quota: &quota)! <= 20)
    }

    @Test func retryAfterIsHonouredAndCapped() {
        var quota = RetryQuota()
        #expect(policy.delayBeforeRetry(after: 1, outcome: .serviceError(status: 429, code: nil, retryAfterSeconds: 3), random: 0.1, quota: &quota) == 3)
        #expect(policy.delayBeforeRetry(after: 1, outcome: .serviceError(status: 429, code: nil, retryAfterSeconds: 90), random: 0.1, quota: &quota) == 20)
    }

    @Test func quotaStopsRetryStormsAndRefills() {
        var quota = RetryQuota(capacity: 12)
        let timeout = AttemptOutcome.transportError(timedOut: true)
        #expect(policy.delayBeforeRetry(after: 1, outcome: timeout, random: 0, quota: &quota) != nil)
        #expect(policy.delayBeforeRetry(after: 1, outcome: timeout, random: 0, quota: &quota) == nil)
        quota.recordSuccess(retryTokensUsed: 10)
        #expect(quota.available == 12)
    }

    @Test func maxAttemptsFromEnvironment() {
        #expect(RetryPolicy(environment: ["AWS_MAX_ATTEMPTS": "5"]).maxAttempts == 5)
        #expect(RetryPolicy(environment: ["AWS_MAX_ATTEMPTS": "zero"]).maxAttempts == 3)
    }
}

/// Adaptive mode: throttled calls keep trying within a time budget while the client's rate adapts.
@Suite struct AdaptiveRetryTests {
    @Test func throttlingIsRetriedPastMaxAttemptsWithinItsBudgetOtherErrorsAreNot() {
        let policy = RetryPolicy(maxAttempts: 3)
        var quota = RetryQuota()
        let throttled = AttemptOutcome.serviceError(status: 429, code: "ThrottlingException", retryAfterSeconds: nil)
        #expect(policy.delayBeforeRetry(after: 7, outcome: throttled, random: 0.5, quota: &quota, elapsed: 30) != nil)
        #expect(policy.delayBeforeRetry(after: 7, outcome: throttled, random: 0.99, quota: &quota, elapsed: 30)! <= 5)
        #expect(policy.delayBeforeRetry(after: 7, outcome: throttled, random: 0.5, quota: &quota, elapsed: 121) == nil)
        let unavailable = AttemptOutcome.serviceError(status: 503, code: nil, retryAfterSeconds: nil)
        #expect(policy.delayBeforeRetry(after: 3, outcome: unavailable, random: 0.5, quota: &quota, elapsed: 1) == nil)
        #expect(policy.isThrottling(.serviceError(status: 400, code: "Throttling", retryAfterSeconds: nil)))
        #expect(!policy.isThrottling(unavailable))
    }

    @Test func theClientRateDropsOnThrottlingAndClimbsBackOnSuccess() {
        var limiter = ClientRateLimiter()
        #expect(limiter.reserve(now: 0) == 0 && !limiter.enabled)  // no limit until throttled
        for _ in 0..<99 { _ = limiter.reserve(now: 0.5) }
        limiter.throttled()
        #expect(limiter.enabled && limiter.rate == 70 && limiter.lastThrottleRate == 100)
        #expect(limiter.reserve(now: 2) == 0)
        #expect(abs(limiter.reserve(now: 2) - 1.0 / 70) < 1e-9)  // the next waits its turn
        limiter.succeeded()
        #expect(limiter.rate == 79)  // 30% of the way back
        for _ in 0..<60 { limiter.throttled() }
        #expect(limiter.rate == ClientRateLimiter.minimumRate)  // never below the floor
    }
}
