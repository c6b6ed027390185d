import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// Gets the gateway's own workload token from the IdP with the OAuth2 client credentials grant.
///
/// The token endpoint is configured or discovered from `<issuer>/.well-known/openid-configuration`. The
/// token is cached until ``Configuration/refreshMargin`` (or ``Configuration/refreshFraction`` of its
/// lifetime, whichever is longer) before its `exp`; concurrent callers share one request to the IdP. When a
/// refresh fails while the cached token is still valid, the cached token is returned and the failure logged.
///
/// ```swift
/// let source = ClientCredentialsTokenSource(configuration: .init(
///     tokenEndpoint: .discover(issuer: "https://idp.example.com/realms/acme"),
///     clientId: "genai-gateway", clientSecret: secret, audience: "sts.amazonaws.com"))
/// let token = try await source.token(for: TokenRequestContext(), logger: logger)
/// ```
public actor ClientCredentialsTokenSource: WebIdentityTokenSource {
    /// Where and how to ask for tokens.
    public struct Configuration: Sendable, CustomStringConvertible, CustomReflectable {
        /// How the token endpoint is found.
        public enum TokenEndpoint: Sendable, Hashable {
            /// A token endpoint URL.
            case url(String)
            /// Read `token_endpoint` from `<issuer>/.well-known/openid-configuration`.
            case discover(issuer: String)
        }

        /// The token endpoint, or the issuer to discover it from.
        public var tokenEndpoint: TokenEndpoint
        /// The OAuth2 client id registered for the gateway at the IdP.
        public var clientId: String
        /// Secret: sent only in the `Authorization` header, never logged or printed.
        public var clientSecret: String
        /// The OAuth2 `scope` parameter, if the IdP needs one.
        public var scope: String?
        /// The `audience` parameter (Auth0, Okta and others), if the IdP needs one.
        public var audience: String?
        /// Refresh at least this long before `exp`.
        public var refreshMargin: Duration
        /// Refresh at least this fraction of the token's lifetime before `exp`.
        public var refreshFraction: Double
        /// The limit on each request to the IdP.
        public var requestTimeout: Duration

        /// - Parameters:
        ///   - tokenEndpoint: the token endpoint, or the issuer to discover it from.
        ///   - clientId: the OAuth2 client id.
        ///   - clientSecret: the OAuth2 client secret.
        ///   - scope: the `scope` parameter, if any.
        ///   - audience: the `audience` parameter, if any.
        ///   - refreshMargin: refresh at least this long before `exp`.
        ///   - refreshFraction: refresh at least this fraction of the lifetime before `exp`.
        ///   - requestTimeout: the limit on each request to the IdP.
        public init(
            tokenEndpoint: TokenEndpoint,
            clientId: String,
            clientSecret: String,
            scope: String? = nil,
            audience: String? = nil,
            refreshMargin: Duration = .seconds(60),
            refreshFraction: Double = 0.1,
            requestTimeout: Duration = .seconds(10)
        ) {
            self.tokenEndpoint = tokenEndpoint
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.scope = scope
            self.audience = audience
            self.refreshMargin = refreshMargin
            self.refreshFraction = refreshFraction
            self.requestTimeout = requestTimeout
        }

        /// The configuration with the client secret redacted, for `dump` and debuggers.
        public var customMirror: Mirror {
            Mirror(
                self,
                children: [
                    "tokenEndpoint": tokenEndpoint, "clientId": clientId, "clientSecret": "<redacted>",
                    "scope": scope as Any, "audience": audience as Any,
                ],
                displayStyle: .struct
            )
        }

        /// The configuration with the client secret redacted.
        public var description: String {
            "ClientCredentialsTokenSource.Configuration(tokenEndpoint: \(tokenEndpoint), clientId: \(clientId), "
                + "clientSecret: <redacted>, scope: \(scope ?? "nil"), audience: \(audience ?? "nil"))"
        }
    }

    private struct CachedToken: Sendable {
        var token: WebIdentityToken
        /// When to fetch a new token.
        var refreshAt: Date
        /// When the token stops being usable at all.
        var expiresAt: Date
    }

    /// The token endpoint's JSON answer (RFC 6749 §5.1, §5.2).
    private struct TokenResponse: Decodable {
        var accessToken: String?
        var expiresIn: Double?
        var error: String?
        var errorDescription: String?

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case expiresIn = "expires_in"
            case error
            case errorDescription = "error_description"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            accessToken = try? container.decodeIfPresent(String.self, forKey: .accessToken)
            if let number = try? container.decodeIfPresent(Double.self, forKey: .expiresIn) {
                expiresIn = number
            } else if let text = try? container.decodeIfPresent(String.self, forKey: .expiresIn) {
                expiresIn = Double(text)
            }
            error = try? container.decodeIfPresent(String.self, forKey: .error)
            errorDescription = try? container.decodeIfPresent(String.self, forKey: .errorDescription)
        }
    }

    private struct DiscoveryDocument: Decodable {
        var issuer: String?
        var tokenEndpoint: String?

        enum CodingKeys: String, CodingKey {
            case issuer
            case tokenEndpoint = "token_endpoint"
        }
    }

    /// Tokens are never used closer than this to their `exp`, even when a refresh failed.
    static let minimumRemainingValidity: TimeInterval = 10
    /// The largest answer read from the IdP.
    static let maximumResponseBytes = 1 << 20

    public nonisolated let configuration: Configuration
    private let httpClient: HTTPClient
    private let clock: any WebIdentityClock
    private var cached: CachedToken?
    private var inFlight: Task<CachedToken, any Error>?
    private var discoveredTokenEndpoint: String?

    /// - Parameters:
    ///   - configuration: where and how to ask for tokens.
    ///   - httpClient: the client to talk to the IdP with.
    ///   - clock: the clock expiry is judged by.
    public init(
        configuration: Configuration,
        httpClient: HTTPClient = .shared,
        clock: any WebIdentityClock = SystemWebIdentityClock()
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.clock = clock
    }

    /// Always `false`: the token is the gateway's own.
    public nonisolated var isPerCaller: Bool { false }

    /// Returns the cached token, or fetches a new one when it is due for refresh.
    ///
    /// - Throws: ``WebIdentityTokenError`` when no usable token can be had.
    public func token(for context: TokenRequestContext, logger: Logger) async throws -> WebIdentityToken {
        if let cached, clock.now() < cached.refreshAt {
            return cached.token
        }
        let task: Task<CachedToken, any Error>
        if let inFlight {
            task = inFlight
        } else {
            task = Task { try await self.fetch(logger: logger) }
            inFlight = task
        }
        do {
            let fresh = try await task.value
            if inFlight == task { inFlight = nil }
            if fresh.expiresAt >= (cached?.expiresAt ?? .distantPast) { cached = fresh }
            return fresh.token
        } catch {
            if inFlight == task { inFlight = nil }
            if let cached, clock.now().addingTimeInterval(Self.minimumRemainingValidity) < cached.expiresAt {
                logger.warning(
                    "web identity token refresh failed; using the cached token until it expires",
                    metadata: ["gw.token.error": "\(error)", "gw.token.expires_at": "\(cached.expiresAt)"]
                )
                return cached.token
            }
            throw error
        }
    }

    private func fetch(logger: Logger) async throws -> CachedToken {
        let endpoint = try await resolveTokenEndpoint(logger: logger)
        var form: [(String, String)] = [("grant_type", "client_credentials")]
        if let scope = configuration.scope { form.append(("scope", scope)) }
        if let audience = configuration.audience { form.append(("audience", audience)) }

        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Authorization", value: basicAuthorization())
        request.body = .bytes(ByteBuffer(string: FormURLEncoding.encode(form)))

        let requestedAt = clock.now()
        let (status, data) = try await perform(request, url: endpoint) { reason in
            WebIdentityTokenError.transport(url: endpoint, reason: reason)
        }
        let response = try? JSONDecoder().decode(TokenResponse.self, from: data)
        guard status == 200 else {
            throw WebIdentityTokenError.tokenRequestRejected(
                url: endpoint,
                httpStatus: status,
                oauthError: response?.error.map(redactingSecret),
                oauthErrorDescription: response?.errorDescription.map(redactingSecret)
            )
        }
        guard let response else {
            throw WebIdentityTokenError.invalidTokenResponse(url: endpoint, reason: "the body is not a JSON object")
        }
        guard let value = response.accessToken, !value.isEmpty else {
            throw WebIdentityTokenError.invalidTokenResponse(url: endpoint, reason: "access_token is missing")
        }
        let token = WebIdentityToken(value: value)
        let expiresAt = token.expiresAt ?? response.expiresIn.map { requestedAt.addingTimeInterval($0) }
        guard let expiresAt else {
            logger.debug(
                "web identity token has neither exp nor expires_in; it will not be cached",
                metadata: ["gw.token.endpoint": "\(endpoint)"]
            )
            return CachedToken(token: token, refreshAt: requestedAt, expiresAt: requestedAt)
        }
        let issuedAt = min(token.issuedAt ?? requestedAt, requestedAt)
        let lifetime = max(0, expiresAt.timeIntervalSince(issuedAt))
        let margin = min(
            max(configuration.refreshMargin.timeInterval, configuration.refreshFraction * lifetime),
            lifetime / 2
        )
        logger.debug(
            "fetched web identity token",
            metadata: [
                "gw.token.endpoint": "\(endpoint)", "gw.token.subject": "\(token.subject ?? "-")",
                "gw.token.expires_at": "\(expiresAt)",
            ]
        )
        return CachedToken(token: token, refreshAt: expiresAt.addingTimeInterval(-margin), expiresAt: expiresAt)
    }

    private func resolveTokenEndpoint(logger: Logger) async throws -> String {
        switch configuration.tokenEndpoint {
        case .url(let url):
            return url
        case .discover(let issuer):
            if let discoveredTokenEndpoint { return discoveredTokenEndpoint }
            let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
            let url = base + "/.well-known/openid-configuration"
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/json")
            let (status, data) = try await perform(request, url: url) { reason in
                WebIdentityTokenError.discoveryFailed(url: url, reason: reason)
            }
            guard status == 200 else {
                throw WebIdentityTokenError.discoveryFailed(
                    url: url,
                    httpStatus: status,
                    reason: "the issuer answered HTTP \(status)"
                )
            }
            guard let document = try? JSONDecoder().decode(DiscoveryDocument.self, from: data) else {
                throw WebIdentityTokenError.discoveryFailed(
                    url: url,
                    httpStatus: status,
                    reason: "the discovery document is not JSON"
                )
            }
            guard let endpoint = document.tokenEndpoint, !endpoint.isEmpty else {
                throw WebIdentityTokenError.discoveryFailed(
                    url: url,
                    httpStatus: status,
                    reason: "the discovery document has no token_endpoint"
                )
            }
            if let advertised = document.issuer, advertised != base, advertised != issuer {
                logger.warning(
                    "OpenID discovery document names another issuer; STS will see that issuer in the tokens",
                    metadata: ["gw.token.issuer": "\(issuer)", "gw.token.advertised_issuer": "\(advertised)"]
                )
            }
            discoveredTokenEndpoint = endpoint
            return endpoint
        }
    }

    /// Sends `request` and returns the status and body; maps timeouts and transport failures.
    private func perform(
        _ request: HTTPClientRequest,
        url: String,
        transportError: (String) -> WebIdentityTokenError
    ) async throws -> (Int, Data) {
        do {
            let response = try await httpClient.execute(
                request,
                timeout: TimeAmount(configuration.requestTimeout),
                logger: nil
            )
            let body = try await response.body.collect(upTo: Self.maximumResponseBytes)
            return (Int(response.status.code), Data(buffer: body))
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout:
                throw WebIdentityTokenError.timeout(url: url)
            default:
                try Task.checkCancellation()
                throw transportError("\(error)")
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw transportError("\(error)")
        }
    }

    /// `text` with any echo of the client secret removed.
    private func redactingSecret(_ text: String) -> String {
        let secret = configuration.clientSecret
        guard secret.count >= 4, text.contains(secret) else { return text }
        return text.replacingOccurrences(of: secret, with: "<redacted>")
    }

    /// RFC 6749 §2.3.1: form-encode the id and secret, join with `:`, base64.
    private func basicAuthorization() -> String {
        let pair = FormURLEncoding.encode(configuration.clientId) + ":"
            + FormURLEncoding.encode(configuration.clientSecret)
        return "Basic " + Data(pair.utf8).base64EncodedString()
    }
}

extension Duration {
    /// The duration in seconds.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
