import NIOCore

/// Writes ``EventStreamMessage`` values as AWS event-stream frames.
///
/// A frame is a 12-byte prelude (total length, headers length, CRC-32 of the first 8 bytes), the headers,
/// the payload, and a CRC-32 of everything before it, all big-endian.
///
/// ```swift
/// var out = ByteBuffer()
/// try EventStreamEncoder().encode(.bedrockException("throttlingException", message: "Slow down"), into: &out)
/// ```
public struct EventStreamEncoder: Sendable {
    /// The limits checked before anything is written.
    public var limits: EventStreamLimits

    /// Creates an encoder enforcing `limits`.
    public init(limits: EventStreamLimits = .default) {
        self.limits = limits
    }

    /// Appends the frame for `message` to `buffer`.
    ///
    /// Nothing is written when the message is invalid: a header name that is empty, longer than 255 bytes or
    /// repeated; a byte-array or string value longer than 65,535 bytes; or a headers section or payload over
    /// the limits.
    public func encode(_ message: EventStreamMessage, into buffer: inout ByteBuffer) throws(EventStreamError) {
        let headersLength = try self.validatedHeadersLength(message.headers)
        let payloadLength = message.payload.readableBytes
        guard payloadLength <= self.limits.maximumPayloadLength else {
            throw .payloadTooLong(payloadLength, limit: self.limits.maximumPayloadLength)
        }
        let totalLength = EventStreamFraming.overhead + headersLength + payloadLength

        buffer.reserveCapacity(minimumWritableBytes: totalLength)
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(totalLength), endianness: .big)
        buffer.writeInteger(UInt32(headersLength), endianness: .big)
        let preludeCRC = buffer.withUnsafeReadableBytes { bytes in
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[(start - buffer.readerIndex)...]))
        }
        buffer.writeInteger(preludeCRC, endianness: .big)
        for header in message.headers {
            Self.write(header, into: &buffer)
        }
        buffer.writeImmutableBuffer(message.payload)
        let messageCRC = buffer.withUnsafeReadableBytes { bytes in
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[(start - buffer.readerIndex)...]))
        }
        buffer.writeInteger(messageCRC, endianness: .big)
    }

    /// Returns the frame for `message` in a new buffer.
    public func encode(
        _ message: EventStreamMessage,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws(EventStreamError) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 0)
        try self.encode(message, into: &buffer)
        return buffer
    }

    private func validatedHeadersLength(_ headers: [EventStreamHeader]) throws(EventStreamError) -> Int {
        var length = 0
        var seen = Set<String>()
        for header in headers {
            let nameLength = header.name.utf8.count
            guard nameLength >= 1, nameLength <= Int(UInt8.max) else {
                throw .invalidHeader(
                    "header name is \(nameLength) bytes; names must be 1 to 255 bytes of UTF-8"
                )
            }
            guard seen.insert(header.name).inserted else {
                throw .duplicateHeader(header.name)
            }
            let valueLength = header.value.encodedLength
            switch header.value {
            case .byteArray, .string:
                guard valueLength - 2 <= Int(UInt16.max) else {
                    throw .invalidHeader(
                        "value of header '\(header.name)' is \(valueLength - 2) bytes; the limit is 65535"
                    )
                }
            default:
                break
            }
            length += 1 + nameLength + 1 + valueLength
        }
        guard length <= self.limits.maximumHeadersLength else {
            throw .headersTooLong(length, limit: self.limits.maximumHeadersLength)
        }
        return length
    }

    private static func write(_ header: EventStreamHeader, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(header.name.utf8.count))
        buffer.writeString(header.name)
        buffer.writeInteger(header.value.typeCode)
        switch header.value {
        case .bool:
            break
        case .byte(let value):
            buffer.writeInteger(value)
        case .int16(let value):
            buffer.writeInteger(value, endianness: .big)
        case .int32(let value):
            buffer.writeInteger(value, endianness: .big)
        case .int64(let value), .timestamp(milliseconds: let value):
            buffer.writeInteger(value, endianness: .big)
        case .byteArray(let bytes):
            buffer.writeInteger(UInt16(bytes.count), endianness: .big)
            buffer.writeBytes(bytes)
        case .string(let string):
            buffer.writeInteger(UInt16(string.utf8.count), endianness: .big)
            buffer.writeString(string)
        case .uuid(let uuid):
            buffer.writeInteger(uuid.high, endianness: .big)
            buffer.writeInteger(uuid.low, endianness: .big)
        }
    }
}
