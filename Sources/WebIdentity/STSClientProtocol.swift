import Logging

/// Exchanges web-identity tokens for role credentials; ``STSClient`` talks to AWS STS, tests may use doubles.
public protocol STSClientProtocol: Sendable {
    /// Calls STS `AssumeRoleWithWebIdentity`.
    ///
    /// - Throws: ``STSError`` for every failure (after retries).
    func assumeRoleWithWebIdentity(
        _ request: AssumeRoleWithWebIdentityRequest,
        logger: Logger
    ) async throws -> AssumeRoleWithWebIdentityResult
}
