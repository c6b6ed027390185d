import CallerAuth
import GatewayCore
import Logging
import ServiceLifecycle
import WebIdentity

/// The production ``CallerAuthenticator``: verifies caller JWTs with CallerAuth's ``JWTVerifier`` (signature with
/// the IdP's JWKS, `iss`, `aud`, `exp`/`nbf`) and maps its failures to 401 `UnrecognizedClientException` saying
/// which check failed, or 503 when the IdP's keys cannot be fetched.
public struct JWTCallerAuthenticator: CallerAuthenticator {
    /// The verifier in use.
    public let verifier: JWTVerifier

    /// Creates an authenticator around `verifier`.
    public init(verifier: JWTVerifier) {
        self.verifier = verifier
    }

    public func authenticate(bearerToken: String, logger: Logger) async throws(GatewayError) -> AuthenticatedCaller {
        let caller: VerifiedCaller
        do {
            caller = try await verifier.verify(bearerToken)
        } catch {
            if error.isKeySetUnavailable {
                logger.warning("caller token not verifiable: IdP keys unavailable", metadata: ["gw.auth.failure": "\(error.shortDescription)"])
                throw .serviceUnavailable(
                    "the gateway cannot verify tokens right now because the identity provider's signing keys could not be fetched (\(error.reason)); retry shortly",
                    reason: "idp_keys_unavailable"
                )
            }
            logger.debug("caller token rejected", metadata: ["gw.auth.failure": "\(error.shortDescription)"])
            throw .unauthenticated("the bearer token was rejected: \(error.reason)", reason: "token_rejected")
        }
        let token = WebIdentityToken(
            value: caller.token, subject: caller.subject, issuer: caller.issuer, audience: caller.audience,
            expiresAt: caller.expiresAt
        )
        return AuthenticatedCaller(subject: caller.subject, groups: caller.groups, token: token)
    }

    public func isReady() async -> Bool {
        await verifier.keys.lastRefresh != nil
    }
}

/// Fetches the IdP's keys at start-up, retrying with backoff until they load, so `GET /ready` turns green without
/// waiting for the first caller.
struct KeyPrefetchService: Service {
    let verifier: JWTVerifier
    let logger: Logger

    func run() async throws {
        var delay = Duration.milliseconds(250)
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await verifier.prefetchKeys()
                logger.debug("IdP signing keys loaded")
                break
            } catch {
                logger.warning("IdP signing keys could not be fetched; retrying", metadata: ["gw.error": "\(error.reason)"])
            }
            let wait = delay
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            delay = min(delay * 2, .seconds(10))
        }
        try? await gracefulShutdown()
    }
}
