import AWSSigning
import Foundation

/// A credential with the instants that govern its use: when it was issued, when to refresh it, and until
/// when it may be handed out.
struct CachedCredential: Sendable, Equatable {
    var credential: AWSCredential
    /// When STS issued it (when the fetch returned); shared through the L2 entry so that every replica
    /// computes the same refresh instant.
    var issuedAt: Date
    /// When STS says it expires.
    var expiration: Date
    /// From this instant on, a lookup schedules a background refresh.
    var refreshAt: Date
    /// After this instant it is never handed out.
    var usableUntil: Date

    init(credential: AWSCredential, issuedAt: Date, expiration: Date, timing: CredentialTiming) {
        var credential = credential
        credential.expiration = expiration
        self.credential = credential
        self.issuedAt = issuedAt
        self.expiration = expiration
        self.usableUntil = expiration.addingTimeInterval(-timing.expiryMargin)
        self.refreshAt = timing.refreshInstant(issuedAt: issuedAt, expiration: expiration)
    }

    func isUsable(at now: Date) -> Bool { now < usableUntil }

    func isFresh(at now: Date) -> Bool { now < refreshAt }
}
