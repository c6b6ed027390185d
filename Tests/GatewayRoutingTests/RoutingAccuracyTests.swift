import Foundation
import GatewayRouting
import Testing

/// Accuracy of the default router on the labelled evaluation set, through the same path the gateway uses:
/// Converse body bytes -> ``RoutingInputExtractor`` -> ``RequestClassifier``.
///
/// The weights were tuned on the training split only; every fourth item is held out.
struct RoutingAccuracyTests {
    struct Tally: CustomStringConvertible {
        var counts: [RouteTier: [RouteTier: Int]] = [:]

        mutating func add(expected: RouteTier, actual: RouteTier) {
            counts[expected, default: [:]][actual, default: 0] += 1
        }

        func count(_ expected: RouteTier, _ actual: RouteTier) -> Int { counts[expected]?[actual] ?? 0 }
        var total: Int { RouteTier.allCases.reduce(0) { sum, e in RouteTier.allCases.reduce(sum) { $0 + count(e, $1) } } }
        var correct: Int { count(.simple, .simple) + count(.complex, .complex) }
        var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

        var description: String {
            let percent = (accuracy * 1000).rounded() / 10
            return """
                \(correct)/\(total) = \(percent)%
                                    predicted simple  predicted complex
                      label simple  \(pad(count(.simple, .simple)))  \(pad(count(.simple, .complex)))
                      label complex \(pad(count(.complex, .simple)))  \(pad(count(.complex, .complex)))
                """
        }

        private func pad(_ value: Int) -> String {
            let text = String(value)
            return String(repeating: " ", count: max(0, 16 - text.count)) + text
        }
    }

    @Test func evaluationSetIsLargeVariedAndWellFormed() throws {
        let items = try EvaluationSet.load()
        #expect(items.count >= 320)
        #expect(Set(items.map(\.id)).count == items.count, "ids must be unique")
        let simple = items.filter { $0.label == .simple }.count
        let complex = items.count - simple
        #expect(simple >= 120 && complex >= 120, "both labels well represented (simple \(simple), complex \(complex))")
        #expect(Set(items.map(\.domain)).count >= 12)
        let heldOut = items.filter(\.isHeldOut)
        #expect(heldOut.count == items.count / 4)
        #expect(Set(heldOut.map(\.label)).count == 2)
    }

    @Test func defaultRouterMeetsAccuracyTargets() throws {
        let items = try EvaluationSet.load()
        let classifier = RequestClassifier()
        var all = Tally()
        var train = Tally()
        var heldOut = Tally()
        var misses: [String] = []
        for item in items {
            let input = try RoutingInputExtractor.fromConverse(body: item.converseBody)
            let decision = classifier.classify(input)
            all.add(expected: item.label, actual: decision.tier)
            if item.isHeldOut {
                heldOut.add(expected: item.label, actual: decision.tier)
            } else {
                train.add(expected: item.label, actual: decision.tier)
            }
            if decision.tier != item.label {
                let split = item.isHeldOut ? "held-out" : "train"
                misses.append("  \(item.id) [\(split)] label \(item.label), score \(decision.score): \(decision.reason)")
            }
        }
        print("routing accuracy, all:\n\(all)")
        print("routing accuracy, train (3 of every 4 items):\n\(train)")
        print("routing accuracy, held-out (every 4th item):\n\(heldOut)")
        print("misclassified (\(misses.count)):\n\(misses.joined(separator: "\n"))")
        #expect(all.accuracy >= 0.90, "overall accuracy \(all.accuracy)")
        #expect(heldOut.accuracy >= 0.85, "held-out accuracy \(heldOut.accuracy)")
    }

    @Test func extractionAndDirectInputAgree() throws {
        // The accuracy test goes through Converse bodies; the Anthropic Messages shape of the same prompt must
        // route the same way.
        let items = try EvaluationSet.load()
        let classifier = RequestClassifier()
        for item in items {
            let converse = try RoutingInputExtractor.fromConverse(body: item.converseBody)
            let anthropicBody = try anthropicBody(fromConverse: item.converseBody)
            let anthropic = try RoutingInputExtractor.fromInvoke(body: anthropicBody, modelFamily: .anthropic)
            #expect(anthropic == converse, "\(item.id)")
            #expect(classifier.classify(anthropic) == classifier.classify(converse), "\(item.id)")
        }
    }

    /// Rewrites a Converse body into the Anthropic Messages shape (typed blocks, `max_tokens`, `tools`).
    private func anthropicBody(fromConverse data: Data) throws -> Data {
        let converse = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let messages = try #require(converse["messages"] as? [[String: Any]])
        var body: [String: Any] = ["anthropic_version": "bedrock-2023-05-31"]
        body["messages"] = try messages.map { message -> [String: Any] in
            let blocks = try #require(message["content"] as? [[String: Any]])
            let converted: [[String: Any]] = blocks.map { block in
                if let text = block["text"] { return ["type": "text", "text": text] }
                if block["image"] != nil { return ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="]] }
                if block["document"] != nil {
                    return ["type": "document", "source": ["type": "base64", "media_type": "application/pdf", "data": "JVBERi0="]]
                }
                if block["toolUse"] != nil { return ["type": "tool_use", "id": "t1", "name": "tool", "input": [:] as [String: Any]] }
                return ["type": "tool_result", "tool_use_id": "t1", "content": "done"]
            }
            return ["role": message["role"] ?? "user", "content": converted]
        }
        if let maxTokens = (converse["inferenceConfig"] as? [String: Any])?["maxTokens"] { body["max_tokens"] = maxTokens }
        if let tools = (converse["toolConfig"] as? [String: Any])?["tools"] as? [Any] {
            body["tools"] = tools.map { _ in ["name": "tool", "input_schema": ["type": "object"]] }
        }
        return try JSONSerialization.data(withJSONObject: body)
    }
}
