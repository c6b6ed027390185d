extension RedisConnectionPool {
    /// Compare-and-delete: deletes the key only while it still holds the expected value (a lock release).
    static let deleteIfEqualsScript = Array(
        """
        if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end
        """.utf8
    )

    /// Checks that the server answers (`PING`).
    ///
    /// - Throws: ``RedisError`` when it does not, or answers something other than `PONG`.
    public func ping() async throws {
        let reply = try await self.command([Array("PING".utf8)])
        guard reply == .simpleString("PONG") else {
            throw RedisError.unexpectedReply(command: "PING", expected: "PONG", reply: reply)
        }
    }

    /// Reads a key (`GET`).
    ///
    /// - Parameter key: The key.
    /// - Returns: The value, or `nil` when the key does not exist.
    public func get(_ key: String) async throws -> [UInt8]? {
        let reply = try await self.command([Array("GET".utf8), Array(key.utf8)])
        switch reply {
        case .bulkString(let value): return value
        case .null: return nil
        default: throw RedisError.unexpectedReply(command: "GET", expected: "a bulk string or null", reply: reply)
        }
    }

    /// Writes a key with an expiry (`SET key value PX milliseconds`), replacing any value.
    ///
    /// - Parameters:
    ///   - key: The key.
    ///   - value: The value, binary-safe.
    ///   - expireMilliseconds: Time to live in milliseconds; must be positive.
    public func set(_ key: String, value: [UInt8], expireMilliseconds: Int64) async throws {
        let reply = try await self.command(Self.setArguments(key, value, expireMilliseconds, ifAbsent: false))
        guard case .simpleString = reply else {
            throw RedisError.unexpectedReply(command: "SET", expected: "OK", reply: reply)
        }
    }

    /// Writes a key with an expiry only if it does not exist (`SET key value NX PX milliseconds`), as used to take
    /// a short lock.
    ///
    /// - Parameters:
    ///   - key: The key.
    ///   - value: The value, binary-safe (for a lock, a unique token to release it with).
    ///   - expireMilliseconds: Time to live in milliseconds; must be positive.
    /// - Returns: `true` if the key was set, `false` if it already existed.
    public func setIfAbsent(_ key: String, value: [UInt8], expireMilliseconds: Int64) async throws -> Bool {
        let reply = try await self.command(Self.setArguments(key, value, expireMilliseconds, ifAbsent: true))
        switch reply {
        case .simpleString: return true
        case .null: return false
        default: throw RedisError.unexpectedReply(command: "SET", expected: "OK or null", reply: reply)
        }
    }

    /// Deletes a key only if it holds `value`, atomically (a Lua script), as used to release a lock.
    ///
    /// - Parameters:
    ///   - key: The key.
    ///   - value: The value the key must hold.
    /// - Returns: `true` if the key held `value` and was deleted.
    public func deleteIfEquals(_ key: String, value: [UInt8]) async throws -> Bool {
        let reply = try await self.command([
            Array("EVAL".utf8), Self.deleteIfEqualsScript, Array("1".utf8), Array(key.utf8), value,
        ])
        guard case .integer(let deleted) = reply else {
            throw RedisError.unexpectedReply(command: "EVAL", expected: "an integer", reply: reply)
        }
        return deleted == 1
    }

    /// Deletes a key (`DEL`).
    ///
    /// - Returns: `true` if the key existed.
    @discardableResult
    public func delete(_ key: String) async throws -> Bool {
        let reply = try await self.command([Array("DEL".utf8), Array(key.utf8)])
        guard case .integer(let deleted) = reply else {
            throw RedisError.unexpectedReply(command: "DEL", expected: "an integer", reply: reply)
        }
        return deleted > 0
    }

    /// The remaining time to live of a key in milliseconds (`PTTL`).
    ///
    /// - Returns: The milliseconds left; `-1` if the key exists without an expiry; `nil` if it does not exist.
    public func pttl(_ key: String) async throws -> Int64? {
        let reply = try await self.command([Array("PTTL".utf8), Array(key.utf8)])
        guard case .integer(let milliseconds) = reply else {
            throw RedisError.unexpectedReply(command: "PTTL", expected: "an integer", reply: reply)
        }
        return milliseconds == -2 ? nil : milliseconds
    }

    private static func setArguments(
        _ key: String,
        _ value: [UInt8],
        _ expireMilliseconds: Int64,
        ifAbsent: Bool
    ) -> [[UInt8]] {
        var arguments: [[UInt8]] = [Array("SET".utf8), Array(key.utf8), value]
        if ifAbsent { arguments.append(Array("NX".utf8)) }
        arguments.append(Array("PX".utf8))
        arguments.append(Array(String(expireMilliseconds).utf8))
        return arguments
    }
}
