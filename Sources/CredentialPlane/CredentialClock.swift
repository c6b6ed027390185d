import Foundation

/// The source of time for the credential plane: wall-clock reads and sleeps.
///
/// Credential expiry is wall-clock time (STS returns an absolute `Expiration`), so the cache compares
/// against ``now()``. Waits (polling the shared cache while another replica calls STS) go through
/// ``sleep(for:)`` so tests can drive both with one injected clock.
public protocol CredentialClock: Sendable {
    /// The current wall-clock time.
    func now() -> Date
    /// Suspends the calling task for `duration`; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The production clock: `Date()` and `Task.sleep`.
public struct SystemCredentialClock: CredentialClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

extension Duration {
    /// The duration in (fractional) seconds, for `Date` arithmetic.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// The duration in whole milliseconds, rounded down.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
