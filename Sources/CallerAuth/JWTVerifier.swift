import AsyncHTTPClient
import Foundation
import Logging

/// Verifies callers' OIDC JWTs (`Authorization: Bearer <JWT>`) against the IdP's published keys.
///
/// A token is accepted when all of these hold:
/// - it is a compact JWS whose `alg` is RS256 or ES256 (every other algorithm, `none` included, is refused);
/// - `iss` equals the configured issuer and `aud` (string or array) contains the configured audience;
/// - `exp` is present and not past, `nbf` and `iat` (when present) are not in the future, each with the
///   configured clock skew (at most 60 s);
/// - `sub` is present;
/// - the signature verifies with the JWKS key named by `kid`. An unknown `kid` triggers one JWKS refresh,
///   at most once per refresh interval (see ``JWKSCache``).
///
/// Verified tokens are cached until they expire, so repeat calls cost a hash, a lookup and one comparison.
///
/// ```swift
/// let verifier = try JWTVerifier(
///     configuration: JWTVerifierConfiguration(issuer: "https://idp.example.com", audience: "genai-gateway")
/// )
/// let caller = try await verifier.verify(token)
/// caller.groups   // ["support-agents"]
/// ```
public final class JWTVerifier: Sendable {
    /// The rules tokens are checked against.
    public let configuration: JWTVerifierConfiguration
    /// The IdP's keys.
    public let keys: JWKSCache
    private let clock: any AuthClock
    private let tokenCache: VerifiedTokenCache
    private let skew: TimeInterval

