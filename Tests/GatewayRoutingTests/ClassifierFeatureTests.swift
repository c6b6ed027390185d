import GatewayRouting
import Testing

/// Each signal moves the decision the right way, and the reason names it.
struct ClassifierFeatureTests {
    let classifier = RequestClassifier()

    /// A classifier whose threshold sits just above `score`, so a weak signal alone must tip the decision.
    func classifier(tippingAbove score: Double) -> RequestClassifier {
        var configuration = RouterConfiguration()
        configuration.complexThreshold = score + 0.25
        return RequestClassifier(configuration: configuration)
    }

    func decide(
        _ text: String,
        turns: Int = 1,
        priorBytes: Int = 0,
        attachments: Int = 0,
        tools: Int = 0,
        toolBlocks: Int = 0,
        maxTokens: Int? = nil
    ) -> RoutingDecision {
        classifier.classify(
            RoutingInput(
                lastUserText: text,
                turnCount: turns,
                priorContextBytes: priorBytes,
                attachmentCount: attachments,
                toolCount: tools,
                toolBlockCount: toolBlocks,
                requestedMaxTokens: maxTokens
            )
        )
    }

    @Test func lengthOfTheInstruction() {
        let short = decide("Describe our onboarding process for new support agents.")
        let long = decide(
            """
            Describe our onboarding process for new support agents, covering the first week of shadowing, the tools \
            they get access to on day one, how the buddy system works, what the weekly check-ins with the team lead \
            look like, which knowledge-base articles they must read before taking live chats, how quality is scored \
            during the first month, and when they are allowed to handle escalations on their own.
            """
        )
        #expect(short.tier == .simple)
        #expect(short.reason.contains("short request"))
        #expect(long.tier == .complex)
        #expect(long.reason.contains("long request"))
        #expect(long.score > short.score)
    }

    @Test func numberOfQuestions() {
        let one = decide("What is our refund window for hardware?")
        let several = decide(
            "What is our refund window for hardware? Does it differ for software licences? Who approves exceptions? How are chargebacks handled?"
        )
        #expect(one.tier == .simple)
        #expect(several.reason.contains("4 questions"))
        #expect(several.score > one.score)
        #expect(several.tier == .complex)
    }

    @Test func questionsChainedInOneSentenceCount() {
        let decision = decide("Which legs of my trip qualify for premium economy, what approvals do I need, and how should I book them?")
        #expect(decision.reason.contains("3 questions"))
    }

    @Test func enumeratedSubTasks() {
        let one = decide("Draft a welcome email for new customers.")
        let list = decide(
            """
            Please do the following:
            1. Draft a welcome email for new customers.
            2. Compare it with last year's version.
            3. List three subject lines.
            4. Suggest a send time.
            """
        )
        #expect(one.tier == .simple)
        #expect(list.reason.contains("4 sub-tasks"))
        #expect(list.tier == .complex)
    }

    @Test func chainedSubTasks() {
        let decision = decide("Summarize the incident report, then draft an email to the customer and update the status page.")
        #expect(decision.reason.contains("3 sub-tasks"))
    }

    @Test func enumeratedDataIsNotSubTasks() {
        let decision = decide(
            """
            Tag each of these tickets as billing, shipping or technical:
            - Refund not received
            - App crashes on login
            - Parcel left at the wrong address
            - Charged twice this month
            """
        )
        #expect(!decision.reason.contains("sub-tasks"))
        #expect(decision.tier == .simple)
    }

    @Test func fencedCode() {
        let plain = decide("What does this function return?")
        let fenced = decide("What does this function return?\n\n```python\ndef total(xs):\n    return sum(x.amount for x in xs if x.ok)\n```")
        #expect(plain.tier == .simple)
        #expect(fenced.tier == .complex)
        #expect(fenced.reason.contains("code block"))
    }

    @Test func stackTrace() {
        let decision = decide(
            """
            Why does the nightly job fail?
            Exception in thread "main" java.lang.IllegalStateException: pool closed
            \tat com.acme.jobs.Pool.borrow(Pool.java:41)
            \tat com.acme.jobs.Nightly.run(Nightly.java:88)
            \tat java.base/java.lang.Thread.run(Thread.java:1583)
            """
        )
        #expect(decision.tier == .complex)
        #expect(decision.reason.contains("stack trace"))
    }

    @Test func sqlQuery() {
        let decision = decide("Is this correct?\nSELECT region, SUM(total) FROM orders WHERE created_at > NOW() - INTERVAL '7 days' GROUP BY region;")
        #expect(decision.tier == .complex)
        #expect(decision.reason.contains("SQL"))
    }

    @Test func codeTokensWithoutFences() {
        let decision = decide("Find the bug: for i in range(len(items)): if items[i].expired: items.remove(items[i])")
        #expect(decision.tier == .complex)
        #expect(decision.reason.contains("code"))
    }

    @Test func proseWithTechnicalWordsIsNotCode() {
        let decision = decide("What does SQL stand for, e.g. in a job ad?")
        #expect(decision.tier == .simple)
        #expect(!decision.reason.contains("code"))
    }

    @Test func askingForCode() {
        let decision = decide("Write a Python function that removes duplicate invoices.")
        #expect(decision.tier == .complex)
        #expect(decision.reason.contains("asks for code"))
    }

    @Test func reasoningVocabulary() {
        let describe = decide("Tell me about Kafka and RabbitMQ.")
        let compare = decide("Compare Kafka and RabbitMQ for our order events.")
        #expect(describe.tier == .simple)
        #expect(compare.tier == .complex)
        #expect(compare.reason.contains("analysis/reasoning"))
    }

