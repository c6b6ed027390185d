import CredentialPlane
import GatewayCore
import Logging
import Synchronization
import WebIdentity

/// The production ``UpstreamCredentialSource``: asks the ``CredentialBroker`` (L1, Redis, STS) with one
/// validated `CredentialRequest` per use case, role and Region, built on first use and reused.
public final class BrokerCredentialSource: UpstreamCredentialSource {
    private struct Key: Hashable {
        var useCase: String
        var roleARN: String
        var region: String
    }

    private let broker: CredentialBroker
    private let tokenSources: [String: any WebIdentityTokenSource]
    private let durationSeconds: Int
    private let requests = Mutex<[Key: CredentialRequest]>([:])

    /// Creates a source.
    ///
    /// - Parameters:
    ///   - broker: the credential plane.
    ///   - tokenSources: use case id → its web-identity token source.
    ///   - durationSeconds: `DurationSeconds` asked of STS.
    public init(broker: CredentialBroker, tokenSources: [String: any WebIdentityTokenSource], durationSeconds: Int) {
        self.broker = broker
        self.tokenSources = tokenSources
        self.durationSeconds = durationSeconds
    }

    public func credentials(for target: ResolvedTarget, caller: AuthenticatedCaller, logger: Logger) async throws -> CredentialLookup {
        let request = try request(for: target)
        let context = TokenRequestContext(callerToken: request.tokenSource.isPerCaller ? caller.token : nil)
        return try await broker.credentials(for: request, context: context, logger: logger)
    }

    private func request(for target: ResolvedTarget) throws -> CredentialRequest {
        let key = Key(useCase: target.useCaseID, roleARN: target.roleARN, region: target.region)
        if let cached = requests.withLock({ $0[key] }) { return cached }
        guard let tokenSource = tokenSources[target.useCaseID] else {
            throw GatewayError.internalServer(
                "use case \(target.useCaseID) has no web-identity token source configured; set token_sources for it",
                reason: "no_token_source"
            )
        }
        let request = try CredentialRequest(
            roleArn: target.roleARN,
            stsRegion: target.region,
            sessionPolicy: target.sessionPolicy,
            useCase: target.useCaseID,
            durationSeconds: durationSeconds,
            tokenSource: tokenSource
        )
        requests.withLock { $0[key] = request }
        return request
    }
}
