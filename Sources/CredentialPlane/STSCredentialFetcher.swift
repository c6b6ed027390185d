import AWSSigning
import Logging
import WebIdentity

/// Fetches credentials with `AssumeRoleWithWebIdentity`: gets a token from the request's token source and
/// calls STS in the request's Region.
///
/// ```swift
/// let fetcher = STSCredentialFetcher { region in
///     STSClient(region: region, httpClient: .shared)
/// }
/// ```
/// Errors from the token source and from STS (`STSError`) are rethrown unchanged.
public struct STSCredentialFetcher: CredentialFetcher {
    private let clientForRegion: @Sendable (String) -> any STSClientProtocol

    /// Creates a fetcher.
    ///
    /// - Parameter clientForRegion: returns the STS client for a Region; called on every fetch, so it
    ///   should be cheap (the clients share one HTTP client).
    public init(clientForRegion: @escaping @Sendable (String) -> any STSClientProtocol) {
        self.clientForRegion = clientForRegion
    }

    /// Creates a fetcher that sends every request to `client`, whatever the request's Region
    /// (for tests and single-Region deployments with an endpoint override).
    public init(client: any STSClientProtocol) {
        self.clientForRegion = { _ in client }
    }

    public func fetchCredential(
        for request: CredentialRequest,
        context: TokenRequestContext,
        logger: Logger
    ) async throws -> AWSCredential {
        let token = try await request.tokenSource.token(for: context, logger: logger)
        let stsRequest = AssumeRoleWithWebIdentityRequest(
            roleArn: request.roleArn,
            roleSessionName: RoleSessionName.make(useCase: request.useCase),
            webIdentityToken: token,
            durationSeconds: request.durationSeconds,
            policy: request.sessionPolicy
        )
        let result = try await clientForRegion(request.stsRegion).assumeRoleWithWebIdentity(stsRequest, logger: logger)
        return result.credential
    }
}
