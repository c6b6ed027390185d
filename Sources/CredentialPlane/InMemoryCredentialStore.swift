import Foundation

/// A ``SharedCredentialStore`` in process memory, with the same expiry and lock semantics as Redis.
///
/// For tests and for running several brokers in one process; values expire against the injected clock.
public actor InMemoryCredentialStore: SharedCredentialStore {
    private var entries: [String: (value: [UInt8], expiresAt: Date)] = [:]
    private let clock: any CredentialClock

    /// Creates an empty store whose expiry follows `clock`.
    public init(clock: any CredentialClock = SystemCredentialClock()) {
        self.clock = clock
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        live(key)
    }

    public func set(_ key: String, value: [UInt8], timeToLive: Duration) async throws {
        entries[key] = (value, clock.now().addingTimeInterval(timeToLive.timeInterval))
    }

    public func acquireLock(_ key: String, token: String, timeToLive: Duration) async throws -> Bool {
        guard live(key) == nil else { return false }
        entries[key] = (Array(token.utf8), clock.now().addingTimeInterval(timeToLive.timeInterval))
        return true
    }

    @discardableResult
    public func releaseLock(_ key: String, token: String) async throws -> Bool {
        guard let value = live(key), value == Array(token.utf8) else { return false }
        entries.removeValue(forKey: key)
        return true
    }

    /// The raw stored bytes under `key` (for inspection in tests).
    public func rawValue(forKey key: String) -> [UInt8]? { live(key) }

    /// The remaining time to live of `key`, if present.
    public func timeToLive(forKey key: String) -> TimeInterval? {
        guard live(key) != nil, let entry = entries[key] else { return nil }
        return entry.expiresAt.timeIntervalSince(clock.now())
    }

    /// Stores raw bytes without expiry rules other than `timeToLive` (for tests that tamper with values).
    public func setRawValue(_ value: [UInt8], forKey key: String, timeToLive: Duration = .seconds(3_600)) {
        entries[key] = (value, clock.now().addingTimeInterval(timeToLive.timeInterval))
    }

    /// Every live key.
    public var keys: [String] {
        let now = clock.now()
        return entries.filter { $0.value.expiresAt > now }.map(\.key).sorted()
    }

    private func live(_ key: String) -> [UInt8]? {
        guard let entry = entries[key] else { return nil }
        guard entry.expiresAt > clock.now() else {
            entries.removeValue(forKey: key)
            return nil
        }
        return entry.value
    }
}