    @Test func shortButHardRequests() {
        for text in ["Prove the scheduler can't deadlock.", "What are the trade-offs of event sourcing for billing?"] {
            let decision = decide(text)
            #expect(decision.tier == .complex, "\(text)")
            #expect(decision.reason.contains("analysis/reasoning"), "\(text)")
        }
    }

    @Test func requestedOutputLengthFromTheWording() {
        let base = decide("Explain how our expense approval workflow works for managers and finance.")
        let brief = decide("Explain how our expense approval workflow works for managers and finance, in one sentence.")
        let long = decide("Explain how our expense approval workflow works for managers and finance in a 2,000-word guide.")
        #expect(brief.score < base.score)
        #expect(brief.tier == .simple)
        #expect(brief.reason.contains("short answer asked (~20 words)"))
        #expect(long.score > base.score)
        #expect(long.tier == .complex)
        #expect(long.reason.contains("long output asked (~2000 words)"))
    }

    @Test func requestedOutputLengthFromMaxTokens() {
        let text = "Explain how our expense approval workflow works and why managers approve first."
        let unset = decide(text)
        let small = decide(text, maxTokens: 50)
        #expect(small.score < unset.score)
        #expect(small.tier == .simple)
        #expect(small.reason.contains("max tokens 50"))

        // A large budget is weak evidence (many apps send one by default): it tips a borderline request.
        let tipping = classifier(tippingAbove: unset.score)
        #expect(tipping.classify(RoutingInput(lastUserText: text)).tier == .simple)
        let large = tipping.classify(RoutingInput(lastUserText: text, requestedMaxTokens: 8000))
        #expect(large.score > unset.score)
        #expect(large.tier == .complex)
        #expect(large.reason.contains("max tokens 8000"))
    }

    @Test func conversationDepth() {
        let text = "And what about the contractors in the Lisbon office, do the same rules apply?"
        let fresh = decide(text)
        let tipping = classifier(tippingAbove: fresh.score)
        #expect(tipping.classify(RoutingInput(lastUserText: text)).tier == .simple)

        let deep = tipping.classify(RoutingInput(lastUserText: text, turnCount: 12))
        #expect(deep.score > fresh.score)
        #expect(deep.tier == .complex)
        #expect(deep.reason.contains("deep conversation (12 turns)"))

        let longContext = tipping.classify(RoutingInput(lastUserText: text, turnCount: 3, priorContextBytes: 20_000))
        #expect(longContext.score > fresh.score)
        #expect(longContext.tier == .complex)
        #expect(longContext.reason.contains("long earlier context"))
    }

    @Test func attachments() {
        let without = decide("What does this chart show?")
        let with = decide("What does this chart show?", attachments: 1)
        #expect(without.tier == .simple)
        #expect(with.tier == .complex)
        #expect(with.reason.contains("attachment"))
    }

    @Test func toolUse() {
        let without = decide("What's the weather in Paris right now?")
        let offered = decide("What's the weather in Paris right now?", tools: 2)
        let midExchange = decide("What's the weather in Paris right now?", toolBlocks: 2)
        #expect(without.tier == .simple)
        #expect(offered.tier == .complex)
        #expect(offered.reason.contains("tool use (2 tools)"))
        #expect(midExchange.tier == .complex)
        #expect(midExchange.reason.contains("tool use"))
    }

    @Test func greetingsAndAcknowledgements() {
        let decision = decide("thanks, that worked!", turns: 5)
        #expect(decision.tier == .simple)
        #expect(decision.reason.contains("greeting/acknowledgement"))
    }

    @Test func lookupQuestions() {
        let decision = decide("Where can I download the VPN client?")
        #expect(decision.tier == .simple)
        #expect(decision.reason.contains("lookup question"))
    }

    @Test func mechanicalTasks() {
        let decision = decide("Rephrase this politely: 'We can't do the refund.'")
        #expect(decision.tier == .simple)
        #expect(decision.reason.contains("mechanical task"))
    }

    @Test func pastedMaterialDoesNotSpeakForTheRequest() {
        let email = """
            Hi team,

            Before Friday, please analyze the Q3 churn numbers, compare them with Q2, design a retention plan and \
            evaluate the trade-offs of a price cut versus a loyalty programme. I need the root cause, not a summary.

            Thanks,
            Dana
            """
        let translate = decide("Translate this email into French.\n\n" + email)
        #expect(translate.tier == .simple, "the verbs belong to the pasted email")
        let doIt = decide(
            "Please analyze the Q3 churn numbers, compare them with Q2, design a retention plan and evaluate the trade-offs of a price cut "
                + "versus a loyalty programme."
        )
        #expect(doIt.tier == .complex, "the same verbs as the request itself")
    }

    @Test func aClosingQuestionAfterPastedMaterialIsTheRequest() {
        let decision = decide(
            """
            Here are the numbers:

            Q1 revenue 4.1M, churn 2.0%, NRR 104%.

            Q2 revenue 4.4M, churn 2.6%, NRR 101%.

            Why is churn rising while revenue grows, and what should we analyze first?
            """
        )
        #expect(decision.reason.contains("analysis/reasoning"))
        #expect(decision.tier == .complex)
    }

    @Test func reasonsStayShortWithManySignals() {
        let decision = decide(
            String(repeating: "Compare the designs, evaluate the trade-offs and write a Python script. Why? How? ", count: 50),
            turns: 40,
            priorBytes: 1_000_000,
            attachments: 7,
            tools: 12,
            maxTokens: 100_000
        )
        #expect(decision.tier == .complex)
        #expect(decision.reason.utf8.count <= RoutingDecision.maximumReasonLength)
        #expect(decision.reason.hasPrefix("complex: "))
    }
}
