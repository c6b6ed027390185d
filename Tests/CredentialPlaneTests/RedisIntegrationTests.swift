import AWSSigning
import Foundation
import GatewayRedis
import Logging
import MetricsTestKit
import TestServers
import Testing
import WebIdentity

@testable import CredentialPlane

/// Real `redis-server` as L2 and real `moto_server` as STS, both started by the tests.
@Suite("Credential broker against redis-server and moto_server", .serialized)
struct RedisIntegrationTests {
    static func replica(
        pool: RedisConnectionPool,
        moto: PythonPeerProcess,
        cipher: CredentialCipher,
        metrics: TestMetrics,
        configuration: CredentialBroker.Configuration = .init()
    ) throws -> CredentialBroker {
        try CredentialBroker(
            fetcher: STSCredentialFetcher(client: STSClient(region: "us-east-1", endpoint: moto.baseURL)),
            sharedCache: .init(store: RedisCredentialStore(pool: pool), cipher: cipher),
            configuration: configuration,
            metricsFactory: metrics,
            logger: TestSupport.logger
        )
    }

    @Test("two replicas with separate L1s share one STS credential through Redis, stored as ciphertext")
    func l2AcrossReplicas() async throws {
        try await TestSupport.withRedis { redis in
            try await PythonPeerProcess.with({ try await PythonPeerProcess.startMoto() }) { moto in
                try await TestSupport.withPool(redis.url) { poolA in
                    try await TestSupport.withPool(redis.url) { poolB in
                        let metrics = TestMetrics()
                        let cipher = try TestSupport.cipher(3)
                        let replicaA = try Self.replica(pool: poolA, moto: moto, cipher: cipher, metrics: metrics)
                        let replicaB = try Self.replica(pool: poolB, moto: moto, cipher: cipher, metrics: metrics)
                        let request = try TestSupport.request(sessionPolicy: TestSupport.policy)

                        let fetched = try await replicaA.credentials(
                            for: request,
                            context: .init(),
                            logger: TestSupport.logger
                        )
                        #expect(fetched.layer == .sts)
                        #expect(fetched.credential.accessKeyId.hasPrefix("ASIA"))
                        let shared = try await replicaB.credentials(
                            for: request,
                            context: .init(),
                            logger: TestSupport.logger
                        )
                        #expect(shared.layer == .l2)
                        #expect(shared.credential == fetched.credential)
                        let again = try await replicaB.credentials(
                            for: request,
                            context: .init(),
                            logger: TestSupport.logger
                        )
                        #expect(again.layer == .l1)
                        #expect(try metrics.expectCounter("gw_sts_calls_total").totalValue == 1)

                        let key = try CredentialKey(request: request, context: .init())
                        let raw = try #require(try await poolA.get(key.storageKey))
                        #expect(raw.first == CredentialCipher.formatVersion)
                        #expect(CredentialCipher.keyID(of: raw) == cipher.current.id)
                        #expect(!raw.containsSubsequence(Array(fetched.credential.accessKeyId.utf8)))
                        #expect(!raw.containsSubsequence(Array(fetched.credential.secretAccessKey.utf8)))
                        #expect(!raw.containsSubsequence(Array(fetched.credential.sessionToken!.utf8)))
                        #expect(!raw.containsSubsequence(Array("ASIA".utf8)))
                        let expected = (fetched.credential.expiration!.timeIntervalSinceNow - 60) * 1_000
                        let pttl = try #require(try await poolA.pttl(key.storageKey))
                        #expect(abs(Double(pttl) - expected) < 5_000)
                        #expect(try await poolA.get(key.lockKey) == nil)
                    }
                }
            }
        }
    }

