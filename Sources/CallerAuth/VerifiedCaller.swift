import Foundation

/// The identity in a verified caller token.
///
/// The raw ``token`` is kept for forwarding decisions (it is never sent upstream) and never appears in
/// ``description``, `debugDescription` or `dump` output.
public struct VerifiedCaller: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// `sub`: the caller's stable identifier at the IdP.
    public var subject: String
    /// `iss`: the issuer (always the configured one).
    public var issuer: String
    /// `aud`, as a list even when the token carries a single string.
    public var audience: [String]
    /// The groups claim (named by ``JWTVerifierConfiguration/groupsClaim``); empty when the token has none.
    public var groups: [String]
    /// `exp`: the instant the token stops being valid.
    public var expiresAt: Date
    /// The raw compact JWS. Treat as a secret.
    public var token: String

    /// Creates a verified caller.
    public init(subject: String, issuer: String, audience: [String], groups: [String], expiresAt: Date, token: String) {
        self.subject = subject
        self.issuer = issuer
        self.audience = audience
        self.groups = groups
        self.expiresAt = expiresAt
        self.token = token
    }

    public var description: String {
        "VerifiedCaller(subject: \(self.subject), issuer: \(self.issuer), audience: \(self.audience), groups: \(self.groups), expiresAt: \(Timestamp.iso8601(self.expiresAt)))"
    }

    public var debugDescription: String { self.description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "subject": self.subject, "issuer": self.issuer, "audience": self.audience, "groups": self.groups,
                "expiresAt": self.expiresAt, "token": "<redacted>",
            ],
            displayStyle: .struct
        )
    }
}
