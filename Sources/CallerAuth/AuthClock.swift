import Foundation

/// The source of the current time for token validity checks and the JWKS refresh rate limit.
///
/// Tests inject a clock they can move; production uses ``SystemAuthClock``.
public protocol AuthClock: Sendable {
    /// The current wall-clock time.
    func now() -> Date
}

/// The system's wall clock.
public struct SystemAuthClock: AuthClock {
    /// Creates the system clock.
    public init() {}

    public func now() -> Date { Date() }
}
