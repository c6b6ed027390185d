import CallerAuth
import Crypto
import Foundation
import Testing
import _CryptoExtras

/// Every way a token is refused, with the exact reason the caller gets back.
struct RejectionTests {
    /// Verifies `token` and returns the error, failing the test if the token was accepted or the reason
    /// quotes the token.
    private func rejection(
        _ token: String,
        verifier: JWTVerifier? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> AuthError {
        let verifier = try verifier ?? JWTVerifier.testing()
        do throws(AuthError) {
            _ = try await verifier.verify(token)
        } catch {
            #expect(!leaksToken(error.reason, token), "reason quotes the token", sourceLocation: sourceLocation)
            #expect(!leaksToken(error.description, token), sourceLocation: sourceLocation)
            return error
        }
        Issue.record("token was accepted", sourceLocation: sourceLocation)
        return .malformedToken
    }

    @Test func algNoneIsRefused() async throws {
        let error = try await rejection(TokenMinter.unsigned(header: ["alg": "none", "typ": "JWT"], signature: ""))
        #expect(error == .unsupportedAlgorithm)
        #expect(error.reason == "alg 'none' is not accepted; use RS256 or ES256")
    }

    @Test(arguments: ["HS256", "RS384", "RS512", "PS256", "ES384", "ES512", "EdDSA", "NONE", "rs256"])
    func everyOtherAlgorithmIsRefused(alg: String) async throws {
        let error = try await rejection(TokenMinter.unsigned(header: ["alg": alg, "kid": "rsa-1"]))
        #expect(error == .unsupportedAlgorithm)
        #expect(error.reason == "alg '\(alg)' is not accepted; use RS256 or ES256")
    }

    @Test func hmacSignedWithThePublicKeyIsRefused() async throws {
        // The classic key-confusion attack: HS256 keyed with the RSA public key's bytes.
        let header = TokenMinter.json(["alg": "HS256", "kid": "rsa-1"])
        let input = header + "." + TokenMinter.json(TokenMinter.claims())
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data(input.utf8),
            using: SymmetricKey(data: Data(TestKeys.rsa.publicKey.pemRepresentation.utf8))
        )
        let error = try await rejection(input + "." + TokenMinter.base64url(mac))
        #expect(error.reason == "alg 'HS256' is not accepted; use RS256 or ES256")
    }

