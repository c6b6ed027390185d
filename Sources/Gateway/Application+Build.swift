import AsyncHTTPClient
import CallerAuth
import CredentialPlane
import Foundation
import GatewayCore
import GatewayRedis
import GatewayRouting
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import UpstreamHTTP
import UseCaseCatalog
import WebIdentity

/// What ``buildApplication(configuration:dependencies:logger:)`` would otherwise build itself: the seams tests
/// replace with local peers or doubles. Every property is optional; nil means "build the production one".
public struct GatewayDependencies: Sendable {
    /// Verifies caller tokens; default: a ``JWTCallerAuthenticator`` on the IdP's JWKS.
    public var authenticator: (any CallerAuthenticator)?
    /// Supplies upstream credentials; default: a ``BrokerCredentialSource`` on STS (and Redis when configured).
    public var credentialSource: (any UpstreamCredentialSource)?
    /// Where metrics are registered and `GET /metrics` reads them; default: swift-prometheus' default registry,
    /// the one `MetricsSystem` is bootstrapped with.
    public var metricsRegistry: PrometheusCollectorRegistry?
    /// Where audit lines go; default: standard output.
    public var auditSink: (any AuditSink)?
    /// Event loops of the server and the upstream clients; default: the shared NIO group.
    public var eventLoopGroup: (any EventLoopGroup)?
    /// The upstream client's settings (TLS trust roots in tests); default: system trust roots, full verification.
    public var upstreamTLS: UpstreamHTTPClient.Configuration?

    /// Creates dependencies; every argument defaults to the production choice.
    public init(
        authenticator: (any CallerAuthenticator)? = nil,
        credentialSource: (any UpstreamCredentialSource)? = nil,
        metricsRegistry: PrometheusCollectorRegistry? = nil,
        auditSink: (any AuditSink)? = nil,
        eventLoopGroup: (any EventLoopGroup)? = nil,
        upstreamTLS: UpstreamHTTPClient.Configuration? = nil
    ) {
        self.authenticator = authenticator
        self.credentialSource = credentialSource
        self.metricsRegistry = metricsRegistry
        self.auditSink = auditSink
        self.eventLoopGroup = eventLoopGroup
        self.upstreamTLS = upstreamTLS
    }
}

/// The catalog and everything derived from it that the configuration must agree with.
public struct PreparedCatalog: Sendable {
    /// The catalog as loaded.
    public let catalog: Catalog
    /// Its authorization tables.
    public let policy: GatewayPolicy
    /// The catalog's use case ids, in catalog order.
    public var useCaseIDs: [String] { policy.useCaseIDs }
    /// Router per use case with routing.
    let classifiers: [String: RequestClassifier]

    /// Loads the catalog at `configuration.catalogPath` and checks the configuration against it.
    ///
    /// - Throws: ``ConfigurationError`` listing the catalog's problems, bad routing thresholds and token sources
    ///   that do not match the catalog's use cases.
    public init(configuration: GatewayConfiguration) throws(ConfigurationError) {
        let catalog: Catalog
        let policy: GatewayPolicy
        do {
            catalog = try CatalogLoader.load(path: configuration.catalogPath)
            policy = try GatewayPolicy(catalog: catalog)
        } catch {
            throw ConfigurationError(problems: error.diagnostics.filter { $0.severity == .error }.map(\.description))
        }
        var problems: [String] = []
        var classifiers: [String: RequestClassifier] = [:]
        for useCase in catalog.useCases {
            guard let routing = useCase.routing else { continue }
            do {
                let json = try JSONEncoder().encode(routing.thresholds)
                let router = try JSONDecoder().decode(RouterConfiguration.self, from: json)
                classifiers[useCase.id] = RequestClassifier(configuration: router)
            } catch let DecodingError.dataCorrupted(context) {
                problems.append("catalog: use case \(useCase.id) routing.thresholds: \(context.debugDescription)")
            } catch let DecodingError.typeMismatch(_, context) {
                problems.append("catalog: use case \(useCase.id) routing.thresholds.\(context.codingPath.last?.stringValue ?? "?"): must be a whole number")
            } catch {
                problems.append("catalog: use case \(useCase.id) routing.thresholds: \(error)")
            }
        }
        problems += configuration.problems(againstUseCases: policy.useCaseIDs)
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
        self.catalog = catalog
        self.policy = policy
        self.classifiers = classifiers
    }
}

