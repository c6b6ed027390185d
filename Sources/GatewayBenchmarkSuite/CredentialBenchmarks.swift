import AWSSigning
import CredentialPlane
import Foundation
import GatewayRedis
import Logging
import Synchronization
import WebIdentity

/// Credential broker lookups: an L1 hit, an L2 hit (Redis, encrypted entry) and a cold fetch from STS.
enum CredentialBenchmarks {
    /// Hands out a fixed credential, so L1 and L2 figures contain no STS call.
    struct FixedCredentialFetcher: CredentialFetcher {
        func fetchCredential(
            for request: CredentialRequest,
            context: TokenRequestContext,
            logger: Logger
        ) async throws -> AWSCredential {
            AWSCredential(
                accessKeyId: "ASIABENCHMARK0000001",
                secretAccessKey: "benchmark-secret-key-0000000000000000000",
                sessionToken: String(repeating: "t", count: 800),
                expiration: Date().addingTimeInterval(3_600)
            )
        }
    }

    /// A workload token that never changes.
    struct FixedTokenSource: WebIdentityTokenSource {
        let token = WebIdentityToken(
            value: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJiZW5jaG1hcmsifQ.",
            subject: "benchmark",
            issuer: "https://idp.example.com",
            audience: ["genai-gateway"],
            expiresAt: Date().addingTimeInterval(86_400)
        )
        var isPerCaller: Bool { false }
        func token(for context: TokenRequestContext, logger: Logger) async throws -> WebIdentityToken { token }
    }

    /// A shared counter: numbers the roles of the cold benchmark (every lookup misses both caches) and alternates the
    /// roles of the L2 benchmark.
    final class RoleCounter: Sendable {
        private let value = Mutex(0)
        func next() -> Int {
            value.withLock { (count: inout Int) -> Int in
                count += 1
                return count
            }
        }
    }

    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    static let logger = Logger(label: "gateway-microbench", factory: { _ in SwiftLogNoOpLogHandler() })

    static func makeRequest(_ role: String) throws -> CredentialRequest {
        try CredentialRequest(
            roleArn: "arn:aws:iam::111111111111:role/\(role)",
            stsRegion: "us-east-1",
            useCase: "Benchmark",
            tokenSource: FixedTokenSource()
        )
    }

    static func l1() async throws -> MicroBenchmark {
        let broker = try CredentialBroker(fetcher: FixedCredentialFetcher(), logger: logger)
        let request = try makeRequest("Benchmark-L1")
        let context = TokenRequestContext()
        _ = try await broker.credentials(for: request, context: context, logger: logger)
        let layer = try await broker.credentials(for: request, context: context, logger: logger).layer
        guard layer == .l1 else { throw SetupError(description: "expected an L1 hit during setup, got \(layer)") }
        return MicroBenchmark("Credential lookup L1 hit", targetNanoseconds: 1_000) { count in
            for _ in 0..<count {
                blackHole(try await broker.credentials(for: request, context: context, logger: logger))
            }
        }
    }

    /// The L1 holds one entry and lookups alternate between two roles, so every lookup misses L1 and is answered
    /// by Redis: GET, AES-GCM open, decode, L1 insert.
    static func l2(pool: RedisConnectionPool) async throws -> MicroBenchmark {
        let cipher = try CredentialCipher(current: CredentialEncryptionKey(bytes: [UInt8](repeating: 42, count: 32)))
        let store = RedisCredentialStore(pool: pool)
        let requests = try [makeRequest("Benchmark-L2-0"), makeRequest("Benchmark-L2-1")]
        let context = TokenRequestContext()
        let writer = try CredentialBroker(
            fetcher: FixedCredentialFetcher(),
            sharedCache: .init(store: store, cipher: cipher),
            logger: logger
        )
        for request in requests { _ = try await writer.credentials(for: request, context: context, logger: logger) }
        let broker = try CredentialBroker(
            fetcher: FixedCredentialFetcher(),
            sharedCache: .init(store: store, cipher: cipher),
            configuration: .init(maxL1Entries: 1),
            logger: logger
        )
        let alternation = RoleCounter()
        for request in requests.reversed() {  // leaves requests[0] in L1; the first timed lookup takes requests[1]
            let layer = try await broker.credentials(for: request, context: context, logger: logger).layer
            guard layer == .l2 else { throw SetupError(description: "expected an L2 hit during setup, got \(layer)") }
        }
        return MicroBenchmark("Credential lookup L2 hit (Redis loopback, L1 miss)", targetNanoseconds: 300_000, operationsPerSample: 1) {
            count in
            for _ in 0..<count {
                // The alternation continues across batches, so no lookup repeats the previous role.
                let lookup = try await broker.credentials(
                    for: requests[alternation.next() & 1], context: context, logger: logger
                )
                guard lookup.layer == .l2 else {
                    throw SetupError(description: "an L2 benchmark lookup was answered by \(lookup.layer)")
                }
                blackHole(lookup)
            }
        }
    }

    /// A new role per lookup: an L1 miss and one AssumeRoleWithWebIdentity round trip to `stsEndpoint`.
    static func cold(stsEndpoint: String) throws -> MicroBenchmark {
        let broker = try CredentialBroker(
            fetcher: STSCredentialFetcher(client: STSClient(region: "us-east-1", endpoint: stsEndpoint)),
            configuration: .init(maxL1Entries: 100_000),
            logger: logger
        )
        let counter = RoleCounter()
        let context = TokenRequestContext()
        return MicroBenchmark("Credential cold fetch (STS AssumeRoleWithWebIdentity, no shared cache)", operationsPerSample: 1) { count in
            for _ in 0..<count {
                let lookup = try await broker.credentials(
                    for: try makeRequest("Benchmark-Cold-\(counter.next())"), context: context, logger: logger
                )
                guard lookup.layer == .sts else {
                    throw SetupError(description: "a cold lookup was answered by \(lookup.layer)")
                }
                blackHole(lookup)
            }
        }
    }
}
