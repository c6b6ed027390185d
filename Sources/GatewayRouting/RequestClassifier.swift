/// Decides whether a request is simple enough for the use case's cheap model or needs the strong one.
///
/// The classifier weighs what a person would: how long the instruction is and how much material is pasted,
/// how many questions and sub-tasks it holds, whether it contains or asks for code, whether it asks for
/// analysis or reasoning, how long an answer it wants (from the wording and from `maxTokens`), how deep
/// the conversation is, and whether it carries attachments or tools. Each signal adds a configurable weight
/// to a score; the request is complex when the score reaches ``RouterConfiguration/complexThreshold``.
///
/// Classification is pure and allocation-light: one pass over the prompt's UTF-8 bytes, no JSON, no
/// regular expressions, no Foundation.
///
/// ```swift
/// let classifier = RequestClassifier()
/// let decision = classifier.classify(RoutingInput(lastUserText: "Prove the scheduler can't deadlock."))
/// // decision.tier == .complex, decision.reason == "complex: analysis/reasoning, ..."
/// ```
public struct RequestClassifier: Sendable {
    /// The weights and thresholds in use.
    public let configuration: RouterConfiguration

    /// Creates a classifier with the given weights and thresholds.
    public init(configuration: RouterConfiguration = .init()) {
        self.configuration = configuration
    }

    /// Classifies one request.
    ///
    /// - Parameter input: the request's last user turn and conversation facts.
    /// - Returns: the tier, a short header-safe reason naming the strongest signals, and the score.
    public func classify(_ input: RoutingInput) -> RoutingDecision {
        let features = PromptScanner.scan(input.lastUserText)
        return decide(signals(for: features, input: input))
    }