    @Test func expiryIsEnforcedWithSixtySecondsOfSkew() async throws {
        let clock = ManualClock(TokenMinter.epoch)
        let verifier = try JWTVerifier.testing(clock: clock) { $0.tokenCacheCapacity = 0 }
        let token = TokenMinter.rs256(TokenMinter.claims(exp: 600))
        clock.advance(by: 600 + 59)
        #expect(try await verifier.verify(token).subject == "alice@example.com")
        clock.advance(by: 1)
        let error = try await rejection(token, verifier: verifier)
        #expect(error == .expired)
        #expect(
            error.reason == "token expired at 2026-11-21T10:10:00Z (now 2026-11-21T10:11:00Z, allowed clock skew 60 s)"
        )
    }

    @Test func aSmallerSkewCanBeConfigured() async throws {
        let clock = ManualClock(TokenMinter.epoch)
        let verifier = try JWTVerifier.testing(clock: clock) {
            $0.maxClockSkew = .seconds(5)
            $0.tokenCacheCapacity = 0
        }
        let token = TokenMinter.rs256(TokenMinter.claims(exp: 600))
        clock.advance(by: 604)
        _ = try await verifier.verify(token)
        clock.advance(by: 1)
        let error = try await rejection(token, verifier: verifier)
        #expect(
            error.reason == "token expired at 2026-11-21T10:10:00Z (now 2026-11-21T10:10:05Z, allowed clock skew 5 s)"
        )
    }

    @Test func notBeforeAndIssuedAtAreHonouredWithSkew() async throws {
        let clock = ManualClock(TokenMinter.epoch)
        let verifier = try JWTVerifier.testing(clock: clock)
        let start = TokenMinter.epoch.timeIntervalSince1970

        let nbfSoon = TokenMinter.rs256(TokenMinter.claims(extra: ["nbf": start + 60]))
        #expect(try await verifier.verify(nbfSoon).subject == "alice@example.com")
        let nbfLater = TokenMinter.rs256(TokenMinter.claims(extra: ["nbf": start + 61]))
        let notYet = try await rejection(nbfLater, verifier: verifier)
        #expect(notYet == .notYetValid)
        #expect(
            notYet.reason
                == "token is not valid before 2026-11-21T10:01:01Z (now 2026-11-21T10:00:00Z, allowed clock skew 60 s)"
        )

        let future = try await rejection(
            TokenMinter.rs256(TokenMinter.claims(extra: ["iat": start + 3600])),
            verifier: verifier
        )
        #expect(future == .issuedInFuture)
        #expect(
            future.reason
                == "token was issued in the future, at 2026-11-21T11:00:00Z (now 2026-11-21T10:00:00Z, allowed clock skew 60 s); check the IdP's clock"
        )
    }

    @Test func expIsRequired() async throws {
        let error = try await rejection(TokenMinter.rs256(TokenMinter.claims(removing: ["exp"])))
        #expect(error == .missingClaim)
        #expect(error.reason == "the token has no 'exp' claim; tokens without an expiry are not accepted")
    }

    @Test func theIssuerMustMatchExactly() async throws {
        let wrong = try await rejection(TokenMinter.rs256(TokenMinter.claims(extra: ["iss": "https://evil.example"])))
        #expect(wrong == .issuerMismatch)
        #expect(
            wrong.reason
                == "issuer 'https://evil.example' is not the configured issuer 'https://idp.example.com/realms/acme'"
        )
        let slash = try await rejection(
            TokenMinter.rs256(TokenMinter.claims(extra: ["iss": TokenMinter.issuer + "/"]))
        )
        #expect(slash == .issuerMismatch)
        let missing = try await rejection(TokenMinter.rs256(TokenMinter.claims(removing: ["iss"])))
        #expect(missing.reason == "the token has no 'iss' claim; expected 'https://idp.example.com/realms/acme'")
    }

    @Test func theAudienceMustContainTheInboundAudience() async throws {
        let list = try await rejection(
            TokenMinter.rs256(TokenMinter.claims(extra: ["aud": ["account", "other-app"]]))
        )
        #expect(list == .audienceMismatch)
        #expect(list.reason == "audience ['account', 'other-app'] does not contain 'genai-gateway'")
        let single = try await rejection(TokenMinter.rs256(TokenMinter.claims(extra: ["aud": "genai-gateway-dev"])))
        #expect(single.reason == "audience ['genai-gateway-dev'] does not contain 'genai-gateway'")
        let missing = try await rejection(TokenMinter.rs256(TokenMinter.claims(removing: ["aud"])))
        #expect(missing.reason == "the token has no 'aud' claim; it must contain 'genai-gateway'")
    }

    @Test func theSubjectIsRequired() async throws {
        let error = try await rejection(TokenMinter.rs256(TokenMinter.claims(removing: ["sub"])))
        #expect(error == .missingClaim)
        #expect(error.reason == "the token has no 'sub' claim identifying the caller")
    }

    @Test func alteredTokensAndForeignSignaturesFail() async throws {
        // Payload swapped after signing (groups elevated).
        let token = TokenMinter.rs256()
        let parts = token.split(separator: ".")
        let elevated = TokenMinter.json(TokenMinter.claims(extra: ["groups": ["admins"]]))
        let altered = try await rejection("\(parts[0]).\(elevated).\(parts[2])")
        #expect(altered == .invalidSignature)
        #expect(
            altered.reason
                == "the signature does not verify with key 'rsa-1' (RS256); the token was altered or signed by another key"
        )
        // Signed by a different key under a published kid.
        let foreign = try await rejection(TokenMinter.rs256(key: TestKeys.otherRSA))
        #expect(foreign == .invalidSignature)
        let foreignEC = try await rejection(TokenMinter.es256(key: TestKeys.otherEC))
        #expect(foreignEC.reason.hasPrefix("the signature does not verify with key 'ec-1' (ES256)"))
        // Truncated and empty signatures.
        let signature = try #require(Data(base64Encoded: String(parts[2]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=="))
        let truncated = try await rejection("\(parts[0]).\(parts[1]).\(TokenMinter.base64url(signature.dropLast(3)))")
        #expect(truncated == .invalidSignature)
        let empty = try await rejection("\(parts[0]).\(parts[1]).")
        #expect(empty.reason == "malformed token: the signature part is empty")
    }

    @Test func theKeyMustSuitTheAlgorithm() async throws {
        let rsWithECKey = try await rejection(TokenMinter.rs256(kid: "ec-1"))
        #expect(rsWithECKey == .keyMismatch)
        #expect(rsWithECKey.reason == "key 'ec-1' is an EC P-256 key, which cannot verify RS256")
        let esWithRSAKey = try await rejection(TokenMinter.es256(kid: "rsa-1"))
        #expect(esWithRSAKey.reason == "key 'rsa-1' is an RSA-2048 key, which cannot verify ES256")

        var declared = TestKeys.rsaJWK
        declared.kid = "rsa-384"
        declared.alg = "RS384"
        let verifier = try JWTVerifier.testing(fetcher: CountingFetcher(JSONWebKeySet(keys: [declared])))
        let error = try await rejection(TokenMinter.rs256(kid: "rsa-384"), verifier: verifier)
        #expect(error.reason == "key 'rsa-384' is published for RS384, but the token says RS256")
    }

    @Test func anUnknownKidSaysWhenTheNextRefreshIsAllowed() async throws {
        let clock = ManualClock(TokenMinter.epoch)
        let verifier = try JWTVerifier.testing(clock: clock)
        _ = try await verifier.verify(TokenMinter.rs256())
        clock.advance(by: 3)
        let error = try await rejection(TokenMinter.rs256(kid: "k9"), verifier: verifier)
        #expect(error == .unknownKey)
        #expect(!error.isKeySetUnavailable)
        #expect(error.reason == "unknown key id 'k9' (JWKS refreshed 3 s ago; next refresh allowed in 27 s)")
    }

    @Test func malformedTokensSayWhatIsWrong() async throws {
        let good = TokenMinter.rs256()
        let parts = good.split(separator: ".").map(String.init)
        let cases: [(String, String)] = [
            ("abc", "malformed token: expected a compact JWS of 3 base64url parts separated by '.', found 1"),
            ("a.b", "malformed token: expected a compact JWS of 3 base64url parts separated by '.', found 2"),
            ("a.b.c.d", "malformed token: expected a compact JWS of 3 base64url parts separated by '.', found 4"),
            ("a.b.c.d.e", "malformed token: the token has 5 parts, an encrypted JWE; a signed JWS (header.payload.signature) is required"),
            ("a.b.c.d.e.f.g", "malformed token: expected a compact JWS of 3 base64url parts separated by '.', found more than 5"),
            ("\(parts[0])=.\(parts[1]).\(parts[2])", "malformed token: the header part is not base64url"),
            ("\(TokenMinter.base64url(Array("not json".utf8))).\(parts[1]).\(parts[2])", "malformed token: the header is not a JSON object with a string 'alg'"),
            ("\(TokenMinter.json(["alg": 256])).\(parts[1]).\(parts[2])", "malformed token: the header is not a JSON object with a string 'alg'"),
            ("\(TokenMinter.json(["alg": "RS256", "crit": ["exp"], "exp": 1])).\(parts[1]).\(parts[2])", "malformed token: the header marks extensions as critical ('exp'), which this verifier does not support"),
            ("\(TokenMinter.json(["alg": "RS256", "kid": 5])).\(parts[1]).\(parts[2])", "malformed token: the header's 'kid' must be a string"),
            ("\(parts[0]).\(parts[1])*.\(parts[2])", "malformed token: the payload part is not base64url"),
            ("\(parts[0]).\(parts[1]).\(parts[2])+", "malformed token: the signature part is not base64url"),
            ("\(parts[0]).\(parts[1]).AB", "malformed token: the signature part is not base64url"),
            ("\(parts[0]).\(parts[1]).A", "malformed token: the signature part is not base64url"),
            ("\(parts[0]).\(TokenMinter.base64url(Array("[1,2]".utf8))).\(parts[2])", "malformed token: the payload is not a JSON object"),
            ("\(parts[0]).\(TokenMinter.json(TokenMinter.claims(extra: ["iss": 7]))).\(parts[2])", "malformed token: claim 'iss' must be a string"),
            ("\(parts[0]).\(TokenMinter.json(TokenMinter.claims(extra: ["exp": "tomorrow"]))).\(parts[2])", "malformed token: claim 'exp' must be a number of seconds since 1970 (NumericDate)"),
            ("\(parts[0]).\(TokenMinter.json(TokenMinter.claims(extra: ["aud": [1, 2]]))).\(parts[2])", "malformed token: claim 'aud' must be a string or an array of strings"),
            ("\(parts[0]).\(TokenMinter.json(TokenMinter.claims(extra: ["groups": ["ok", 3]]))).\(parts[2])", "malformed token: claim 'groups' must be a string or an array of strings"),
            (good + String(repeating: "A", count: 16 * 1024), "malformed token: the token is \(good.utf8.count + 16 * 1024) bytes; the limit is 16384"),
        ]
        for (token, reason) in cases {
            let error = try await rejection(token)
            #expect(error.reason == reason, "\(token.prefix(40))")
        }
        let empty = try await rejection("")
        #expect(empty == .missingToken)
    }

    @Test func hostileClaimValuesAreNotEchoedVerbatim() async throws {
        let hostile = "https://evil.example\n2026-11-21 level=info msg=\"forged\"" + String(repeating: "x", count: 500)
        let error = try await rejection(TokenMinter.rs256(TokenMinter.claims(extra: ["iss": hostile])))
        #expect(!error.reason.contains("\n"))
        #expect(error.reason.count < 300)
    }
}
