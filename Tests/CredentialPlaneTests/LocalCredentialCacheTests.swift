import AWSSigning
import Foundation
import Testing

@testable import CredentialPlane

@Suite("L1 cache")
struct LocalCredentialCacheTests {
    let timing = CredentialTiming(expiryMargin: 60, refreshLead: 300, refreshLeadFraction: 0.2)
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func entry(_ name: String, lifetime: TimeInterval = 3_600) -> CachedCredential {
        CachedCredential(
            credential: AWSCredential(accessKeyId: name, secretAccessKey: "secret-\(name)", sessionToken: "token"),
            issuedAt: start,
            expiration: start.addingTimeInterval(lifetime),
            timing: timing
        )
    }

    func key(_ name: String) -> CredentialKey {
        CredentialKey(roleArn: "arn:aws:iam::111111111111:role/\(name)", sessionPolicyDigest: nil)
    }

    @Test("miss, then hit after insert")
    func hitAndMiss() {
        let cache = LocalCredentialCache(capacity: 4)
        #expect(cache.lookup(key("a"), now: start, refreshRetryInterval: 15) == nil)
        cache.insert(key("a"), entry("A"))
        let hit = cache.lookup(key("a"), now: start.addingTimeInterval(10), refreshRetryInterval: 15)
        #expect(hit?.credential.accessKeyId == "A")
        #expect(hit?.refreshDue == false)
        #expect(cache.lookup(key("b"), now: start, refreshRetryInterval: 15) == nil)
    }

    @Test("an entry is never returned within 60 s of its expiry")
    func usableWindow() {
        let cache = LocalCredentialCache(capacity: 4)
        cache.insert(key("a"), entry("A"))
        #expect(cache.lookup(key("a"), now: start.addingTimeInterval(3_600 - 61), refreshRetryInterval: 15) != nil)
        #expect(cache.lookup(key("a"), now: start.addingTimeInterval(3_600 - 60), refreshRetryInterval: 15) == nil)
        #expect(cache.lookup(key("a"), now: start.addingTimeInterval(3_600 - 1), refreshRetryInterval: 15) == nil)
        #expect(cache.lookup(key("a"), now: start.addingTimeInterval(4_000), refreshRetryInterval: 15) == nil)
    }

    @Test("refresh is claimed once per retry interval after the refresh instant")
    func refreshClaim() {
        let cache = LocalCredentialCache(capacity: 4)
        cache.insert(key("a"), entry("A"))
        // 1 h lifetime: 20% (12 min) is earlier than 5 min, so refresh from 48 min on.
        let before = start.addingTimeInterval(48 * 60 - 1)
        let after = start.addingTimeInterval(48 * 60)
        #expect(cache.lookup(key("a"), now: before, refreshRetryInterval: 15)?.refreshDue == false)
        #expect(cache.lookup(key("a"), now: after, refreshRetryInterval: 15)?.refreshDue == true)
        #expect(
            cache.lookup(key("a"), now: after.addingTimeInterval(14), refreshRetryInterval: 15)?.refreshDue == false
        )
        #expect(cache.lookup(key("a"), now: after.addingTimeInterval(15), refreshRetryInterval: 15)?.refreshDue == true)
    }

    @Test("a full cache evicts an entry not used since the last sweep (CLOCK)")
    func eviction() {
        let cache = LocalCredentialCache(capacity: 3)
        cache.insert(key("a"), entry("A"))
        cache.insert(key("b"), entry("B"))
        cache.insert(key("c"), entry("C"))
        // Use a and c; b is the only one without a second chance.
        _ = cache.lookup(key("a"), now: start, refreshRetryInterval: 15)
        _ = cache.lookup(key("c"), now: start, refreshRetryInterval: 15)
        cache.insert(key("d"), entry("D"))
        #expect(cache.count == 3)
        #expect(!cache.contains(key("b")))
        #expect(cache.contains(key("a")) && cache.contains(key("c")) && cache.contains(key("d")))
        // The sweep cleared a's bit and stopped at b; c still has its bit, so the next insert gives c its
        // second chance and evicts a.
        cache.insert(key("e"), entry("E"))
        #expect(cache.count == 3)
        #expect(!cache.contains(key("a")))
        #expect(cache.contains(key("c")) && cache.contains(key("d")) && cache.contains(key("e")))
    }

    @Test("the cache stays bounded under many keys")
    func bounded() {
        let cache = LocalCredentialCache(capacity: 100)
        for index in 0..<10_000 {
            cache.insert(key("role-\(index)"), entry("K\(index)"))
            if index % 3 == 0 { _ = cache.lookup(key("role-\(index)"), now: start, refreshRetryInterval: 15) }
        }
        #expect(cache.count == 100)
        #expect(cache.contains(key("role-9999")))
    }

    @Test("an insert never replaces a credential that expires later")
    func keepsNewer() {
        let cache = LocalCredentialCache(capacity: 2)
        cache.insert(key("a"), entry("LONG", lifetime: 7_200))
        cache.insert(key("a"), entry("SHORT", lifetime: 3_600))
        #expect(cache.lookup(key("a"), now: start, refreshRetryInterval: 15)?.credential.accessKeyId == "LONG")
    }

    @Test("refresh instant: at the latest 5 min or 20% of the lifetime before expiry, whichever is earlier")
    func refreshInstant() {
        func lead(_ lifetime: TimeInterval) -> TimeInterval {
            let expiration = start.addingTimeInterval(lifetime)
            return expiration.timeIntervalSince(timing.refreshInstant(issuedAt: start, expiration: expiration))
        }
        #expect(lead(3_600) == 720)  // 20% of 1 h = 12 min > 5 min
        #expect(lead(900) == 300)  // 20% of 15 min = 3 min < 5 min
        #expect(lead(1_500) == 300)  // 20% = 5 min exactly
        #expect(lead(43_200) == 8_640)  // 12 h: 2 h 24 min
        // Shorter than the lead: halfway through the usable window (120 s - 60 s margin), not as soon as issued.
        #expect(lead(120) == 90)
        #expect(lead(360) == 210)  // 300 s usable: refresh at 150 s, not at 60 s (360 - 300)
        #expect(lead(60) == 300)  // never usable (within the 60 s margin at once): nothing to plan around
    }

    @Test("a credential shorter than the refresh lead is not due for refresh as soon as it is cached")
    func shortLivedCredentialIsNotImmediatelyDue() {
        let cache = LocalCredentialCache(capacity: 2)
        cache.insert(key("a"), entry("SHORT", lifetime: 120))
        let lookup = cache.lookup(key("a"), now: start.addingTimeInterval(1), refreshRetryInterval: 15)
        #expect(lookup?.credential.accessKeyId == "SHORT")
        #expect(lookup?.refreshDue == false, "a 2-minute credential must not start a refresh in its first second")
    }
}
