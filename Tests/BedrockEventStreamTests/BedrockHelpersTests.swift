import BedrockEventStream
import NIOCore
import Testing

struct BedrockHelpersTests {
    @Test func chunkEventsCarryTheModelBytesBase64Encoded() throws {
        for length in 0..<10 {
            let bytes = Array(#"{"delta":"ünïcode"}"#.utf8.prefix(length * 2))
            let message = EventStreamMessage.bedrockChunk(bytes, padding: "xyz")
            #expect(message.messageType == "event")
            #expect(message.eventType == "chunk")
            #expect(message.contentType == "application/json")
            let decoded = try EventStreamDecoder().decode(frame: EventStreamEncoder().encode(message))
            #expect(decoded.bedrockChunkBytes == bytes)
            #expect(String(buffer: decoded.payload).hasSuffix(#","p":"xyz"}"#))
        }
        #expect(String(buffer: EventStreamMessage.bedrockChunk([0xFB, 0xFF]).payload) == #"{"bytes":"+/8="}"#)
    }

    @Test func exceptionMessagesAreEscapedAsJSON() throws {
        let text = "quote \" backslash \\ newline \n tab \t bell \u{7} ✓"
        let message = EventStreamMessage.bedrockException("modelStreamErrorException", message: text)
        #expect(
            String(buffer: message.payload)
                == #"{"message":"quote \" backslash \\ newline \n tab \t bell \u0007 ✓"}"#
        )
        #expect(message.bedrockExceptionMessage == text)
        #expect(message.exceptionType == "modelStreamErrorException")
        #expect(EventStreamMessage.bedrockChunk([1]).bedrockExceptionMessage == nil)
    }

    @Test func tokenUsageFromAConverseStreamMetadataEvent() {
        let metadata = EventStreamMessage.bedrockEvent(
            "metadata",
            jsonPayload: #"{"usage":{"inputTokens":25,"outputTokens":117,"totalTokens":142,"cacheReadInputTokens":5},"metrics":{"latencyMs":812},"p":"abcdefghijklmnop"}"#
        )
        #expect(
            BedrockTokenUsage(metadata)
                == BedrockTokenUsage(inputTokens: 25, outputTokens: 117, cacheReadInputTokens: 5)
        )
    }

    @Test func tokenUsageFromTheLastInvokeChunk() {
        let last = EventStreamMessage.bedrockChunk(
            Array(
                #"{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":19,"outputTokenCount":88,"invocationLatency":1234,"firstByteLatency":301}}"#
                    .utf8
            ),
            padding: "abc"
        )
        #expect(BedrockTokenUsage(last) == BedrockTokenUsage(inputTokens: 19, outputTokens: 88))

        let delta = EventStreamMessage.bedrockChunk(
            Array(#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#.utf8)
        )
        #expect(BedrockTokenUsage(delta) == nil)
        #expect(BedrockTokenUsage(.bedrockException("throttlingException", message: "slow down")) == nil)
        #expect(BedrockTokenUsage(.bedrockEvent("contentBlockDelta", jsonPayload: #"{"delta":{"text":"usage"}}"#)) == nil)
        // a malformed metadata payload yields nothing rather than a guess
        #expect(BedrockTokenUsage(.bedrockEvent("metadata", jsonPayload: #"{"usage":{"inputTokens":"x"}}"#)) == nil)
        #expect(BedrockTokenUsage(.bedrockEvent("metadata", jsonPayload: #"{"usage":{"inputTokens":1,"#)) == nil)
    }

    @Test func tokenUsageFromAConverseResponseBody() {
        let body = ByteBuffer(
            string: #"{"output":{"message":{"role":"assistant","content":[{"text":"Hello \ud83d\ude00"}]}},"stopReason":"end_turn","usage":{"inputTokens":7,"outputTokens":3,"totalTokens":10},"metrics":{"latencyMs":100}}"#
        )
        #expect(BedrockTokenUsage(converseResponseBody: body) == BedrockTokenUsage(inputTokens: 7, outputTokens: 3))
        #expect(BedrockTokenUsage(converseResponseBody: ByteBuffer(string: "not json")) == nil)
    }
}
