/// Weights and thresholds of the simple/complex router, per use case.
///
/// The classifier adds up weighted evidence into a score; the request goes to the complex model when the
/// score reaches ``complexThreshold``. Positive weights push towards complex, negative ones towards simple.
/// Every field has a default, so a catalog only lists what it changes, under the use case's
/// `routing.thresholds` with snake_case keys:
///
/// ```yaml
/// routing:
///   simple: titan-text-express
///   complex: claude-sonnet
///   thresholds:
///     complex_threshold: 2.0      # route fewer requests to the strong model
///     attachment_weight: 0        # the simple model reads images too
/// ```
///
/// Decoding rejects unknown keys and out-of-range values with a message naming the key, so a typo in the
/// catalog stops start-up instead of silently changing nothing.
public struct RouterConfiguration: Sendable, Hashable {
    /// Score at or above which a request is complex. Default 1.5.
    public var complexThreshold: Double = 1.5

    /// Instructions of at most this many words count as short. Default 12.
    public var shortPromptWords: Int = 12
    /// Added for a short instruction that asks for no analysis and no code. Default -1.0.
    public var shortPromptWeight: Double = -1.0
    /// Instruction length (in words) at which ``lengthWeight`` is fully applied; it grows linearly up to twice
    /// that. Default 60.
    public var longPromptWords: Int = 60
    /// Weight of the instruction's length. Default 1.5.
    public var lengthWeight: Double = 1.5
    /// Pasted or quoted words at which ``pastedContextWeight`` is fully applied (linear, capped at twice).
    /// Default 400.
    public var pastedContextWords: Int = 400
    /// Weight of pasted material to read (an email, a log, a contract). Default 0.5.
    public var pastedContextWeight: Double = 0.5

    /// Added per question beyond the first (up to three more). Default 0.75.
    public var questionWeight: Double = 0.75
    /// Added per sub-task beyond the first (up to four more): task verbs opening sentences or chained with
    /// "and", "then" or commas, and enumerated tasks. Default 0.75.
    public var subTaskWeight: Double = 0.75

    /// Code evidence (fences, identifiers, operators, stack frames, SQL) needed to count as code. Default 4.
    public var codeEvidenceThreshold: Int = 4
    /// Added when the prompt contains code, a stack trace or SQL. Default 3.0.
    public var codeWeight: Double = 3.0
    /// Added when the prompt asks to write, fix or change code (a code verb with a code noun). Default 2.0.
    public var codeTaskWeight: Double = 2.0

    /// Added for analysis and reasoning vocabulary (analyse, compare, design, prove, trade-offs, root cause);
    /// each further term adds half as much, up to three more. Default 2.0.
    public var reasoningWeight: Double = 2.0
    /// Added per milder reasoning term (explain, why, plan, estimate, risks), up to three. Default 0.5.
    public var weakReasoningWeight: Double = 0.5
    /// Added for a single mechanical step (translate, rephrase, classify, extract, summarise, fix a typo).
    /// Default -1.0.
    public var simpleTaskWeight: Double = -1.0
    /// Added when the request opens as a single lookup question (what, who, where, how do I...). Default -0.75.
    public var lookupQuestionWeight: Double = -0.75
    /// Added for a short greeting or acknowledgement ("thanks, that worked"). Default -1.5.
    public var greetingWeight: Double = -1.5

    /// Requested outputs up to this many words ("in one sentence", "3 bullets") count as short. Default 80.
    public var shortOutputWords: Int = 80
    /// Added when the prompt asks for a short answer or a short artefact (a tweet, a subject line). Default -1.5.
    public var shortOutputWeight: Double = -1.5
    /// Requested outputs of at least this many words ("2,000-word", "two pages") count as long. Default 400.
    public var longOutputWords: Int = 400
    /// Added when the prompt asks for a long or thorough output or a long artefact (report, plan, guide).
    /// Default 1.5.
    public var longOutputWeight: Double = 1.5
    /// A `maxTokens` at or below this is a small output budget. Default 256.
    public var smallMaxTokens: Int = 256
    /// Added for a small output budget. Default -1.5.
    public var smallMaxTokensWeight: Double = -1.5
    /// A `maxTokens` at or above this is a large output budget. Default 4000.
    public var largeMaxTokens: Int = 4000
    /// Added for a large output budget (weak: many apps send a large default). Default 0.5.
    public var largeMaxTokensWeight: Double = 0.5

    /// Conversations with at least this many messages count as deep. Default 8.
    public var deepConversationTurns: Int = 8
    /// Added for a deep conversation. Default 0.5.
    public var conversationWeight: Double = 0.5
    /// Earlier turns with at least this many UTF-8 bytes of text count as a long context. Default 6000.
    public var longContextBytes: Int = 6000
    /// Added for a long earlier context. Default 0.5.
    public var longContextWeight: Double = 0.5

