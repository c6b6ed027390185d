import AWSSigning
import Foundation
import Logging
import MetricsTestKit
import Testing
import WebIdentity

@testable import CredentialPlane

@Suite("Credential broker with a shared cache (in memory)")
struct SharedCacheTests {
    let clock = ManualCredentialClock()

    func replica(
        _ fetcher: CountingFetcher,
        store: any SharedCredentialStore,
        cipher: CredentialCipher,
        configuration: CredentialBroker.Configuration = .init(),
        metrics: TestMetrics = TestMetrics(),
        logger: Logger = TestSupport.logger,
        clock: (any CredentialClock)? = nil
    ) throws -> CredentialBroker {
        try CredentialBroker(
            fetcher: fetcher,
            sharedCache: .init(store: store, cipher: cipher),
            configuration: configuration,
            clock: clock ?? self.clock,
            metricsFactory: metrics,
            logger: logger
        )
    }

    @Test("a second replica is served from L2; the value is ciphertext with TTL = expiry − 60 s")
    func l2AcrossReplicas() async throws {
        let store = InMemoryCredentialStore(clock: clock)
        let fetcher = CountingFetcher(clock: clock)
        let cipher = try TestSupport.cipher()
        let first = try replica(fetcher, store: store, cipher: cipher)
        let second = try replica(fetcher, store: store, cipher: cipher)
        let request = try TestSupport.request()

        let fetched = try await first.credentials(for: request, context: .init(), logger: TestSupport.logger)
        let shared = try await second.credentials(for: request, context: .init(), logger: TestSupport.logger)
        #expect(fetched.layer == .sts)
        #expect(shared.layer == .l2)
        #expect(shared.credential == fetched.credential)
        #expect(try await second.credentials(for: request, context: .init(), logger: TestSupport.logger).layer == .l1)
        #expect(fetcher.calls == 1)

        let storageKey = try CredentialKey(request: request, context: .init()).storageKey
        let raw = try #require(await store.rawValue(forKey: storageKey))
        #expect(!raw.containsSubsequence(Array(fetched.credential.accessKeyId.utf8)))
        #expect(!raw.containsSubsequence(Array(fetched.credential.secretAccessKey.utf8)))
        #expect(!raw.containsSubsequence(Array(fetched.credential.sessionToken!.utf8)))
        let ttl = try #require(await store.timeToLive(forKey: storageKey))
        #expect(abs(ttl - (3_600 - 60)) < 1)
        // The lock was released.
        #expect(await store.keys == [storageKey])
    }

    @Test("an L2 entry past its refresh instant is served and refreshed once, and the other replica adopts it")
    func refreshThroughL2() async throws {
        let store = InMemoryCredentialStore(clock: clock)
        let fetcher = CountingFetcher(clock: clock)
        let cipher = try TestSupport.cipher()
        let first = try replica(fetcher, store: store, cipher: cipher)
        let second = try replica(fetcher, store: store, cipher: cipher)
        let request = try TestSupport.request()
        let original = try await first.credentials(for: request, context: .init(), logger: TestSupport.logger)
        clock.advance(by: 49 * 60)
        try await TestSupport.whileRunning(first) {
            try await TestSupport.whileRunning(second) {
                // second has nothing in L1: it gets the old (still usable) entry from L2 and schedules a refresh.
                let fromL2 = try await second.credentials(for: request, context: .init(), logger: TestSupport.logger)
                #expect(fromL2.layer == .l2)
                #expect(fromL2.credential == original.credential)
                #expect(await TestSupport.eventually { fetcher.calls == 2 })
                // first's L1 entry is due too; its refresh finds second's fresh credential in L2.
                _ = try await first.credentials(for: request, context: .init(), logger: TestSupport.logger)
                let converged = await TestSupport.eventually {
                    let a = try? await first.credentials(for: request, context: .init(), logger: TestSupport.logger)
                    let b = try? await second.credentials(for: request, context: .init(), logger: TestSupport.logger)
                    return a?.credential != original.credential && a?.credential == b?.credential
                }
                #expect(converged)
                try await Task.sleep(for: .milliseconds(50))
                #expect(fetcher.calls == 2)
            }
        }
    }

    @Test("4 replicas × 200 concurrent cold lookups make exactly one fetch")
    func coldBurstAcrossReplicas() async throws {
        let store = InMemoryCredentialStore()
        let fetcher = CountingFetcher(clock: SystemCredentialClock(), delay: .milliseconds(200))
        let cipher = try TestSupport.cipher()
        let replicas = try (0..<4).map { _ in
            try replica(fetcher, store: store, cipher: cipher, clock: SystemCredentialClock())
        }
        let request = try TestSupport.request()
        let lookups = try await withThrowingTaskGroup(of: CredentialLookup.self) { group in
            for replica in replicas {
                for _ in 0..<200 {
                    group.addTask {
                        try await replica.credentials(for: request, context: .init(), logger: TestSupport.logger)
                    }
                }
            }
            return try await group.reduce(into: [CredentialLookup]()) { $0.append($1) }
        }
        #expect(lookups.count == 800)
        #expect(fetcher.calls == 1)
        #expect(Set(lookups.map(\.credential.accessKeyId)).count == 1)
    }