    /// The weighted signals for a scanned prompt; exposed to tests through `@testable import`.
    func signals(for features: PromptFeatures, input: RoutingInput) -> [RoutingSignal] {
        let c = configuration
        let instruction = features.instruction
        let words = instruction.words
        let hasCode = features.code.strength >= c.codeEvidenceThreshold
        let asksForCode = instruction.codeNouns > 0 && instruction.codeVerbs > 0 || instruction.debugNouns > 0 && hasCode
        let subTasks = instruction.subTasks + instruction.taskListItems
        // Shortness, a lookup opener and a mechanical verb are evidence of simplicity only when nothing harder
        // is asked: "Prove the scheduler can't deadlock" is short, "What are the trade-offs of X?" is no lookup.
        let asksForMore = instruction.reasoning > 0 || asksForCode || hasCode
        var signals: [RoutingSignal] = []
        signals.reserveCapacity(12)

        // Length of what is asked, and of what is pasted.
        if words <= c.shortPromptWords && !asksForMore {
            signals.append(.init(kind: .shortRequest(words: words, question: instruction.questions > 0), weight: c.shortPromptWeight))
        } else if words > c.shortPromptWords {
            let ratio = min(Double(words) / Double(max(c.longPromptWords, 1)), 2)
            signals.append(.init(kind: .longRequest(words: words), weight: c.lengthWeight * ratio))
        }
        let pasted = features.pastedWords
        if pasted > 0 {
            let ratio = min(Double(pasted) / Double(max(c.pastedContextWords, 1)), 2)
            signals.append(.init(kind: .pastedText(words: pasted), weight: c.pastedContextWeight * ratio))
        }

        // Structure: several questions, several sub-tasks.
        if instruction.questions >= 2 {
            signals.append(.init(kind: .questions(instruction.questions), weight: c.questionWeight * Double(min(instruction.questions - 1, 3))))
        }
        if subTasks >= 2 {
            signals.append(.init(kind: .subTasks(subTasks), weight: c.subTaskWeight * Double(min(subTasks - 1, 4))))
        }

        // Code present, or code asked for.
        if hasCode {
            signals.append(.init(kind: .code(features.code.kind), weight: c.codeWeight))
        }
        if asksForCode {
            signals.append(.init(kind: .codeTask, weight: c.codeTaskWeight))
        }

        // What kind of thinking is asked for.
        if instruction.reasoning > 0 {
            let extra = Double(min(instruction.reasoning - 1, 3)) * 0.5
            signals.append(.init(kind: .reasoning(terms: instruction.reasoning), weight: c.reasoningWeight * (1 + extra)))
        }
        if instruction.weakReasoning > 0 {
            let weight = c.weakReasoningWeight * Double(min(instruction.weakReasoning, 3))
            signals.append(.init(kind: .weakReasoning(terms: instruction.weakReasoning), weight: weight))
        }
        if instruction.simpleTasks > 0 && subTasks <= 1 && !asksForMore {
            signals.append(.init(kind: .simpleTask, weight: c.simpleTaskWeight))
        }
        let opener = features.openerClasses.union(features.openerPairClasses)
        if opener.contains(.lookup) && instruction.questions <= 1 && !asksForMore {
            signals.append(.init(kind: .lookupQuestion, weight: c.lookupQuestionWeight))
        }
        if instruction.greetings > 0 && words <= c.shortPromptWords {
            signals.append(.init(kind: .greeting, weight: c.greetingWeight))
        }

        // How long an answer is wanted.
        let requested = instruction.requestedOutputWords
        if requested >= c.longOutputWords {
            signals.append(.init(kind: .longOutput(words: requested), weight: c.longOutputWeight * 1.5))
        } else if requested > 0 && requested <= c.shortOutputWords || instruction.shortOutput > 0
            || instruction.shortDeliverables > 0 && words <= 2 * c.shortPromptWords
        {
            signals.append(.init(kind: .shortOutput(words: requested), weight: c.shortOutputWeight))
        } else if instruction.longOutput > 0 || instruction.longDeliverables > 0 {
            signals.append(.init(kind: .longOutput(words: 0), weight: c.longOutputWeight))
        }
        if let maxTokens = input.requestedMaxTokens {
            if maxTokens <= c.smallMaxTokens {
                signals.append(.init(kind: .smallMaxTokens(maxTokens), weight: c.smallMaxTokensWeight))
            } else if maxTokens >= c.largeMaxTokens {
                signals.append(.init(kind: .largeMaxTokens(maxTokens), weight: c.largeMaxTokensWeight))
            }
        }

        // Conversation, attachments, tools.
        if input.turnCount >= c.deepConversationTurns {
            signals.append(.init(kind: .deepConversation(turns: input.turnCount), weight: c.conversationWeight))
        }
        if input.priorContextBytes >= c.longContextBytes {
            signals.append(.init(kind: .longContext, weight: c.longContextWeight))
        }
        if input.attachmentCount > 0 {
            signals.append(.init(kind: .attachments(input.attachmentCount), weight: c.attachmentWeight))
        }
        if input.hasToolUse {
            signals.append(.init(kind: .tools(input.toolCount), weight: c.toolWeight))
        }
        return signals
    }

    /// Adds up the signals and names the strongest ones that point the way of the decision.
    func decide(_ signals: [RoutingSignal]) -> RoutingDecision {
        var score = 0.0
        for signal in signals { score += signal.weight }
        let tier: RouteTier = score >= configuration.complexThreshold ? .complex : .simple

        // Up to three signals on the side of the decision, strongest first.
        var named: [RoutingSignal] = []
        for signal in signals where tier == .complex ? signal.weight > 0 : signal.weight < 0 {
            named.append(signal)
        }
        named.sort { abs($0.weight) > abs($1.weight) }
        var reason = tier == .complex ? "complex: " : "simple: "
        if named.isEmpty {
            reason += tier == .complex ? "score above threshold" : "no complexity signals"
        } else {
            for (index, signal) in named.prefix(3).enumerated() {
                let part = signal.text
                if reason.utf8.count + part.utf8.count + 2 > RoutingDecision.maximumReasonLength { break }
                if index > 0 { reason += ", " }
                reason += part
            }
        }
        return RoutingDecision(tier: tier, reason: reason, score: (score * 100).rounded() / 100)
    }
}
