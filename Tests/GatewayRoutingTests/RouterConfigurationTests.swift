import Foundation
import GatewayRouting
import Testing

/// Per-use-case thresholds: decoding from the catalog's snake_case keys, validation, and their effect.
struct RouterConfigurationTests {
    private func decode(_ json: String) throws -> RouterConfiguration {
        try JSONDecoder().decode(RouterConfiguration.self, from: Data(json.utf8))
    }

    @Test func emptyObjectGivesDefaults() throws {
        #expect(try decode("{}") == RouterConfiguration())
    }

    @Test func snakeCaseKeysOverrideDefaults() throws {
        let configuration = try decode(#"{"complex_threshold": 4.5, "attachment_weight": 0, "short_prompt_words": 20}"#)
        var expected = RouterConfiguration()
        expected.complexThreshold = 4.5
        expected.attachmentWeight = 0
        expected.shortPromptWords = 20
        #expect(configuration == expected)
    }

    @Test func roundTripsThroughJSON() throws {
        var configuration = RouterConfiguration()
        configuration.toolWeight = 1.25
        configuration.largeMaxTokens = 9000
        let data = try JSONEncoder().encode(configuration)
        let keys = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]).keys
        #expect(Set(keys) == Set(RouterConfiguration.codingKeys))
        #expect(keys.allSatisfy { $0 == $0.lowercased() && !$0.contains("-") })
        #expect(try JSONDecoder().decode(RouterConfiguration.self, from: data) == configuration)
    }

    @Test func unknownKeyIsRejectedWithTheKnownKeys() {
        do {
            _ = try decode(#"{"atachment_weight": 0}"#)
            Issue.record("a misspelt key must not be ignored")
        } catch {
            let message = String(describing: error)
            #expect(message.contains("unknown routing threshold 'atachment_weight'"))
            #expect(message.contains("attachment_weight"))
        }
    }

    @Test func outOfRangeValuesAreRejected() {
        do {
            _ = try decode(#"{"short_prompt_words": -3, "small_max_tokens": 5000}"#)
            Issue.record("negative counts must be rejected")
        } catch {
            let message = String(describing: error)
            #expect(message.contains("'short_prompt_words' must not be negative (got -3)"))
            #expect(message.contains("'large_max_tokens' (4000) must be greater than 'small_max_tokens' (5000)"))
        }
        var configuration = RouterConfiguration()
        configuration.codeWeight = .nan
        #expect(configuration.problems == ["routing threshold 'code_weight' must be a finite number"])
        #expect(throws: RoutingError.invalidConfiguration) { try configuration.validate() }
        #expect(throws: Never.self) { try RouterConfiguration().validate() }
    }

    @Test func thresholdChangesTheOutcome() {
        let input = RoutingInput(lastUserText: "Explain how our expense approval workflow works and why managers approve first.")
        let standard = RequestClassifier().classify(input)
        var eager = RouterConfiguration()
        eager.complexThreshold = standard.score - 0.5
        var reluctant = RouterConfiguration()
        reluctant.complexThreshold = standard.score + 0.5
        #expect(RequestClassifier(configuration: eager).classify(input).tier == .complex)
        #expect(RequestClassifier(configuration: reluctant).classify(input).tier == .simple)
        #expect(RequestClassifier(configuration: eager).classify(input).score == standard.score)
    }

    @Test func weightsChangeTheOutcome() {
        // A use case whose simple model reads images.
        let input = RoutingInput(lastUserText: "What does this chart show?", attachmentCount: 1)
        #expect(RequestClassifier().classify(input).tier == .complex)
        var multimodal = RouterConfiguration()
        multimodal.attachmentWeight = 0
        let decision = RequestClassifier(configuration: multimodal).classify(input)
        #expect(decision.tier == .simple)
        #expect(!decision.reason.contains("attachment"))
    }

    @Test func lengthThresholdsChangeTheOutcome() {
        let input = RoutingInput(
            lastUserText: "Describe the steps a new hire follows in the first week, including equipment pickup, account setup and the first "
                + "team meeting."
        )
        var strict = RouterConfiguration()
        strict.longPromptWords = 10
        strict.lengthWeight = 2
        #expect(RequestClassifier().classify(input).tier == .simple)
        #expect(RequestClassifier(configuration: strict).classify(input).tier == .complex)
    }
}
