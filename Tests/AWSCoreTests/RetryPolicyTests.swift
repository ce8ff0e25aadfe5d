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
        let throttled = AttemptOutcome.serviceError(status: 400, code: "Throttling", retryAfterSeconds: nil)
        #expect(policy.delayBeforeRetry(after: 1, outcome: throttled, random: 0.5, quota: &quota) == 0.5)
        #expect(policy.delayBeforeRetry(after: 2, outcome: throttled, random: 0.5, quota: &quota) == 1.0)
        #expect(policy.delayBeforeRetry(after: 3, outcome: throttled, random: 0.5, quota: &quota) == nil)
        #expect(quota.available == 490)
        let long = RetryPolicy(maxAttempts: 12)
        #expect(long.delayBeforeRetry(after: 10, outcome: throttled, random: 0.999, quota: &quota)! <= 20)
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
