import Testing

@testable import GatewayRouting

/// The one-pass scanner's counts, region by region.
struct PromptScannerTests {
    private func scan(_ text: String) -> PromptFeatures { PromptScanner.scan(text) }

    @Test func wordsQuestionsAndCharacters() {
        let features = scan("Who approves POs? And when is the cut-off?? Thanks — Zoë")
        #expect(features.instruction.words == 10)
        #expect(features.instruction.questions == 2)
        #expect(features.characters == "Who approves POs? And when is the cut-off?? Thanks — Zoë".unicodeScalars.count)
        #expect(features.openerClasses.contains(.lookup))
    }

    @Test func quotedTextIsMaterial() {
        let straight = scan("Rephrase this politely: 'Send me your timesheet today, or else.'")
        #expect(straight.instruction.words == 3)
        #expect(straight.instruction.quotedWords == 7)
        #expect(straight.pastedWords == 7)
        let curly = scan("Classify “I was charged twice and nobody answers my emails” as billing or shipping.")
        #expect(curly.instruction.quotedWords == 9)
        #expect(curly.instruction.words == 5)
    }

    @Test func apostrophesInsideWordsDoNotOpenQuotes() {
        let features = scan("Why doesn't the customer’s refund show? What's wrong?")
        #expect(features.instruction.quotedWords == 0)
        #expect(features.instruction.words == 8)
        #expect(features.instruction.questions == 2)
    }

    @Test func colonLineStartsMaterial() {
        let features = scan("Summarise this email:\nHi team, please analyze and compare the vendor quotes.\nThanks")
        #expect(features.instruction.words == 3)
        #expect(features.instruction.reasoning == 0)
        #expect(features.pasted.words == 10)
    }

    @Test func shortAskBeforeALongBlockMakesTheBlockMaterial() {
        let block = String(repeating: "The vendor will evaluate and compare the designs before the review. ", count: 6)
        let features = scan("Fix the typos.\n\n" + block)
        #expect(features.instruction.words == 3)
        #expect(features.instruction.reasoning == 0)
        #expect(features.pasted.words == 66)
        // Two paragraphs of equal weight are both instruction.
        let context = scan("We moved the billing service to Kubernetes last month and latency doubled.\n\nCompare the old and new setups.")
        #expect(context.pasted.words == 0)
        #expect(context.instruction.reasoning == 1)
    }

    @Test func fencesAreMaterialEvenUnclosed() {
        let closed = scan("Explain this:\n```swift\nlet total = items.map(\\.price).reduce(0, +)\n```\nIs it slow?")
        #expect(closed.code.fencedBlocks == 1)
        #expect(closed.instruction.questions == 1)
        let open = scan("Review:\n```\nfunc f() {\n    return compare(a, b)\n")
        #expect(open.code.fencedBlocks == 1)
        #expect(open.instruction.reasoning == 0)
        #expect(open.pasted.words > 0)
    }

    @Test func listItemsAndTaskItems() {
        let tasks = scan("Do this:\n1. Draft the memo\n2) Compare the quotes\n- List the risks\n• Review the budget")
        #expect(tasks.instruction.listItems == 4)
        #expect(tasks.instruction.taskListItems == 4)
        let data = scan("Sort these:\n- Ergo chair\n- Standing desk\n- USB-C dock")
        #expect(data.instruction.taskListItems == 0)
        #expect(data.pasted.listItems == 3)
    }

    @Test(arguments: [
        ("Answer in one word.", 1),
        ("Summarise it in 3 bullet points.", 45),
        ("Give me two short paragraphs.", 160),
        ("Write a 1,500-word post.", 1500),
        ("A one-line summary, please.", 12),
        ("In about two pages.", 800),
        ("Write a five sentence story.", 100),
    ])
    func requestedOutputSize(text: String, words: Int) {
        #expect(scan(text).instruction.requestedOutputWords == words)
    }

    @Test(arguments: [
        "Order history now paginates (25 per page) instead of loading everything.",
        "We sold 3 large pages of ads.",
        "The 5-year plan covers 12 markets and a 2-day offsite.",
    ])
    func numbersThatAreNotOutputSizes(text: String) {
        #expect(scan(text).instruction.requestedOutputWords == 0)
    }

    @Test func codeEvidence() {
        let code = scan("rows = self.db.query(sql, customer_id)\nif rows == nil { return }\nconst fetchAll = async () => { load(rows) };")
        #expect(code.code.snakeCaseIdentifiers == 1)
        #expect(code.code.camelCaseIdentifiers == 1)
        #expect(code.code.calls >= 2)
        #expect(code.code.operators >= 2)
        #expect(code.code.codeLineEnds >= 1)
        #expect(code.code.strength >= RouterConfiguration().codeEvidenceThreshold)

        let prose = scan("Our HubSpot and LinkedIn data, e.g. the day(s) a lead converts, drives the Roth 401(k) match.")
        #expect(prose.code.strength < RouterConfiguration().codeEvidenceThreshold)
    }

    @Test func stackTraces() {
        let java = scan("at com.acme.Billing.total(Billing.java:88)\nat com.acme.Job.run(Job.java:12)\nNullPointerException")
        #expect(java.code.stackFrames == 2)
        #expect(java.code.exceptionNames == 1)
        #expect(java.code.kind.description == "stack trace")
        let python = scan("Traceback (most recent call last):\n  File \"/app/load.py\", line 12, in main\nKeyError: 'amount'")
        #expect(python.code.stackFrames >= 2)
        #expect(python.code.exceptionNames == 1)
    }

    @Test func sqlNeedsCapitalisedKeywords() {
        #expect(scan("SELECT id FROM orders WHERE total > 10").code.sqlKeywords == 3)
        #expect(scan("select the orders from the list where it fits").code.sqlKeywords == 0)
    }

    @Test func subTasksAndChainedQuestions() {
        let features = scan("Group them into themes, estimate the impact, and then propose fixes. Which matter most, and why?")
        #expect(features.instruction.subTasks == 3)
        #expect(features.instruction.questions == 2)
    }

    @Test func vocabularyCountsOnlyInTheInstruction() {
        let features = scan("Translate the following:\n\nPlease analyze the trade-offs and design a plan.")
        #expect(features.instruction.simpleTasks == 1)
        #expect(features.instruction.reasoning == 0)
        #expect(features.pasted.reasoning >= 2)
    }

    @Test func emptyAndWhitespace() {
        #expect(scan("") == PromptFeatures())
        #expect(scan(" \n\n\t ").totalWords == 0)
    }

    @Test func nonContiguousStringsAreScanned() {
        // A bridged or lazily-built string may not offer contiguous UTF-8; the scanner copies it once.
        let substring = "xx Compare the designs."[...].dropFirst(3)
        #expect(scan(String(substring)).instruction.reasoning == 1)
    }
}
