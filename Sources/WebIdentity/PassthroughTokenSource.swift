import Logging

/// Exchanges the caller's own validated JWT at STS, so CloudTrail names the end user.
///
/// The role's trust policy must then accept the end users' tokens (their `aud`), and credential cache
/// keys must include the caller's subject (``isPerCaller`` is `true`).
public struct PassthroughTokenSource: WebIdentityTokenSource {
    /// Creates the source; it has no configuration.
    public init() {}

    /// Always `true`: the token is the caller's.
    public var isPerCaller: Bool { true }

    /// Returns ``TokenRequestContext/callerToken``.
    ///
    /// - Throws: ``WebIdentityTokenError`` with code `NoCallerToken` when the request carries none.
    public func token(for context: TokenRequestContext, logger: Logger) async throws -> WebIdentityToken {
        guard let token = context.callerToken else {
            throw WebIdentityTokenError.noCallerToken()
        }
        return token
    }
}