    /// Added when the conversation carries images, documents or video. Default 5.0 (a text-only simple model
    /// such as Titan Text cannot read them); set 0 when the simple model is multimodal.
    public var attachmentWeight: Double = 5.0
    /// Added when the request offers tools or carries tool-use blocks. Default 5.0 (Titan Text has no tool
    /// use, and a tool exchange must stay on the model that started it).
    public var toolWeight: Double = 5.0

    /// The defaults, tuned on the training part of the routing evaluation set.
    public init() {}

    /// Problems with the values, one message per field; empty when the configuration is usable.
    public var problems: [String] {
        var problems: [String] = []
        for (key, path) in Self.doubleFields where !self[keyPath: path].isFinite {
            problems.append("routing threshold '\(key)' must be a finite number")
        }
        for (key, path) in Self.intFields where self[keyPath: path] < 0 {
            problems.append("routing threshold '\(key)' must not be negative (got \(self[keyPath: path]))")
        }
        if longPromptWords == 0 { problems.append("routing threshold 'long_prompt_words' must be at least 1") }
        if pastedContextWords == 0 { problems.append("routing threshold 'pasted_context_words' must be at least 1") }
        if longOutputWords <= shortOutputWords {
            problems.append(
                "routing threshold 'long_output_words' (\(longOutputWords)) must be greater than 'short_output_words' (\(shortOutputWords))"
            )
        }
        if largeMaxTokens <= smallMaxTokens {
            problems.append("routing threshold 'large_max_tokens' (\(largeMaxTokens)) must be greater than 'small_max_tokens' (\(smallMaxTokens))")
        }
        return problems
    }

    /// Throws a ``RoutingError`` listing every out-of-range value.
    public func validate() throws {
        let problems = problems
        if !problems.isEmpty { throw RoutingError.invalidConfiguration(problems.joined(separator: "; ")) }
    }

    static var doubleFields: [(String, WritableKeyPath<RouterConfiguration, Double>)] {
        [
            ("complex_threshold", \.complexThreshold),
            ("short_prompt_weight", \.shortPromptWeight),
            ("length_weight", \.lengthWeight),
            ("pasted_context_weight", \.pastedContextWeight),
            ("question_weight", \.questionWeight),
            ("sub_task_weight", \.subTaskWeight),
            ("code_weight", \.codeWeight),
            ("code_task_weight", \.codeTaskWeight),
            ("reasoning_weight", \.reasoningWeight),
            ("weak_reasoning_weight", \.weakReasoningWeight),
            ("simple_task_weight", \.simpleTaskWeight),
            ("lookup_question_weight", \.lookupQuestionWeight),
            ("greeting_weight", \.greetingWeight),
            ("short_output_weight", \.shortOutputWeight),
            ("long_output_weight", \.longOutputWeight),
            ("small_max_tokens_weight", \.smallMaxTokensWeight),
            ("large_max_tokens_weight", \.largeMaxTokensWeight),
            ("conversation_weight", \.conversationWeight),
            ("long_context_weight", \.longContextWeight),
            ("attachment_weight", \.attachmentWeight),
            ("tool_weight", \.toolWeight),
        ]
    }

    static var intFields: [(String, WritableKeyPath<RouterConfiguration, Int>)] {
        [
            ("short_prompt_words", \.shortPromptWords),
            ("long_prompt_words", \.longPromptWords),
            ("pasted_context_words", \.pastedContextWords),
            ("code_evidence_threshold", \.codeEvidenceThreshold),
            ("short_output_words", \.shortOutputWords),
            ("long_output_words", \.longOutputWords),
            ("small_max_tokens", \.smallMaxTokens),
            ("large_max_tokens", \.largeMaxTokens),
            ("deep_conversation_turns", \.deepConversationTurns),
            ("long_context_bytes", \.longContextBytes),
        ]
    }

    /// Every key the catalog may use under `routing.thresholds`.
    public static var codingKeys: [String] { (doubleFields.map(\.0) + intFields.map(\.0)).sorted() }
}

extension RouterConfiguration: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: Key.self)
        let known = Set(Self.codingKeys)
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: key,
                in: container,
                debugDescription: "unknown routing threshold '\(key.stringValue)'; known keys: \(Self.codingKeys.joined(separator: ", "))"
            )
        }
        for (name, path) in Self.doubleFields {
            if let value = try container.decodeIfPresent(Double.self, forKey: Key(stringValue: name)) { self[keyPath: path] = value }
        }
        for (name, path) in Self.intFields {
            if let value = try container.decodeIfPresent(Int.self, forKey: Key(stringValue: name)) { self[keyPath: path] = value }
        }
        let problems = problems
        if !problems.isEmpty {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: problems.joined(separator: "; "))
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, path) in Self.doubleFields { try container.encode(self[keyPath: path], forKey: Key(stringValue: name)) }
        for (name, path) in Self.intFields { try container.encode(self[keyPath: path], forKey: Key(stringValue: name)) }
    }
}
