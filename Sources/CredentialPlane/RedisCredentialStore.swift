import GatewayRedis

/// A ``SharedCredentialStore`` over the gateway's Redis connection pool.
///
/// Locks are `SET key token NX PX ttl` and a compare-and-delete script; values carry `PX` expiry.
/// The pool's command timeout bounds every call, so a slow Redis fails fast and trips the broker's
/// circuit breaker instead of stalling requests.
public struct RedisCredentialStore: SharedCredentialStore {
    private let pool: RedisConnectionPool

    /// Creates a store on `pool`; the pool must be running (as a `Service`) for calls to succeed.
    public init(pool: RedisConnectionPool) {
        self.pool = pool
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        try await pool.get(key)
    }

    public func set(_ key: String, value: [UInt8], timeToLive: Duration) async throws {
        try await pool.set(key, value: value, expireMilliseconds: max(1, timeToLive.wholeMilliseconds))
    }

    public func acquireLock(_ key: String, token: String, timeToLive: Duration) async throws -> Bool {
        try await pool.setIfAbsent(
            key,
            value: Array(token.utf8),
            expireMilliseconds: max(1, timeToLive.wholeMilliseconds)
        )
    }

    @discardableResult
    public func releaseLock(_ key: String, token: String) async throws -> Bool {
        try await pool.deleteIfEquals(key, value: Array(token.utf8))
    }
}
