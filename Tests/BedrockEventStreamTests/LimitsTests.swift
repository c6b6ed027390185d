import BedrockEventStream
import NIOCore
import Testing

struct LimitsTests {
    /// A prelude with a correct CRC announcing the given lengths.
    static func prelude(total: UInt32, headers: UInt32) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(total)
        buffer.writeInteger(headers)
        buffer.writeInteger(CRC32.checksum(buffer.readableBytesView))
        return buffer
    }

    @Test func payloadOfExactly24MiBIsAcceptedAndOneByteMoreIsRefused() throws {
        let limit = 24 * 1024 * 1024
        let atLimit = EventStreamMessage(payload: ByteBuffer(repeating: 0x61, count: limit))
        let frame = try EventStreamEncoder().encode(atLimit)
        #expect(try EventStreamDecoder().decode(frame: frame).payload.readableBytes == limit)

        let overLimit = EventStreamMessage(payload: ByteBuffer(repeating: 0x61, count: limit + 1))
        #expect(throws: EventStreamError.payloadTooLong) { try EventStreamEncoder().encode(overLimit) }

        // A frame that big on the wire is refused from its prelude alone, before its bytes are buffered.
        var splitter = EventStreamFrameSplitter()
        splitter.append(Self.prelude(total: UInt32(limit + 1 + 16), headers: 0))
        #expect(throws: EventStreamError.payloadTooLong) { try splitter.nextFrame() }

        // and the decoder refuses it too
        var huge = Self.prelude(total: UInt32(limit + 1 + 16), headers: 0)
        huge.writeRepeatingByte(0, count: limit + 1)
        huge.writeInteger(CRC32.checksum(huge.readableBytesView))
        #expect(throws: EventStreamError.payloadTooLong) { try EventStreamDecoder().decode(frame: huge) }
    }

    @Test func headersOf128KiBAreAcceptedAndOneByteMoreIsRefused() throws {
        // 2 headers of (1 + 2 + 1 + 2 + 65535) bytes = 131,082; size the second to land on the limit exactly.
        let limit = 128 * 1024
        let first = EventStreamHeader(name: "h1", value: .byteArray(Array(repeating: 1, count: 65_535)))
        let secondValue = limit - (6 + 65_535) - 6
        let atLimit = EventStreamMessage(headers: [
            first, EventStreamHeader(name: "h2", value: .byteArray(Array(repeating: 2, count: secondValue))),
        ])
        let frame = try EventStreamEncoder().encode(atLimit)
        #expect(frame.getInteger(at: 4, as: UInt32.self) == UInt32(limit))
        #expect(try EventStreamDecoder().decode(frame: frame) == atLimit)

        let overLimit = EventStreamMessage(headers: [
            first, EventStreamHeader(name: "h2", value: .byteArray(Array(repeating: 2, count: secondValue + 1))),
        ])
        #expect(throws: EventStreamError.headersTooLong) { try EventStreamEncoder().encode(overLimit) }

        var splitter = EventStreamFrameSplitter()
        splitter.append(Self.prelude(total: UInt32(limit + 1 + 16), headers: UInt32(limit + 1)))
        #expect(throws: EventStreamError.headersTooLong) { try splitter.nextFrame() }
    }

    @Test func customLimitsAreEnforced() throws {
        let limits = EventStreamLimits(maximumPayloadLength: 10, maximumHeadersLength: 20)
        let message = EventStreamMessage(payload: ByteBuffer(string: "12345678901"))
        #expect(throws: EventStreamError.payloadTooLong) { try EventStreamEncoder(limits: limits).encode(message) }
        let frame = try EventStreamEncoder().encode(message)
        #expect(throws: EventStreamError.payloadTooLong) { try EventStreamDecoder(limits: limits).decode(frame: frame) }
    }

    @Test func inconsistentLengthsAreRefused() throws {
        // total below the 16-byte minimum
        var splitter = EventStreamFrameSplitter()
        splitter.append(Self.prelude(total: 15, headers: 0))
        #expect(throws: EventStreamError.invalidLength) { try splitter.nextFrame() }

        // headers longer than the frame can hold
        splitter = EventStreamFrameSplitter()
        splitter.append(Self.prelude(total: 20, headers: 5))
        #expect(throws: EventStreamError.invalidLength) { try splitter.nextFrame() }

        // a buffer holding more or less than the frame it starts with
        var frame = try EventStreamEncoder().encode(.bedrockException("validationException", message: "bad"))
        frame.writeInteger(UInt8(0))
        #expect(throws: EventStreamError.invalidLength) { try EventStreamDecoder().decode(frame: frame) }
        #expect(throws: EventStreamError.invalidLength) {
            try EventStreamDecoder().decode(frame: ByteBuffer(bytes: [0, 0, 0]))
        }
    }

    @Test func malformedHeadersAreRefused() throws {
        /// A frame around a hand-made headers section, with correct CRCs.
        func frame(headers: [UInt8]) -> ByteBuffer {
            var buffer = Self.prelude(total: UInt32(16 + headers.count), headers: UInt32(headers.count))
            buffer.writeBytes(headers)
            buffer.writeInteger(CRC32.checksum(buffer.readableBytesView))
            return buffer
        }
        let decoder = EventStreamDecoder()
        // unknown type 10
        #expect(throws: EventStreamError.invalidHeader) { try decoder.decode(frame: frame(headers: [1, 0x61, 10])) }
        // string value running past the section
        #expect(throws: EventStreamError.invalidHeader) {
            try decoder.decode(frame: frame(headers: [1, 0x61, 7, 0, 5, 0x62]))
        }
        // name running past the section
        #expect(throws: EventStreamError.invalidHeader) { try decoder.decode(frame: frame(headers: [9, 0x61])) }
        // int32 cut short
        #expect(throws: EventStreamError.invalidHeader) { try decoder.decode(frame: frame(headers: [1, 0x61, 4, 0, 0])) }
        // invalid UTF-8 in a string value and in a name
        #expect(throws: EventStreamError.invalidHeader) {
            try decoder.decode(frame: frame(headers: [1, 0x61, 7, 0, 2, 0xC3, 0x28]))
        }
        #expect(throws: EventStreamError.invalidHeader) { try decoder.decode(frame: frame(headers: [1, 0xFF, 0])) }
        // the same name twice
        #expect(throws: EventStreamError.duplicateHeader) {
            try decoder.decode(frame: frame(headers: [1, 0x61, 0, 1, 0x61, 1]))
        }
        // duplicates among many headers (the set-based path)
        var many: [UInt8] = []
        for index in 0..<40 { many += [2, 0x61, UInt8(0x30 + index), 0] }
        #expect(try decoder.decode(frame: frame(headers: many)).headers.count == 40)
        #expect(throws: EventStreamError.duplicateHeader) { try decoder.decode(frame: frame(headers: many + [2, 0x61, 0x45, 1])) }
    }

    @Test func encoderRefusesHeadersThatCannotBeWritten() throws {
        let encoder = EventStreamEncoder()
        #expect(throws: EventStreamError.invalidHeader) {
            try encoder.encode(EventStreamMessage(headers: [EventStreamHeader(name: "", value: .bool(true))]))
        }
        #expect(throws: EventStreamError.invalidHeader) {
            try encoder.encode(
                EventStreamMessage(headers: [EventStreamHeader(name: String(repeating: "n", count: 256), value: .bool(true))])
            )
        }
        #expect(
            try encoder.encode(
                EventStreamMessage(headers: [EventStreamHeader(name: String(repeating: "n", count: 255), value: .bool(true))])
            ).readableBytes == 16 + 257
        )
        #expect(throws: EventStreamError.invalidHeader) {
            try encoder.encode(
                EventStreamMessage(headers: [EventStreamHeader(name: "s", string: String(repeating: "x", count: 65_536))])
            )
        }
        #expect(throws: EventStreamError.duplicateHeader) {
            try encoder.encode(
                EventStreamMessage(headers: [EventStreamHeader(name: "a", value: .bool(true)), EventStreamHeader(name: "a", value: .bool(false))])
            )
        }
        // nothing is written when encoding fails
        var buffer = ByteBuffer(string: "keep")
        #expect(throws: EventStreamError.duplicateHeader) {
            try encoder.encode(
                EventStreamMessage(headers: [EventStreamHeader(name: "a", value: .bool(true)), EventStreamHeader(name: "a", value: .bool(true))]),
                into: &buffer
            )
        }
        #expect(String(buffer: buffer) == "keep")
    }
}
