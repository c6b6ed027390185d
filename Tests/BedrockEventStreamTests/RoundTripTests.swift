import BedrockEventStream
import NIOCore
import Testing

struct RoundTripTests {
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomMessagesSurviveEncodeThenDecode(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<300 {
            let message = RandomMessages.message(using: &rng)
            let frame = try EventStreamEncoder().encode(message)
            let decoded = try EventStreamDecoder().decode(frame: frame)
            #expect(decoded == message)
            #expect(try EventStreamEncoder().encode(decoded) == frame)
        }
    }

    @Test func everyHeaderTypeRoundTripsWithItsExactValue() throws {
        let headers: [EventStreamHeader] = [
            EventStreamHeader(name: "t", value: .bool(true)),
            EventStreamHeader(name: "f", value: .bool(false)),
            EventStreamHeader(name: "i8", value: .byte(-128)),
            EventStreamHeader(name: "i16", value: .int16(-32768)),
            EventStreamHeader(name: "i32", value: .int32(.max)),
            EventStreamHeader(name: "i64", value: .int64(.min)),
            EventStreamHeader(name: "bytes", value: .byteArray([0, 1, 254, 255])),
            EventStreamHeader(name: "empty-bytes", value: .byteArray([])),
            EventStreamHeader(name: "str", value: .string("héllo ✓")),
            EventStreamHeader(name: "ts", value: .timestamp(milliseconds: 1_795_300_000_123)),
            EventStreamHeader(
                name: "id",
                value: .uuid(EventStreamUUID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210))
            ),
        ]
        let message = EventStreamMessage(headers: headers, payload: ByteBuffer(string: "payload"))
        let frame = try EventStreamEncoder().encode(message)
        // The type codes on the wire, read back by walking the headers section by hand.
        func valueLength(_ value: EventStreamHeaderValue) -> Int {
            switch value {
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
        var cursor = frame
        cursor.moveReaderIndex(forwardBy: 12)
        var types: [UInt8] = []
        for header in headers {
            #expect(cursor.readInteger(as: UInt8.self) == UInt8(header.name.utf8.count))
            #expect(cursor.readString(length: header.name.utf8.count) == header.name)
            types.append(cursor.readInteger()!)
            cursor.moveReaderIndex(forwardBy: valueLength(header.value))
        }
        #expect(types == [0, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9])
        #expect(try EventStreamDecoder().decode(frame: frame) == message)
        #expect(
            EventStreamUUID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210).description
                == "01234567-89ab-cdef-fedc-ba9876543210"
        )
    }

    @Test func emptyMessageIsSixteenBytes() throws {
        let frame = try EventStreamEncoder().encode(EventStreamMessage())
        #expect(frame.readableBytes == 16)
        #expect(try EventStreamDecoder().decode(frame: frame) == EventStreamMessage())
    }

    @Test func encodingAppendsAfterExistingBytes() throws {
        var buffer = ByteBuffer(string: "prefix")
        buffer.moveReaderIndex(forwardBy: 2)
        let message = EventStreamMessage.bedrockEvent("messageStop", jsonPayload: #"{"stopReason":"end_turn"}"#)
        try EventStreamEncoder().encode(message, into: &buffer)
        #expect(buffer.readString(length: 4) == "efix")
        #expect(try EventStreamDecoder().decode(frame: buffer) == message)
    }
}
