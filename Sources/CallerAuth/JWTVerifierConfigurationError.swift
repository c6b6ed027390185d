/// A ``JWTVerifierConfiguration`` that cannot be used, with one message per problem.
public struct JWTVerifierConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Each problem, phrased so it says what to change.
    public let problems: [String]

    init(problems: [String]) {
        self.problems = problems
    }

    public var description: String {
        "invalid caller authentication configuration: " + self.problems.joined(separator: "; ")
    }
}
