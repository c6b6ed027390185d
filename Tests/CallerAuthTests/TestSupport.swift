import CallerAuth
import Crypto
import Foundation
import Logging
import NIOConcurrencyHelpers
import _CryptoExtras

/// A clock the test moves by hand.
final class ManualClock: AuthClock {
    private let current: NIOLockedValueBox<Date>

    init(_ start: Date) {
        self.current = NIOLockedValueBox(start)
    }

    func now() -> Date { self.current.withLockedValue { $0 } }

    func advance(by seconds: TimeInterval) {
        self.current.withLockedValue { $0 = $0.addingTimeInterval(seconds) }
    }

    func set(_ date: Date) {
        self.current.withLockedValue { $0 = date }
    }
}

/// A JWKS source that counts fetches and can be changed, slowed down or made to fail.
final class CountingFetcher: JWKSFetcher {
    private struct State {
        var keySet: JSONWebKeySet
        var failure: (any Error & Sendable)?
        var count = 0
    }

    private let state: NIOLockedValueBox<State>
    private let delay: Duration

    init(_ keySet: JSONWebKeySet, delay: Duration = .zero) {
        self.state = NIOLockedValueBox(State(keySet: keySet))
        self.delay = delay
    }

    var fetchCount: Int { self.state.withLockedValue { $0.count } }

    func publish(_ keySet: JSONWebKeySet) {
        self.state.withLockedValue { $0.keySet = keySet }
    }

    func fail(with error: (any Error & Sendable)?) {
        self.state.withLockedValue { $0.failure = error }
    }

    func fetchKeySet(logger: Logger) async throws -> JSONWebKeySet {
        let (keySet, failure) = self.state.withLockedValue { state in
            state.count += 1
            return (state.keySet, state.failure)
        }
        if self.delay > .zero {
            try await Task.sleep(for: self.delay)
        }
        if let failure { throw failure }
        return keySet
    }
}

/// Signing keys generated once per test run (RSA generation is slow in debug builds).
enum TestKeys {
    static let rsa = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let otherRSA = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let ec = P256.Signing.PrivateKey()
    static let otherEC = P256.Signing.PrivateKey()

    static let rsaJWK = try! JSONWebKey(rsaPublicKey: rsa.publicKey, kid: "rsa-1")
    static let ecJWK = JSONWebKey(p256PublicKey: ec.publicKey, kid: "ec-1")
    static var keySet: JSONWebKeySet { JSONWebKeySet(keys: [rsaJWK, ecJWK]) }
}

/// Mints compact JWS tokens in the tests, independently of the verifier's parsing code.
enum TokenMinter {
    static let issuer = "https://idp.example.com/realms/acme"
    static let audience = "genai-gateway"
    /// 2026-11-21T10:00:00Z
    static let epoch = Date(timeIntervalSince1970: 1_795_255_200)

    static func claims(
        exp: TimeInterval = 600,
        extra: [String: Any] = [:],
        removing: Set<String> = []
    ) -> [String: Any] {
        var claims: [String: Any] = [
            "iss": issuer, "aud": audience, "sub": "alice@example.com",
            "iat": epoch.timeIntervalSince1970, "nbf": epoch.timeIntervalSince1970,
            "exp": epoch.timeIntervalSince1970 + exp, "groups": ["support-desk", "genai-users"],
        ]
        for (key, value) in extra { claims[key] = value }
        for key in removing { claims[key] = nil }
        return claims
    }

    static func base64url(_ data: some Sequence<UInt8>) -> String {
        Data(data).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func json(_ object: [String: Any]) -> String {
        base64url(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func rs256(
        _ claims: [String: Any] = claims(),
        kid: String? = "rsa-1",
        key: _RSA.Signing.PrivateKey = TestKeys.rsa,
        header: [String: Any] = [:]
    ) -> String {
        var fields: [String: Any] = ["alg": "RS256", "typ": "JWT"]
        if let kid { fields["kid"] = kid }
        for (name, value) in header { fields[name] = value }
        let input = json(fields) + "." + json(claims)
        let signature = try! key.signature(for: SHA256.hash(data: Data(input.utf8)), padding: .insecurePKCS1v1_5)
        return input + "." + base64url(signature.rawRepresentation)
    }

    static func es256(
        _ claims: [String: Any] = claims(),
        kid: String? = "ec-1",
        key: P256.Signing.PrivateKey = TestKeys.ec,
        alg: String = "ES256"
    ) -> String {
        var fields: [String: Any] = ["alg": alg, "typ": "JWT"]
        if let kid { fields["kid"] = kid }
        let input = json(fields) + "." + json(claims)
        let signature = try! key.signature(for: SHA256.hash(data: Data(input.utf8)))
        return input + "." + base64url(signature.rawRepresentation)
    }

    /// A token with an arbitrary header and a meaningless signature.
    static func unsigned(header: [String: Any], _ claims: [String: Any] = claims(), signature: String = "c2ln") -> String {
        json(header) + "." + json(claims) + "." + signature
    }
}

extension JWTVerifier {
    /// A verifier for the test issuer with a manual clock and a counting fetcher.
    static func testing(
        clock: ManualClock = ManualClock(TokenMinter.epoch),
        fetcher: any JWKSFetcher = CountingFetcher(TestKeys.keySet),
        _ configure: (inout JWTVerifierConfiguration) -> Void = { _ in }
    ) throws -> JWTVerifier {
        var configuration = JWTVerifierConfiguration(issuer: TokenMinter.issuer, audience: TokenMinter.audience)
        configure(&configuration)
        return try JWTVerifier(configuration: configuration, fetcher: fetcher, clock: clock)
    }
}

/// Asserts that no part of `token` (header, payload, signature) leaks into `text`.
func leaksToken(_ text: String, _ token: String) -> Bool {
    if text.contains(token) { return true }
    return token.split(separator: ".").contains { part in part.count >= 8 && text.contains(part) }
}
