import Foundation

/// The timing rules of the cache, in seconds.
///
/// - A credential is never handed out within `expiryMargin` (60 s by default) of its expiry.
/// - A background refresh starts `max(refreshLead, refreshLeadFraction × lifetime)` before expiry: at the
///   latest 5 minutes or 20% of the lifetime before it, whichever is earlier. For a 1-hour credential that
///   is 12 minutes before expiry; for a 15-minute credential, 5 minutes before.
/// - A credential whose lifetime is too short for that lead (STS never issues one, but a skewed clock or an STS
///   stand-in can) refreshes halfway through its usable window instead, never at the moment it is issued: a
///   credential that is due as soon as it arrives would make every lookup start another STS call.
struct CredentialTiming: Sendable {
    var expiryMargin: TimeInterval
    var refreshLead: TimeInterval
    var refreshLeadFraction: Double

    func refreshInstant(issuedAt: Date, expiration: Date) -> Date {
        let lifetime = max(0, expiration.timeIntervalSince(issuedAt))
        let lead = max(refreshLead, refreshLeadFraction * lifetime)
        // Never later than the end of the usable window, so short-lived credentials still refresh ahead...
        let planned = min(expiration.addingTimeInterval(-lead), expiration.addingTimeInterval(-expiryMargin))
        // ...and never earlier than halfway through it, so a new credential is not already due.
        let usable = lifetime - expiryMargin
        return usable > 0 ? max(planned, issuedAt.addingTimeInterval(usable / 2)) : planned
    }
}
