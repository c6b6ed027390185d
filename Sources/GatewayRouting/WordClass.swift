/// What a word (or a two-word phrase) tells a reader about the task, as a bit set.
///
/// Bits 16-19 carry an output-unit size index and bits 24-31 a small number, for phrases such as
/// "in three sentences" or "a 1,500-word post".
struct WordClass: OptionSet, Sendable, Hashable {
    let rawValue: UInt32

    /// Analysis and reasoning: analyse, compare, design, evaluate, prove, trade-offs, root cause.
    static let reasoning = WordClass(rawValue: 1 << 0)
    /// Milder reasoning: explain, why, plan, estimate, risks, how should.
    static let weakReasoning = WordClass(rawValue: 1 << 1)
    /// A verb that opens a task when it starts a sentence or follows "and", "then" or a comma.
    static let imperative = WordClass(rawValue: 1 << 2)
    /// Software artefacts: function, script, query, SQL, regex, test, Python.
    static let codeNoun = WordClass(rawValue: 1 << 3)
    /// Verbs that produce or change code: write, implement, debug, refactor, fix.
    static let codeVerb = WordClass(rawValue: 1 << 4)
    /// Failure vocabulary: bug, crash, leak, deadlock, exception.
    static let debugNoun = WordClass(rawValue: 1 << 5)
    /// Mechanical one-step tasks: translate, rephrase, classify, extract, summarise, fix a typo.
    static let simpleTask = WordClass(rawValue: 1 << 6)
    /// Openers of a lookup question: what, who, when, where, is, does, how do.
    static let lookup = WordClass(rawValue: 1 << 7)
    /// Greetings and acknowledgements: hi, thanks, ok, perfect.
    static let greeting = WordClass(rawValue: 1 << 8)
    /// Requests for a short answer: briefly, concise, one-liner, yes or no.
    static let shortOutput = WordClass(rawValue: 1 << 9)
    /// Requests for a long or thorough answer: detailed, comprehensive, in-depth, step-by-step.
    static let longOutput = WordClass(rawValue: 1 << 10)
    /// Long artefacts: report, memo, guide, white paper, runbook, curriculum, plan.
    static let longDeliverable = WordClass(rawValue: 1 << 11)
    /// Short artefacts: tweet, headline, subject line, slogan, hashtag.
    static let shortDeliverable = WordClass(rawValue: 1 << 12)
    /// Words after which a verb starts another sub-task: and, then, also, finally.
    static let joiner = WordClass(rawValue: 1 << 13)
    /// SQL keywords, counted only when written in capitals.
    static let sqlKeyword = WordClass(rawValue: 1 << 14)
    /// Question words; after "and" or a comma inside a question they start another question.
    static let whWord = WordClass(rawValue: 1 << 15)
    /// Words that point at material: this, these, following, below.
    static let reference = WordClass(rawValue: 1 << 20)
    /// The first word of some two-word phrase in the lexicon; only then is the phrase looked up.
    static let phraseHead = WordClass(rawValue: 1 << 21)

    /// The output-unit index (1 word, 2 sentence, 3 line, 4 bullet, 5 paragraph, 6 page), 0 when none.
    var unitIndex: Int { Int((rawValue >> 16) & 0xF) }
    /// A number word's value (one ... twelve), 0 when none.
    var numberValue: Int { Int(rawValue >> 24) }

    static func unit(_ index: UInt32) -> WordClass { WordClass(rawValue: index << 16) }
    static func number(_ value: UInt32) -> WordClass { WordClass(rawValue: value << 24) }

    /// Approximate words per output unit, by ``unitIndex``: word 1, sentence 20, line 12, bullet 15,
    /// paragraph 80, page 400.
    static func wordsPerUnit(_ index: Int) -> Int {
        switch index {
        case 1: 1
        case 2: 20
        case 3: 12
        case 4: 15
        case 5: 80
        case 6: 400
        default: 0
        }
    }
}
