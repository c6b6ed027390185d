import BedrockEventStream
import NIOCore
import Testing

struct CorruptionTests {
    /// The error a flip at `index` must produce: the prelude CRC covers bytes 0..<12, the message CRC the rest.
    private static func expectedError(at index: Int) -> EventStreamError {
        index < 12 ? .preludeChecksumMismatch : .messageChecksumMismatch
    }

    @Test(arguments: [TestVectorTests.chunkFrame, TestVectorTests.exceptionFrame])
    func flippingAnyBitOfAFrameIsAChecksumError(hex: String) throws {
        let original = Hex.decode(hex)
        for index in original.indices {
            for bit in 0..<8 {
                var corrupted = original
                corrupted[index] ^= UInt8(1) << bit
                #expect(throws: Self.expectedError(at: index), "byte \(index) bit \(bit)") {
                    try EventStreamDecoder().decode(frame: ByteBuffer(bytes: corrupted))
                }
                var splitter = EventStreamFrameSplitter()
                splitter.append(ByteBuffer(bytes: corrupted))
                #expect(throws: Self.expectedError(at: index), "splitter, byte \(index) bit \(bit)") {
                    while try splitter.nextFrame() != nil {}
                    // a corrupt length may leave the splitter waiting for bytes that never come
                    try splitter.finish()
                }
            }
        }
    }

    @Test func replacingAnyByteOfRandomFramesNeverCrashesAndIsAlwaysRejected() throws {
        var rng = SplitMix64(seed: 1234)
        for _ in 0..<40 {
            let original = try EventStreamEncoder().encode(RandomMessages.message(using: &rng, maxPayload: 60)).bytes
            for index in original.indices {
                var corrupted = original
                corrupted[index] = corrupted[index] &+ UInt8.random(in: 1...255, using: &rng)
                #expect(throws: Self.expectedError(at: index)) {
                    try EventStreamDecoder().decode(frame: ByteBuffer(bytes: corrupted))
                }
            }
        }
    }

    @Test func aCorruptFrameInTheMiddleStopsTheStreamAfterTheGoodOnes() throws {
        let good = Hex.decode(TestVectorTests.chunkFrame)
        var bad = Hex.decode(TestVectorTests.exceptionFrame)
        bad[40] ^= 0x20
        var splitter = EventStreamFrameSplitter()
        splitter.append(ByteBuffer(bytes: good + bad + good))
        #expect(try splitter.nextFrame()?.bytes == good)
        #expect(throws: EventStreamError.messageChecksumMismatch) { try splitter.nextFrame() }
    }

    @Test func errorsExplainWhatWasWrong() throws {
        var bytes = Hex.decode(TestVectorTests.chunkFrame)
        bytes[bytes.count - 1] ^= 0xFF
        do {
            _ = try EventStreamDecoder().decode(frame: ByteBuffer(bytes: bytes))
            Issue.record("a corrupted frame decoded")
        } catch {
            #expect(error == .messageChecksumMismatch)
            #expect(error.shortDescription == "messageChecksumMismatch")
            #expect(error.description == "message checksum mismatch: frame says 0xf1c956cd, bytes give 0xf1c95632; the stream is corrupt")
        }
    }
}
