import GatewayCore
import Logging
import WebIdentity

/// A caller whose bearer token passed every check.
public struct AuthenticatedCaller: Sendable {
    /// The token's `sub`, for audit logs.
    public var subject: String?
    /// The caller's groups, from the configured groups claim.
    public var groups: [String]
    /// The verified token, for use cases whose web-identity source is the caller's own token (passthrough).
    public var token: WebIdentityToken

    /// Creates a caller.
    public init(subject: String?, groups: [String], token: WebIdentityToken) {
        self.subject = subject
        self.groups = groups
        self.token = token
    }
}

/// Verifies the bearer token of an inbound request (the seam between the HTTP layer and JWT verification).
public protocol CallerAuthenticator: Sendable {
    /// Verifies `bearerToken` (the text after `Bearer `).
    ///
    /// - Throws: 401 ``GatewayError/unauthenticated(_:reason:)`` saying which check failed; 503 when the IdP's keys
    ///   cannot be fetched.
    func authenticate(bearerToken: String, logger: Logger) async throws(GatewayError) -> AuthenticatedCaller

    /// Whether the verifier is ready to verify tokens (the IdP's keys were fetched), for `GET /ready`.
    func isReady() async -> Bool
}
