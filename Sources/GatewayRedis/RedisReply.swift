/// A reply from Redis (RESP2).
///
/// The `command` methods of ``RedisConnectionPool`` throw a top-level error reply as ``RedisError/serverError``;
/// ``error(_:)`` appears only nested inside arrays, for example in the results of `EXEC` or of a Lua script that
/// returns `redis.error_reply(...)`.
public enum RedisReply: Sendable, Hashable {
    /// A status reply such as `OK` or `PONG` (`+OK`).
    case simpleString(String)
    /// An error reply (`-ERR ...`), nested in an array.
    case error(String)
    /// An integer reply (`:42`).
    case integer(Int64)
    /// A binary-safe bulk string (`$3\r\nabc`).
    case bulkString([UInt8])
    /// A null bulk string or null array (`$-1`, `*-1`).
    case null
    /// An array of replies (`*2 ...`), possibly nested.
    case array([RedisReply])
}

extension RedisReply {
    /// The bytes of a bulk string or the UTF-8 of a status reply; `nil` for other replies.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): return bytes
        case .simpleString(let string): return Array(string.utf8)
        default: return nil
        }
    }

    /// A bulk string or status reply decoded as UTF-8 (invalid sequences repaired); `nil` for other replies.
    public var string: String? {
        switch self {
        case .bulkString(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .simpleString(let string): return string
        default: return nil
        }
    }

    /// The value of an integer reply; `nil` for other replies.
    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// Whether this is the null reply.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The kind of reply, for error messages (never the content).
    var kindDescription: String {
        switch self {
        case .simpleString: return "a status reply"
        case .error: return "an error reply"
        case .integer: return "an integer"
        case .bulkString: return "a bulk string"
        case .null: return "null"
        case .array: return "an array"
        }
    }
}
