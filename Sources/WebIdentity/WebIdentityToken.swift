import Foundation

/// A web-identity token (an OIDC ID token or an OAuth2 access token in JWT form) to exchange at STS.
///
/// The claims are read from the JWT payload **without verifying its signature**: they are only used to
/// name the token in errors and logs (`iss`, `aud`, `sub`) and to know when it expires. STS verifies the
/// token. Neither `description`, `debugDescription` nor the reflection `dump` shows ``value``.
///
/// ```swift
/// let token = WebIdentityToken(value: jwt)
/// print(token)   // WebIdentityToken(iss: https://idp.example.com, sub: gateway, aud: [genai-gateway], exp: …)
/// ```
public struct WebIdentityToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The compact-serialised token sent to STS. Secret: never log or print it.
    public let value: String
    /// The unverified `sub` claim.
    public var subject: String?
    /// The unverified `iss` claim.
    public var issuer: String?
    /// The unverified `aud` claim (a single string audience becomes a one-element array).
    public var audience: [String]
    /// The unverified `exp` claim.
    public var expiresAt: Date?
    /// The unverified `iat` claim.
    public var issuedAt: Date?

    /// Wraps `value` and fills the claims from its JWT payload, without verifying it.
    ///
    /// A value that is not a JWT (an opaque token) is kept as is, with no claims.
    public init(value: String) {
        self.value = value
        let claims = JWTPayloadClaims(compactJWT: value)
        self.subject = claims?.sub
        self.issuer = claims?.iss
        self.audience = claims?.aud ?? []
        self.expiresAt = claims?.exp.map { Date(timeIntervalSince1970: $0) }
        self.issuedAt = claims?.iat.map { Date(timeIntervalSince1970: $0) }
    }

    /// Wraps `value` with claims the caller already has (for example from its own JWT validation).
    public init(
        value: String,
        subject: String?,
        issuer: String?,
        audience: [String],
        expiresAt: Date?,
        issuedAt: Date? = nil
    ) {
        self.value = value
        self.subject = subject
        self.issuer = issuer
        self.audience = audience
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
    }

    /// The claims STS matches against a role's trust policy, as `iss=… aud=… sub=…`, for error messages.
    public var claimsSummary: String {
        let aud = audience.isEmpty ? "-" : audience.joined(separator: ",")
        return "iss=\(issuer ?? "-") aud=\(aud) sub=\(subject ?? "-")"
    }

    /// The claims and the token's length, never its value.
    public var description: String {
        var text = "WebIdentityToken(iss: \(issuer ?? "nil"), sub: \(subject ?? "nil"), aud: \(audience)"
        if let expiresAt { text += ", exp: \(expiresAt)" }
        return text + ", value: <redacted \(value.utf8.count) bytes>)"
    }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// The claims, with the value redacted, for `dump` and debuggers.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "subject": subject as Any, "issuer": issuer as Any, "audience": audience,
                "expiresAt": expiresAt as Any, "value": "<redacted>",
            ],
            displayStyle: .struct
        )
    }
}
