import AsyncHTTPClient
import CallerAuth
import Foundation
import Logging
import NIOCore
import Testing

/// Tokens minted by Python's joserfc, keys served over HTTP by a local Python issuer, verified by the Swift
/// verifier through the real HTTP fetcher (OIDC discovery and a configured JWKS URL).
@Suite(.serialized)
struct IssuerCrossCheckTests {
    private static func withIssuer(_ body: (LocalIssuer) async throws -> Void) async throws {
        let issuer = try await LocalIssuer.start(audience: "genai-gateway")
        do {
            try await body(issuer)
        } catch {
            await issuer.stop()
            throw error
        }
        await issuer.stop()
    }

    private static func requestCounts(_ issuer: LocalIssuer) async throws -> [String: Int] {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: issuer.announcement.issuer + "/stats"),
            timeout: .seconds(10)
        )
        let body = try await response.body.collect(upTo: 1 << 16)
        return try JSONDecoder().decode([String: Int].self, from: Data(buffer: body))
    }

    @Test func joserfcTokensVerifyThroughOIDCDiscovery() async throws {
        try await Self.withIssuer { issuer in
            let announced = issuer.announcement
            let verifier = try JWTVerifier(
                configuration: JWTVerifierConfiguration(issuer: announced.issuer, audience: "genai-gateway")
            )
            try await verifier.prefetchKeys()
            #expect(await verifier.keys.keyIDs == ["rsa-1", "ec-1"])

            let alice = try await verifier.verify(try #require(announced.tokens["rs256"]))
            #expect(alice.subject == "alice@example.com")
            #expect(alice.groups == ["support-desk", "genai-users"])
            #expect(alice.audience == ["genai-gateway"])

            let bob = try await verifier.verify(try #require(announced.tokens["es256"]))
            #expect(bob.subject == "bob@example.com")
            #expect(bob.groups == ["ops"])
            #expect(bob.audience == ["other-app", "genai-gateway"])

            let counts = try await Self.requestCounts(issuer)
            #expect(counts["/.well-known/openid-configuration"] == 1)
            #expect(counts["/jwks"] == 1)
        }
    }

    @Test func joserfcTokensThatMustFailAreRefused() async throws {
        try await Self.withIssuer { issuer in
            let announced = issuer.announcement
            let verifier = try JWTVerifier(
                configuration: JWTVerifierConfiguration(
                    issuer: announced.issuer,
                    audience: "genai-gateway",
                    jwksURL: announced.jwks_url
                )
            )
            let expectations: [(String, AuthError, String?)] = [
                ("none", .unsupportedAlgorithm, "alg 'none' is not accepted; use RS256 or ES256"),
                ("hs256", .unsupportedAlgorithm, "alg 'HS256' is not accepted; use RS256 or ES256"),
                ("rs256_wrong_audience", .audienceMismatch, "audience ['someone-else'] does not contain 'genai-gateway'"),
                ("rs256_expired", .expired, nil),
                ("rs256_unpublished_key", .unknownKey, nil),
                ("es256_signed_by_rsa_kid", .keyMismatch, "key 'rsa-1' is an RSA-2048 key, which cannot verify ES256"),
            ]
            for (name, expected, reason) in expectations {
                let token = try #require(announced.tokens[name])
                do throws(AuthError) {
                    _ = try await verifier.verify(token)
                    Issue.record("\(name) was accepted")
                } catch {
                    #expect(error == expected, "\(name): \(error.reason)")
                    if let reason { #expect(error.reason == reason, "\(name)") }
                    #expect(!leaksToken(error.reason, token))
                }
            }
            // The configured JWKS URL was used: no discovery request.
            let counts = try await Self.requestCounts(issuer)
            #expect(counts["/.well-known/openid-configuration"] == nil)
            #expect(counts["/jwks"] == 1)
        }
    }

    @Test func anIdPAnsweringWithErrorsMakesTheKeySetUnavailable() async throws {
        try await Self.withIssuer { issuer in
            let broken = issuer.announcement.issuer + "/broken"
            let verifier = try JWTVerifier(
                configuration: JWTVerifierConfiguration(issuer: broken, audience: "genai-gateway")
            )
            do throws(AuthError) {
                try await verifier.prefetchKeys()
                Issue.record("prefetch succeeded against a failing IdP")
            } catch {
                #expect(error.isKeySetUnavailable)
                #expect(
                    error.reason
                        == "could not fetch the OIDC discovery document from \(broken)/.well-known/openid-configuration: HTTP 503 Service Unavailable"
                )
            }

            // Discovery naming a different issuer is refused (OIDC Discovery §4.3).
            let impostor = HTTPJWKSFetcher(issuer: issuer.announcement.issuer + "/")
            do {
                _ = try await impostor.fetchKeySet(logger: .init(label: "test"))
                Issue.record("a discovery document for another issuer was accepted")
            } catch let error as AuthError {
                #expect(error.reason.contains("names issuer '\(issuer.announcement.issuer)', not the configured '\(issuer.announcement.issuer)/'"))
            }
        }
    }
}
