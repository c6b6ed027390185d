/// Reads a prompt's UTF-8 bytes once and counts what a person would weigh: words, questions, sub-tasks,
/// code, analysis vocabulary, requested output size, and which parts are instruction and which are pasted.
///
/// Regions: the first paragraph is instruction. What follows it is material the user pasted when the first
/// paragraph ends with a line ending in `:` ("Summarise this email:"), when a short ask is followed by a much
/// longer block, or when the ask points at it ("this email", "these notes", "the following"); otherwise it is
/// more instruction. A list of tasks ("1. Draft ... 2. Compare ...") is always instruction, and a short last
/// paragraph that asks something after two or more pasted paragraphs is instruction again. Fenced blocks and
/// quoted spans are always material. Vocabulary counts only in the instruction, so a pasted email that says
/// "analyse" does not make "translate this" complex.
///
/// No allocation, no Foundation, no regular expressions: bytes are classified by value and words are
/// looked up by an incrementally computed hash. Counters use wrapping arithmetic: each is bounded by the text's
/// length. Two shortcuts (a word ended by one space; a plain lower-case word that is not in the lexicon) skip
/// checks that cannot apply; `shortcuts: false` turns them off, so tests can show they change nothing.
struct PromptScanner {
    private let lexicon: Lexicon
    private let shortcuts: Bool
    private var features = PromptFeatures()
    private var segment = RegionCounts()
    /// Paragraphs after the first, held aside until the end decides whether they are material.
    private var rest = RegionCounts()
    private var restLast: RegionCounts?
    private var restParagraphs = 0
    private var firstParagraphDone = false
    /// The first paragraph ended with a line ending in ':' ("Summarise this email:").
    private var colonTriggered = false
    /// Question words chained inside the current sentence ("which ..., what ..., and how ...?").
    private var chainedQuestions = 0
    private var sentenceWords = 0
    private var inFence = false
    /// 0 none, 1 straight double, 2 straight single, 3 curly double, 4 curly single.
    private var quote: UInt8 = 0
    private var sentenceStart = true
    private var joinerPending = false
    private var regionalWordOrdinal = 0
    private var previousHash: UInt64 = 0
    private var pendingNumber = 0
    private var pendingNumberAge = 0

    // Line state.
    private var lineHasContent = false
    private var lineIndent = 0
    private var lineWordCount = 0
    private var lineIsList = false
    private var lineListTask = false
    private var lineFirstHash: UInt64 = 0
    private var lineHasDotted = false
    private var lineHasParen = false
    private var lineHasQuote = false
    private var lastNonSpace: UInt8 = 0

    // Word state.
    private var wordLength = 0
    private var hash = Lexicon.emptyHash
    private var hyphenated = false
    private var headDigitsOnly = true
    private var numericValue = 0
    private var letters = 0
    private var upperLetters = 0
    private var firstIsLower = false
    private var camel = false
    private var previousWasLower = false
    private var underscore = false
    private var dotted = false
    /// The word has a capital, an underscore or an inner dot: only then can it look like code or SQL. Kept as a flag
    /// although `upperLetters`, `underscore` and `dotted` imply it: deriving it cost 5% more instructions per scan.
    private var shaped = false
    private var last8: UInt64 = 0

    /// The text being scanned, for re-reading the parts of a hyphenated word.
    private var text: UnsafeBufferPointer<UInt8>
    /// Where the current word started, and its first and last hyphen (-1 when none).
    private var wordStart = 0
    private var firstHyphen = -1
    private var lastHyphen = -1

    private init(lexicon: Lexicon, text: UnsafeBufferPointer<UInt8>, shortcuts: Bool) {
        self.lexicon = lexicon
        self.text = text
        self.shortcuts = shortcuts
    }

    /// Scans `text` and returns its features.
    static func scan(_ text: String, shortcuts: Bool = true) -> PromptFeatures {
        if let features = text.utf8.withContiguousStorageIfAvailable({ scan(bytes: $0, shortcuts: shortcuts) }) {
            return features
        }
        var copy = text
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable { scan(bytes: $0, shortcuts: shortcuts) } ?? PromptFeatures()
    }

