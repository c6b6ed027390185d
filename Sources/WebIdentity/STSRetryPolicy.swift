/// How ``STSClient`` retries failed `AssumeRoleWithWebIdentity` calls.
///
/// Retried: `IDPCommunicationError`, `Throttling`, HTTP 5xx and 429, timeouts and transport errors, with
/// capped exponential backoff and (by default) full jitter. `InvalidIdentityToken` is retried at most
/// ``maxInvalidIdentityTokenRetries`` times, because STS reports a failed JWKS fetch that way. Everything
/// else (`ExpiredTokenException`, `IDPRejectedClaim`, `AccessDenied`, `RegionDisabledException`,
/// `PackedPolicyTooLarge`, `MalformedPolicyDocument`, `ValidationError`, …) fails at once.
public struct STSRetryPolicy: Sendable {
    /// Attempts in total, the first one included (1 disables retries).
    public var maxAttempts: Int
    /// The delay before the first retry; doubled for each further retry.
    public var baseDelay: Duration
    /// The longest delay between two attempts.
    public var maxDelay: Duration
    /// Full jitter: wait a uniformly random time between zero and the backoff delay.
    public var jitter: Bool
    /// How many times an `InvalidIdentityToken` answer is retried (within ``maxAttempts``).
    public var maxInvalidIdentityTokenRetries: Int
    /// Waits between attempts; tests replace it so they do not wait.
    public var sleep: @Sendable (Duration) async throws -> Void

    /// - Parameters:
    ///   - maxAttempts: attempts in total, at least 1.
    ///   - baseDelay: the delay before the first retry.
    ///   - maxDelay: the cap on any delay.
    ///   - jitter: whether to apply full jitter.
    ///   - maxInvalidIdentityTokenRetries: retries allowed for `InvalidIdentityToken`.
    ///   - sleep: how to wait; `Task.sleep(for:)` by default.
    public init(
        maxAttempts: Int = 4,
        baseDelay: Duration = .milliseconds(100),
        maxDelay: Duration = .seconds(5),
        jitter: Bool = true,
        maxInvalidIdentityTokenRetries: Int = 2,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.maxInvalidIdentityTokenRetries = max(0, maxInvalidIdentityTokenRetries)
        self.sleep = sleep
    }

    /// Four attempts, 100 ms doubling up to 5 s, full jitter, two `InvalidIdentityToken` retries.
    public static var `default`: STSRetryPolicy { STSRetryPolicy() }

    /// A single attempt.
    public static var none: STSRetryPolicy { STSRetryPolicy(maxAttempts: 1) }

    /// The backoff before retry number `retry` (1 for the first retry): `min(maxDelay, baseDelay * 2^(retry-1))`,
    /// then, with ``jitter``, a uniformly random duration between zero and that.
    public func delay(beforeRetry retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let base = Double(baseDelay.components.seconds) + Double(baseDelay.components.attoseconds) / 1e18
        let cap = Double(maxDelay.components.seconds) + Double(maxDelay.components.attoseconds) / 1e18
        let backoff = min(cap, base * Double(1 << exponent))
        let seconds = jitter ? Double.random(in: 0...max(backoff, 0)) : backoff
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Whether a failure with `code` may be retried at all, ignoring attempt budgets.
    static func isRetryable(code: String, httpStatus: Int?) -> Bool {
        switch code {
        case STSError.Codes.idpCommunicationError, STSError.Codes.throttling, "ThrottlingException",
            "RequestLimitExceeded", "InternalFailure", "ServiceUnavailable", STSError.Codes.timeout,
            STSError.Codes.transport:
            return true
        case STSError.Codes.expiredToken, STSError.Codes.idpRejectedClaim, STSError.Codes.accessDenied,
            STSError.Codes.regionDisabled, STSError.Codes.packedPolicyTooLarge,
            STSError.Codes.malformedPolicyDocument, STSError.Codes.validationError,
            STSError.Codes.invalidParameter, STSError.Codes.invalidIdentityToken:
            return false
        default:
            guard let httpStatus else { return false }
            return httpStatus >= 500 || httpStatus == 429
        }
    }

    /// Whether to try again after attempt number `attempt` failed with `error`, given how many
    /// `InvalidIdentityToken` retries were already made.
    func shouldRetry(_ error: STSError, attempt: Int, invalidIdentityTokenRetries: Int) -> Bool {
        guard attempt < maxAttempts else { return false }
        if error.code == STSError.Codes.invalidIdentityToken {
            return invalidIdentityTokenRetries < maxInvalidIdentityTokenRetries
        }
        return error.isRetryable
    }
}
