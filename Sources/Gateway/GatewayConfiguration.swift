import Logging

/// Everything the gateway server needs to start, with a default for every optional setting.
///
/// Build it from a YAML file and the environment with ``load(environment:configFile:)`` (see
/// `GatewayConfiguration+Reader.swift` for every key), or in code for tests:
///
/// ```swift
/// var configuration = GatewayConfiguration(catalogPath: "policies/catalog.yaml")
/// configuration.inbound.audience = "genai-gateway"
/// configuration.identityProvider.clientID = "gateway"
/// ```
public struct GatewayConfiguration: Sendable, CustomStringConvertible {
    /// Where the server listens.
    public struct Listen: Sendable, Hashable {
        /// Host or IP address to bind (default `0.0.0.0`).
        public var host: String
        /// TCP port (default 8080; 0 picks a free port).
        public var port: Int

        /// Creates a listen address.
        public init(host: String = "0.0.0.0", port: Int = 8080) {
            self.host = host
            self.port = port
        }
    }

    /// The shared, encrypted credential cache.
    public struct Cache: Sendable, CustomStringConvertible {
        /// `redis://` or `rediss://` URL; nil keeps credentials in process only.
        public var redisURL: String?
        /// Base64 of the 32-byte AES-256 key encrypting cached credentials (secret; required with Redis).
        public var key: String?
        /// Earlier keys (base64), still accepted for reading during a rotation.
        public var previousKeys: [String]

        /// Creates cache settings.
        public init(redisURL: String? = nil, key: String? = nil, previousKeys: [String] = []) {
            self.redisURL = redisURL
            self.key = key
            self.previousKeys = previousKeys
        }

        /// Never shows the keys or a Redis password.
        public var description: String {
            let redis = redisURL.map { _ in "set" } ?? "none"
            return "Cache(redis: \(redis), key: \(key == nil ? "none" : "<redacted>"), previousKeys: \(previousKeys.count))"
        }
    }

    /// How callers' tokens are checked.
    public struct Inbound: Sendable, Hashable {
        /// The `aud` every caller token must contain.
        public var audience: String?
        /// The claim holding the caller's groups (default `groups`).
        public var groupsClaim: String

        /// Creates inbound settings.
        public init(audience: String? = nil, groupsClaim: String = "groups") {
            self.audience = audience
            self.groupsClaim = groupsClaim
        }
    }

    /// The enterprise IdP: overrides of what OIDC discovery finds, and the gateway's own client.
    public struct IdentityProvider: Sendable, CustomStringConvertible {
        /// The JWKS URL; nil discovers it from the catalog issuer.
        public var jwksURL: String?
        /// The token endpoint; nil discovers it from the catalog issuer.
        public var tokenURL: String?
        /// The gateway's OAuth2 client id (client-credentials web-identity source).
        public var clientID: String?
        /// The gateway's OAuth2 client secret (secret).
        public var clientSecret: String?
        /// Optional OAuth2 `scope` of client-credentials requests.
        public var scope: String?

        /// Creates IdP settings.
        public init(
            jwksURL: String? = nil, tokenURL: String? = nil, clientID: String? = nil, clientSecret: String? = nil,
            scope: String? = nil
        ) {
            self.jwksURL = jwksURL
            self.tokenURL = tokenURL
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.scope = scope
        }

        /// Never shows the client secret.
        public var description: String {
            "IdentityProvider(jwksURL: \(jwksURL ?? "discover"), tokenURL: \(tokenURL ?? "discover"), "
                + "clientID: \(clientID ?? "none"), clientSecret: \(clientSecret == nil ? "none" : "<redacted>"))"
        }
    }

    /// Where a web-identity token for STS comes from.
    public enum TokenSourceKind: String, Sendable, Hashable, CaseIterable {
        /// OAuth2 client credentials with ``IdentityProvider/clientID`` and ``IdentityProvider/clientSecret``.
        case clientCredentials = "client_credentials"
        /// A token file (for example a projected service-account token), re-read when it changes.
        case tokenFile = "token_file"
        /// The caller's own verified token.
        case passthrough
    }

    /// The token source of one use case.
    public struct TokenSource: Sendable, Hashable {
        /// The kind of source.
        public var kind: TokenSourceKind
        /// The token file, for ``TokenSourceKind/tokenFile``.
        public var path: String?

        /// Creates a token source setting.
        public init(kind: TokenSourceKind, path: String? = nil) {
            self.kind = kind
            self.path = path
        }
    }

    /// Web-identity token sources: a default and per-use-case choices.
    public struct TokenSources: Sendable, Hashable {
        /// The default kind; nil means client credentials when a client id is set.
        public var defaultKind: TokenSourceKind?
        /// The token file of the `token_file` default.
        public var tokenFile: String?
        /// Use case id → its own source.
        public var useCases: [String: TokenSource]

        /// Creates token-source settings.
        public init(defaultKind: TokenSourceKind? = nil, tokenFile: String? = nil, useCases: [String: TokenSource] = [:]) {
            self.defaultKind = defaultKind
            self.tokenFile = tokenFile
            self.useCases = useCases
        }
    }

