/// Everything the scanner extracts from a prompt in one pass.
struct PromptFeatures: Sendable, Hashable {
    /// What the user asks (text outside quotes, fences and material pasted after a "...:" line).
    var instruction = RegionCounts()
    /// Material the user pasted for the model to work on.
    var pasted = RegionCounts()
    var code = CodeEvidence()
    /// Unicode scalars in the whole text.
    var characters = 0
    /// The classes of the instruction's first word, and of its first two-word phrase.
    var openerClasses = WordClass()
    var openerPairClasses = WordClass()

    var totalWords: Int { instruction.words + instruction.quotedWords + pasted.words + pasted.quotedWords }
    /// Words the user pasted or quoted rather than wrote as the request itself.
    var pastedWords: Int { pasted.words + pasted.quotedWords + instruction.quotedWords }
}
