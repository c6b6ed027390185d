import CallerAuth
import Foundation
import Testing

/// The verified-token cache, observed from outside: after the IdP withdraws every key (and the verifier has
/// refetched the empty set), only tokens still in the cache verify.
struct TokenCacheTests {
    private struct Fixture {
        let clock = ManualClock(TokenMinter.epoch)
        let fetcher = CountingFetcher(TestKeys.keySet)
        let verifier: JWTVerifier

        init(capacity: Int = 100, skew: Duration = .seconds(60)) throws {
            self.verifier = try JWTVerifier.testing(clock: self.clock, fetcher: self.fetcher) {
                $0.tokenCacheCapacity = capacity
                $0.maximumKeySetAge = .seconds(60)
                $0.maxClockSkew = skew
            }
        }

        /// Withdraws all keys and makes the verifier notice (a fresh token forces the refetch).
        func withdrawAllKeys() async {
            self.fetcher.publish(JSONWebKeySet(keys: []))
            self.clock.advance(by: 61)
            let probe = TokenMinter.rs256(
                TokenMinter.claims(extra: ["sub": "probe", "exp": self.clock.now().timeIntervalSince1970 + 60])
            )
            await #expect(throws: AuthError.unknownKey) { try await self.verifier.verify(probe) }
        }
    }

    @Test func aVerifiedTokenIsServedFromTheCacheByItsHash() async throws {
        let fixture = try Fixture()
        let token = TokenMinter.rs256()
        let sameClaimsOtherSignature = TokenMinter.es256()
        _ = try await fixture.verifier.verify(token)
        #expect(fixture.verifier.cachedTokenCount == 1)

        await fixture.withdrawAllKeys()
        let fetches = fixture.fetcher.fetchCount
        #expect(try await fixture.verifier.verify(token).subject == "alice@example.com")
        #expect(fixture.fetcher.fetchCount == fetches)
        // A different token is not served from the cache, even with identical claims.
        await #expect(throws: AuthError.unknownKey) { try await fixture.verifier.verify(sameClaimsOtherSignature) }
    }

    @Test func aCachedTokenIsNeverServedAtOrPastItsExpiry() async throws {
        let fixture = try Fixture()
        let token = TokenMinter.rs256(TokenMinter.claims(exp: 200))
        _ = try await fixture.verifier.verify(token)
        await fixture.withdrawAllKeys()  // now = epoch + 61
        fixture.clock.advance(by: 138)  // exp - 1
        #expect(try await fixture.verifier.verify(token).subject == "alice@example.com")
        fixture.clock.advance(by: 1)  // exactly exp: still within the 60 s skew, but the cache must not answer
        await #expect(throws: AuthError.unknownKey) { try await fixture.verifier.verify(token) }
    }

    @Test func withNoSkewAnExpiredCachedTokenIsRefusedAsExpired() async throws {
        let fixture = try Fixture(skew: .zero)
        let token = TokenMinter.rs256(TokenMinter.claims(exp: 100))
        _ = try await fixture.verifier.verify(token)
        fixture.clock.advance(by: 99.999)
        _ = try await fixture.verifier.verify(token)
        fixture.clock.advance(by: 0.001)
        await #expect(throws: AuthError.expired) { try await fixture.verifier.verify(token) }
    }

    @Test func theCacheIsBoundedAndEvictsTheOldestFirst() async throws {
        let fixture = try Fixture(capacity: 3)
        let tokens = (1...5).map { TokenMinter.rs256(TokenMinter.claims(extra: ["sub": "user-\($0)"])) }
        for token in tokens {
            _ = try await fixture.verifier.verify(token)
        }
        #expect(fixture.verifier.cachedTokenCount == 3)
        await fixture.withdrawAllKeys()
        for (index, token) in tokens.enumerated() {
            if index < 2 {
                await #expect(throws: AuthError.unknownKey) { try await fixture.verifier.verify(token) }
            } else {
                #expect(try await fixture.verifier.verify(token).subject == "user-\(index + 1)")
            }
        }
    }

    @Test func aCapacityOfZeroDisablesTheCache() async throws {
        let fixture = try Fixture(capacity: 0)
        let token = TokenMinter.rs256()
        _ = try await fixture.verifier.verify(token)
        #expect(fixture.verifier.cachedTokenCount == 0)
        await fixture.withdrawAllKeys()
        await #expect(throws: AuthError.unknownKey) { try await fixture.verifier.verify(token) }
    }

    @Test func manyInsertionsKeepTheCacheAtItsCapacity() async throws {
        let fixture = try Fixture(capacity: 50)
        for index in 0..<400 {
            _ = try await fixture.verifier.verify(TokenMinter.es256(TokenMinter.claims(extra: ["sub": "u\(index)"])))
        }
        #expect(fixture.verifier.cachedTokenCount == 50)
    }
}
