/// The parts of Converse and InvokeModel bodies the router reads, decoded leniently: a message's content
/// may be a string (Anthropic) or an array of blocks, and a block may be keyed (`{"text": ...}`, Converse
/// and Nova) or typed (`{"type": "text", "text": ...}`, Anthropic). Everything else is skipped unread.
struct RequestBody: Decodable {
    var messages: [Message]?
    var inputText: String?
    var prompt: String?
    var maxTokens: Int?
    var toolCount: Int

    struct Message: Decodable {
        var role: String
        var content: [Block]

        enum CodingKeys: String, CodingKey { case role, content }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            role = try container.decode(String.self, forKey: .role)
            if let text = try? container.decode(String.self, forKey: .content) {
                content = [Block(text: text)]
            } else {
                content = try container.decode([Block].self, forKey: .content)
            }
        }
    }

    struct Block: Decodable {
        enum Kind { case text, attachment, tool, other }
        var kind: Kind
        var text: String?

        init(text: String) {
            kind = .text
            self.text = text
        }

        enum CodingKeys: String, CodingKey {
            case type, text, image, document, video, toolUse, toolResult
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let type = try container.decodeIfPresent(String.self, forKey: .type) {
                switch type {
                case "text":
                    kind = .text
                    text = try container.decode(String.self, forKey: .text)
                case "image", "document", "video", "container_upload":
                    kind = .attachment
                case "tool_use", "tool_result", "server_tool_use", "mcp_tool_use", "mcp_tool_result":
                    kind = .tool
                default:
                    kind = .other
                }
                return
            }
            if let text = try container.decodeIfPresent(String.self, forKey: .text) {
                kind = .text
                self.text = text
            } else if container.contains(.image) || container.contains(.document) || container.contains(.video) {
                kind = .attachment
            } else if container.contains(.toolUse) || container.contains(.toolResult) {
                kind = .tool
            } else {
                kind = .other
            }
        }
    }

    private struct Skipped: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    private struct InferenceConfig: Decodable {
        var maxTokens: Int?
        var max_new_tokens: Int?
    }

    private struct TextGenerationConfig: Decodable {
        var maxTokenCount: Int?
    }

    private struct ToolConfig: Decodable {
        var tools: [Skipped]?
    }

    enum CodingKeys: String, CodingKey {
        case messages, inputText, prompt, inferenceConfig, textGenerationConfig, toolConfig, tools
        case max_tokens, max_gen_len, max_tokens_to_sample
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messages = try container.decodeIfPresent([Message].self, forKey: .messages)
        inputText = try container.decodeIfPresent(String.self, forKey: .inputText)
        prompt = try container.decodeIfPresent(String.self, forKey: .prompt)
        let inference = try container.decodeIfPresent(InferenceConfig.self, forKey: .inferenceConfig)
        let generation = try container.decodeIfPresent(TextGenerationConfig.self, forKey: .textGenerationConfig)
        maxTokens = try inference?.maxTokens ?? inference?.max_new_tokens ?? generation?.maxTokenCount
            ?? container.decodeIfPresent(Int.self, forKey: .max_tokens)
            ?? container.decodeIfPresent(Int.self, forKey: .max_gen_len)
            ?? container.decodeIfPresent(Int.self, forKey: .max_tokens_to_sample)
        let converseTools = try container.decodeIfPresent(ToolConfig.self, forKey: .toolConfig)?.tools?.count ?? 0
        let anthropicTools = try container.decodeIfPresent([Skipped].self, forKey: .tools)?.count ?? 0
        toolCount = converseTools + anthropicTools
    }
}
