import Logging
import NIOCore
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@testable import GatewayRedis
import TestServers

extension RedisIntegrationTests {
    /// Timeouts, dead servers, recovery and shutdown. Timing bounds are loose multiples of the configured timeouts
    /// so a busy machine does not make them flaky, yet a call that hangs fails them.
    struct RedisFailureTests {
        @Test func failsFastWhileTheServerIsDownAndRecoversWhenItReturns() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(
                    url: server.url,
                    connectTimeout: .milliseconds(250),
                    commandTimeout: .seconds(1),
                    poolSize: 2
                ) { pool async throws in
                    try await pool.set("survivor", value: [UInt8]("before"), expireMilliseconds: 60_000)
                    #expect(try await pool.get("survivor") == [UInt8]("before"))

                    await server.kill()

                    for _ in 0..<5 {
                        let (error, elapsed) = await TestSupport.timed { _ = try await pool.get("survivor") }
                        let redisError = try #require(
                            error as? RedisError,
                            "expected a RedisError, got \(String(describing: error))"
                        )
                        // Refused at once on loopback; on a starved machine the 250 ms connect timeout may win.
                        #expect(
                            redisError == .connectFailed || redisError == .closed || redisError == .timeout,
                            "\(redisError)"
                        )
                        #expect(elapsed < .seconds(1), "a call took \(elapsed) while the server was down")
                        #expect(redisError.description.contains("127.0.0.1:\(server.port)"))
                    }
                    // Concurrent callers fail fast as well.
                    let concurrentFailures = await withTaskGroup(of: Bool.self) { group in
                        for _ in 0..<50 {
                            group.addTask { (try? await pool.ping()) == nil }
                        }
                        return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                    }
                    #expect(concurrentFailures == 50)

