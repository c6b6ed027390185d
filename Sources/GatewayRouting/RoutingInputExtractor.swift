/// Builds a ``RoutingInput`` from a request body, by API shape.
///
/// Extraction reads the JSON body in one pass (``RequestBodyReader``), once per routed request, before and apart
/// from classification. Errors say what is wrong with the body and where, for a 400 `ValidationException`.
///
/// ```swift
/// let input = try RoutingInputExtractor.fromConverse(body: requestBytes)
/// let decision = classifier.classify(input)
/// ```
public enum RoutingInputExtractor {
    /// Reads a Converse or ConverseStream body: `messages` (`{role, content: [{text} | {image} | {document} |
    /// {video} | {toolUse} | {toolResult} ...]}`), `toolConfig.tools` and `inferenceConfig.maxTokens`.
    ///
    /// - Parameter body: the request body bytes.
    /// - Returns: the facts the classifier weighs.
    /// - Throws: ``RoutingError`` when the body is not JSON, not in the Converse shape, or has no user message.
    public static func fromConverse(body: some Collection<UInt8>) throws(RoutingError) -> RoutingInput {
        let request = try decode(body, api: "Converse")
        guard let messages = request.messages else {
            throw .noUserMessage("cannot route 'auto': the Converse body has no 'messages'; send at least one message with role 'user'")
        }
        return try input(from: messages, maxTokens: request.maxTokens, toolCount: request.toolCount)
    }

    /// Reads an InvokeModel or InvokeModelWithResponseStream body in the model family's native shape.
    ///
    /// - Anthropic: `messages` (content a string or typed blocks), `max_tokens`, `tools`.
    /// - Titan Text: `inputText`, `textGenerationConfig.maxTokenCount`.
    /// - Nova: `messages` with Converse-style blocks, `inferenceConfig.maxTokens`, `toolConfig.tools`.
    /// - Unknown: any of the above, or a plain `prompt` (Llama, Mistral), whichever the body has.
    ///
    /// - Parameters:
    ///   - body: the request body bytes.
    ///   - modelFamily: the family of the models the request may be routed to; see ``ModelFamily/init(modelId:)``.
    /// - Returns: the facts the classifier weighs.
    /// - Throws: ``RoutingError`` when the body is not JSON, lacks the family's prompt field, or has no user message.
    public static func fromInvoke(body: some Collection<UInt8>, modelFamily: ModelFamily) throws(RoutingError) -> RoutingInput {
        let api: String
        switch modelFamily {
        case .anthropic: api = "Anthropic Messages"
        case .titan: api = "Titan Text"
        case .nova: api = "Nova"
        case .unknown: api = "InvokeModel"
        }
        let request = try decode(body, api: api)
        switch modelFamily {
        case .anthropic, .nova:
            guard let messages = request.messages else {
                throw .noUserMessage("cannot route 'auto': the \(api) body has no 'messages'; send at least one message with role 'user'")
            }
            return try input(from: messages, maxTokens: request.maxTokens, toolCount: request.toolCount)
        case .titan:
            guard let text = request.inputText else {
                throw .malformedBody("cannot route 'auto': the Titan Text body has no 'inputText'; put the prompt in 'inputText'")
            }
            return RoutingInput(lastUserText: text, requestedMaxTokens: request.maxTokens)
        case .unknown:
            if let messages = request.messages {
                return try input(from: messages, maxTokens: request.maxTokens, toolCount: request.toolCount)
            }
            if let text = request.inputText ?? request.prompt {
                return RoutingInput(lastUserText: text, requestedMaxTokens: request.maxTokens)
            }
            throw .noUserMessage("cannot route 'auto': the request body has no 'messages', 'inputText' or 'prompt'; send the prompt in one of them")
        }
    }

    private static func decode(_ body: some Collection<UInt8>, api: String) throws(RoutingError) -> RequestBody {
        do {
            return try RequestBodyReader.read(body)
        } catch {
            throw .malformedBody("cannot route 'auto': \(describe(error, api: api))")
        }
    }

    private static func input(from messages: [RequestBody.Message], maxTokens: Int?, toolCount: Int) throws(RoutingError) -> RoutingInput {
        guard let lastUser = messages.lastIndex(where: { $0.role == "user" }) else {
            throw .noUserMessage("cannot route 'auto': the request has no user message; send at least one message with role 'user'")
        }
        // The last user turn's text; for a turn that only returns a tool result or an image, the closest earlier
        // user turn that has text.
        var textTurn = lastUser
        while textTurn >= 0 && (messages[textTurn].role != "user" || !messages[textTurn].content.contains { $0.kind == .text }) {
            textTurn -= 1
        }
        var lastText = ""
        if textTurn >= 0 {
            for block in messages[textTurn].content where block.kind == .text {
                if !lastText.isEmpty { lastText += "\n" }
                lastText += block.text ?? ""
            }
        }
        var priorBytes = 0
        var attachments = 0
        var toolBlocks = 0
        for (index, message) in messages.enumerated() {
            for block in message.content {
                switch block.kind {
                case .text: if index != textTurn { priorBytes += block.text?.utf8.count ?? 0 }
                case .attachment: attachments += 1
                case .tool: toolBlocks += 1
                case .other: break
                }
            }
        }
        return RoutingInput(
            lastUserText: lastText,
            turnCount: lastUser + 1,
            priorContextBytes: priorBytes,
            attachmentCount: attachments,
            toolCount: toolCount,
            toolBlockCount: toolBlocks,
            requestedMaxTokens: maxTokens
        )
    }

    /// A one-line description of a reading failure, naming the JSON path.
    private static func describe(_ failure: RequestBodyReader.Failure, api: String) -> String {
        switch failure {
        case .invalidJSON:
            return "the \(api) body is not valid JSON"
        case .notAnObject:
            return "the \(api) body must be a JSON object"
        case .wrongType(let path, let expected):
            return "'\(path)' in the \(api) body has the wrong type (expected \(expected))"
        case .null(let path, let expected):
            return "'\(path)' in the \(api) body is null (expected \(expected))"
        case .missingKey(let key, let parent):
            return "the \(api) body is missing '\(key)'\(parent.isEmpty ? "" : " in '\(parent)'")"
        }
    }
}