    static func scan(bytes: UnsafeBufferPointer<UInt8>, shortcuts: Bool = true) -> PromptFeatures {
        var scanner = PromptScanner(lexicon: .shared, text: bytes, shortcuts: shortcuts)
        scanner.run(bytes)
        return scanner.features
    }

    // MARK: - Byte classes

    @inline(__always)
    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    @inline(__always)
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always)
    private static func isAlnum(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) }
    /// Letters, digits, `_` and non-ASCII bytes (other scripts), except general punctuation (U+2000-U+206F).
    @inline(__always)
    private static func isWordByte(_ b: UInt8) -> Bool { isAlnum(b) || b == 0x5F || b >= 0x80 }
    @inline(__always)
    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    // MARK: - Main loop

    private mutating func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        var i = 0
        var continuationBytes = 0
        @inline(__always) func at(_ k: Int) -> UInt8 { k < n ? bytes[k] : 0 }
        defer { features.characters = n - continuationBytes }
        while i < n {
            let b = bytes[i]
            if b & 0xC0 == 0x80 { continuationBytes &+= 1 }

            // General punctuation block (U+2000-U+206F): curly quotes, bullets, dashes.
            if b == 0xE2, i + 2 < n, bytes[i + 1] == 0x80 || bytes[i + 1] == 0x81 {
                let c = bytes[i + 2]
                continuationBytes &+= 2
                if bytes[i + 1] == 0x80 && c == 0x99 && wordLength > 0 && Self.isLetter(at(i + 3)) {
                    // A curly apostrophe inside a word ("don’t"): hash it as a straight one.
                    appendJoiner(0x27, at: i)
                    i &+= 3
                    continue
                }
                finishWord(next: 0x20, after: 0x20)
                if bytes[i + 1] == 0x80 {
                    switch c {
                    case 0x9C: if quote == 0 && !inFence { quote = 3 }
                    case 0x9D: if quote == 3 { quote = 0 }
                    case 0x98: if quote == 0 && !inFence { quote = 4 }
                    case 0x99: if quote == 4 { quote = 0 }
                    case 0xA2:  // bullet
                        if !lineHasContent { lineIsList = true; i &+= 3; continue }
                    default: break
                    }
                }
                lineHasContent = true
                lastNonSpace = c
                i &+= 3
                continue
            }

            if b >= 0x61 && b <= 0x7A {
                // Fast path: a run of lower-case letters, hashed in registers (most bytes of prose).
                if wordLength == 0 {
                    lineHasContent = true
                    firstIsLower = true
                    wordStart = i
                }
                var h = hash
                var tail = last8
                var j = i
                repeat {
                    let c = bytes[j]
                    h = Lexicon.mix(h, c)
                    tail = tail << 8 | UInt64(c)
                    j &+= 1
                } while j < n && bytes[j] >= 0x61 && bytes[j] <= 0x7A
                // Bounded by the text's length, so the sums cannot overflow.
                let count = j &- i
                hash = h
                last8 = tail
                wordLength &+= count
                letters &+= count
                previousWasLower = true
                if !hyphenated { headDigitsOnly = false }
                if shortcuts && j < n && bytes[j] == 0x20 {
                    // The commonest end of a word: one space. Same effect as the general path below (no joiner,
                    // the line already has content), without its checks.
                    finishWord(next: 0x20, after: at(j + 1), third: at(j + 2))
                    i = j + 1
                    continue
                }
                i = j
                continue
            }
            if Self.isWordByte(b) {
                appendWordByte(b, at: i)
                i &+= 1
                continue
            }

            // Characters that join a word when they sit between the right neighbours.
            if wordLength > 0 {
                let next = at(i + 1)
                let joins: Bool
                switch b {
                case 0x2D: joins = Self.isAlnum(next)  // "trade-off", "1,500-word"
                case 0x27: joins = Self.isLetter(bytes[i - 1]) && Self.isLetter(next)  // "can't"
                case 0x2E: joins = Self.isAlnum(bytes[i - 1]) && Self.isAlnum(next)  // "e.g", "os.environ", "3.5"
                case 0x2C: joins = headDigitsOnly && !hyphenated && Self.isDigit(next)  // "1,500"
                default: joins = false
                }
                if joins {
                    appendJoiner(b, at: i)
                    i &+= 1
                    continue
                }
            }

            finishWord(next: b, after: at(i + 1), third: at(i + 2))

            switch b {
            case 0x0A:
                finishLine()
                i &+= 1
                continue
            case 0x20, 0x09, 0x0D:
                if !lineHasContent && b != 0x0D { lineIndent += b == 0x09 ? 4 : 1 }
                i &+= 1
                continue
            case 0x60:  // backtick
                if !lineHasContent && at(i + 1) == 0x60 && at(i + 2) == 0x60 {
                    toggleFence()
                    // Skip the rest of the fence line (its language tag).
                    i &+= 3
                    while i < n && bytes[i] != 0x0A {
                        if bytes[i] & 0xC0 == 0x80 { continuationBytes &+= 1 }
                        i &+= 1
                    }
                    continue
                }
                features.code.inlineCode &+= 1
            case 0x3F:  // ?
                if !inFence && quote == 0 && (i == 0 || bytes[i - 1] != 0x3F) { segment.questions &+= 1 + chainedQuestions }
                chainedQuestions = 0
                if Self.isSpace(at(i + 1)) || i + 1 == n { sentenceStart = true }
            case 0x2E, 0x21, 0x3A:  // . ! :
                if Self.isSpace(at(i + 1)) || i + 1 == n || at(i + 1) == 0x22 || at(i + 1) == 0x27 {
                    sentenceStart = true
                    if b != 0x3A { chainedQuestions = 0 }
                }
                if b != 0x2E && isOperator(b, at(i + 1)) { features.code.operators &+= 1; i &+= 1 }
            case 0x2C, 0x3B:  // , ;
                joinerPending = true
            case 0x7B:  // {
                features.code.braces &+= 1
            case 0x28:  // (
                lineHasParen = true
            case 0x22:  // "
                lineHasQuote = true
                if !inFence {
                    if quote == 1 { quote = 0 } else if quote == 0 { quote = 1 }
                }
            case 0x27:  // ' not inside a word: a quotation mark
                if !inFence {
                    let previous = i > 0 ? bytes[i - 1] : 0x20
                    if quote == 2 {
                        if !Self.isWordByte(at(i + 1)) { quote = 0 }
                    } else if quote == 0 && !Self.isWordByte(previous) && Self.isWordByte(at(i + 1)) {
                        quote = 2
                    }
                }
            case 0x2D, 0x2A, 0x2B:  // - * + as list markers at the start of a line
                if !lineHasContent && (at(i + 1) == 0x20 || at(i + 1) == 0x09) {
                    lineIsList = true
                    i &+= 1
                    continue
                }
                if isOperator(b, at(i + 1)) { features.code.operators &+= 1; i &+= 1 }
            case 0x3D, 0x3C, 0x3E, 0x26, 0x7C:
                if isOperator(b, at(i + 1)) { features.code.operators &+= 1; i &+= 1 }
            case 0x2F:  // comment markers
                let next = at(i + 1)
                if next == 0x2A || next == 0x2F && (i == 0 || Self.isSpace(bytes[i - 1])) {
                    features.code.operators &+= 1
                    i &+= 1
                }
            default:
                break
            }
            lineHasContent = true
            lastNonSpace = b
            i &+= 1
        }
        finishWord(next: 0x20, after: 0x20)
        finishLine()
        if inFence {
            // An unclosed fence runs to the end of the text.
            features.pasted.add(segment)
            segment = RegionCounts()
            inFence = false
        }
        finishParagraph()
        settleRest()
    }

    /// Decides whether the paragraphs after the first are material or more instruction.
    private mutating func settleRest() {
        var all = rest
        if let last = restLast { all.add(last) }
        let restWords = all.words + all.quotedWords
        let askWords = features.instruction.words
        // "Do the following:" then a numbered list of tasks is instruction, not material.
        let isTaskList = all.taskListItems >= 2 && all.taskListItems * 2 >= all.listItems
        let isMaterial = colonTriggered
            || askWords <= 50 && restWords >= max(40, 2 * askWords)
            || features.instruction.references > 0 && restWords >= 20
        guard isMaterial && !isTaskList else {
            features.instruction.add(all)
            return
        }
        if let last = restLast, restParagraphs >= 2, last.words <= 80, last.questions > 0 || last.subTasks > 0 {
            // A short closing question after pasted material is part of the instruction.
            features.instruction.add(last)
            features.pasted.add(rest)
        } else {
            features.pasted.add(all)
        }
    }

    @inline(__always)
    private func isOperator(_ a: UInt8, _ b: UInt8) -> Bool {
        switch (a, b) {
        case (0x3D, 0x3D), (0x21, 0x3D), (0x3D, 0x3E), (0x2D, 0x3E), (0x26, 0x26), (0x7C, 0x7C), (0x2B, 0x3D),
            (0x2D, 0x3D), (0x3C, 0x3D), (0x3E, 0x3D), (0x3C, 0x2D), (0x2A, 0x2F), (0x3A, 0x3A), (0x3A, 0x3D):
            return true
        default:
            return false
        }
    }

    // MARK: - Words

    @inline(__always)
    private mutating func appendWordByte(_ b: UInt8, at index: Int) {
        if wordLength == 0 {
            lineHasContent = true
            firstIsLower = b >= 0x61 && b <= 0x7A
            wordStart = index
        }
        let isUpper = b >= 0x41 && b <= 0x5A
        let lower = isUpper ? b | 0x20 : b
        wordLength &+= 1
        hash = Lexicon.mix(hash, lower)
        last8 = last8 << 8 | UInt64(lower)
        if Self.isDigit(b) {
            if headDigitsOnly && !hyphenated && numericValue < 10_000_000 { numericValue = numericValue * 10 + Int(b - 0x30) }
            previousWasLower = false
        } else {
            if !hyphenated { headDigitsOnly = false }
            if isUpper {
                shaped = true
                letters &+= 1
                upperLetters &+= 1
                if previousWasLower { camel = true }
                previousWasLower = false
            } else if b >= 0x61 && b <= 0x7A {
                letters &+= 1
                previousWasLower = true
            } else {
                if b == 0x5F && wordLength > 1 { underscore = true; shaped = true }
                previousWasLower = false
            }
        }
    }

    @inline(__always)
    private mutating func appendJoiner(_ b: UInt8, at index: Int) {
        wordLength &+= 1
        hash = Lexicon.mix(hash, b)
        last8 = last8 << 8 | UInt64(b)
        previousWasLower = false
        switch b {
        case 0x2D:
            hyphenated = true
            if firstHyphen < 0 { firstHyphen = index }
            lastHyphen = index
        case 0x2E:
            dotted = true
            shaped = true
            if !hyphenated { headDigitsOnly = false }
        default:
            break
        }
    }

    /// The hash of `text[start..<end]`, lower-cased, as the word hash is computed.
    private func hash(from start: Int, to end: Int) -> UInt64 {
        var h = Lexicon.emptyHash
        var k = start
        while k < end {
            let b = text[k]
            h = Lexicon.mix(h, b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
            k &+= 1
        }
        return h
    }

    @inline(__always)
    private mutating func finishWord(next: UInt8, after: UInt8, third: UInt8 = 0) {
        guard wordLength > 0 else { return }
        defer { resetWord() }

        // The commonest word: lower-case letters only, mid-sentence and mid-line, outside fences and quotes, no
        // phrase or number pending, not a call, and not in the lexicon. All it changes is the counts below; every
        // check further down would find nothing (PromptScannerShortcutTests compares both paths).
        if shortcuts && letters == wordLength && !shaped && !hyphenated && lineWordCount > 0 && !inFence && quote == 0
            && !sentenceStart && !joinerPending && previousHash == 0 && pendingNumber == 0 && next != 0x28 && next != 0x5B
            && hash != lexicon.hashTraceback && lexicon.classes(hash).isEmpty
        {
            lineWordCount &+= 1
            lastNonSpace = 0x61
            segment.words &+= 1
            regionalWordOrdinal &+= 1
            sentenceWords &+= 1
            return
        }

        // "1. ", "2) ", "a) " at the start of a line are list markers, not words.
        if lineWordCount == 0 && !lineIsList && (after == 0x20 || after == 0x09)
            && ((next == 0x2E || next == 0x29) && headDigitsOnly && !hyphenated && wordLength <= 3
                || next == 0x29 && wordLength == 1 && letters == 1)
        {
            lineIsList = true
            return
        }
        lineWordCount &+= 1
        lastNonSpace = 0x61

        // Shapes of code, wherever they appear.
        if shaped {
            if camel && firstIsLower && wordLength >= 4 { features.code.camelCaseIdentifiers &+= 1 }
            if underscore && letters > 0 { features.code.snakeCaseIdentifiers &+= 1 }
            if upperLetters > 0 && letters > 1 {
                if wordLength > 9 && last8 == 0x78_63_65_70_74_69_6F_6E {  // "xception"
                    features.code.exceptionNames &+= 1
                } else if wordLength > 5 && last8 & 0xFF_FFFF_FFFF == 0x65_72_72_6F_72 && upperLetters < letters {  // "error"
                    features.code.exceptionNames &+= 1
                }
            }
            if dotted && letters > 0 { lineHasDotted = true }
            if upperLetters == wordLength && wordLength >= 3 && wordLength <= 9
                && lexicon.classes(hash).contains(.sqlKeyword)
            {
                features.code.sqlKeywords &+= 1
            }
        }
        // "name(" and "name[" are calls and subscripts; "day(s)" is English.
        if letters > 0 && (next == 0x28 && !((after | 0x20) == 0x73 && third == 0x29) || next == 0x5B) { features.code.calls &+= 1 }
        if lineWordCount == 1 { lineFirstHash = hash }
        if hash == lexicon.hashTraceback { features.code.stackFrames &+= 2 }

        if inFence { segment.words &+= 1; return }
        if quote != 0 { segment.quotedWords &+= 1; return }

        segment.words &+= 1
        regionalWordOrdinal &+= 1
        let word = lexicon.classes(hash)
        let pair = previousHash != 0 ? lexicon.classes(Lexicon.pair(previousHash, hash)) : WordClass()
        let classes = word.union(pair)
        previousHash = word.contains(.phraseHead) ? hash : 0
        if regionalWordOrdinal == 1 { features.openerClasses = word }
        if regionalWordOrdinal == 2 { features.openerPairClasses = pair }

        if !classes.isDisjoint(with: Self.counted) {
            if classes.contains(.reasoning) { segment.reasoning &+= 1 }
            if classes.contains(.weakReasoning) { segment.weakReasoning &+= 1 }
            if classes.contains(.codeNoun) { segment.codeNouns &+= 1 }
            if classes.contains(.codeVerb) { segment.codeVerbs &+= 1 }
            if classes.contains(.debugNoun) { segment.debugNouns &+= 1 }
            if classes.contains(.simpleTask) { segment.simpleTasks &+= 1 }
            if classes.contains(.greeting) { segment.greetings &+= 1 }
            if classes.contains(.shortOutput) { segment.shortOutput &+= 1 }
            if classes.contains(.longOutput) { segment.longOutput &+= 1 }
            if classes.contains(.longDeliverable) { segment.longDeliverables &+= 1 }
            if classes.contains(.shortDeliverable) { segment.shortDeliverables &+= 1 }
        }

        // Sub-tasks: a task verb opening a sentence, or chained after "and", "then" or a comma.
        if lineIsList && lineWordCount == 1 {
            lineListTask = word.contains(.imperative)
        } else if sentenceStart || joinerPending {
            if word.contains(.imperative) { segment.subTasks &+= 1 }
            if joinerPending && sentenceWords >= 2 && word.contains(.whWord) { chainedQuestions &+= 1 }
        }
        if word.contains(.reference) { segment.references &+= 1 }
        sentenceWords = sentenceStart ? 1 : sentenceWords + 1
        sentenceStart = false
        joinerPending = word.contains(.joiner)

        // Requested output size: "in 3 bullets", "two pages", "a 1,500-word post", "one-line".
        var number = 0
        if hyphenated {
            let wordEnd = wordStart + wordLength
            let head = headDigitsOnly ? numericValue : lexicon.classes(hash(from: wordStart, to: firstHyphen)).numberValue
            let unit = lexicon.classes(hash(from: lastHyphen + 1, to: wordEnd)).unitIndex
            if head > 0 && unit > 0 { noteOutput(words: head * WordClass.wordsPerUnit(unit)) }
        } else {
            number = headDigitsOnly ? numericValue : word.numberValue
            let unit = word.unitIndex
            if unit > 0 && pendingNumber > 0 { noteOutput(words: pendingNumber * WordClass.wordsPerUnit(unit)) }
        }
        if number > 0 {
            pendingNumber = number
            pendingNumberAge = 0
        } else if pendingNumber > 0 {
            // Only a size adjective may sit between the number and its unit ("two short paragraphs").
            pendingNumberAge &+= 1
            if pendingNumberAge > 1 || !word.contains(.shortOutput) && !word.contains(.longOutput) { pendingNumber = 0 }
        }
    }

    private static var counted: WordClass {
        [.reasoning, .weakReasoning, .codeNoun, .codeVerb, .debugNoun, .simpleTask, .greeting, .shortOutput,
         .longOutput, .longDeliverable, .shortDeliverable]
    }

    @inline(__always)
    private mutating func noteOutput(words: Int) {
        segment.requestedOutputWords = max(segment.requestedOutputWords, words)
        pendingNumber = 0
    }

    @inline(__always)
    private mutating func resetWord() {
        wordLength = 0
        hash = Lexicon.emptyHash
        hyphenated = false
        firstHyphen = -1
        lastHyphen = -1
        headDigitsOnly = true
        numericValue = 0
        letters = 0
        upperLetters = 0
        firstIsLower = false
        camel = false
        previousWasLower = false
        underscore = false
        dotted = false
        shaped = false
        last8 = 0
    }

    // MARK: - Lines, paragraphs, regions

    private mutating func finishLine() {
        if lineHasContent {
            if lineIsList {
                segment.listItems &+= 1
                if lineListTask { segment.taskListItems &+= 1 }
            }
            if lastNonSpace == 0x3B || lastNonSpace == 0x7B || lastNonSpace == 0x7D { features.code.codeLineEnds &+= 1 }
            if lineIndent >= 4 && !lineIsList { features.code.indentedLines &+= 1 }
            if lineFirstHash == lexicon.hashAt && lineHasDotted && lineHasParen { features.code.stackFrames &+= 1 }
            if lineFirstHash == lexicon.hashFile && lineHasQuote { features.code.stackFrames &+= 1 }
            if !inFence && !firstParagraphDone && lastNonSpace == 0x3A {
                // "Summarise this email:" - what follows is material, not instruction.
                features.instruction.add(segment)
                segment = RegionCounts()
                firstParagraphDone = true
                colonTriggered = true
            }
        } else if lineWordCount == 0 && !lineIsList {
            finishParagraph()
        }
        lineHasContent = false
        lineIndent = 0
        lineWordCount = 0
        lineIsList = false
        lineListTask = false
        lineFirstHash = 0
        lineHasDotted = false
        lineHasParen = false
        lineHasQuote = false
        lastNonSpace = 0
        sentenceStart = true
        joinerPending = false
        chainedQuestions = 0
        previousHash = 0
        if quote == 2 || quote == 4 { quote = 0 }
    }

    private mutating func finishParagraph() {
        guard !inFence else { return }
        quote = 0
        guard segment.words + segment.quotedWords > 0 || segment.questions > 0 else { return }
        if firstParagraphDone {
            if let previous = restLast { rest.add(previous) }
            restLast = segment
            restParagraphs &+= 1
        } else {
            features.instruction.add(segment)
            firstParagraphDone = true
        }
        segment = RegionCounts()
    }

    private mutating func toggleFence() {
        if inFence {
            features.pasted.add(segment)
            segment = RegionCounts()
            inFence = false
            restParagraphs &+= 1
            firstParagraphDone = true
        } else {
            finishParagraph()
            inFence = true
            features.code.fencedBlocks &+= 1
        }
        lineHasContent = false
    }
}
