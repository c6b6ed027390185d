import Foundation
import GatewayRouting

/// One labelled prompt of the routing evaluation set, turned into the Converse body an app would send.
struct EvaluationItem: Sendable {
    var index: Int
    var id: String
    var label: RouteTier
    var domain: String
    var note: String?
    /// A Converse request body carrying the item's messages, attachments, tools and max tokens.
    var converseBody: Data

    /// Every fourth item (index 3, 7, 11, ...) is held out: never looked at while tuning weights.
    var isHeldOut: Bool { index % 4 == 3 }
}

/// Loads `Fixtures/routing-eval.jsonl`: one JSON object per line with `id`, `label` (`simple`|`complex`),
/// `prompt` or `messages`, and optional `max_tokens`, `attachments` (kinds: `image`, `document`),
/// `attachment_turn`, `tools` (tool names), `domain`, `note`.
enum EvaluationSet {
    static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("routing-eval.jsonl")

    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    static func load(from url: URL = fixtureURL) throws -> [EvaluationItem] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var items: [EvaluationItem] = []
        for (lineNumber, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw LoadError(description: "line \(lineNumber + 1) is not a JSON object")
            }
            items.append(try item(object, index: items.count, line: lineNumber + 1))
        }
        return items
    }

    private static func item(_ object: [String: Any], index: Int, line: Int) throws -> EvaluationItem {
        guard let id = object["id"] as? String, let labelText = object["label"] as? String,
            let label = RouteTier(rawValue: labelText)
        else {
            throw LoadError(description: "line \(line): needs 'id' and 'label' (simple or complex)")
        }
        var messages: [[String: Any]]
        if let prompt = object["prompt"] as? String {
            messages = [["role": "user", "content": [["text": prompt]]]]
        } else if let raw = object["messages"] as? [[String: Any]] {
            messages = raw.map { message in
                var converted = message
                if let text = message["content"] as? String { converted["content"] = [["text": text]] }
                return converted
            }
        } else {
            throw LoadError(description: "line \(line) (\(id)): needs 'prompt' or 'messages'")
        }
        if let attachments = object["attachments"] as? [String] {
            let turn = object["attachment_turn"] as? Int ?? messages.lastIndex { $0["role"] as? String == "user" } ?? 0
            var content = messages[turn]["content"] as? [[String: Any]] ?? []
            for kind in attachments {
                switch kind {
                case "image":
                    content.append(["image": ["format": "png", "source": ["bytes": "iVBORw0KGgo="]]])
                case "document":
                    content.append(["document": ["format": "pdf", "name": "attachment", "source": ["bytes": "JVBERi0xLjQ="]]])
                default:
                    throw LoadError(description: "line \(line) (\(id)): unknown attachment kind '\(kind)'")
                }
            }
            messages[turn]["content"] = content
        }
        var body: [String: Any] = ["messages": messages]
        if let tools = object["tools"] as? [String] {
            body["toolConfig"] = [
                "tools": tools.map { ["toolSpec": ["name": $0, "inputSchema": ["json": ["type": "object"]]]] }
            ]
        }
        if let maxTokens = object["max_tokens"] as? Int {
            body["inferenceConfig"] = ["maxTokens": maxTokens]
        }
        return EvaluationItem(
            index: index,
            id: id,
            label: label,
            domain: object["domain"] as? String ?? "unknown",
            note: object["note"] as? String,
            converseBody: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        )
    }
}
