import Testing

@testable import GatewayRedis

extension RedisIntegrationTests {
    /// Many concurrent commands over few connections: pipelined, answered in order, never mixed up.
    struct RedisPipeliningTests {
        @Test func answersAThousandConcurrentCallsOverTwoConnections() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url, commandTimeout: .seconds(10), poolSize: 2) {
                    pool async throws in
                    let count = 1_000
                    // The server counts every connection it accepted, including the start-up probe: take a baseline.
                    let before = try await Self.connectionsReceived(pool)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for index in 0..<count {
                            group.addTask {
                                try await pool.set(
                                    "key-\(index)",
                                    value: [UInt8]("value-\(index)"),
                                    expireMilliseconds: 60_000
                                )
                            }
                        }
                        try await group.waitForAll()
                    }
                    let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                        for index in 0..<count {
                            group.addTask {
                                try await pool.get("key-\(index)") == [UInt8]("value-\(index)") ? 0 : 1
                            }
                        }
                        return try await group.reduce(0, +)
                    }
                    #expect(mismatches == 0)

                    let statistics = pool.statistics
                    #expect(statistics.connectionsOpened <= 2)
                    #expect(statistics.maxInFlightPerConnection > 1, "commands should have been pipelined")
                    let after = try await Self.connectionsReceived(pool)
                    #expect(after - before <= 1, "the pool opened \(after - before + 1) connections")
                }
            }
        }

        private static func connectionsReceived(_ pool: RedisConnectionPool) async throws -> Int {
            let info = try #require(try await pool.command("INFO", "stats").string)
            let line = try #require(
                info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("total_connections_received:") }
            )
            return try #require(Int(line.split(separator: ":")[1]))
        }

        @Test func givesEveryConcurrentCallItsOwnReply() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url, commandTimeout: .seconds(10), poolSize: 1) {
                    pool async throws in
                    let count = 500
                    let values = try await withThrowingTaskGroup(of: Int64.self) { group in
                        for _ in 0..<count {
                            group.addTask { try #require(try await pool.command("INCR", "counter").integer) }
                        }
                        return try await group.reduce(into: [Int64]()) { $0.append($1) }
                    }
                    // Each INCR result goes to exactly one caller: the replies are 1...count, none lost or repeated.
                    #expect(values.sorted() == Array(1...Int64(count)))
                    #expect(pool.statistics.connectionsOpened == 1)
                }
            }
        }

        @Test func reusesAnIdleConnectionForSequentialCalls() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url, poolSize: 8) { pool async throws in
                    for _ in 0..<50 {
                        try await pool.ping()
                    }
                    #expect(pool.statistics.connectionsStarted == 1)
                    #expect(pool.connectionCount == 1)
                }
            }
        }
    }
}
