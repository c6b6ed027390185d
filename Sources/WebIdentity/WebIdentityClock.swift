import Foundation

/// The wall clock token sources compare expiry times against; tests inject a manual one.
public protocol WebIdentityClock: Sendable {
    /// The current time.
    func now() -> Date
}