/// Builds the gateway application: routes, the upstream clients, the credential plane and every background
/// service (Redis pool, credential refresher, JWKS prefetch), ready for `runService()`.
///
/// ```swift
/// let configuration = try GatewayConfiguration.load()
/// let app = try await buildApplication(configuration: configuration, logger: logger)
/// try await app.runService()
/// ```
///
/// - Parameters:
///   - configuration: the gateway's settings.
///   - logger: the application logger.
/// - Returns: the application.
/// - Throws: ``ConfigurationError`` when the catalog or the settings cannot be used.
public func buildApplication(configuration: GatewayConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    try await buildApplication(configuration: configuration, dependencies: GatewayDependencies(), logger: logger)
}

/// Builds the gateway application with some components supplied by the caller (tests).
///
/// - Parameters:
///   - configuration: the gateway's settings.
///   - dependencies: components to use instead of the production ones.
///   - logger: the application logger.
/// - Returns: the application.
/// - Throws: ``ConfigurationError`` when the catalog or the settings cannot be used.
public func buildApplication(
    configuration: GatewayConfiguration,
    dependencies: GatewayDependencies,
    logger: Logger
) async throws -> some ApplicationProtocol {
    let prepared = try PreparedCatalog(configuration: configuration)
    let eventLoopGroup = dependencies.eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
    let registry = dependencies.metricsRegistry ?? PrometheusMetricsFactory.defaultRegistry
    let metricsFactory = PrometheusMetricsFactory(registry: registry)
    var services: [any Service] = []

    let authenticator: any CallerAuthenticator
    if let injected = dependencies.authenticator {
        authenticator = injected
    } else {
        let verifierConfiguration = JWTVerifierConfiguration(
            issuer: prepared.catalog.identityProvider.issuer,
            audience: configuration.inbound.audience ?? "",
            groupsClaim: configuration.inbound.groupsClaim,
            jwksURL: configuration.identityProvider.jwksURL
        )
        let verifier: JWTVerifier
        do {
            verifier = try JWTVerifier(configuration: verifierConfiguration, httpClient: .shared, logger: logger)
        } catch {
            throw ConfigurationError(problems: error.problems)
        }
        authenticator = JWTCallerAuthenticator(verifier: verifier)
        services.append(KeyPrefetchService(verifier: verifier, logger: logger))
    }

    let credentialSource: any UpstreamCredentialSource
    if let injected = dependencies.credentialSource {
        credentialSource = injected
    } else {
        let (source, credentialServices) = try makeCredentialSource(
            configuration: configuration, catalog: prepared.catalog, useCaseIDs: prepared.policy.useCaseIDs,
            metricsFactory: metricsFactory, eventLoopGroup: eventLoopGroup, logger: logger
        )
        credentialSource = source
        services += credentialServices
    }

    let upstream = try UpstreamClients(
        timeouts: configuration.timeouts, endpointOverride: configuration.endpoints.bedrock,
        maxConnections: configuration.upstreamMaxConnections, eventLoopGroup: eventLoopGroup,
        tls: dependencies.upstreamTLS
    )
    services.append(UpstreamClientsService(clients: upstream))

    let auditSink: any AuditSink
    if let injected = dependencies.auditSink {
        auditSink = injected
    } else {
        auditSink = StandardOutputAuditSink()
        // First in the list, so the service group stops it last: after the server has answered every request.
        services.insert(AuditFlushService(writer: .standardOutput), at: 0)
    }

    let proxy = BedrockProxy(
        policy: prepared.policy,
        classifiers: prepared.classifiers,
        authenticator: authenticator,
        credentials: credentialSource,
        upstream: upstream,
        maxBodyBytes: configuration.maxBodyBytes,
        metrics: GatewayMetrics(factory: metricsFactory),
        audit: auditSink
    )
    let router = buildRouter(authenticator: authenticator, registry: registry)
    var app = Application(
        responder: GatewayResponder(proxy: proxy, router: router.buildResponder()),
        server: .eventLoopAffineHTTP1(),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.listen.host, port: configuration.listen.port),
            serverName: "genai-gateway"
        ),
        eventLoopGroupProvider: .shared(eventLoopGroup),
        logger: logger
    )
    app.addServices(services)
    return app
}

/// Hands the bedrock-runtime operations (`POST /model/...`, `POST /use-cases/...`) straight to the proxy, which parses
/// the raw path itself (``BedrockRequestPath``), and everything else to the router. Through the router's trie,
/// which walks a path segment by segment and Character by Character, a Converse call cost about 30,000 more
/// instructions (bench/instructions.sh).
struct GatewayResponder: HTTPResponder {
    typealias Context = GatewayRequestContext
    let proxy: BedrockProxy
    let router: RouterResponder<GatewayRequestContext>

