/// When the broker stops calling the shared cache, and when it tries again.
public struct CircuitBreakerConfiguration: Sendable, Hashable {
    /// Consecutive shared-cache failures that open the breaker (default 3).
    public var failureThreshold: Int
    /// How long the breaker stays open before one probe call is let through (default 5 s).
    public var openDuration: Duration

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - failureThreshold: consecutive failures that open the breaker; at least 1.
    ///   - openDuration: how long calls are skipped before a probe.
    public init(failureThreshold: Int = 3, openDuration: Duration = .seconds(5)) {
        self.failureThreshold = max(1, failureThreshold)
        self.openDuration = openDuration
    }
}
