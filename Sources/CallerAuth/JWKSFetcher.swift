import Logging

/// Fetches the IdP's current JSON Web Key Set.
///
/// ``HTTPJWKSFetcher`` is the production implementation. ``JWKSCache`` decides when to call it: at most once
/// per ``JWTVerifierConfiguration/minimumRefreshInterval``, with concurrent callers sharing one fetch.
public protocol JWKSFetcher: Sendable {
    /// Returns the key set as published now.
    ///
    /// Throw an ``AuthError`` (for example ``AuthError/keySetUnavailable``) to control the message; other errors
    /// are wrapped into a key-set-unavailable error that names them.
    func fetchKeySet(logger: Logger) async throws -> JSONWebKeySet
}
