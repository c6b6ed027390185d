import NIOCore
import StrictJSON

/// Token counts a Bedrock response reports, for audit logs.
///
/// Found in a ConverseStream `metadata` event (`usage.inputTokens`, `usage.outputTokens`), in the last
/// InvokeModelWithResponseStream `chunk` (the model bytes carry `amazon-bedrock-invocationMetrics` with
/// `inputTokenCount` and `outputTokenCount`), or in a Converse response body (`usage`).
///
/// ```swift
/// while let message = try splitter.nextMessage() {
///     if let usage = BedrockTokenUsage(message) { audit.tokens = usage }
/// }
/// ```
public struct BedrockTokenUsage: Hashable, Sendable {
    /// Tokens in the prompt.
    public var inputTokens: Int
    /// Tokens generated.
    public var outputTokens: Int
    /// Prompt tokens read from the prompt cache, when reported.
    public var cacheReadInputTokens: Int?
    /// Prompt tokens written to the prompt cache, when reported.
    public var cacheWriteInputTokens: Int?

    /// Creates a usage record.
    public init(inputTokens: Int, outputTokens: Int, cacheReadInputTokens: Int? = nil, cacheWriteInputTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadInputTokens = cacheReadInputTokens
        self.cacheWriteInputTokens = cacheWriteInputTokens
    }

    /// The usage reported by a stream event, or `nil` if the event carries none.
    ///
    /// Only `metadata` events and `chunk` events are inspected; a chunk is decoded only when its model bytes
    /// mention `amazon-bedrock-invocationMetrics`.
    public init?(_ message: EventStreamMessage) {
        guard message.messageType == nil || message.messageType == "event" else { return nil }
        switch message.eventType {
        case "metadata":
            guard let usage = message.payloadJSON?["usage"] else { return nil }
            self.init(converseUsage: usage)
        case "chunk":
            guard let bytes = message.bedrockChunkBytes, Self.contains(bytes, Self.invocationMetricsKey),
                let metrics = JSONValue.parse(bytes)?["amazon-bedrock-invocationMetrics"],
                let input = metrics["inputTokenCount"]?.intValue, let output = metrics["outputTokenCount"]?.intValue
            else { return nil }
            self.init(
                inputTokens: input,
                outputTokens: output,
                cacheReadInputTokens: metrics["cacheReadInputTokenCount"]?.intValue,
                cacheWriteInputTokens: metrics["cacheWriteInputTokenCount"]?.intValue
            )
        default:
            return nil
        }
    }

    /// The `usage` of a Converse response body, or `nil` when the body has none.
    public init?(converseResponseBody body: ByteBuffer) {
        guard let usage = body.withUnsafeReadableBytes({ JSONValue.member("usage", ofObjectIn: $0) }) else { return nil }
        self.init(converseUsage: usage)
    }

    private init?(converseUsage usage: JSONValue) {
        guard let input = usage["inputTokens"]?.intValue, let output = usage["outputTokens"]?.intValue else {
            return nil
        }
        self.init(
            inputTokens: input,
            outputTokens: output,
            cacheReadInputTokens: usage["cacheReadInputTokens"]?.intValue,
            cacheWriteInputTokens: usage["cacheWriteInputTokens"]?.intValue
        )
    }

    private static let invocationMetricsKey = Array("amazon-bedrock-invocationMetrics".utf8)

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count, let first = needle.first else { return false }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return true
            }
            index += 1
        }
        return false
    }
}
