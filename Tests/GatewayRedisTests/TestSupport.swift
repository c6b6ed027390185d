import Logging
import NIOCore
import NIOPosix

@testable import GatewayRedis
import TestServers

/// Shared set-up for the integration tests: each test starts its own `redis-server` and closes its pools.
enum TestSupport {
    static let logger = Logger(label: "gateway.redis.tests")

    /// Generous timeouts for functional tests on a busy machine; the timeout tests set their own.
    static let relaxed: Duration = .seconds(3)

    /// Runs `body` against a fresh `redis-server`, stopping it afterwards.
    static func withServer<T>(
        arguments: [String] = [],
        tls: RedisServerProcess.TLSFiles? = nil,
        _ body: (RedisServerProcess) async throws -> T
    ) async throws -> T {
        try await RedisServerProcess.withServer(arguments: arguments, tls: tls, body)
    }

    /// Runs `body` with a pool for `url`, shutting the pool down afterwards.
    static func withPool<T>(
        url: String,
        connectTimeout: Duration = relaxed,
        commandTimeout: Duration = relaxed,
        poolSize: Int = 4,
        tls: RedisConfiguration.TLSOptions? = nil,
        _ body: (RedisConnectionPool) async throws -> T
    ) async throws -> T {
        let configuration = try RedisConfiguration(
            url: url,
            connectTimeout: connectTimeout,
            commandTimeout: commandTimeout,
            poolSize: poolSize,
            tls: tls
        )
        let pool = RedisConnectionPool(configuration: configuration, logger: logger)
        do {
            let result = try await body(pool)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    /// Runs `body` and returns the error it threw (nil if none) and how long it took.
    static func timed(_ body: () async throws -> Void) async -> (error: (any Error)?, elapsed: Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await body()
            return (nil, clock.now - start)
        } catch {
            return (error, clock.now - start)
        }
    }
}

extension Array where Element == UInt8 {
    init(_ string: String) {
        self = Array(string.utf8)
    }
}