    @Test("Redis killed mid-run: requests still succeed, the breaker opens; Redis restarted: L2 used again")
    func redisKilledAndRestarted() async throws {
        try await TestSupport.withRedis { redis in
            try await PythonPeerProcess.with({ try await PythonPeerProcess.startMoto() }) { moto in
                try await TestSupport.withPool(redis.url, timeout: .milliseconds(300)) { pool in
                    let metrics = TestMetrics()
                    let cipher = try TestSupport.cipher(4)
                    let configuration = CredentialBroker.Configuration(
                        circuitBreaker: .init(failureThreshold: 2, openDuration: .milliseconds(500))
                    )
                    let broker = try Self.replica(
                        pool: pool,
                        moto: moto,
                        cipher: cipher,
                        metrics: metrics,
                        configuration: configuration
                    )
                    func request(_ name: String) throws -> CredentialRequest {
                        try TestSupport.request(roleArn: "arn:aws:iam::111111111111:role/\(name)")
                    }
                    let warm = try request("Warm")
                    #expect(
                        try await broker.credentials(for: warm, context: .init(), logger: TestSupport.logger).layer
                            == .sts
                    )

                    await redis.kill()
                    for index in 0..<6 {
                        let lookup = try await broker.credentials(
                            for: request("Down\(index)"),
                            context: .init(),
                            logger: TestSupport.logger
                        )
                        #expect(lookup.layer == .sts)
                        #expect(lookup.credential.accessKeyId.hasPrefix("ASIA"))
                    }
                    #expect(
                        try await broker.credentials(for: warm, context: .init(), logger: TestSupport.logger).layer
                            == .l1
                    )
                    #expect(broker.breaker.state != .closed)
                    #expect(try metrics.expectGauge("gw_redis_circuit_open").values.contains(1))
                    let redisErrors = ["get", "set", "lock", "unlock"].map {
                        metrics.counterTotal(label: "gw_redis_errors_total", dimensions: [("kind", $0)])
                    }.reduce(0, +)
                    #expect(redisErrors >= 2)

                    try await redis.restart()
                    // The pool reconnects by itself; the breaker lets a probe through after its open duration.
                    var recovered: CredentialRequest?
                    let closed = try await TestSupport.eventually(timeout: .seconds(20)) {
                        try await Task.sleep(for: .milliseconds(200))
                        let probe = try request("Recovered\(UUID().uuidString.prefix(8))")
                        _ = try await broker.credentials(for: probe, context: .init(), logger: TestSupport.logger)
                        let stored = try? await pool.get(CredentialKey(request: probe, context: .init()).storageKey)
                        guard broker.breaker.state == .closed, stored != nil else { return false }
                        recovered = probe
                        return true
                    }
                    #expect(closed, "the breaker did not close after Redis came back")
                    #expect(try metrics.expectGauge("gw_redis_circuit_open").lastValue == 0)
                    let recoveredRequest = try #require(recovered)
                    try await TestSupport.withPool(redis.url) { otherPool in
                        let other = try Self.replica(
                            pool: otherPool,
                            moto: moto,
                            cipher: cipher,
                            metrics: TestMetrics()
                        )
                        let lookup = try await other.credentials(
                            for: recoveredRequest,
                            context: .init(),
                            logger: TestSupport.logger
                        )
                        #expect(lookup.layer == .l2)
                    }
                }
            }
        }
    }

    @Test("Redis slow: command timeouts open the breaker, later requests skip Redis and still succeed")
    func redisSlow() async throws {
        try await TestSupport.withRedis { redis in
            try await PythonPeerProcess.with({ try await PythonPeerProcess.startMoto() }) { moto in
                try await TestSupport.withPool(redis.url, timeout: .milliseconds(100)) { pool in
                    let metrics = TestMetrics()
                    let broker = try Self.replica(
                        pool: pool,
                        moto: moto,
                        cipher: try TestSupport.cipher(5),
                        metrics: metrics,
                        configuration: .init(circuitBreaker: .init(failureThreshold: 3, openDuration: .seconds(60)))
                    )
                    func request(_ name: String) throws -> CredentialRequest {
                        try TestSupport.request(roleArn: "arn:aws:iam::111111111111:role/\(name)")
                    }
                    let warm = try request("Warm")
                    #expect(
                        try await broker.credentials(for: warm, context: .init(), logger: TestSupport.logger).layer
                            == .sts
                    )

                    try await withThrowingTaskGroup(of: Void.self) { group in
                        // Block the server for 3 s, as an overloaded Redis would be.
                        group.addTask {
                            try await TestSupport.withPool(redis.url, timeout: .seconds(10)) { blocker in
                                _ = try await blocker.command("DEBUG", "SLEEP", "3")
                            }
                        }
                        try await Task.sleep(for: .milliseconds(300))
                        for index in 0..<8 {
                            let lookup = try await broker.credentials(
                                for: request("Slow\(index)"),
                                context: .init(),
                                logger: TestSupport.logger
                            )
                            #expect(lookup.layer == .sts)
                        }
                        let cached = try await broker.credentials(
                            for: warm,
                            context: .init(),
                            logger: TestSupport.logger
                        )
                        #expect(cached.layer == .l1)
                        #expect(broker.breaker.state == .open)
                        // Three reads timed out and opened the breaker; the other five lookups never called Redis.
                        let redisErrors = ["get", "set", "lock", "unlock"].map {
                            metrics.counterTotal(label: "gw_redis_errors_total", dimensions: [("kind", $0)])
                        }
                        #expect(redisErrors == [3, 0, 0, 0])
                        #expect(try metrics.expectCounter("gw_sts_calls_total").totalValue == 9)
                        try await group.waitForAll()
                    }
                }
            }
        }
    }
}