    /// Overrides of the regional AWS endpoints (local stacks and tests).
    public struct Endpoints: Sendable, Hashable {
        /// STS endpoint for every Region; nil uses `https://sts.<region>.amazonaws.com`.
        public var sts: String?
        /// bedrock-runtime endpoint for every Region; nil uses `https://bedrock-runtime.<region>.amazonaws.com`.
        public var bedrock: String?

        /// Creates endpoint overrides.
        public init(sts: String? = nil, bedrock: String? = nil) {
            self.sts = sts
            self.bedrock = bedrock
        }
    }

    /// Upstream time limits.
    public struct Timeouts: Sendable, Hashable {
        /// Opening a connection to Bedrock (default 3 s).
        public var connect: Duration
        /// From sending the request to the response head (default 120 s: non-streaming answers arrive whole).
        public var firstByte: Duration
        /// Longest silence while a streamed response is being received (default 60 s).
        public var streamIdle: Duration

        /// Creates time limits.
        public init(connect: Duration = .seconds(3), firstByte: Duration = .seconds(120), streamIdle: Duration = .seconds(60)) {
            self.connect = connect
            self.firstByte = firstByte
            self.streamIdle = streamIdle
        }
    }

    /// STS session settings.
    public struct Credentials: Sendable, Hashable {
        /// `DurationSeconds` asked of STS (900-43,200; default 3,600).
        public var durationSeconds: Int

        /// Creates STS session settings.
        public init(durationSeconds: Int = 3_600) {
            self.durationSeconds = durationSeconds
        }
    }

    /// Default largest request body (Bedrock's limit).
    public static let defaultMaxBodyBytes = 25_000_000
    /// Default of ``upstreamMaxConnections``.
    public static let defaultUpstreamMaxConnections = 1_024

    /// Where the server listens.
    public var listen: Listen
    /// The catalog file (default `policies/catalog.yaml`).
    public var catalogPath: String
    /// The shared credential cache.
    public var cache: Cache
    /// Caller-token checks.
    public var inbound: Inbound
    /// The enterprise IdP.
    public var identityProvider: IdentityProvider
    /// Web-identity token sources.
    public var tokenSources: TokenSources
    /// AWS endpoint overrides.
    public var endpoints: Endpoints
    /// Upstream time limits.
    public var timeouts: Timeouts
    /// STS session settings.
    public var credentials: Credentials
    /// Largest request body accepted (default 25,000,000 bytes); larger ones get 413.
    public var maxBodyBytes: Int
    /// Most requests in flight to Bedrock at once, across endpoints (default 1,024). Each in-flight HTTP/1.1 request
    /// has its own connection, so this also bounds the upstream connections in use; further requests wait for a
    /// free one within their first-byte timeout.
    public var upstreamMaxConnections: Int
    /// Log level (default `info`).
    public var logLevel: Logger.Level

    /// Creates a configuration; every argument has a default.
    public init(
        listen: Listen = .init(),
        catalogPath: String = "policies/catalog.yaml",
        cache: Cache = .init(),
        inbound: Inbound = .init(),
        identityProvider: IdentityProvider = .init(),
        tokenSources: TokenSources = .init(),
        endpoints: Endpoints = .init(),
        timeouts: Timeouts = .init(),
        credentials: Credentials = .init(),
        maxBodyBytes: Int = GatewayConfiguration.defaultMaxBodyBytes,
        upstreamMaxConnections: Int = GatewayConfiguration.defaultUpstreamMaxConnections,
        logLevel: Logger.Level = .info
    ) {
        self.listen = listen
        self.catalogPath = catalogPath
        self.cache = cache
        self.inbound = inbound
        self.identityProvider = identityProvider
        self.tokenSources = tokenSources
        self.endpoints = endpoints
        self.timeouts = timeouts
        self.credentials = credentials
        self.maxBodyBytes = maxBodyBytes
        self.upstreamMaxConnections = upstreamMaxConnections
        self.logLevel = logLevel
    }

    /// The token source a use case uses: its own, else the default, else client credentials when a client id is
    /// set; nil when none can be chosen.
    public func tokenSource(forUseCase id: String) -> TokenSource? {
        if let own = tokenSources.useCases[id] { return own }
        if let kind = tokenSources.defaultKind { return TokenSource(kind: kind, path: tokenSources.tokenFile) }
        if identityProvider.clientID != nil { return TokenSource(kind: .clientCredentials) }
        return nil
    }

    /// A summary without secrets, for the start-up log and `check-config`.
    public var description: String {
        "GatewayConfiguration(listen: \(listen.host):\(listen.port), catalog: \(catalogPath), \(cache), "
            + "inboundAudience: \(inbound.audience ?? "none"), groupsClaim: \(inbound.groupsClaim), \(identityProvider), "
            + "defaultTokenSource: \(tokenSources.defaultKind?.rawValue ?? (identityProvider.clientID != nil ? "client_credentials" : "none")), "
            + "stsEndpoint: \(endpoints.sts ?? "regional"), bedrockEndpoint: \(endpoints.bedrock ?? "regional"), "
            + "timeouts: connect \(timeouts.connect) firstByte \(timeouts.firstByte) streamIdle \(timeouts.streamIdle), "
            + "credentialDuration: \(credentials.durationSeconds)s, maxBodyBytes: \(maxBodyBytes), "
            + "upstreamMaxConnections: \(upstreamMaxConnections), logLevel: \(logLevel))"
    }
}
