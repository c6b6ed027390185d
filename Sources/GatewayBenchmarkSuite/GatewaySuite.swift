import Foundation
import GatewayRedis

/// Every micro-benchmark of the gateway, prepared: keys and tokens made, caches warmed, Redis connected. The issue's
/// list: SigV4 signing of a 2 KB Converse request, caller-JWT verification (cold and cached), router
/// classification, credential lookup at L1 and at L2 (Redis on loopback), event-stream frame decoding; plus the
/// Converse `usage` read and a cold credential fetch from STS.
public struct GatewaySuite: Sendable {
    /// The benchmarks, in report order.
    public let benchmarks: [MicroBenchmark]
    /// Benchmarks left out, each with the input it lacked.
    public let notMeasured: [Omission]
    private let pool: RedisConnectionPool?

    /// Prepares the suite. Without `redisURL` the L2 benchmark is left out, without `stsEndpoint` the cold fetch;
    /// `filter` keeps the benchmarks whose name contains it (case-insensitive).
    public static func make(redisURL: String?, stsEndpoint: String?, filter: String? = nil) async throws -> GatewaySuite {
        var notMeasured: [Omission] = []
        var pool: RedisConnectionPool?
        var benchmarks = SigningBenchmarks.all() + RouterBenchmarks.all() + (try EventStreamBenchmarks.all())
        benchmarks += try await AuthBenchmarks.all()
        benchmarks.append(try await CredentialBenchmarks.l1())
        if let url = redisURL {
            let redis = RedisConnectionPool(
                configuration: try RedisConfiguration(
                    url: url, connectTimeout: .seconds(2), commandTimeout: .seconds(2), poolSize: 4
                ),
                logger: CredentialBenchmarks.logger
            )
            pool = redis
            benchmarks.append(try await CredentialBenchmarks.l2(pool: redis))
        } else {
            notMeasured.append(Omission(benchmark: "Credential lookup L2 hit", missing: .redisURL))
        }
        if let endpoint = stsEndpoint {
            benchmarks.append(try CredentialBenchmarks.cold(stsEndpoint: endpoint))
        } else {
            notMeasured.append(Omission(benchmark: "Credential cold fetch", missing: .stsEndpoint))
        }
        if let filter {
            benchmarks = benchmarks.filter { $0.name.localizedCaseInsensitiveContains(filter) }
        }
        return GatewaySuite(benchmarks: benchmarks, notMeasured: notMeasured, pool: pool)
    }

    /// An input of ``make(redisURL:stsEndpoint:filter:)`` that, absent, leaves a benchmark out.
    public enum Input: String, Sendable {
        case redisURL = "Redis URL"
        case stsEndpoint = "STS endpoint"
    }

    /// A benchmark left out, and the input it lacked.
    public struct Omission: Sendable, Equatable {
        public let benchmark: String
        public let missing: Input

        /// "<benchmark>: no <input> given", the input named by `name` (by default as above: "Redis URL"), so each
        /// runner can name it as its own users set it (a flag, an environment variable).
        public func reason(naming name: (Input) -> String = \.rawValue) -> String {
            "\(benchmark): no \(name(missing)) given"
        }
    }

    /// Closes the Redis connections.
    public func shutdown() async {
        await pool?.shutdown()
    }
}
