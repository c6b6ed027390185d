import BedrockEventStream
import NIOCore
import Testing

/// The two frames in AWS-FACTS §5, produced and checked with botocore's `EventStreamBuffer`.
struct TestVectorTests {
    static let chunkFrame =
        "000000960000004bda6a95c10b3a6576656e742d747970650700056368756e6b0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b226279746573223a2265794a306558426c496a6f696257567a6332466e5a56397a64473977496e303d222c2270223a226162636465666768227df1c95632"
    static let exceptionFrame =
        "000000b2000000613590d5d30f3a657863657074696f6e2d747970650700137468726f74746c696e67457863657074696f6e0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d74797065070009657863657074696f6e7b226d657373616765223a22546f6f206d616e792072657175657374732c20706c656173652077616974206265666f726520747279696e6720616761696e2e227de8ffb26a"

    @Test func chunkVectorDecodesToDocumentedHeadersAndPayload() throws {
        let bytes = Hex.decode(Self.chunkFrame)
        let message = try EventStreamDecoder().decode(frame: ByteBuffer(bytes: bytes))
        #expect(
            message.headers == [
                EventStreamHeader(name: ":event-type", string: "chunk"),
                EventStreamHeader(name: ":content-type", string: "application/json"),
                EventStreamHeader(name: ":message-type", string: "event"),
            ]
        )
        #expect(String(buffer: message.payload) == #"{"bytes":"eyJ0eXBlIjoibWVzc2FnZV9zdG9wIn0=","p":"abcdefgh"}"#)
        #expect(message.messageType == "event")
        #expect(message.eventType == "chunk")
        #expect(message.contentType == "application/json")
        #expect(message.exceptionType == nil)
        #expect(message.bedrockChunkBytes.map { String(decoding: $0, as: UTF8.self) } == #"{"type":"message_stop"}"#)
    }

    @Test func exceptionVectorDecodesToDocumentedHeadersAndPayload() throws {
        let bytes = Hex.decode(Self.exceptionFrame)
        let message = try EventStreamDecoder().decode(frame: ByteBuffer(bytes: bytes))
        #expect(message.messageType == "exception")
        #expect(message.exceptionType == "throttlingException")
        #expect(message.contentType == "application/json")
        #expect(message.eventType == nil)
        #expect(message.headers.map(\.name) == [":exception-type", ":content-type", ":message-type"])
        #expect(String(buffer: message.payload) == #"{"message":"Too many requests, please wait before trying again."}"#)
        #expect(message.bedrockExceptionMessage == "Too many requests, please wait before trying again.")
    }

    @Test(arguments: [chunkFrame, exceptionFrame])
    func vectorsReencodeByteIdentically(hex: String) throws {
        let bytes = Hex.decode(hex)
        let message = try EventStreamDecoder().decode(frame: ByteBuffer(bytes: bytes))
        let reencoded = try EventStreamEncoder().encode(message)
        #expect(reencoded.bytes == bytes)
    }

    @Test func bedrockHelpersProduceTheVectorsExactly() throws {
        let chunk = EventStreamMessage.bedrockChunk(Array(#"{"type":"message_stop"}"#.utf8), padding: "abcdefgh")
        #expect(try EventStreamEncoder().encode(chunk).bytes == Hex.decode(Self.chunkFrame))

        let exception = EventStreamMessage.bedrockException(
            "throttlingException",
            message: "Too many requests, please wait before trying again."
        )
        #expect(try EventStreamEncoder().encode(exception).bytes == Hex.decode(Self.exceptionFrame))
    }

    @Test func crc32MatchesTheStandardCheckValueAndABitwiseReference() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)

        var rng = SplitMix64(seed: 7)
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(CRC32.checksum(bytes) == Self.bitwiseCRC32(bytes), "length \(length)")
            // Continuing from the CRC of a prefix gives the CRC of the whole (zlib semantics).
            let cut = length / 3
            var crc = CRC32(continuing: CRC32.checksum(bytes[..<cut]))
            crc.update(bytes[cut...])
            #expect(crc.value == CRC32.checksum(bytes))
        }
    }

    private static func bitwiseCRC32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
        }
        return ~crc
    }
}
