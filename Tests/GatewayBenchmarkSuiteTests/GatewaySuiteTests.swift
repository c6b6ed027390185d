import GatewayBenchmarkSuite
import Testing
import TestServers

/// The micro-benchmark suite that `bench/micro.sh` and `bench/package-benchmark.sh` time: every benchmark the
/// issue lists is there, and each runs, with its own checks (an L1 benchmark answered from L1, an L2 benchmark
/// from Redis, a cold fetch from STS), against a real Redis and moto's STS. Timing is the benchmarks' job, not this
/// test's.
@Suite struct GatewaySuiteTests {
    @Test func everyBenchmarkRunsAgainstRealRedisAndSTS() async throws {
        try await RedisServerProcess.withServer { redis in
            try await PythonPeerProcess.with({ try await PythonPeerProcess.startMoto() }) { moto in
                let suite = try await GatewaySuite.make(redisURL: redis.url, stsEndpoint: moto.baseURL)
                #expect(suite.notMeasured.isEmpty)
                let names = suite.benchmarks.map(\.name)
                for required in [
                    "SigV4 gateway path", "JWT verify RS256 cold", "JWT verify ES256 cold", "JWT verify cached",
                    "Router classify", "Credential lookup L1 hit", "Credential lookup L2 hit",
                    "Event-stream decode one chunk frame", "Credential cold fetch",
                ] {
                    #expect(names.contains { $0.hasPrefix(required) }, "no benchmark named \(required)…")
                }
                for benchmark in suite.benchmarks {
                    // Three operations: enough to go through a benchmark's alternations (the L2 one switches roles).
                    await #expect(throws: Never.self, "\(benchmark.name)") { try await benchmark.body(3) }
                    #expect(benchmark.operationsPerSample == 1 || benchmark.operationsPerSample == 1_000)
                }
                await suite.shutdown()
            }
        }
    }

    @Test func withoutRedisOrSTSTheirBenchmarksAreLeftOutAndSaidSo() async throws {
        let suite = try await GatewaySuite.make(redisURL: nil, stsEndpoint: nil, filter: "credential")
        #expect(suite.benchmarks.map(\.name) == ["Credential lookup L1 hit"])
        #expect(suite.notMeasured.map { $0.reason() } == [
            "Credential lookup L2 hit: no Redis URL given", "Credential cold fetch: no STS endpoint given",
        ])
        // A runner names the input as its users set it (gateway-microbench: its flags).
        #expect(suite.notMeasured.first?.reason { _ in "--redis-url" } == "Credential lookup L2 hit: no --redis-url given")
    }
}
