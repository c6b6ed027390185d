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
