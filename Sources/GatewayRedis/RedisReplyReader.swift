import CHiredis
import NIOCore

/// Incremental RESP parser: hiredis's reply reader (`redisReaderCreate`, `redisReaderFeed`,
/// `redisReaderGetReply`), converting each `redisReply` tree into a ``RedisReply``.
///
/// Not thread-safe; owned by one ``RedisChannelHandler`` on its event loop.
final class RedisReplyReader {
    /// Why the reader gave up; the stream cannot be resynchronised after this.
    struct ParseError: Error {
        let reason: String
    }

    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        guard let reader = redisReaderCreate() else {
            fatalError("hiredis could not allocate a reply reader (out of memory)")
        }
        // Keep up to 64 KiB of read buffer between replies instead of hiredis's 16 KiB, to avoid reallocating it
        // under pipelined load.
        cgw_reader_set_max_buffer(reader, 64 * 1024)
        self.reader = reader
    }

    deinit {
        redisReaderFree(self.reader)
    }

    /// Appends bytes received from the server.
    func feed(_ buffer: ByteBuffer) throws(ParseError) {
        let status = buffer.withUnsafeReadableBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return REDIS_OK }
            return redisReaderFeed(self.reader, base.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        if status != REDIS_OK {
            throw ParseError(reason: self.lastError)
        }
    }

    /// The next complete reply, or `nil` when more bytes are needed.
    func next() throws(ParseError) -> RedisReply? {
        var object: UnsafeMutableRawPointer?
        guard redisReaderGetReply(self.reader, &object) == REDIS_OK else {
            throw ParseError(reason: self.lastError)
        }
        guard let object else { return nil }
        defer { freeReplyObject(object) }
        return Self.convert(object.assumingMemoryBound(to: redisReply.self))
    }

    private var lastError: String {
        let message = String(cString: cgw_reader_error(self.reader))
        return message.isEmpty ? "unknown reader error" : message
    }

    /// hiredis limits nesting to 7 levels, so the recursion is shallow.
    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            return .bulkString(Self.bytes(value))
        case REDIS_REPLY_STATUS:
            return .simpleString(String(decoding: Self.bytes(value), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: Self.bytes(value), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(value.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(value.elements)
            for index in 0..<value.elements {
                if let element = cgw_reply_element(reply, index) {
                    elements.append(Self.convert(element))
                } else {
                    elements.append(.null)
                }
            }
            return .array(elements)
        default:
            // REDIS_REPLY_NIL: a null bulk string or a null array.
            return .null
        }
    }

    private static func bytes(_ value: redisReply) -> [UInt8] {
        guard let string = value.str, value.len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: string, count: value.len))
    }
}
