import BedrockEventStream
import NIOCore

/// Event-stream frames as Bedrock streams them: decoding one chunk frame, and splitting a buffer of 100 frames.
enum EventStreamBenchmarks {
    static func all() throws -> [MicroBenchmark] {
        let chunk = EventStreamMessage.bedrockChunk(
            Array(
                #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello, how can I help you with your order today?"}}"#
                    .utf8
            ),
            padding: "abcdefghijklmnopqrstuvwxyzABCDEF"
        )
        let encoder = EventStreamEncoder()
        let frame = try encoder.encode(chunk)
        var hundred = ByteBuffer()
        for _ in 0..<100 { try encoder.encode(chunk, into: &hundred) }
        let hundredFrames = hundred
        let decoder = EventStreamDecoder()
        let frameBytes = frame.readableBytes
        return [
            MicroBenchmark("Event-stream decode one chunk frame (\(frameBytes) B, CRCs checked)") { count in
                for _ in 0..<count { blackHole(try decoder.decode(frame: frame)) }
            },
            MicroBenchmark("Event-stream split 100 frames (per 100 frames, CRCs checked)") { count in
                for _ in 0..<count {
                    var splitter = EventStreamFrameSplitter()
                    splitter.append(hundredFrames)
                    while let next = try splitter.nextFrame() { blackHole(next) }
                }
            },
        ]
    }
}