    @Test("a replica that waited too long for another replica's lock calls STS itself")
    func lockWaitFallback() async throws {
        let store = InMemoryCredentialStore()
        let fetcher = CountingFetcher(clock: SystemCredentialClock())
        let request = try TestSupport.request()
        let key = try CredentialKey(request: request, context: .init())
        // A lock held by a replica that died: never released. Its TTL is far longer than the 300 ms wait, so a
        // pass cannot come from the lock expiring, and a busy test machine stalling tasks for seconds cannot fail it.
        #expect(try await store.acquireLock(key.lockKey, token: "dead-replica", timeToLive: .seconds(120)))
        let broker = try replica(
            fetcher,
            store: store,
            cipher: try TestSupport.cipher(),
            configuration: .init(lockWaitTimeout: .milliseconds(300)),
            clock: SystemCredentialClock()
        )
        let started = ContinuousClock.now
        let lookup = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
        #expect(lookup.layer == .sts)
        #expect(ContinuousClock.now - started < .seconds(60), "it gave up after the 300 ms wait, not at the lock's expiry")
        #expect(fetcher.calls == 1)
        // The dead replica's lock is still there: it was neither taken over nor released by this one.
        #expect(await store.rawValue(forKey: key.lockKey) == Array("dead-replica".utf8))
        #expect(await store.rawValue(forKey: key.storageKey) != nil)
    }

    @Test("tampered, wrong-key and moved L2 entries are misses, logged without content, and overwritten")
    func corruptEntries() async throws {
        let store = InMemoryCredentialStore(clock: clock)
        let fetcher = CountingFetcher(clock: clock)
        let recorder = LogRecorder()
        let metrics = TestMetrics()
        let cipher = try TestSupport.cipher(1)
        let writer = try replica(fetcher, store: store, cipher: cipher)
        let request = try TestSupport.request()
        let storageKey = try CredentialKey(request: request, context: .init()).storageKey
        let original = try await writer.credentials(for: request, context: .init(), logger: TestSupport.logger)
        let blob = try #require(await store.rawValue(forKey: storageKey))

        // 1. Tampered ciphertext.
        var tampered = blob
        tampered[tampered.count - 20] ^= 0x40
        await store.setRawValue(tampered, forKey: storageKey)
        let reader = try replica(fetcher, store: store, cipher: cipher, metrics: metrics, logger: recorder.logger())
        let afterTamper = try await reader.credentials(for: request, context: .init(), logger: recorder.logger())
        #expect(afterTamper.layer == .sts)
        #expect(afterTamper.credential != original.credential)
        #expect(fetcher.calls == 2)
        let rewritten = try #require(await store.rawValue(forKey: storageKey))
        #expect(rewritten != tampered)
        #expect(try cipher.open(rewritten, boundTo: storageKey).isEmpty == false)

        // 2. A value under a key id this replica does not know.
        let foreign = try TestSupport.cipher(9).seal([1, 2, 3], boundTo: storageKey)
        await store.setRawValue(foreign, forKey: storageKey)
        let reader2 = try replica(fetcher, store: store, cipher: cipher, metrics: metrics, logger: recorder.logger())
        #expect(try await reader2.credentials(for: request, context: .init(), logger: recorder.logger()).layer == .sts)
        #expect(fetcher.calls == 3)

        // 3. A valid value copied from another role's key (AAD binding).
        let otherRequest = try TestSupport.request(roleArn: TestSupport.otherRoleArn)
        let otherKey = try CredentialKey(request: otherRequest, context: .init()).storageKey
        await store.setRawValue(try #require(await store.rawValue(forKey: storageKey)), forKey: otherKey)
        let reader3 = try replica(fetcher, store: store, cipher: cipher, metrics: metrics, logger: recorder.logger())
        let other = try await reader3.credentials(for: otherRequest, context: .init(), logger: recorder.logger())
        #expect(other.layer == .sts)
        #expect(fetcher.calls == 4)

        // 4. Garbage.
        await store.setRawValue(Array("not an envelope".utf8), forKey: storageKey)
        let reader4 = try replica(fetcher, store: store, cipher: cipher, metrics: metrics, logger: recorder.logger())
        #expect(try await reader4.credentials(for: request, context: .init(), logger: recorder.logger()).layer == .sts)

        #expect(metrics.counterTotal(label: "gw_redis_errors_total", dimensions: [("kind", "corrupt_entry")]) == 4)
        let warnings = recorder.all.filter { $0.message.hasPrefix("rejected shared credential cache entry") }
        #expect(warnings.count == 4)
        #expect(
            Set(warnings.compactMap { $0.metadata["gw.cache.reject_reason"] })
                == ["authentication_failed", "unknown_key_id", "malformed"]
        )
        #expect(warnings.allSatisfy { $0.level == .warning && $0.metadata["gw.role_arn"] != nil })
        let text = recorder.text
        for credential in [original.credential, afterTamper.credential, other.credential] {
            #expect(!text.contains(credential.secretAccessKey))
            #expect(!text.contains(credential.sessionToken!))
        }
    }

