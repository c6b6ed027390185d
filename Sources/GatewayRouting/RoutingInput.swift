/// The parts of a model request the router weighs, independent of the API shape it arrived in.
///
/// Build one with ``RoutingInputExtractor`` from a Converse or InvokeModel body, or directly in tests.
///
/// ```swift
/// let input = RoutingInput(lastUserText: "How do I reset my password?")
/// let decision = RequestClassifier().classify(input)   // simple
/// ```
public struct RoutingInput: Sendable, Hashable {
    /// The text of the last user turn (its text blocks joined by newlines). When the last user turn carries
    /// no text (only a tool result or an image), the text of the closest earlier user turn that has some.
    public var lastUserText: String
    /// The number of messages in the conversation, the last user turn included.
    public var turnCount: Int
    /// UTF-8 bytes of text in the turns before the last user turn (the system prompt is not counted).
    public var priorContextBytes: Int
    /// Images, documents and videos anywhere in the conversation.
    public var attachmentCount: Int
    /// Tools the request offers the model (`toolConfig.tools` in Converse, `tools` in Anthropic bodies).
    public var toolCount: Int
    /// `toolUse` and `toolResult` blocks (`tool_use`, `tool_result` in Anthropic bodies) in the conversation.
    public var toolBlockCount: Int
    /// The output limit the request sets (`inferenceConfig.maxTokens`, `max_tokens`, `maxTokenCount`), if any.
    public var requestedMaxTokens: Int?

    public init(
        lastUserText: String,
        turnCount: Int = 1,
        priorContextBytes: Int = 0,
        attachmentCount: Int = 0,
        toolCount: Int = 0,
        toolBlockCount: Int = 0,
        requestedMaxTokens: Int? = nil
    ) {
        self.lastUserText = lastUserText
        self.turnCount = turnCount
        self.priorContextBytes = priorContextBytes
        self.attachmentCount = attachmentCount
        self.toolCount = toolCount
        self.toolBlockCount = toolBlockCount
        self.requestedMaxTokens = requestedMaxTokens
    }

    /// Whether the conversation carries any image, document or video.
    public var hasAttachments: Bool { attachmentCount > 0 }
    /// Whether the request offers tools or is in the middle of a tool-use exchange.
    public var hasToolUse: Bool { toolCount > 0 || toolBlockCount > 0 }
}
