import BedrockEventStream
import NIOCore
import StrictJSON

/// Event-stream frames as Bedrock streams them: decoding one chunk frame, and splitting a buffer of 100 frames; and
/// reading `usage` from a Converse answer, as every non-streamed Converse response is read for the audit line.
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
        // A Converse answer of about 1.3 KB: a few paragraphs of text, then usage and metrics.
        let paragraph = "The order shipped on Tuesday from the Leeds warehouse and should arrive within three working days. "
        let converse = ByteBuffer(
            string: #"{"output":{"message":{"role":"assistant","content":[{"text":""#
                + String(repeating: paragraph, count: 12)
                + #""}]}},"stopReason":"end_turn","usage":{"inputTokens":412,"outputTokens":286,"totalTokens":698},"metrics":{"latencyMs":1830}}"#
        )
        let converseBytes = converse.readableBytes
        return [
            MicroBenchmark("Converse usage, full parse then [\"usage\"] (before; \(converseBytes) B answer)") { count in
                for _ in 0..<count { blackHole(converse.withUnsafeReadableBytes { JSONValue.parse($0)?["usage"] }) }
            },
            MicroBenchmark("Converse usage, member scan (BedrockTokenUsage; \(converseBytes) B answer)") { count in
                for _ in 0..<count { blackHole(BedrockTokenUsage(converseResponseBody: converse)) }
            },
            MicroBenchmark("Event-stream decode one chunk frame (\(frameBytes) B, CRCs checked)") { count in
                for _ in 0..<count { blackHole(try decoder.decode(frame: frame)) }
            },
            MicroBenchmark("Event-stream split 100 frames (per 100 frames, CRCs checked)", operationsPerSample: 1) { count in
                for _ in 0..<count {
                    var splitter = EventStreamFrameSplitter()
                    splitter.append(hundredFrames)
                    while let next = try splitter.nextFrame() { blackHole(next) }
                }
            },
        ]
    }
}
