import Testing

@testable import GatewayRedis

extension RedisIntegrationTests {
    /// Command semantics against a real `redis-server`.
    struct RedisCommandTests {
        @Test func setsGetsAndReportsMissingKeys() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url) { pool async throws in
                    try await pool.ping()
                    try await pool.set("greeting", value: [UInt8]("hello"), expireMilliseconds: 60_000)
                    #expect(try await pool.get("greeting") == [UInt8]("hello"))
                    #expect(try await pool.get("missing") == nil)

                    try await pool.set("greeting", value: [UInt8]("replaced"), expireMilliseconds: 60_000)
                    #expect(try await pool.get("greeting") == [UInt8]("replaced"))

                    #expect(try await pool.delete("greeting"))
                    #expect(try await !pool.delete("greeting"))
                    #expect(try await pool.get("greeting") == nil)
                }
            }
        }

        @Test func expiresKeysAfterTheirPXTimeToLive() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url) { pool async throws in
                    let clock = ContinuousClock()
                    let written = clock.now
                    try await pool.set("short", value: [UInt8]("v"), expireMilliseconds: 1_000)
                    let ttl = try #require(try await pool.pttl("short"))
                    #expect((1...1_000).contains(ttl))
                    if clock.now - written < .milliseconds(900) {
                        #expect(try await pool.get("short") == [UInt8]("v"))
                    }

                    try await clock.sleep(until: written + .milliseconds(1_200))
                    #expect(try await pool.get("short") == nil)
                    #expect(try await pool.pttl("short") == nil)

                    _ = try await pool.command("SET", "forever", "v")
                    #expect(try await pool.pttl("forever") == -1)

                    let error = await #expect(throws: RedisError.self) {
                        try await pool.set("bad", value: [UInt8]("v"), expireMilliseconds: 0)
                    }
                    #expect(error == .serverError)
                    #expect(error?.serverMessage?.contains("invalid expire time") == true)
                }
            }
        }

        @Test func setsOnlyAbsentKeysWithNX() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url) { pool async throws in
                    #expect(try await pool.setIfAbsent("lock", value: [UInt8]("owner-1"), expireMilliseconds: 5_000))
                    #expect(try await !pool.setIfAbsent("lock", value: [UInt8]("owner-2"), expireMilliseconds: 60_000))
                    #expect(try await pool.get("lock") == [UInt8]("owner-1"))
                    let ttl = try #require(try await pool.pttl("lock"))
                    #expect((1...5_000).contains(ttl))

                    // Once the lock expires, it can be taken again.
                    #expect(try await pool.setIfAbsent("brief", value: [UInt8]("a"), expireMilliseconds: 100))
                    try await Task.sleep(for: .milliseconds(250))
                    #expect(try await pool.setIfAbsent("brief", value: [UInt8]("b"), expireMilliseconds: 100))
                }
            }
        }

        @Test func deletesOnlyWhenTheValueStillMatches() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url) { pool async throws in
                    #expect(try await pool.setIfAbsent("lock", value: [UInt8]("token-A"), expireMilliseconds: 10_000))
                    #expect(try await !pool.deleteIfEquals("lock", value: [UInt8]("token-B")))
                    #expect(try await pool.get("lock") == [UInt8]("token-A"))
                    #expect(try await pool.deleteIfEquals("lock", value: [UInt8]("token-A")))
                    #expect(try await pool.get("lock") == nil)
                    #expect(try await !pool.deleteIfEquals("lock", value: [UInt8]("token-A")))

                    let binaryToken = [UInt8](0...255)
                    #expect(try await pool.setIfAbsent("lock", value: binaryToken, expireMilliseconds: 10_000))
                    #expect(try await !pool.deleteIfEquals("lock", value: Array(binaryToken.dropLast())))
                    #expect(try await pool.deleteIfEquals("lock", value: binaryToken))
                }
            }
        }

        @Test func roundTripsBinaryValuesAndKeys() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url) { pool async throws in
                    let everyByte = [UInt8](0...255)
                    try await pool.set("binary", value: everyByte, expireMilliseconds: 60_000)
                    #expect(try await pool.get("binary") == everyByte)

                    let protocolLookalike = [UInt8]("$5\r\n*1\r\n-ERR\r\n+OK\r\n\0")
                    try await pool.set("lookalike", value: protocolLookalike, expireMilliseconds: 60_000)
                    #expect(try await pool.get("lookalike") == protocolLookalike)

                    try await pool.set("empty", value: [], expireMilliseconds: 60_000)
                    #expect(try await pool.get("empty") == [])

                    let binaryKey = [UInt8](repeating: 0, count: 3) + everyByte.reversed()
                    #expect(try await pool.command([[UInt8]("SET"), binaryKey, everyByte]) == .simpleString("OK"))
                    #expect(try await pool.command([[UInt8]("GET"), binaryKey]) == .bulkString(everyByte))

                    // Larger than any single read: the reader must reassemble it across reads.
                    var large = [UInt8](repeating: 0, count: 1024 * 1024)
                    large.withUnsafeMutableBytes { bytes in
                        var generator = SystemRandomNumberGenerator()
                        for offset in stride(from: 0, to: bytes.count, by: 8) {
                            bytes.storeBytes(of: generator.next() as UInt64, toByteOffset: offset, as: UInt64.self)
                        }
                    }
                    try await pool.set("large", value: large, expireMilliseconds: 60_000)
                    #expect(try await pool.get("large") == large)
                }
            }
        }

        @Test func decodesNestedArraysNullsAndNestedErrors() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url) { pool async throws in
                    let script = """
                        return {1, {2, 'x', {3, {}}}, redis.status_reply('FINE'), redis.error_reply('ERR inner'), false}
                        """
                    let reply = try await pool.command("EVAL", script, "0")
                    #expect(
                        reply
                            == .array([
                                .integer(1),
                                .array([.integer(2), .bulkString([UInt8]("x")), .array([.integer(3), .array([])])]),
                                .simpleString("FINE"),
                                .error("ERR inner"),
                                .null,
                            ])
                    )

                    try await pool.set("present", value: [UInt8]("p"), expireMilliseconds: 60_000)
                    #expect(
                        try await pool.command("MGET", "present", "absent")
                            == .array([.bulkString([UInt8]("p")), .null])
                    )
                    #expect(try await pool.command("INCRBY", "counter", "41") == .integer(41))
                    #expect(try await pool.command("INCR", "counter").integer == 42)
                }
            }
        }

        @Test func surfacesServerErrorsWithTheServerMessage() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url) { pool async throws in
                    try await pool.set("text", value: [UInt8]("not a number"), expireMilliseconds: 60_000)
                    let notInteger = await #expect(throws: RedisError.self) { try await pool.command("INCR", "text") }
                    #expect(notInteger == .serverError)
                    #expect(notInteger?.serverMessage == "ERR value is not an integer or out of range")
                    #expect(notInteger?.description.contains("INCR") == true)
                    #expect(notInteger?.description.contains("text") == false, "arguments must not appear in errors")

                    let unknown = await #expect(throws: RedisError.self) { try await pool.command("NOSUCHCOMMAND") }
                    #expect(unknown?.serverMessage?.hasPrefix("ERR unknown command") == true)

                    _ = try await pool.command("LPUSH", "list", "a")
                    let wrongType = await #expect(throws: RedisError.self) { try await pool.get("list") }
                    #expect(wrongType == .serverError)
                    #expect(wrongType?.serverMessage?.hasPrefix("WRONGTYPE") == true)

                    // The connection stays usable after error replies.
                    try await pool.ping()
                }
            }
        }

        @Test func selectsTheDatabaseFromTheURL() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url + "/3") { database3 async throws in
                    try await TestSupport.withPool(url: server.url) { database0 async throws in
                        try await database3.set("where", value: [UInt8]("three"), expireMilliseconds: 60_000)
                        #expect(try await database3.get("where") == [UInt8]("three"))
                        #expect(try await database0.get("where") == nil)
                        let info = try #require(try await database3.command("CLIENT", "INFO").string)
                        #expect(info.contains(" db=3 "), "\(info)")
                        #expect(try await database3.command("EXISTS", "where") == .integer(1))
                        #expect(try await database0.command("EXISTS", "where") == .integer(0))
                    }
                }
            }
        }

        @Test func failsConnectingToADatabaseTheServerDoesNotHave() async throws {
            try await TestSupport.withServer { server async throws in
                try await TestSupport.withPool(url: server.url + "/99") { pool async throws in
                    let error = await #expect(throws: RedisError.self) { try await pool.ping() }
                    #expect(error == .serverError)
                    #expect(error?.description.contains("SELECT 99") == true, "\(error?.description ?? "")")
                    #expect(error?.serverMessage?.contains("DB index is out of range") == true)
                }
            }
        }
    }
}
