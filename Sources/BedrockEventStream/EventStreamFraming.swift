import NIOCore
import StrictJSON

/// Wire-level constants and checks shared by the decoder and the frame splitter.
enum EventStreamFraming {
    /// Prelude (12 bytes) plus the trailing message CRC (4 bytes).
    static let overhead = 16
    /// Total length, headers length, prelude CRC.
    static let preludeLength = 12

    /// The validated lengths from a frame's prelude.
    struct Prelude {
        var totalLength: Int
        var headersLength: Int
        var payloadLength: Int { self.totalLength - self.headersLength - EventStreamFraming.overhead }
    }

    /// Reads and validates the prelude at the start of `bytes` (which must hold at least 12 bytes): the
    /// prelude CRC, the length consistency and the limits.
    static func prelude(
        of bytes: UnsafeRawBufferPointer,
        limits: EventStreamLimits
    ) throws(EventStreamError) -> Prelude {
        let total = Int(Self.readUInt32(bytes, at: 0))
        let headers = Int(Self.readUInt32(bytes, at: 4))
        let expectedCRC = Self.readUInt32(bytes, at: 8)
        let actualCRC = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<8]))
        guard expectedCRC == actualCRC else {
            throw .preludeChecksumMismatch(expected: expectedCRC, actual: actualCRC)
        }
        guard total >= Self.overhead else {
            throw .invalidLength("total length \(total) is shorter than the 16-byte minimum frame")
        }
        guard headers <= total - Self.overhead else {
            throw .invalidLength("headers length \(headers) does not fit in a frame of \(total) bytes")
        }
        guard headers <= limits.maximumHeadersLength else {
            throw .headersTooLong(headers, limit: limits.maximumHeadersLength)
        }
        let payload = total - headers - Self.overhead
        guard payload <= limits.maximumPayloadLength else {
            throw .payloadTooLong(payload, limit: limits.maximumPayloadLength)
        }
        return Prelude(totalLength: total, headersLength: headers)
    }

    /// Checks the trailing message CRC of a complete frame.
    static func verifyMessageChecksum(_ frame: UnsafeRawBufferPointer) throws(EventStreamError) {
        let end = frame.count - 4
        let expected = Self.readUInt32(frame, at: end)
        let actual = CRC32.checksum(UnsafeRawBufferPointer(rebasing: frame[0..<end]))
        guard expected == actual else {
            throw .messageChecksumMismatch(expected: expected, actual: actual)
        }
    }

    @inline(__always)
    static func readUInt32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Decodes the headers section `bytes` (exactly the section, no more).
    static func decodeHeaders(_ bytes: UnsafeRawBufferPointer) throws(EventStreamError) -> [EventStreamHeader] {
        var headers: [EventStreamHeader] = []
        var names = Set<String>()
        var offset = 0
        let end = bytes.count

        func need(_ count: Int, _ what: @autoclosure () -> String) throws(EventStreamError) {
            guard end - offset >= count else {
                throw .invalidHeader("headers section ends inside \(what())")
            }
        }
        func integer<T: FixedWidthInteger>(_: T.Type) -> T {
            var value: T = 0
            for index in 0..<MemoryLayout<T>.size {
                value = value << 8 | T(truncatingIfNeeded: bytes[offset + index])
            }
            offset += MemoryLayout<T>.size
            return value
        }
        func string(_ length: Int, _ what: @autoclosure () -> String) throws(EventStreamError) -> String {
            let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
            guard JSONValue.isValidUTF8(slice) else {
                throw .invalidHeader("\(what()) is not valid UTF-8")
            }
            offset += length
            return String(decoding: slice, as: UTF8.self)
        }

        while offset < end {
            let nameLength = Int(bytes[offset])
            offset += 1
            try need(nameLength + 1, "a header name")
            let name = try string(nameLength, "a header name")
            let type = bytes[offset]
            offset += 1
            let value: EventStreamHeaderValue
            switch type {
            case 0:
                value = .bool(true)
            case 1:
                value = .bool(false)
            case 2:
                try need(1, "the value of '\(name)'")
                value = .byte(integer(Int8.self))
            case 3:
                try need(2, "the value of '\(name)'")
                value = .int16(integer(Int16.self))
            case 4:
                try need(4, "the value of '\(name)'")
                value = .int32(integer(Int32.self))
            case 5:
                try need(8, "the value of '\(name)'")
                value = .int64(integer(Int64.self))
            case 6:
                try need(2, "the length of '\(name)'")
                let length = Int(integer(UInt16.self))
                try need(length, "the value of '\(name)'")
                value = .byteArray(Array(bytes[offset..<(offset + length)]))
                offset += length
            case 7:
                try need(2, "the length of '\(name)'")
                let length = Int(integer(UInt16.self))
                try need(length, "the value of '\(name)'")
                value = .string(try string(length, "the value of '\(name)'"))
            case 8:
                try need(8, "the value of '\(name)'")
                value = .timestamp(milliseconds: integer(Int64.self))
            case 9:
                try need(16, "the value of '\(name)'")
                let high = integer(UInt64.self)
                let low = integer(UInt64.self)
                value = .uuid(EventStreamUUID(high: high, low: low))
            default:
                throw .invalidHeader("header '\(name)' has unknown value type \(type); types are 0 to 9")
            }
            // Linear scan for the usual handful of headers; a set once a frame carries many.
            if headers.count < 16 {
                for existing in headers where existing.name == name {
                    throw .duplicateHeader(name)
                }
            } else {
                if names.isEmpty {
                    names = Set(headers.lazy.map(\.name))
                }
                guard names.insert(name).inserted else {
                    throw .duplicateHeader(name)
                }
            }
            headers.append(EventStreamHeader(name: name, value: value))
        }
        return headers
    }
}
