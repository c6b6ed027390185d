import BedrockEventStream
import NIOCore
import Testing

struct FrameSplitterTests {
    /// Five frames of different shapes, concatenated.
    static func sampleFrames() throws -> [[UInt8]] {
        var rng = SplitMix64(seed: 42)
        var frames: [[UInt8]] = [
            Hex.decode(TestVectorTests.chunkFrame),
            try EventStreamEncoder().encode(EventStreamMessage()).bytes,
            Hex.decode(TestVectorTests.exceptionFrame),
        ]
        frames.append(try EventStreamEncoder().encode(RandomMessages.message(using: &rng, maxPayload: 90)).bytes)
        frames.append(
            try EventStreamEncoder().encode(
                .bedrockEvent("metadata", jsonPayload: #"{"usage":{"inputTokens":12,"outputTokens":34,"totalTokens":46}}"#)
            ).bytes
        )
        return frames
    }

    private static func drain(_ splitter: inout EventStreamFrameSplitter, into frames: inout [[UInt8]]) throws {
        while let frame = try splitter.nextFrame() {
            frames.append(frame.bytes)
        }
    }

    @Test func everySplitPointOfAMultiFrameBufferYieldsTheSameFrames() throws {
        let frames = try Self.sampleFrames()
        let stream = frames.flatMap { $0 }
        for cut in 0...stream.count {
            var splitter = EventStreamFrameSplitter()
            var received: [[UInt8]] = []
            splitter.append(ByteBuffer(bytes: stream[..<cut]))
            try Self.drain(&splitter, into: &received)
            splitter.append(ByteBuffer(bytes: stream[cut...]))
            try Self.drain(&splitter, into: &received)
            try splitter.finish()
            #expect(received == frames, "split at \(cut)")
        }
    }

    @Test func everyPairOfSplitPointsYieldsTheSameFrames() throws {
        let frames = Array(try Self.sampleFrames().prefix(3))
        let stream = frames.flatMap { $0 }
        for first in stride(from: 0, through: stream.count, by: 3) {
            for second in first...stream.count {
                var splitter = EventStreamFrameSplitter()
                var received: [[UInt8]] = []
                for piece in [stream[..<first], stream[first..<second], stream[second...]] {
                    splitter.append(ByteBuffer(bytes: piece))
                    try Self.drain(&splitter, into: &received)
                }
                try splitter.finish()
                #expect(received == frames, "split at \(first) and \(second)")
            }
        }
    }

    @Test func byteByByteAndRandomChunkingYieldTheSameFrames() throws {
        let frames = try Self.sampleFrames()
        let stream = frames.flatMap { $0 }

        var splitter = EventStreamFrameSplitter()
        var received: [[UInt8]] = []
        for byte in stream {
            splitter.append(ByteBuffer(bytes: [byte]))
            try Self.drain(&splitter, into: &received)
        }
        try splitter.finish()
        #expect(received == frames)

        var rng = SplitMix64(seed: 9)
        for _ in 0..<200 {
            var splitter = EventStreamFrameSplitter()
            var received: [[UInt8]] = []
            var offset = 0
            while offset < stream.count {
                let length = min(stream.count - offset, Int.random(in: 0...120, using: &rng))
                splitter.append(ByteBuffer(bytes: stream[offset..<(offset + length)]))
                offset += length
                try Self.drain(&splitter, into: &received)
            }
            try splitter.finish()
            #expect(received == frames)
        }
    }

    @Test func nextMessageDecodesWhatItSplits() throws {
        let frames = try Self.sampleFrames()
        var splitter = EventStreamFrameSplitter()
        splitter.append(ByteBuffer(bytes: frames.flatMap { $0 }))
        var messages: [EventStreamMessage] = []
        while let message = try splitter.nextMessage() {
            messages.append(message)
        }
        #expect(messages.count == 5)
        #expect(messages.map(\.messageType) == ["event", nil, "exception", messages[3].messageType, "event"])
        #expect(messages[0].eventType == "chunk")
        #expect(BedrockTokenUsage(messages[4]) == BedrockTokenUsage(inputTokens: 12, outputTokens: 34))
        #expect(splitter.bufferedByteCount == 0)
    }

    @Test func aStreamEndingMidFrameIsReportedAsTruncated() throws {
        let frame = Hex.decode(TestVectorTests.chunkFrame)
        for cut in 1..<frame.count {
            var splitter = EventStreamFrameSplitter()
            splitter.append(ByteBuffer(bytes: frame[..<cut]))
            #expect(try splitter.nextFrame() == nil)
            #expect(splitter.bufferedByteCount == cut)
            #expect(throws: EventStreamError.truncatedStream) { try splitter.finish() }
        }
    }

    @Test func framesAreUntouchedSlicesOfTheInput() throws {
        let frames = try Self.sampleFrames()
        let input = ByteBuffer(bytes: frames.flatMap { $0 })
        var splitter = EventStreamFrameSplitter()
        splitter.append(input)
        var total = 0
        while let frame = try splitter.nextFrame() {
            #expect(frame == input.getSlice(at: total, length: frame.readableBytes))
            total += frame.readableBytes
        }
        #expect(total == input.readableBytes)
    }

    @Test func asyncFrameSequenceCutsChunksIntoFrames() async throws {
        let frames = try Self.sampleFrames()
        let stream = frames.flatMap { $0 }
        let (chunks, continuation) = AsyncStream<ByteBuffer>.makeStream()
        var offset = 0
        var size = 1
        while offset < stream.count {
            let length = min(size, stream.count - offset)
            continuation.yield(ByteBuffer(bytes: stream[offset..<(offset + length)]))
            offset += length
            size = size * 2 % 97 + 1
        }
        continuation.finish()
        var received: [[UInt8]] = []
        for try await frame in chunks.eventStreamFrames() {
            received.append(frame.bytes)
        }
        #expect(received == frames)
    }

    @Test func asyncFrameSequenceThrowsWhenTheBodyEndsMidFrame() async throws {
        let frame = Hex.decode(TestVectorTests.chunkFrame)
        let (chunks, continuation) = AsyncStream<ByteBuffer>.makeStream()
        continuation.yield(ByteBuffer(bytes: frame))
        continuation.yield(ByteBuffer(bytes: frame[..<20]))
        continuation.finish()
        var received = 0
        await #expect(throws: EventStreamError.truncatedStream) {
            for try await _ in chunks.eventStreamFrames() {
                received += 1
            }
        }
        #expect(received == 1)
    }
}
