import TestServers
import Testing

@testable import GatewayRouting

/// The scanner's two shortcuts (a word ended by one space; a plain lower-case word outside the lexicon) must
/// count exactly what the general path counts.
struct PromptScannerShortcutTests {
    private func expectSameFeatures(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let fast = PromptScanner.scan(text)
        let general = PromptScanner.scan(text, shortcuts: false)
        #expect(fast == general, "shortcuts changed the features of: \(text.prefix(120))", sourceLocation: sourceLocation)
    }

    @Test func evaluationSetPromptsScanTheSameEitherWay() throws {
        let items = try EvaluationSet.load()
        #expect(items.count >= 300)
        for item in items {
            let input = try RoutingInputExtractor.fromConverse(body: item.converseBody)
            expectSameFeatures(input.lastUserText)
        }
    }

    @Test func trickyTextsScanTheSameEitherWay() {
        let texts = [
            "",
            "a",
            "analyse this ",
            "one two three four five six seven",
            "write two short paragraphs and then compare the pros and cons of root cause analysis",
            "1. draft the memo\n2. compare the options\n3. list the risks",
            "see foo(bar) and baz[0] then call getUserName() on os.environ",
            "Traceback (most recent call last):\n  File \"x.py\", line 3\nValueError: bad",
            "he said \"please translate this email\" and 'compare these' then left",
            "```python\ndef f(x):\n    return x\n```\nwhy does this fail?",
            "Summarise this email:\n\nhi team the order is late again and nobody knows why",
            "a 1,500-word post in three bullets with one-line summary",
            "don’t can't won't “quoted words here” ‘single quoted’ • bullet",
            "SELECT name FROM users WHERE id = 1 ORDER BY name",
            "walk me through the root cause, step by step, in detail",
        ]
        for text in texts { expectSameFeatures(text) }
    }

    /// Texts made of random tokens (lexicon words, plain words, numbers, punctuation, code and line breaks).
    @Test func randomTextsScanTheSameEitherWay() {
        let tokens = [
            "the", "order", "arrived", "late", "and", "then", "compare", "analyse", "write", "two", "three", "words",
            "paragraphs", "bullets", "what", "how", "why", "this", "these", "following", "root", "cause", "step", "by",
            "short", "detailed", "report", "tweet", "function", "python", "bug", "crash", "translate", "hello",
            "thanks", "SELECT", "FROM", "WHERE", "getUser", "snake_case", "os.path", "1,500-word", "one-line", "14th",
            "PO-88412", "can't", "don’t", "e.g.", "3.5", "ValueError", "Traceback", "at", "file", "Zoë", "naïve",
            " ", " ", " ", "  ", ", ", ". ", "? ", "! ", ": ", "; ", "\n", "\n\n", "\n- ", "\n1. ", "\n    ", "(", ")",
            "[", "]", "{", "}", "\"", "'", "“", "”", "`", "```", "==", "->", "//", "/*", "&&", "•", "—", "\t",
        ]
        var random = SplitMix64(seed: 0x5EED)
        for _ in 0..<2_000 {
            var text = ""
            for _ in 0..<Int(random.next() % 80) {
                text += tokens[Int(random.next() % UInt64(tokens.count))]
                if random.next() % 3 != 0 { text += " " }
            }
            expectSameFeatures(text)
        }
    }
}
