/// The router's vocabulary: general English task words, grouped by what they signal, in an
/// open-addressing hash table keyed by the FNV-1a hash of the lower-cased word.
///
/// Nothing here is copied from individual prompts; the groups describe kinds of work (analysis, code,
/// lookups, mechanical rewriting, output size), so they carry over to prompts the evaluation set has never seen.
struct Lexicon: @unchecked Sendable {
    /// One slot of the table: a word hash and its classes, side by side so a lookup touches one cache line.
    private struct Slot {
        var key: UInt64
        var value: UInt32
    }

    /// The open-addressing table. Allocated once for ``shared`` and never freed or written after `init`,
    /// which is what makes sharing it across threads safe.
    private let slots: UnsafeMutableBufferPointer<Slot>
    private let mask: Int

    static let shared = Lexicon()

    /// FNV-1a offset basis; the hash of the empty word.
    static let emptyHash: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    @inline(__always)
    static func mix(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* prime
    }

    /// The key of a two-word phrase, from the two words' hashes.
    @inline(__always)
    static func pair(_ first: UInt64, _ second: UInt64) -> UInt64 {
        (first &* 0x9E37_79B9_7F4A_7C15) ^ (second >> 1) ^ 0x5555
    }

    /// The hash of a lower-case ASCII word, as the scanner computes it.
    static func hash(_ word: some StringProtocol) -> UInt64 {
        var h = emptyHash
        for byte in word.utf8 { h = mix(h, byte >= 65 && byte <= 90 ? byte | 0x20 : byte) }
        return h
    }

    /// Hashes of the words that mark stack-trace lines, kept on the instance to stay off `swift_once` per word.
    let hashAt = Lexicon.hash("at")
    let hashFile = Lexicon.hash("file")
    let hashTraceback = Lexicon.hash("traceback")

    /// The classes of a word hash, or an empty set.
    @inline(__always)
    func classes(_ hash: UInt64) -> WordClass {
        var index = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        while true {
            let slot = slots[index]
            if slot.key == hash { return WordClass(rawValue: slot.value) }
            if slot.key == 0 { return [] }
            index = (index &+ 1) & mask
        }
    }

    private init() {
        var entries: [(UInt64, UInt32)] = []
        func add(_ words: String, _ classes: WordClass) {
            for word in words.split(separator: " ") {
                let parts = word.split(separator: "+")
                if parts.count == 2 {
                    entries.append((Lexicon.pair(Lexicon.hash(parts[0]), Lexicon.hash(parts[1])), classes.rawValue))
                    entries.append((Lexicon.hash(parts[0]), WordClass.phraseHead.rawValue))
                } else {
                    entries.append((Lexicon.hash(word), classes.rawValue))
                }
            }
        }
        Self.vocabulary(add)
        var capacity = 1
        while capacity < entries.count * 2 { capacity <<= 1 }
        let slots = UnsafeMutableBufferPointer<Slot>.allocate(capacity: capacity)
        slots.initialize(repeating: Slot(key: 0, value: 0))
        let mask = capacity - 1
        for (key, value) in entries {
            var index = Int(truncatingIfNeeded: key ^ (key >> 29)) & mask
            while slots[index].key != 0 && slots[index].key != key { index = (index + 1) & mask }
            slots[index].key = key
            slots[index].value |= value
        }
        self.slots = slots
        self.mask = mask
    }

