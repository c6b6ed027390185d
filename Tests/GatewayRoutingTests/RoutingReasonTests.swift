import GatewayRouting
import Testing

/// Reasons go out as the `x-gateway-route-reason` header and into the audit log.
struct RoutingReasonTests {
    private func expectHeaderSafe(_ decision: RoutingDecision, sourceLocation: SourceLocation = #_sourceLocation) {
        let reason = decision.reason
        #expect(!reason.isEmpty, sourceLocation: sourceLocation)
        #expect(reason.utf8.count <= RoutingDecision.maximumReasonLength, "\(reason.utf8.count) bytes: \(reason)", sourceLocation: sourceLocation)
        #expect(reason.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }, "non-printable or non-ASCII byte in '\(reason)'", sourceLocation: sourceLocation)
        #expect(reason.hasPrefix(decision.tier.rawValue + ": "), sourceLocation: sourceLocation)
        #expect(!reason.hasSuffix(" ") && !reason.hasSuffix(","), sourceLocation: sourceLocation)
    }

    @Test func reasonsForTheWholeEvaluationSetAreHeaderSafe() throws {
        let classifier = RequestClassifier()
        for item in try EvaluationSet.load() {
            expectHeaderSafe(classifier.classify(try RoutingInputExtractor.fromConverse(body: item.converseBody)))
        }
    }

    @Test(arguments: [
        "",
        " \n\t ",
        "👍",
        "Überprüfe bitte die Verträge und vergleiche die Haftungsgrenzen.",
        "请比较这两个方案的优缺点，并给出建议。",
        "line one\r\nline two\u{0}\u{7}\u{7F}",
        "```\nunterminated fence\nfunc f() { return 1 }",
        "\"unterminated quote and 'another",
        String(repeating: "why? ", count: 10_000),
        String(repeating: "a", count: 100_000),
    ])
    func unusualInputsGiveHeaderSafeReasons(text: String) {
        expectHeaderSafe(RequestClassifier().classify(RoutingInput(lastUserText: text)))
    }

    @Test func reasonsNameTheStrongestSignalsFirst() {
        let decision = RequestClassifier().classify(
            RoutingInput(lastUserText: "Compare the two designs and list the risks.", attachmentCount: 1)
        )
        #expect(decision.reason.hasPrefix("complex: attachment, analysis/reasoning"))
    }

    @Test func simpleReasonWithoutSignals() {
        var configuration = RouterConfiguration()
        configuration.shortPromptWeight = 0
        configuration.lookupQuestionWeight = 0
        let decision = RequestClassifier(configuration: configuration).classify(RoutingInput(lastUserText: "Kafka?"))
        #expect(decision.reason == "simple: no complexity signals")
    }

    @Test func classificationIsDeterministic() {
        let classifier = RequestClassifier()
        let input = RoutingInput(lastUserText: "Design a rate limiter for a multi-tenant API and compare token bucket with sliding window.")
        let first = classifier.classify(input)
        for _ in 0..<100 { #expect(classifier.classify(input) == first) }
    }
}
