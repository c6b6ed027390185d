import CredentialPlane
import GatewayCore
import Logging

/// Where the gateway gets the AWS credentials it signs an upstream request with (the seam in front of the
/// credential plane).
public protocol UpstreamCredentialSource: Sendable {
    /// Credentials for `target`'s role in its account, as `target`'s use case, on behalf of `caller`.
    ///
    /// - Throws: `STSError`, `WebIdentityTokenError` or ``GatewayError`` unchanged; the gateway maps them to
    ///   502/503 responses naming the role.
    func credentials(for target: ResolvedTarget, caller: AuthenticatedCaller, logger: Logger) async throws -> CredentialLookup
}
