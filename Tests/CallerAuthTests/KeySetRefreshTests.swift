import CallerAuth
import Crypto
import Foundation
import Logging
import Testing
import _CryptoExtras

struct KeySetRefreshTests {
    private static func randomKid() -> String {
        "kid-" + String(UInt64.random(in: .min ... .max), radix: 36)
    }

    @Test func aFloodOfRandomKidsCostsTheIdPOneFetchPerInterval() async throws {
        let clock = ManualClock(TokenMinter.epoch)
        let fetcher = CountingFetcher(TestKeys.keySet)
        let verifier = try JWTVerifier.testing(clock: clock, fetcher: fetcher)
        try await verifier.prefetchKeys()
        #expect(fetcher.fetchCount == 1)

        // 31 s later the rate limit allows one refresh; 1,000 concurrent unknown kids share it.
        clock.advance(by: 31)
        let errors = await withTaskGroup(of: AuthError?.self) { group in
            for _ in 0..<1000 {
                group.addTask {
                    do throws(AuthError) {
                        _ = try await verifier.verify(TokenMinter.rs256(kid: Self.randomKid()))
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var errors: [AuthError?] = []
            for await error in group { errors.append(error) }
            return errors
        }
        #expect(errors.count == 1000)
        #expect(errors.allSatisfy { $0 == .unknownKey })
        #expect(fetcher.fetchCount == 2)

        // Another flood within the interval: no fetch at all.
        clock.advance(by: 29)
        for _ in 0..<1000 {
            await #expect(throws: AuthError.unknownKey) {
                try await verifier.verify(TokenMinter.rs256(kid: Self.randomKid()))
            }
        }
        #expect(fetcher.fetchCount == 2)

        // At 30 s the next one may refresh again, once.
        clock.advance(by: 1)
        for _ in 0..<100 {
            await #expect(throws: AuthError.unknownKey) {
                try await verifier.verify(TokenMinter.rs256(kid: Self.randomKid()))
            }
        }
        #expect(fetcher.fetchCount == 3)
        // Known keys kept working throughout.
        #expect(try await verifier.verify(TokenMinter.es256()).subject == "alice@example.com")
        #expect(fetcher.fetchCount == 3)
    }

    @Test func concurrentCallersShareOneSlowFetch() async throws {
        let fetcher = CountingFetcher(TestKeys.keySet, delay: .milliseconds(200))
        let verifier = try JWTVerifier.testing(fetcher: fetcher) { $0.tokenCacheCapacity = 0 }
        let subjects = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let token = index.isMultiple(of: 2) ? TokenMinter.rs256() : TokenMinter.es256()
                    return try await verifier.verify(token).subject
                }
            }
            var subjects: [String] = []
            for try await subject in group { subjects.append(subject) }
            return subjects
        }
        #expect(subjects.count == 50)
        #expect(fetcher.fetchCount == 1)
    }

    @Test func aRotatedKeyIsPickedUpOnItsFirstUseOnceTheIntervalAllows() async throws {
        let clock = ManualClock(TokenMinter.epoch)
        let fetcher = CountingFetcher(TestKeys.keySet)
        let verifier = try JWTVerifier.testing(clock: clock, fetcher: fetcher)
        _ = try await verifier.verify(TokenMinter.rs256())

        let rotated = try JSONWebKey(rsaPublicKey: TestKeys.otherRSA.publicKey, kid: "rsa-2")
        fetcher.publish(JSONWebKeySet(keys: [TestKeys.rsaJWK, rotated]))
        let newToken = TokenMinter.rs256(kid: "rsa-2", key: TestKeys.otherRSA)

        clock.advance(by: 10)
        await #expect(throws: AuthError.unknownKey) { try await verifier.verify(newToken) }
        do throws(AuthError) {
            _ = try await verifier.verify(newToken)
        } catch {
            #expect(error.reason == "unknown key id 'rsa-2' (JWKS refreshed 10 s ago; next refresh allowed in 20 s)")
        }
        #expect(fetcher.fetchCount == 1)

        clock.advance(by: 20)
        #expect(try await verifier.verify(newToken).subject == "alice@example.com")
        #expect(fetcher.fetchCount == 2)
        #expect(await verifier.keys.keyIDs == ["rsa-1", "rsa-2"])
    }

    @Test func anUnreachableIdPIsReportedAsUnavailableNotAsTheCallersFault() async throws {
        let clock = ManualClock(TokenMinter.epoch)
        struct Refused: Error, CustomStringConvertible { var description: String { "connection refused" } }
        let verifier = try JWTVerifier.testing(clock: clock, fetcher: ThrowingFetcher(error: Refused()))
        do throws(AuthError) {
            try await verifier.prefetchKeys()
            Issue.record("prefetch succeeded without keys")
        } catch {
            #expect(error.isKeySetUnavailable)
            #expect(error.reason == "could not fetch the JWKS: connection refused")
        }
        clock.advance(by: 5)
        do throws(AuthError) {
            _ = try await verifier.verify(TokenMinter.rs256())
            Issue.record("a token verified without keys")
        } catch {
            #expect(error == .keySetUnavailable)
            #expect(
                error.reason
                    == "unknown key id 'rsa-1': the JWKS could not be fetched (could not fetch the JWKS: connection refused); next attempt allowed in 25 s"
            )
        }
    }

    @Test func staleKeysAreRefetchedAndKeptWhenTheRefetchFails() async throws {
        let clock = ManualClock(TokenMinter.epoch)
        let fetcher = CountingFetcher(TestKeys.keySet)
        let verifier = try JWTVerifier.testing(clock: clock, fetcher: fetcher) {
            $0.maximumKeySetAge = .seconds(600)
            $0.tokenCacheCapacity = 0
        }
        let token = { TokenMinter.rs256(TokenMinter.claims(extra: ["exp": clock.now().timeIntervalSince1970 + 60])) }
        _ = try await verifier.verify(token())
        clock.advance(by: 601)
        fetcher.fail(with: IdPDown())
        #expect(try await verifier.verify(token()).subject == "alice@example.com")
        #expect(fetcher.fetchCount == 2)

        // When the IdP withdraws a key, the next refetch stops trusting it.
        fetcher.fail(with: nil)
        fetcher.publish(JSONWebKeySet(keys: [TestKeys.ecJWK]))
        clock.advance(by: 601)
        await #expect(throws: AuthError.unknownKey) { try await verifier.verify(token()) }
        #expect(try await verifier.verify(TokenMinter.es256(TokenMinter.claims(extra: ["exp": clock.now().timeIntervalSince1970 + 60]))).subject == "alice@example.com")
    }

    @Test func unusableJWKSEntriesAreSkipped() async throws {
        let weak = try _RSA.Signing.PrivateKey(unsafeKeySize: _RSA.Signing.KeySize(bitCount: 1024))
        let weakPrimitives = try weak.publicKey.getKeyPrimitives()
        let keySet = JSONWebKeySet(keys: [
            JSONWebKey(
                kty: "RSA",
                kid: "weak",
                n: TokenMinter.base64url(weakPrimitives.modulus),
                e: TokenMinter.base64url(weakPrimitives.publicExponent)
            ),
            JSONWebKey(kty: "EC", kid: "p384", crv: "P-384", x: "AAAA", y: "AAAA"),
            JSONWebKey(kty: "OKP", kid: "ed"),
            JSONWebKey(kty: "EC", kid: "offcurve", crv: "P-256", x: TokenMinter.base64url([UInt8](repeating: 1, count: 32)), y: TokenMinter.base64url([UInt8](repeating: 2, count: 32))),
            {
                var encryption = TestKeys.rsaJWK
                encryption.kid = "enc"
                encryption.use = "enc"
                return encryption
            }(),
            TestKeys.ecJWK,
        ])
        let verifier = try JWTVerifier.testing(fetcher: CountingFetcher(keySet))
        try await verifier.prefetchKeys()
        #expect(await verifier.keys.keyIDs == ["ec-1"])
        await #expect(throws: AuthError.unknownKey) { try await verifier.verify(TokenMinter.rs256(kid: "enc")) }
    }

    @Test func jwksDocumentsDecodeLeniently() throws {
        let document = """
            {"keys":[{"kty":"RSA","kid":"a","n":"xyz","e":"AQAB","x5c":["MIIB"],"key_ops":["verify"]},
                     {"kty":7},{"kid":"no-kty"},
                     {"kty":"EC","crv":"P-256","kid":"b","x":"x","y":"y"}]}
            """
        let keySet = try JSONWebKeySet(jsonData: Data(document.utf8))
        #expect(keySet.keys.map(\.kid) == ["a", "b"])
        #expect(throws: AuthError.keySetUnavailable) { try JSONWebKeySet(jsonData: Data("[]".utf8)) }
    }
}

struct IdPDown: Error, CustomStringConvertible {
    var description: String { "IdP down" }
}

/// A fetcher that always fails with a non-AuthError, as a network error would.
struct ThrowingFetcher: JWKSFetcher {
    var error: any Error & Sendable

    func fetchKeySet(logger: Logger) async throws -> JSONWebKeySet {
        throw self.error
    }
}
