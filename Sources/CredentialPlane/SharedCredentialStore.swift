/// The shared (L2) cache all gateway replicas read and write: opaque bytes with a time to live, plus a
/// short lock that lets one replica call STS for a key while the others wait.
///
/// Values are already encrypted when they reach the store. Implementations throw on any transport
/// failure; the broker treats a throwing store as unavailable and carries on with L1 and STS.
public protocol SharedCredentialStore: Sendable {
    /// The bytes stored under `key`, or `nil` when absent or expired.
    func get(_ key: String) async throws -> [UInt8]?

    /// Stores `value` under `key`, replacing any value, expiring after `timeToLive`.
    func set(_ key: String, value: [UInt8], timeToLive: Duration) async throws

    /// Takes the lock `key` if nobody holds it (`SET key token NX PX ttl`).
    ///
    /// - Returns: `true` when this caller now holds the lock.
    func acquireLock(_ key: String, token: String, timeToLive: Duration) async throws -> Bool

    /// Releases the lock `key` only if it still holds `token` (compare-and-delete), so a lock that expired
    /// and was taken by another replica is left alone.
    ///
    /// - Returns: `true` when the lock was held with `token` and is now released.
    @discardableResult
    func releaseLock(_ key: String, token: String) async throws -> Bool
}
