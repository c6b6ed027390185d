/// Counts a reader would weigh in one region of a prompt (the instruction, or pasted material).
struct RegionCounts: Sendable, Hashable {
    var words = 0
    var quotedWords = 0
    var questions = 0
    var subTasks = 0
    var listItems = 0
    var taskListItems = 0
    var reasoning = 0
    var weakReasoning = 0
    var codeNouns = 0
    var codeVerbs = 0
    var debugNouns = 0
    var simpleTasks = 0
    var greetings = 0
    var shortOutput = 0
    var longOutput = 0
    var longDeliverables = 0
    var shortDeliverables = 0
    /// Words pointing at material: this, these, the following, below.
    var references = 0
    /// The largest output size the text asks for, in approximate words ("in 3 bullets" is 45), 0 when none.
    var requestedOutputWords = 0

    mutating func add(_ other: RegionCounts) {
        words += other.words
        quotedWords += other.quotedWords
        questions += other.questions
        subTasks += other.subTasks
        listItems += other.listItems
        taskListItems += other.taskListItems
        reasoning += other.reasoning
        weakReasoning += other.weakReasoning
        codeNouns += other.codeNouns
        codeVerbs += other.codeVerbs
        debugNouns += other.debugNouns
        simpleTasks += other.simpleTasks
        greetings += other.greetings
        shortOutput += other.shortOutput
        longOutput += other.longOutput
        longDeliverables += other.longDeliverables
        shortDeliverables += other.shortDeliverables
        references += other.references
        requestedOutputWords = max(requestedOutputWords, other.requestedOutputWords)
    }
}