    func respond(to request: Request, context: GatewayRequestContext) async throws -> Response {
        if request.method == .post, Self.isBedrockRuntimePath(request.uri.path) {
            return await proxy.handle(request, context: context)
        }
        return try await router.respond(to: request, context: context)
    }

    static func isBedrockRuntimePath(_ path: String) -> Bool {
        path.utf8.starts(with: "/model/".utf8) || path.utf8.starts(with: "/use-cases/".utf8)
    }
}

/// The routes besides the bedrock-runtime operations (``GatewayResponder``): health, readiness and metrics, and
/// Bedrock-shaped 404s for everything else.
func buildRouter(authenticator: any CallerAuthenticator, registry: PrometheusCollectorRegistry) -> Router<GatewayRequestContext> {
    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: UnknownRouteMiddleware())
    router.get("/health") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
    }
    router.get("/ready") { _, _ in
        let ready = await authenticator.isReady()
        let body = ready ? #"{"status":"ready","catalog":true,"idp_keys":true}"# : #"{"status":"not_ready","catalog":true,"idp_keys":false}"#
        return Response(
            status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }
    router.get("/metrics") { _, _ in
        let bytes = registry.emitToBuffer()
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
    return router
}

/// The production credential source: token sources per use case, STS, the broker and, with Redis, the shared
/// encrypted cache; plus the services they need run.
func makeCredentialSource(
    configuration: GatewayConfiguration,
    catalog: Catalog,
    useCaseIDs: [String],
    metricsFactory: PrometheusMetricsFactory,
    eventLoopGroup: any EventLoopGroup,
    logger: Logger
) throws -> (any UpstreamCredentialSource, [any Service]) {
    var services: [any Service] = []
    var problems: [String] = []
    let idp = configuration.identityProvider
    var clientCredentials: ClientCredentialsTokenSource?
    var tokenFiles: [String: TokenFileTokenSource] = [:]
    var sources: [String: any WebIdentityTokenSource] = [:]
    for id in useCaseIDs {
        guard let choice = configuration.tokenSource(forUseCase: id) else { continue }
        switch choice.kind {
        case .clientCredentials:
            if clientCredentials == nil, let clientID = idp.clientID, let secret = idp.clientSecret {
                let endpoint: ClientCredentialsTokenSource.Configuration.TokenEndpoint =
                    idp.tokenURL.map { .url($0) } ?? .discover(issuer: catalog.identityProvider.issuer)
                clientCredentials = ClientCredentialsTokenSource(
                    configuration: .init(tokenEndpoint: endpoint, clientId: clientID, clientSecret: secret, scope: idp.scope),
                    httpClient: .shared
                )
            }
            if let clientCredentials { sources[id] = clientCredentials }
        case .tokenFile:
            guard let path = choice.path else { continue }
            let source = tokenFiles[path] ?? TokenFileTokenSource(path: path)
            tokenFiles[path] = source
            sources[id] = source
        case .passthrough:
            sources[id] = PassthroughTokenSource()
        }
    }

    var sharedCache: CredentialBroker.SharedCache?
    if let url = configuration.cache.redisURL {
        do {
            let redis = try RedisConfiguration(url: url)
            let pool = RedisConnectionPool(configuration: redis, eventLoopGroup: eventLoopGroup, logger: logger)
            services.append(pool)
            if let key = configuration.cache.key {
                let current = try CredentialEncryptionKey(base64: key)
                let previous = try configuration.cache.previousKeys.map { try CredentialEncryptionKey(base64: $0) }
                sharedCache = .init(store: RedisCredentialStore(pool: pool), cipher: try CredentialCipher(current: current, previous: previous))
            }
        } catch let error as RedisError {
            problems.append("redis_url / GATEWAY_REDIS_URL: \(error)")
        } catch let error as CredentialPlaneError {
            problems.append("cache keys: \(error.message)")
        }
    }
    if !problems.isEmpty { throw ConfigurationError(problems: problems) }

    let stsEndpoint = configuration.endpoints.sts
    let fetcher = STSCredentialFetcher { region in
        STSClient(region: region, endpoint: stsEndpoint, httpClient: .shared)
    }
    let broker = try CredentialBroker(fetcher: fetcher, sharedCache: sharedCache, metricsFactory: metricsFactory, logger: logger)
    services.append(broker)
    let source = BrokerCredentialSource(broker: broker, tokenSources: sources, durationSeconds: configuration.credentials.durationSeconds)
    return (source, services)
}
