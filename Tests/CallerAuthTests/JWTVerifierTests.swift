import CallerAuth
import Crypto
import Foundation
import Testing
import _CryptoExtras

struct JWTVerifierTests {
    @Test func acceptsAnRS256TokenAndExposesItsClaims() async throws {
        let verifier = try JWTVerifier.testing()
        let token = TokenMinter.rs256()
        let caller = try await verifier.verify(token)
        #expect(caller.subject == "alice@example.com")
        #expect(caller.issuer == TokenMinter.issuer)
        #expect(caller.audience == ["genai-gateway"])
        #expect(caller.groups == ["support-desk", "genai-users"])
        #expect(caller.expiresAt == TokenMinter.epoch.addingTimeInterval(600))
        #expect(caller.token == token)
    }

    @Test func acceptsAnES256TokenWithAnAudienceListAndASingleGroupString() async throws {
        let verifier = try JWTVerifier.testing()
        let token = TokenMinter.es256(
            TokenMinter.claims(extra: ["aud": ["other-app", "genai-gateway"], "groups": "ops", "sub": "bob"])
        )
        let caller = try await verifier.verify(token)
        #expect(caller.subject == "bob")
        #expect(caller.audience == ["other-app", "genai-gateway"])
        #expect(caller.groups == ["ops"])
    }

    @Test func theGroupsClaimNameIsConfigurableAndMayBeAbsent() async throws {
        let verifier = try JWTVerifier.testing { $0.groupsClaim = "cognito:groups" }
        let withGroups = TokenMinter.rs256(TokenMinter.claims(extra: ["cognito:groups": ["a", "b"]]))
        #expect(try await verifier.verify(withGroups).groups == ["a", "b"])
        let without = TokenMinter.rs256(TokenMinter.claims(removing: ["groups"]))
        #expect(try await verifier.verify(without).groups == [])
    }

    @Test func aTokenWithoutKidIsVerifiedWithTheOnlyKeyForItsAlgorithm() async throws {
        let verifier = try JWTVerifier.testing()
        #expect(try await verifier.verify(TokenMinter.es256(kid: nil)).subject == "alice@example.com")

        let two = CountingFetcher(
            JSONWebKeySet(keys: [
                TestKeys.rsaJWK, try JSONWebKey(rsaPublicKey: TestKeys.otherRSA.publicKey, kid: "rsa-2"),
            ])
        )
        let ambiguous = try JWTVerifier.testing(fetcher: two)
        await #expect(throws: AuthError.malformedToken) { try await ambiguous.verify(TokenMinter.rs256(kid: nil)) }
    }

    @Test func realWorldClaimShapesAndEscapesAreRead() async throws {
        let verifier = try JWTVerifier.testing()
        // Hand-written JSON: escaped slashes, unicode escapes with a surrogate pair, nested objects, nulls,
        // booleans, floats and unknown claims, as Keycloak, Entra ID and Okta tokens carry.
        let claims = #"""
            {"iss":"https:\/\/idp.example.com\/realms\/acme","aud":["genai-gateway"],"sub":"Jos\u00e9 \ud83d\ude00",
             "exp":1795255800.5,"iat":1795255200,"nbf":null,"email_verified":true,"acr":"1",
             "realm_access":{"roles":["offline_access",{"nested":[1,2,{"deep":null}]}]},"groups":["a\"b","c\\d"],
             "scope":"openid email","amr":["pwd","mfa"],"weight":-1.5e3}
            """#
        let header = TokenMinter.json(["alg": "RS256", "kid": "rsa-1"])
        let input = header + "." + TokenMinter.base64url(Array(claims.utf8))
        let signature = try TestKeys.rsa.signature(for: SHA256.hash(data: Data(input.utf8)), padding: .insecurePKCS1v1_5)
        let caller = try await verifier.verify(input + "." + TokenMinter.base64url(signature.rawRepresentation))
        #expect(caller.subject == "José 😀")
        #expect(caller.groups == ["a\"b", "c\\d"])
        #expect(caller.expiresAt == Date(timeIntervalSince1970: 1_795_255_800.5))

        // Nesting beyond 64 levels is refused rather than recursed into.
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let deepClaims = #"{"iss":"https://idp.example.com/realms/acme","x":"# + deep + "}"
        let deepInput = header + "." + TokenMinter.base64url(Array(deepClaims.utf8))
        let deepSignature = try TestKeys.rsa.signature(for: SHA256.hash(data: Data(deepInput.utf8)), padding: .insecurePKCS1v1_5)
        await #expect(throws: AuthError.malformedToken) {
            try await verifier.verify(deepInput + "." + TokenMinter.base64url(deepSignature.rawRepresentation))
        }
    }

    @Test func callerDescriptionAndDumpNeverShowTheToken() async throws {
        let verifier = try JWTVerifier.testing()
        let token = TokenMinter.rs256()
        let caller = try await verifier.verify(token)
        var dumped = ""
        dump(caller, to: &dumped)
        for text in [caller.description, String(reflecting: caller), "\(caller)", dumped] {
            #expect(!leaksToken(text, token))
            #expect(text.contains("alice@example.com"))
        }
        #expect(caller.description.contains("2026-11-21T10:10:00Z"))
    }

    @Test func configurationProblemsAreReportedTogether() throws {
        var configuration = JWTVerifierConfiguration(issuer: "", audience: "")
        configuration.maxClockSkew = .seconds(61)
        configuration.minimumRefreshInterval = .milliseconds(10)
        do throws(JWTVerifierConfigurationError) {
            _ = try JWTVerifier(configuration: configuration, fetcher: CountingFetcher(TestKeys.keySet))
            Issue.record("an invalid configuration was accepted")
        } catch {
            #expect(error.problems.count == 5)
            #expect(error.problems.contains("maximum clock skew is 61.0 seconds; it must be between 0 and 60 seconds"))
            #expect(error.description.hasPrefix("invalid caller authentication configuration: issuer is empty"))
        }
        #expect(JWTVerifierConfiguration(issuer: "https://idp", audience: "a").problems().isEmpty)
    }

    @Test func bearerTokensAreTakenFromTheAuthorizationHeader() throws {
        #expect(try JWTVerifier.bearerToken(fromAuthorizationHeader: "Bearer abc.def.ghi") == "abc.def.ghi")
        #expect(try JWTVerifier.bearerToken(fromAuthorizationHeader: "  bearer   abc.def.ghi  ") == "abc.def.ghi")
        #expect(throws: AuthError.missingToken) { try JWTVerifier.bearerToken(fromAuthorizationHeader: nil) }
        #expect(throws: AuthError.missingToken) { try JWTVerifier.bearerToken(fromAuthorizationHeader: "Bearer ") }
        let sigv4 = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/bedrock/aws4_request, Signature=abcdef"
        do throws(AuthError) {
            _ = try JWTVerifier.bearerToken(fromAuthorizationHeader: sigv4)
            Issue.record("a SigV4 header was accepted")
        } catch {
            #expect(error.reason.contains("SigV4"))
            #expect(!error.reason.contains("AKIDEXAMPLE"))
        }
    }
}
