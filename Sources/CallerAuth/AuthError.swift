/// Why a caller's token was refused.
///
/// ``reason`` says which check failed in words a person can act on; it never contains the token. The gateway
/// answers `401 UnrecognizedClientException` with the reason, except for ``isKeySetUnavailable`` failures
/// (the IdP's keys could not be fetched), which are the gateway's problem: `503 ServiceUnavailableException`.
///
/// Compare with the static members to test which check failed; equality ignores the details in ``reason``.
public struct AuthError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case missingToken
        case malformedToken
        case unsupportedAlgorithm
        case issuerMismatch
        case audienceMismatch
        case expired
        case notYetValid
        case issuedInFuture
        case missingClaim
        case unknownKey
        case keyMismatch
        case invalidSignature
        case keySetUnavailable
    }

    private let code: Code
    /// Which check failed and why, for the caller and the logs. Never contains the token.
    public let reason: String

    private init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// No bearer token was presented.
    public static let missingToken = Self(.missingToken, "missing token")
    /// The token is not a well-formed compact JWS with JSON header and claims.
    public static let malformedToken = Self(.malformedToken, "malformed token")
    /// The token's `alg` is not RS256 or ES256.
    public static let unsupportedAlgorithm = Self(.unsupportedAlgorithm, "unsupported algorithm")
    /// `iss` is missing or not the configured issuer.
    public static let issuerMismatch = Self(.issuerMismatch, "issuer mismatch")
    /// `aud` is missing or does not contain the configured audience.
    public static let audienceMismatch = Self(.audienceMismatch, "audience mismatch")
    /// `exp` is in the past (beyond the allowed clock skew).
    public static let expired = Self(.expired, "token expired")
    /// `nbf` is in the future (beyond the allowed clock skew).
    public static let notYetValid = Self(.notYetValid, "token not yet valid")
    /// `iat` is in the future (beyond the allowed clock skew).
    public static let issuedInFuture = Self(.issuedInFuture, "token issued in the future")
    /// A required claim (`exp`, `sub`) is missing.
    public static let missingClaim = Self(.missingClaim, "missing claim")
    /// The token's `kid` is not in the IdP's key set, even after a refresh.
    public static let unknownKey = Self(.unknownKey, "unknown key")
    /// The key named by `kid` cannot verify this token's `alg` (wrong key type or JWK `alg`).
    public static let keyMismatch = Self(.keyMismatch, "key mismatch")
    /// The signature does not verify.
    public static let invalidSignature = Self(.invalidSignature, "invalid signature")
    /// The IdP's key set could not be fetched, so no token can be verified right now.
    public static let keySetUnavailable = Self(.keySetUnavailable, "key set unavailable")

    static func missingToken(_ reason: String) -> Self { Self(.missingToken, reason) }
    static func malformed(_ detail: String) -> Self { Self(.malformedToken, "malformed token: \(detail)") }
    static func unsupportedAlgorithm(_ reason: String) -> Self { Self(.unsupportedAlgorithm, reason) }
    static func issuerMismatch(_ reason: String) -> Self { Self(.issuerMismatch, reason) }
    static func audienceMismatch(_ reason: String) -> Self { Self(.audienceMismatch, reason) }
    static func expired(_ reason: String) -> Self { Self(.expired, reason) }
    static func notYetValid(_ reason: String) -> Self { Self(.notYetValid, reason) }
    static func issuedInFuture(_ reason: String) -> Self { Self(.issuedInFuture, reason) }
    static func missingClaim(_ reason: String) -> Self { Self(.missingClaim, reason) }
    static func unknownKey(_ reason: String) -> Self { Self(.unknownKey, reason) }
    static func keyMismatch(_ reason: String) -> Self { Self(.keyMismatch, reason) }
    static func invalidSignature(_ reason: String) -> Self { Self(.invalidSignature, reason) }
    static func keySetUnavailable(_ reason: String) -> Self { Self(.keySetUnavailable, reason) }

    /// `true` when the failure is the IdP's or the gateway's (keys could not be fetched), not the caller's.
    public var isKeySetUnavailable: Bool { self.code == .keySetUnavailable }

    /// A short, fixed name for the failed check, suitable as a metric label.
    public var shortDescription: String {
        switch self.code {
        case .missingToken: "missingToken"
        case .malformedToken: "malformedToken"
        case .unsupportedAlgorithm: "unsupportedAlgorithm"
        case .issuerMismatch: "issuerMismatch"
        case .audienceMismatch: "audienceMismatch"
        case .expired: "expired"
        case .notYetValid: "notYetValid"
        case .issuedInFuture: "issuedInFuture"
        case .missingClaim: "missingClaim"
        case .unknownKey: "unknownKey"
        case .keyMismatch: "keyMismatch"
        case .invalidSignature: "invalidSignature"
        case .keySetUnavailable: "keySetUnavailable"
        }
    }

    public var description: String { self.reason }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
