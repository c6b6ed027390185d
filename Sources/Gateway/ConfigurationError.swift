/// The gateway's configuration cannot be used: one message per problem, each naming the setting (YAML key and
/// environment variable) and what to change.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every problem found, in the order the settings were read.
    public let problems: [String]

    /// Creates an error from its problems.
    public init(problems: [String]) {
        self.problems = problems
    }

    /// `invalid configuration (N problems):` followed by one indented line per problem.
    public var description: String {
        let count = problems.count
        let header = "invalid configuration (\(count) problem\(count == 1 ? "" : "s")):"
        return ([header] + problems.map { "  - \($0)" }).joined(separator: "\n")
    }
}