    /// The word groups. `a+b` is a two-word phrase.
    private static func vocabulary(_ add: (String, WordClass) -> Void) {
        add("""
            analyze analyse analyzes analyses analyzing analysing analysis compare comparing comparison contrast \
            evaluate evaluating evaluation assess assessing assessment design designing redesign architect architecture \
            justify justification prove proof derive derivation trade-off trade-offs tradeoff tradeoffs trade+offs \
            pros cons diagnose diagnosis investigate investigation critique hypothesis hypotheses optimize optimise \
            optimization optimisation strategy strategic implications reconcile sensitivity scenario scenarios \
            weigh prioritize prioritise forecast forecasting root-cause \
            root+cause explain+why walk+through think+through deep+dive break+down should+we what+if would+happen \
            analysiere analysieren vergleiche vergleichen bewerte bewerten vorteile nachteile analiza analizar compara \
            comparar evalúa evaluar ventajas desventajas analyser comparer évaluer avantages inconvénients
            """, .reasoning)
        add("""
            explain why plan planning estimate estimating review risk risks impact options approach should would \
            propose likely cause causes improve reduce consider decide decision assumptions bottleneck identify predict \
            outline negotiate restructure structure how+should how+would how+could what+would what+if what+should \
            why+does why+is why+would what+could recommend recommendation recommendations suggest hypothesize \
            framework mitigations mitigation versus vs
            """, .weakReasoning)
        add("""
            write draft create design build make list give provide explain describe compare analyze analyse summarize \
            summarise translate outline suggest propose recommend identify include add review check find calculate \
            compute estimate prepare plan develop generate rewrite refactor fix debug implement migrate convert extract \
            classify tag sort assess evaluate walk help show tell turn pull score map flag group rank highlight note \
            define rephrase reword shorten proofread capitalize categorise categorize return look search query book \
            submit send email schedule invite update reset set apply produce derive prove justify critique diagnose \
            investigate forecast predict quantify detect simulate organize organise cluster consolidate reconcile \
            validate test document deploy configure install automate optimize restructure localise localize \
            transcribe redesign expand prioritize brainstorm rate go point keep weigh answer draw sketch adapt
            """, .imperative)
        add("""
            function functions script scripts query queries sql regex class method methods api endpoint endpoints test \
            tests unit module component program algorithm dockerfile terraform workflow pipeline schema python java \
            javascript typescript powershell bash shell swift golang rust kotlin c# react jest pytest dbt yaml json \
            parser code snippet lambda docker html css vba cron fastapi express node
            """, .codeNoun)
        add("""
            write implement debug refactor fix migrate port build create add rewrite optimize optimise generate \
            automate deploy modify
            """, .codeVerb)
        add("""
            bug bugs crash crashes crashed crashing leak leaks leaking deadlock deadlocks exception exceptions traceback \
            segfault stacktrace regression failing
            """, .debugNoun)
        add("""
            translate translation rephrase reword paraphrase proofread spell define definition synonym synonyms \
            capitalize capitalise shorten classify categorize categorise tag extract sort convert transcribe rename \
            typo typos grammar sentiment quote alphabetically summarize summarise summary tldr tl+dr rewrite
            """, .simpleTask)
        add("""
            what what's whats who who's whos when where where's which is are does do did can will was \
            how+do how+does how+did how+can how+many how+much how+long how+to how+often how+i
            """, .lookup)
        add("hi hello hey thanks thank thx ok okay great perfect cool nice awesome cheers bye morning afternoon sure got", .greeting)
        add("briefly brief short shorter concise concisely one-liner tldr or+no", .shortOutput)
        add("""
            detailed detail comprehensive in-depth thorough thoroughly exhaustive extensive full step-by-step step+by \
            deeper elaborate long-form longform
            """, .longOutput)
        add("""
            report memo guide documentation whitepaper white+paper article blog essay proposal rfp playbook runbook \
            curriculum postmortem post-mortem plan agenda checklist framework roadmap sequence battlecard rubric \
            template handbook presentation deck slides
            """, .longDeliverable)
        add("tweet headline subject title name slogan tagline hashtag hashtags caption emoji alt one-liner", .shortDeliverable)
        add("and then also finally plus afterwards next lastly additionally", .joiner)
        add("what which how why when where who whom whether", .whWord)
        add("this these following below here pasted above", .reference)
        add("""
            select from where join group order insert update delete having union over partition limit inner values \
            distinct
            """, .sqlKeyword)
        add("word words", .unit(1))
        add("sentence sentences", .unit(2))
        add("line lines", .unit(3))
        add("bullet bullets", .unit(4))
        add("paragraph paragraphs", .unit(5))
        add("page pages", .unit(6))
        for (value, names) in [(1, "one a single"), (2, "two couple"), (3, "three"), (4, "four"), (5, "five"),
                               (6, "six"), (7, "seven"), (8, "eight"), (9, "nine"), (10, "ten"), (12, "twelve")] {
            add(names, .number(UInt32(value)))
        }
    }
}
