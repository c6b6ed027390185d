/// The native InvokeModel body shapes the router can read.
public enum ModelFamily: String, Sendable, Hashable, CaseIterable {
    /// Anthropic Messages: `messages` (content a string or typed blocks), `system`, `max_tokens`, `tools`.
    case anthropic
    /// Amazon Titan Text: `inputText`, `textGenerationConfig.maxTokenCount`.
    case titan
    /// Amazon Nova: `messages` with Converse-style content blocks, `inferenceConfig.maxTokens`, `toolConfig`.
    case nova
    /// Any other model: the body is read leniently as any of the shapes above, or a plain `prompt`
    /// (Meta Llama, Mistral, Cohere).
    case unknown

    /// The family of a Bedrock model id, inference-profile id or ARN.
    ///
    /// ```swift
    /// ModelFamily(modelId: "us.anthropic.claude-3-5-haiku-20241022-v1:0")   // .anthropic
    /// ModelFamily(modelId: "amazon.titan-text-express-v1")                  // .titan
    /// ```
    public init(modelId: some StringProtocol) {
        let id = modelId.utf8
        if Self.contains(id, "anthropic.") {
            self = .anthropic
        } else if Self.contains(id, "amazon.titan-text") || Self.contains(id, "amazon.titan-tg1") {
            self = .titan
        } else if Self.contains(id, "amazon.nova") {
            self = .nova
        } else {
            self = .unknown
        }
    }

    private static func contains(_ haystack: some Collection<UInt8>, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        return needle.withUTF8Buffer { pattern in
            var start = haystack.startIndex
            while haystack.distance(from: start, to: haystack.endIndex) >= count {
                if zip(haystack[start...], pattern).allSatisfy({ $0 == $1 }) { return true }
                start = haystack.index(after: start)
            }
            return false
        }
    }
}
