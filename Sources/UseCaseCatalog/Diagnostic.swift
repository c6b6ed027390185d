/// Where something is in a source file: 1-based line and column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found in a catalog: where it is, which field, which rule it breaks and the value that breaks it.
///
/// Rendered in the compiler style editors understand:
/// `policies/catalog.yaml:41:9: error: use_cases[2].models[1]: unknown model 'claude-x' (rule: ...)`.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public var severity: Severity
    public var location: SourceLocation?
    /// The field path in the catalog, e.g. `use_cases[2].models[1]`.
    public var field: String
    /// What is wrong and how to fix it.
    public var message: String
    /// The rule that was broken, e.g. `[A-Za-z0-9]+` or `must name a model listed under models`.
    public var rule: String?
    /// The offending value, when there is one.
    public var value: String?

    public init(
        severity: Severity = .error,
        location: SourceLocation?,
        field: String,
        message: String,
        rule: String? = nil,
        value: String? = nil
    ) {
        self.severity = severity
        self.location = location
        self.field = field
        self.message = message
        self.rule = rule
        self.value = value
    }

    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(severity.rawValue): \(field): \(message)"
        if let value { text += " (value: '\(value)')" }
        if let rule { text += " [rule: \(rule)]" }
        return text
    }
}

/// The catalog could not be used; carries every problem found, not just the first.
public struct CatalogError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let header = "catalog has \(errors) error\(errors == 1 ? "" : "s")"
        return ([header] + diagnostics.map(\.description)).joined(separator: "\n")
    }
}
