/// One piece of evidence the classifier weighed, with the words used to name it in a routing reason.
struct RoutingSignal: Sendable {
    enum Kind: Sendable {
        case longRequest(words: Int)
        case shortRequest(words: Int, question: Bool)
        case pastedText(words: Int)
        case questions(Int)
        case subTasks(Int)
        case code(StaticString)
        case codeTask
        case reasoning(terms: Int)
        case weakReasoning(terms: Int)
        case simpleTask
        case lookupQuestion
        case greeting
        case shortOutput(words: Int)
        case longOutput(words: Int)
        case smallMaxTokens(Int)
        case largeMaxTokens(Int)
        case deepConversation(turns: Int)
        case longContext
        case attachments(Int)
        case tools(Int)
    }

    var kind: Kind
    var weight: Double

    /// Printable ASCII, at most about 30 characters.
    var text: String { kind.text }
}

extension RoutingSignal.Kind {
    var text: String {
        switch self {
        case .longRequest(let words): "long request (\(words) words)"
        case .shortRequest(let words, let question): question ? "short question (\(words) words)" : "short request (\(words) words)"
        case .pastedText(let words): "pasted text (\(words) words)"
        case .questions(let count): "\(count) questions"
        case .subTasks(let count): "\(count) sub-tasks"
        case .code(let kind): kind.description
        case .codeTask: "asks for code"
        case .reasoning(let terms): terms > 1 ? "analysis/reasoning (\(terms) terms)" : "analysis/reasoning"
        case .weakReasoning(let terms): terms > 1 ? "explanation/planning (\(terms) terms)" : "explanation/planning"
        case .simpleTask: "mechanical task"
        case .lookupQuestion: "lookup question"
        case .greeting: "greeting/acknowledgement"
        case .shortOutput(let words): words > 0 ? "short answer asked (~\(words) words)" : "short answer asked"
        case .longOutput(let words): words > 0 ? "long output asked (~\(words) words)" : "long output asked"
        case .smallMaxTokens(let tokens): "max tokens \(tokens)"
        case .largeMaxTokens(let tokens): "max tokens \(tokens)"
        case .deepConversation(let turns): "deep conversation (\(turns) turns)"
        case .longContext: "long earlier context"
        case .attachments(let count): count == 1 ? "attachment" : "\(count) attachments"
        case .tools(let count): count > 1 ? "tool use (\(count) tools)" : "tool use"
        }
    }
}
