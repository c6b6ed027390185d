import GatewayRouting

/// The simple/complex router: classification of prompts and extraction of the routing input from a Converse body.
enum RouterBenchmarks {
    /// A typical enterprise prompt: 37 words, one question with some context.
    static let typicalText = """
        Our VPN drops every 20 minutes or so for remote staff on macOS Sonoma but never on Windows. \
        We use GlobalProtect 6.1 with SAML through Okta. Walk me through how to narrow down the root cause.
        """

    static func all() -> [MicroBenchmark] {
        let classifier = RequestClassifier()
        let typical = RoutingInput(lastUserText: typicalText, turnCount: 1, requestedMaxTokens: 1024)
        let short = RoutingInput(lastUserText: "How do I reset my password?")
        let pastedEmail = RoutingInput(
            lastUserText: "Translate this email into French.\n\n"
                + String(
                    repeating: """
                        I'm writing to follow up on our order PO-88412, which was supposed to arrive on the 14th. \
                        It is now the 22nd and we still have not received the shipment. Could you tell me when it \
                        will arrive?

                        """,
                    count: 6
                ),
            turnCount: 1
        )
        let converseBody = Array(
            """
            {"messages":[{"role":"user","content":[{"text":"What is the parental leave policy?"}]},\
            {"role":"assistant","content":[{"text":"Primary caregivers get 16 weeks fully paid."}]},\
            {"role":"user","content":[{"text":"\(typicalText)"}]}],\
            "system":[{"text":"Answer IT helpdesk questions."}],\
            "inferenceConfig":{"maxTokens":1024,"temperature":0.2}}
            """.utf8
        )
        return [
            MicroBenchmark("Router classify typical prompt (37 words)", targetNanoseconds: 10_000) { count in
                for _ in 0..<count { blackHole(classifier.classify(typical)) }
            },
            MicroBenchmark("Router classify short question", targetNanoseconds: 10_000) { count in
                for _ in 0..<count { blackHole(classifier.classify(short)) }
            },
            MicroBenchmark("Router classify pasted email (~250 words)", targetNanoseconds: 10_000) { count in
                for _ in 0..<count { blackHole(classifier.classify(pastedEmail)) }
            },
            MicroBenchmark("Router extract Converse body (3 turns, 560 B)") { count in
                for _ in 0..<count { blackHole(try RoutingInputExtractor.fromConverse(body: converseBody)) }
            },
            MicroBenchmark("Router extract + classify Converse body", targetNanoseconds: 10_000) { count in
                for _ in 0..<count {
                    let input = try RoutingInputExtractor.fromConverse(body: converseBody)
                    blackHole(classifier.classify(input))
                }
            },
        ]
    }
}
