/// Evidence that a prompt contains source code, a stack trace or SQL.
struct CodeEvidence: Sendable, Hashable {
    var fencedBlocks = 0
    var inlineCode = 0
    var camelCaseIdentifiers = 0
    var snakeCaseIdentifiers = 0
    var calls = 0
    var operators = 0
    var codeLineEnds = 0
    var braces = 0
    var indentedLines = 0
    var stackFrames = 0
    var exceptionNames = 0
    var sqlKeywords = 0

    /// A single strength figure: a fenced block alone is decisive, scattered code-like tokens add up.
    var strength: Int {
        var total = fencedBlocks * 6 + min(inlineCode, 4) + camelCaseIdentifiers + snakeCaseIdentifiers + calls
        total += operators + codeLineEnds + braces / 2 + indentedLines / 3 + min(stackFrames, 6) + exceptionNames * (stackFrames > 0 ? 2 : 1)
        if sqlKeywords >= 3 { total += 4 } else if sqlKeywords == 2 { total += 1 }
        return total
    }

    /// The most specific name for the code found, for the routing reason.
    var kind: StaticString {
        if stackFrames >= 2 || exceptionNames > 0 && stackFrames > 0 { return "stack trace" }
        if fencedBlocks > 0 { return "code block" }
        if sqlKeywords >= 3 { return "SQL" }
        return "code"
    }
}
