/// The parts of Converse and InvokeModel bodies the router reads (see ``RequestBodyReader``): a message's content
/// may be a string (Anthropic) or an array of blocks, and a block may be keyed (`{"text": ...}`, Converse and Nova)
/// or typed (`{"type": "text", "text": ...}`, Anthropic). Everything else is skipped unread.
struct RequestBody {
    var messages: [Message]?
    var inputText: String?
    var prompt: String?
    var maxTokens: Int?
    var toolCount = 0

    struct Message {
        var role: String
        var content: [Block]
    }

    struct Block {
        enum Kind { case text, attachment, tool, other }
        var kind: Kind
        var text: String?

        init(text: String) {
            kind = .text
            self.text = text
        }

        init(kind: Kind) {
            self.kind = kind
        }
    }
}
