import Logging

/// Produces the web-identity token exchanged at STS for a role's credentials.
///
/// Implementations: ``ClientCredentialsTokenSource`` (the gateway's own workload token from the IdP),
/// ``TokenFileTokenSource`` (a token projected into a file by ECS or EKS) and ``PassthroughTokenSource``
/// (the caller's own JWT, for per-user CloudTrail attribution).
public protocol WebIdentityTokenSource: Sendable {
    /// Returns a token, fetching or re-reading it when needed.
    ///
    /// - Parameters:
    ///   - context: the request the token is for.
    ///   - logger: the caller's logger.
    /// - Throws: ``WebIdentityTokenError`` when no token can be produced.
    func token(for context: TokenRequestContext, logger: Logger) async throws -> WebIdentityToken

    /// `true` when the token depends on the caller (passthrough): credential cache keys must then include
    /// the caller's subject.
    var isPerCaller: Bool { get }
}
