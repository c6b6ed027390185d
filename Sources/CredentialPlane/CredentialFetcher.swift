import AWSSigning
import Logging
import WebIdentity

/// What the broker calls when no cache layer has a usable credential.
///
/// The production implementation is ``STSCredentialFetcher``; tests substitute a counting double.
/// Errors must be thrown unchanged: the broker passes them to its caller as they are.
public protocol CredentialFetcher: Sendable {
    /// Fetches a fresh credential for `request`; the result should carry its `expiration`.
    func fetchCredential(
        for request: CredentialRequest,
        context: TokenRequestContext,
        logger: Logger
    ) async throws -> AWSCredential
}