    /// Creates a verifier that fetches keys through `fetcher`.
    ///
    /// - Parameters:
    ///   - configuration: Issuer, audience and the other rules; validated here.
    ///   - fetcher: Where the JWKS comes from (``HTTPJWKSFetcher`` in production).
    ///   - clock: The time source for validity checks and refresh rate limiting.
    ///   - logger: Receives JWKS refresh events (debug) and fetch failures (warning).
    /// - Throws: ``JWTVerifierConfigurationError`` listing every problem with `configuration`.
    public init(
        configuration: JWTVerifierConfiguration,
        fetcher: any JWKSFetcher,
        clock: any AuthClock = SystemAuthClock(),
        logger: Logger = Logger(label: "gateway.caller-auth", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(JWTVerifierConfigurationError) {
        let problems = configuration.problems()
        guard problems.isEmpty else {
            throw JWTVerifierConfigurationError(problems: problems)
        }
        self.configuration = configuration
        self.clock = clock
        self.skew = configuration.maxClockSkew.timeInterval
        self.tokenCache = VerifiedTokenCache(capacity: configuration.tokenCacheCapacity)
        self.keys = JWKSCache(
            fetcher: fetcher,
            clock: clock,
            minimumRefreshInterval: configuration.minimumRefreshInterval,
            maximumKeySetAge: configuration.maximumKeySetAge,
            logger: logger
        )
    }

    /// Creates a verifier that fetches keys over HTTP: from ``JWTVerifierConfiguration/jwksURL``, or by OIDC
    /// discovery of the issuer.
    public convenience init(
        configuration: JWTVerifierConfiguration,
        httpClient: HTTPClient = .shared,
        clock: any AuthClock = SystemAuthClock(),
        logger: Logger = Logger(label: "gateway.caller-auth", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(JWTVerifierConfigurationError) {
        try self.init(
            configuration: configuration,
            fetcher: HTTPJWKSFetcher(configuration: configuration, httpClient: httpClient),
            clock: clock,
            logger: logger
        )
    }

    /// Verifies `token` (the JWT itself, without `Bearer `) and returns who is calling.
    ///
    /// - Throws: ``AuthError`` whose ``AuthError/reason`` names the failed check.
    public func verify(_ token: String) async throws(AuthError) -> VerifiedCaller {
        let cacheKey = VerifiedTokenCache.key(for: token)
        if let cached = self.tokenCache.lookup(cacheKey, token: token, now: self.clock.now()) {
            return cached
        }
        let jws = try CompactJWS(token, maximumLength: self.configuration.maximumTokenLength)
        let claims = try JWTClaims(json: jws.payload, groupsClaim: self.configuration.groupsClaim)
        let caller = try self.check(claims, token: token)

        let entry: JWKSCache.Entry
        if let loaded = self.keys.loadedKey(for: jws.header.kid, algorithm: jws.algorithm) {
            entry = loaded
        } else {
            entry = try await self.keys.key(for: jws.header.kid, algorithm: jws.algorithm)
        }
        var keyName: String { entry.kid.map { "'\(Sanitize.quoted($0))'" } ?? "(no kid)" }
        guard entry.key.algorithm == jws.algorithm else {
            throw .keyMismatch(
                "key \(keyName) is \(entry.key.kindDescription), which cannot verify \(jws.algorithm.rawValue)"
            )
        }
        if let declared = entry.declaredAlgorithm, declared != jws.algorithm.rawValue {
            throw .keyMismatch(
                "key \(keyName) is published for \(Sanitize.quoted(declared)), but the token says \(jws.algorithm.rawValue)"
            )
        }
        guard entry.key.isValidSignature(jws.signature, for: jws.signingInput) else {
            throw .invalidSignature(
                "the signature does not verify with key \(keyName) (\(jws.algorithm.rawValue)); the token was altered or signed by another key"
            )
        }
        self.tokenCache.insert(caller, key: cacheKey)
        return caller
    }

    /// Fetches the IdP's keys if none are loaded yet; for readiness checks.
    ///
    /// - Throws: ``AuthError`` (``AuthError/isKeySetUnavailable``) when no usable key could be loaded.
    public func prefetchKeys() async throws(AuthError) {
        try await self.keys.prefetch()
    }

    /// Number of verified tokens currently cached.
    public var cachedTokenCount: Int { self.tokenCache.count }

    private func check(_ claims: JWTClaims, token: String) throws(AuthError) -> VerifiedCaller {
        let expected = self.configuration.issuer
        guard let issuer = claims.issuer else {
            throw .issuerMismatch("the token has no 'iss' claim; expected '\(expected)'")
        }
        guard issuer == expected else {
            throw .issuerMismatch("issuer '\(Sanitize.quoted(issuer))' is not the configured issuer '\(expected)'")
        }
        let now = self.clock.now()
        // Only formatted when a check fails.
        var nowText: String { Timestamp.iso8601(now) }
        var skewText: String { Timestamp.seconds(self.skew) }
        guard let exp = claims.expiresAt else {
            throw .missingClaim("the token has no 'exp' claim; tokens without an expiry are not accepted")
        }
        let expiresAt = Date(timeIntervalSince1970: exp)
        guard now.timeIntervalSince(expiresAt) < self.skew else {
            throw .expired(
                "token expired at \(Timestamp.iso8601(expiresAt)) (now \(nowText), allowed clock skew \(skewText))"
            )
        }
        if let nbf = claims.notBefore {
            let notBefore = Date(timeIntervalSince1970: nbf)
            guard notBefore.timeIntervalSince(now) <= self.skew else {
                throw .notYetValid(
                    "token is not valid before \(Timestamp.iso8601(notBefore)) (now \(nowText), allowed clock skew \(skewText))"
                )
            }
        }
        if let iat = claims.issuedAt {
            let issuedAt = Date(timeIntervalSince1970: iat)
            guard issuedAt.timeIntervalSince(now) <= self.skew else {
                throw .issuedInFuture(
                    "token was issued in the future, at \(Timestamp.iso8601(issuedAt)) (now \(nowText), allowed clock skew \(skewText)); check the IdP's clock"
                )
            }
        }
        let audience = self.configuration.audience
        guard let audiences = claims.audience else {
            throw .audienceMismatch("the token has no 'aud' claim; it must contain '\(audience)'")
        }
        guard audiences.contains(audience) else {
            let listed = audiences.prefix(10).map { "'\(Sanitize.quoted($0))'" }.joined(separator: ", ")
            throw .audienceMismatch(
                "audience [\(listed)\(audiences.count > 10 ? ", …" : "")] does not contain '\(audience)'"
            )
        }
        guard let subject = claims.subject, !subject.isEmpty else {
            throw .missingClaim("the token has no 'sub' claim identifying the caller")
        }
        return VerifiedCaller(
            subject: subject,
            issuer: issuer,
            audience: audiences,
            groups: claims.groups,
            expiresAt: expiresAt,
            token: token
        )
    }
}
