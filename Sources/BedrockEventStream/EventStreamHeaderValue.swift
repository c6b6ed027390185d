/// A typed event-stream header value. The cases are the ten wire types of the AWS event-stream format
/// (`true` and `false` share ``bool(_:)``).
public enum EventStreamHeaderValue: Hashable, Sendable {
    /// Wire types 0 (`true`) and 1 (`false`); no value bytes.
    case bool(Bool)
    /// Wire type 2: a signed byte.
    case byte(Int8)
    /// Wire type 3: a big-endian signed 16-bit integer.
    case int16(Int16)
    /// Wire type 4: a big-endian signed 32-bit integer.
    case int32(Int32)
    /// Wire type 5: a big-endian signed 64-bit integer.
    case int64(Int64)
    /// Wire type 6: up to 65,535 bytes, preceded by a 16-bit length.
    case byteArray([UInt8])
    /// Wire type 7: up to 65,535 bytes of UTF-8, preceded by a 16-bit length.
    case string(String)
    /// Wire type 8: milliseconds since the Unix epoch, big-endian signed 64-bit.
    case timestamp(milliseconds: Int64)
    /// Wire type 9: 16 raw bytes.
    case uuid(EventStreamUUID)

    /// The wire type code (0 through 9).
    public var typeCode: UInt8 {
        switch self {
        case .bool(let value): value ? 0 : 1
        case .byte: 2
        case .int16: 3
        case .int32: 4
        case .int64: 5
        case .byteArray: 6
        case .string: 7
        case .timestamp: 8
        case .uuid: 9
        }
    }

    /// The string, if this is a ``string(_:)`` value.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Number of bytes the value occupies on the wire, after the type byte.
    var encodedLength: Int {
        switch self {
        case .bool: 0
        case .byte: 1
        case .int16: 2
        case .int32: 4
        case .int64, .timestamp: 8
        case .byteArray(let bytes): 2 + bytes.count
        case .string(let string): 2 + string.utf8.count
        case .uuid: 16
        }
    }
}
