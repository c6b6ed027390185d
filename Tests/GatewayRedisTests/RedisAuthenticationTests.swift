import Testing

@testable import GatewayRedis
import TestServers

extension RedisIntegrationTests {
    /// `AUTH` with an ACL user or a password alone, against a real `redis-server` that requires it.
    struct RedisAuthenticationTests {
        private static let defaultPassword = "default-Pa55word"
        private static let alicePassword = "alice-Pa55word"

        /// A server that requires a password, with an ACL user `alice` whose password is `alicePassword`.
        private func withProtectedServer(_ body: (RedisServerProcess) async throws -> Void) async throws {
            try await TestSupport.withServer(arguments: ["--requirepass", Self.defaultPassword]) {
                server async throws in
                try await TestSupport.withPool(url: "redis://:\(Self.defaultPassword)@127.0.0.1:\(server.port)") {
                    admin async throws in
                    let reply = try await admin.command(
                        "ACL",
                        "SETUSER",
                        "alice",
                        "on",
                        ">\(Self.alicePassword)",
                        "~*",
                        "&*",
                        "+@all"
                    )
                    #expect(reply == .simpleString("OK"))
                }
                try await body(server)
            }
        }

        @Test func authenticatesAnACLUserWithUserNameAndPassword() async throws {
            try await self.withProtectedServer { server async throws in
                let url = "redis://alice:\(Self.alicePassword)@127.0.0.1:\(server.port)"
                try await TestSupport.withPool(url: url) { pool async throws in
                    #expect(try await pool.command("ACL", "WHOAMI") == .bulkString([UInt8]("alice")))
                    try await pool.set("k", value: [UInt8]("v"), expireMilliseconds: 10_000)
                    #expect(try await pool.get("k") == [UInt8]("v"))
                }
            }
        }

        @Test func authenticatesWithAPasswordAlone() async throws {
            try await self.withProtectedServer { server async throws in
                try await TestSupport.withPool(url: "redis://:\(Self.defaultPassword)@127.0.0.1:\(server.port)") {
                    pool async throws in
                    #expect(try await pool.command("ACL", "WHOAMI") == .bulkString([UInt8]("default")))
                }
            }
        }

        @Test func acceptsPercentEscapedCredentials() async throws {
            try await self.withProtectedServer { server async throws in
                try await TestSupport.withPool(url: "redis://:\(Self.defaultPassword)@127.0.0.1:\(server.port)") {
                    admin async throws in
                    _ = try await admin.command("ACL", "SETUSER", "bob", "on", ">p@ss:w/rd%", "~*", "+@all")
                }
                try await TestSupport.withPool(url: "redis://bob:p%40ss%3Aw%2Frd%25@127.0.0.1:\(server.port)") {
                    pool async throws in
                    #expect(try await pool.command("ACL", "WHOAMI") == .bulkString([UInt8]("bob")))
                }
            }
        }

        @Test func rejectsAWrongPasswordWithoutEchoingIt() async throws {
            try await self.withProtectedServer { server async throws in
                let wrongPassword = "Wrong-Pa55word-xyz"
                let url = "redis://alice:\(wrongPassword)@127.0.0.1:\(server.port)"
                try await TestSupport.withPool(url: url) { pool async throws in
                    let error = await #expect(throws: RedisError.self) { try await pool.ping() }
                    #expect(error == .authenticationFailed)
                    let description = error?.description ?? ""
                    #expect(description.contains("alice"), "\(description)")
                    #expect(description.contains("WRONGPASS"), "\(description)")
                    #expect(!description.contains(wrongPassword))
                    #expect(!description.contains(Self.alicePassword))
                    #expect(!"\(pool.configuration)".contains(wrongPassword))
                    // Nothing is left half-open: the failed connection was dropped.
                    #expect(pool.connectionCount == 0)
                }
                try await TestSupport.withPool(url: "redis://:\(wrongPassword)@127.0.0.1:\(server.port)") {
                    pool async throws in
                    let error = await #expect(throws: RedisError.self) { try await pool.ping() }
                    #expect(error == .authenticationFailed)
                    #expect(error?.description.contains(wrongPassword) == false)
                }
            }
        }

        @Test func reportsAMissingPasswordAsAServerError() async throws {
            try await self.withProtectedServer { server async throws in
                try await TestSupport.withPool(url: server.url) { pool async throws in
                    let error = await #expect(throws: RedisError.self) { try await pool.ping() }
                    #expect(error == .serverError)
                    #expect(error?.serverMessage?.hasPrefix("NOAUTH") == true)
                }
            }
        }
    }
}