    @Test("key rotation: a replica with the new key reads old entries and writes new ones under the new key")
    func rotation() async throws {
        let store = InMemoryCredentialStore(clock: clock)
        let fetcher = CountingFetcher(clock: clock)
        let old = try replica(fetcher, store: store, cipher: try TestSupport.cipher(1))
        let rotated = try replica(fetcher, store: store, cipher: try TestSupport.cipher(2, previous: [1]))
        let request = try TestSupport.request()
        let storageKey = try CredentialKey(request: request, context: .init()).storageKey
        let written = try await old.credentials(for: request, context: .init(), logger: TestSupport.logger)
        let read = try await rotated.credentials(for: request, context: .init(), logger: TestSupport.logger)
        #expect(read.layer == .l2)
        #expect(read.credential == written.credential)

        let otherRequest = try TestSupport.request(roleArn: TestSupport.otherRoleArn)
        _ = try await rotated.credentials(for: otherRequest, context: .init(), logger: TestSupport.logger)
        let otherKey = try CredentialKey(request: otherRequest, context: .init()).storageKey
        #expect(
            CredentialCipher.keyID(of: try #require(await store.rawValue(forKey: otherKey)))
                == (try TestSupport.key(2)).id
        )
        #expect(
            CredentialCipher.keyID(of: try #require(await store.rawValue(forKey: storageKey)))
                == (try TestSupport.key(1)).id
        )
    }

    @Test("shared store down: requests succeed from L1 and STS, the breaker opens and skips it, then recovers")
    func storeOutage() async throws {
        let base = InMemoryCredentialStore(clock: clock)
        let store = FlakyStore(base: base)
        let fetcher = CountingFetcher(clock: clock)
        let metrics = TestMetrics()
        let broker = try replica(
            fetcher,
            store: store,
            cipher: try TestSupport.cipher(),
            configuration: .init(circuitBreaker: .init(failureThreshold: 3, openDuration: .seconds(10))),
            metrics: metrics
        )
        store.setFailing(true)
        // Distinct roles, so each lookup misses L1 and would need the shared cache.
        var served = 0
        for index in 0..<10 {
            let request = try TestSupport.request(roleArn: "arn:aws:iam::111111111111:role/Outage\(index)")
            let lookup = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
            #expect(lookup.layer == .sts)
            served += 1
        }
        #expect(served == 10)
        #expect(fetcher.calls == 10)
        #expect(broker.breaker.state == .open)
        // Three failing reads opened it; after that, no call reached the store.
        #expect(store.calls == 3)
        #expect(try metrics.expectGauge("gw_redis_circuit_open").lastValue == 1)
        #expect(metrics.counterTotal(label: "gw_redis_errors_total", dimensions: [("kind", "get")]) == 3)

        // Redis is back; after the open duration one probe goes through and closes the breaker.
        store.setFailing(false)
        clock.advance(by: 10)
        let writer = try TestSupport.request(roleArn: "arn:aws:iam::111111111111:role/AfterRecovery")
        #expect(try await broker.credentials(for: writer, context: .init(), logger: TestSupport.logger).layer == .sts)
        #expect(broker.breaker.state == .closed)
        #expect(try metrics.expectGauge("gw_redis_circuit_open").lastValue == 0)
        let other = try replica(fetcher, store: store, cipher: try TestSupport.cipher())
        #expect(try await other.credentials(for: writer, context: .init(), logger: TestSupport.logger).layer == .l2)
    }

    @Test("an L1-only broker (no shared cache) works fully")
    func embeddedDefault() async throws {
        let fetcher = CountingFetcher(clock: clock)
        let broker = try CredentialBroker(fetcher: fetcher, clock: clock, logger: TestSupport.logger)
        let request = try TestSupport.request()
        #expect(try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger).layer == .sts)
        #expect(try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger).layer == .l1)
        #expect(fetcher.calls == 1)
    }
}
