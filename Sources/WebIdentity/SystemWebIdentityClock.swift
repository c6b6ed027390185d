import Foundation

/// The system wall clock.
public struct SystemWebIdentityClock: WebIdentityClock {
    /// Creates the clock.
    public init() {}

    /// `Date()`.
    public func now() -> Date { Date() }
}