                    try await server.restart()
                    // No new pool, no manual reset: the very next call reconnects.
                    try await pool.ping()
                    #expect(try await pool.get("survivor") == nil, "a fresh server without persistence is empty")
                    try await pool.set("survivor", value: [UInt8]("after"), expireMilliseconds: 60_000)
                    #expect(try await pool.get("survivor") == [UInt8]("after"))
                }
            }
        }

        @Test func failsCommandsInFlightWhenTheServerDies() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url, commandTimeout: .seconds(10), poolSize: 1) {
                    pool async throws in
                    try await pool.ping()
                    let clock = ContinuousClock()
                    let start = clock.now
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            // Blocks server-side until the server dies; the 10 s command timeout must not end it.
                            let error = await #expect(throws: RedisError.self) {
                                try await pool.command("BLPOP", "never-filled", "0")
                            }
                            #expect(error == .closed, "\(error?.description ?? "")")
                        }
                        try await Task.sleep(for: .milliseconds(200))
                        await server.kill()
                        try await group.waitForAll()
                    }
                    #expect(clock.now - start < .seconds(3))
                }
            }
        }

        @Test func timesOutASlowCommandAndRecoversAfterwards() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(
                    url: server.url,
                    connectTimeout: .seconds(2),
                    commandTimeout: .milliseconds(300)
                ) { pool async throws in
                    try await pool.ping()
                    let clock = ContinuousClock()
                    let sleepStarted = clock.now
                    let (error, elapsed) = await TestSupport.timed { _ = try await pool.command("DEBUG", "SLEEP", "2") }
                    let redisError = try #require(error as? RedisError)
                    #expect(redisError == .timeout)
                    #expect(redisError.shortDescription == "timeout")
                    #expect(redisError.description.contains("DEBUG"), "\(redisError)")
                    #expect(redisError.description.contains("300 ms"), "\(redisError)")
                    #expect(elapsed >= .milliseconds(290))
                    #expect(elapsed < .milliseconds(1_500), "the timeout fired after \(elapsed), not before the reply")

                    // While the server sleeps, other calls time out too instead of waiting for it.
                    let (blocked, blockedElapsed) = await TestSupport.timed { _ = try await pool.get("k") }
                    #expect((blocked as? RedisError) == .timeout)
                    #expect(blockedElapsed < .milliseconds(1_500))

                    try await clock.sleep(until: sleepStarted + .milliseconds(2_200))
                    try await pool.ping()
                    try await pool.set("k", value: [UInt8]("v"), expireMilliseconds: 1_000)
                    #expect(try await pool.get("k") == [UInt8]("v"))
                }
            }
        }

        @Test func timesOutCommandsWhileClientsArePaused() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url, commandTimeout: .milliseconds(300)) {
                    pool async throws in
                    try await TestSupport.withPool(url: server.url) { admin async throws in
                        try await pool.ping()
                        let clock = ContinuousClock()
                        let pauseStarted = clock.now
                        _ = try await admin.command("CLIENT", "PAUSE", "1500", "ALL")
                        let (error, elapsed) = await TestSupport.timed { _ = try await pool.get("k") }
                        #expect((error as? RedisError) == .timeout)
                        #expect(elapsed < .milliseconds(1_200))
                        try await clock.sleep(until: pauseStarted + .milliseconds(1_600))
                        try await pool.ping()
                    }
                }
            }
        }

        @Test func refusedConnectionsFailFastWithTheEndpoint() async throws {
            let port = try RedisServerProcess.freePort()
            try await TestSupport.withPool(url: "redis://127.0.0.1:\(port)", connectTimeout: .seconds(2)) {
                pool async throws in
                let (error, elapsed) = await TestSupport.timed { try await pool.ping() }
                let redisError = try #require(error as? RedisError)
                #expect(redisError == .connectFailed)
                #expect(redisError.shortDescription == "connect_failed")
                #expect(redisError.description.contains("127.0.0.1:\(port)"), "\(redisError)")
                #expect(elapsed < .seconds(1))
                #expect(pool.connectionCount == 0)
            }
        }

        @Test func connectTimeoutCoversTheTLSHandshakeAndAUTH() async throws {
            try await FakeTCPServer.with(.silent) { silent async throws in
                let timeout = Duration.milliseconds(300)
                for url in ["rediss://127.0.0.1:\(silent.port)", "redis://:pw@127.0.0.1:\(silent.port)"] {
                    try await TestSupport.withPool(url: url, connectTimeout: timeout, commandTimeout: .seconds(5)) {
                        pool async throws in
                        let (error, elapsed) = await TestSupport.timed { try await pool.ping() }
                        let redisError = try #require(error as? RedisError)
                        #expect(redisError == .timeout, "\(url): \(redisError)")
                        #expect(redisError.description.contains("connect timeout"), "\(redisError)")
                        #expect(elapsed >= .milliseconds(290))
                        #expect(elapsed < .milliseconds(1_500), "\(url): took \(elapsed)")
                    }
                }
            }
        }

        @Test func commandTimeoutCoversAServerThatNeverAnswers() async throws {
            try await FakeTCPServer.with(.silent) { silent async throws in
                try await TestSupport.withPool(
                    url: "redis://127.0.0.1:\(silent.port)",
                    commandTimeout: .milliseconds(300)
                ) { pool async throws in
                    let (error, elapsed) = await TestSupport.timed {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for _ in 0..<20 { group.addTask { try await pool.ping() } }
                            try await group.waitForAll()
                        }
                    }
                    #expect((error as? RedisError) == .timeout || (error as? RedisError) == .closed)
                    #expect(elapsed < .milliseconds(1_500))
                }
            }
        }

        @Test func reportsRepliesThatAreNotRESP() async throws {
            try await FakeTCPServer.with(.answer("HTTP/1.1 400 Bad Request\r\n\r\n")) { http async throws in
                try await TestSupport.withPool(url: "redis://127.0.0.1:\(http.port)") { pool async throws in
                    let error = await #expect(throws: RedisError.self) { try await pool.ping() }
                    #expect(error == .protocolError)
                    #expect(error?.description.contains("not valid RESP") == true, "\(error?.description ?? "")")
                }
            }
        }

        @Test func shutdownLetsInFlightCommandsFinishThenRefusesNewOnes() async throws {
            try await TestSupport.withServer { server async throws in
                let configuration = try RedisConfiguration(url: server.url, commandTimeout: .seconds(3))
                let pool = RedisConnectionPool(configuration: configuration, logger: TestSupport.logger)
                try await pool.ping()
                async let slow = pool.command("DEBUG", "SLEEP", "0.3")
                try await Task.sleep(for: .milliseconds(100))
                await pool.shutdown()
                #expect(try await slow == .simpleString("OK"), "the in-flight command completed during shutdown")
                let error = await #expect(throws: RedisError.self) { try await pool.ping() }
                #expect(error == .shutDown)
                #expect(pool.connectionCount == 0)
                await pool.shutdown()  // idempotent
            }
        }

        @Test func runsAsAServiceUntilGracefulShutdown() async throws {
            try await TestSupport.withServer { server async throws in
                let configuration = try RedisConfiguration(url: server.url, commandTimeout: .seconds(3))
                let pool = RedisConnectionPool(configuration: configuration, logger: TestSupport.logger)
                try await testGracefulShutdown { trigger in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await pool.run() }
                        try await pool.ping()
                        trigger.triggerGracefulShutdown()
                        try await group.waitForAll()
                    }
                }
                #expect(pool.connectionCount == 0)
                await #expect(throws: RedisError.shutDown) { try await pool.ping() }
            }
        }

        @Test func shutsDownWithItsServiceGroup() async throws {
            try await TestSupport.withServer { server async throws in
                let configuration = try RedisConfiguration(url: server.url, commandTimeout: .seconds(3))
                let pool = RedisConnectionPool(configuration: configuration, logger: TestSupport.logger)
                let group = ServiceGroup(
                    configuration: .init(services: [.init(service: pool)], logger: TestSupport.logger)
                )
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    try await pool.ping()
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
                await #expect(throws: RedisError.shutDown) { try await pool.ping() }
            }
        }
    }
}
