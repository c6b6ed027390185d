import AWSSigning
import CallerAuth
import CredentialPlane
import Crypto
import Foundation
import Gateway
import GatewayCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import Synchronization
import WebIdentity

/// Paths and fixed values shared by the tests.
enum Fixture {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let catalogPath = repositoryRoot.appendingPathComponent("policies/catalog.yaml").path
    static let issuer = "https://acme.okta.com/oauth2/default"
    static let audience = "genai-gateway-inbound"
    static let credential = AWSCredential(
        accessKeyId: "ASIATESTACCESSKEY01", secretAccessKey: "test-secret-access-key",
        sessionToken: "test-session-token-value", expiration: Date().addingTimeInterval(3600)
    )
    static let titanID = "amazon.titan-text-express-v1"
    static let sonnetProfileID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    static let modelsUSAccount = "222222222222"
}

/// Mints ES256 caller tokens and publishes the matching JWKS, as an IdP would.
struct TestIdentityProvider: Sendable {
    let key = P256.Signing.PrivateKey()
    let kid = "test-key-1"

    var keySet: JSONWebKeySet {
        let raw = key.publicKey.rawRepresentation
        let json = """
            {"keys":[{"kty":"EC","crv":"P-256","kid":"\(kid)","alg":"ES256","use":"sig","x":"\(Self.base64URL(raw.prefix(32)))","y":"\(Self.base64URL(raw.suffix(32)))"}]}
            """
        return try! JSONWebKeySet(jsonData: Data(json.utf8))
    }

    /// A signed token; `expiresIn` may be negative for an expired one.
    func token(
        subject: String = "alice", groups: [String] = ["genai-usecase-a"], audience: String = Fixture.audience,
        expiresIn: TimeInterval = 300
    ) -> String {
        let now = Int(Date().timeIntervalSince1970)
        let groupsJSON = groups.map { "\"\($0)\"" }.joined(separator: ",")
        let header = #"{"alg":"ES256","typ":"JWT","kid":"\#(kid)"}"#
        let payload = #"{"iss":"\#(Fixture.issuer)","aud":"\#(audience)","sub":"\#(subject)","groups":[\#(groupsJSON)],"iat":\#(now - 10),"exp":\#(now + Int(expiresIn))}"#
        let signingInput = Self.base64URL(Data(header.utf8)) + "." + Self.base64URL(Data(payload.utf8))
        let signature = try! key.signature(for: Data(signingInput.utf8)).rawRepresentation
        return signingInput + "." + Self.base64URL(signature)
    }

    /// An unsigned `alg: none` token.
    func unsignedToken() -> String {
        let now = Int(Date().timeIntervalSince1970)
        let header = #"{"alg":"none","typ":"JWT"}"#
        let payload = #"{"iss":"\#(Fixture.issuer)","aud":"\#(Fixture.audience)","sub":"mallory","groups":["genai-usecase-a"],"exp":\#(now + 300)}"#
        return Self.base64URL(Data(header.utf8)) + "." + Self.base64URL(Data(payload.utf8)) + "."
    }

    func authenticator() throws -> JWTCallerAuthenticator {
        let verifier = try JWTVerifier(
            configuration: JWTVerifierConfiguration(issuer: Fixture.issuer, audience: Fixture.audience),
            fetcher: StaticKeySetFetcher(keySet: keySet)
        )
        return JWTCallerAuthenticator(verifier: verifier)
    }

    static func base64URL(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Serves a fixed key set (the JWKS endpoint of ``TestIdentityProvider``).
struct StaticKeySetFetcher: JWKSFetcher {
    let keySet: JSONWebKeySet
    func fetchKeySet(logger: Logger) async throws -> JSONWebKeySet { keySet }
}

/// The credential-plane seam: fixed credentials, or a fixed failure; records what it was asked for.
final class FixedCredentialSource: UpstreamCredentialSource {
    private let failure: (@Sendable (ResolvedTarget) -> any Error)?
    private let asked = Mutex<[(role: String, region: String, useCase: String, callerToken: String)]>([])

    init(failure: (@Sendable (ResolvedTarget) -> any Error)? = nil) {
        self.failure = failure
    }

    var requests: [(role: String, region: String, useCase: String, callerToken: String)] { asked.withLock { $0 } }

    func credentials(for target: ResolvedTarget, caller: AuthenticatedCaller, logger: Logger) async throws -> CredentialLookup {
        asked.withLock { $0.append((target.roleARN, target.region, target.useCaseID, caller.token.value)) }
        if let failure { throw failure(target) }
        return CredentialLookup(credential: Fixture.credential, layer: .l1)
    }
}

/// Keeps audit records in memory.
final class CollectingAuditSink: AuditSink {
    private let records = Mutex<[AuditRecord]>([])
    var all: [AuditRecord] { records.withLock { $0 } }
    func write(_ record: AuditRecord) { records.withLock { $0.append(record) } }
}

/// What the local Bedrock stand-in received.
struct ReceivedRequest: Sendable {
    var path: String
    /// The `Host` header (HTTP/1.1 hosts arrive as the request's authority).
    var authority: String?
    var headers: HTTPFields
    var body: [UInt8]
}

/// Records requests reaching the local upstream.
final class UpstreamRecorder: Sendable {
    private let received = Mutex<[ReceivedRequest]>([])
    var requests: [ReceivedRequest] { received.withLock { $0 } }
    func record(_ request: ReceivedRequest) { received.withLock { $0.append(request) } }
}

/// Runs `router` as a real HTTP server on a free loopback port for the duration of `body`.
func withUpstream<Value: Sendable>(
    _ router: Router<BasicRequestContext>,
    _ body: @Sendable (Int) async throws -> Value
) async throws -> Value {
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    return try await app.test(.live) { client in
        try await body(client.port!)
    }
}

/// The configuration the gateway tests run with.
func testConfiguration(
    upstreamPort: Int, maxBodyBytes: Int = GatewayConfiguration.defaultMaxBodyBytes, timeouts: GatewayConfiguration.Timeouts? = nil
) -> GatewayConfiguration {
    var configuration = GatewayConfiguration(catalogPath: Fixture.catalogPath)
    configuration.listen = .init(host: "127.0.0.1", port: 0)
    configuration.inbound.audience = Fixture.audience
    configuration.tokenSources.defaultKind = .passthrough
    configuration.endpoints.bedrock = "http://127.0.0.1:\(upstreamPort)"
    configuration.timeouts = timeouts ?? .init(connect: .seconds(2), firstByte: .seconds(5), streamIdle: .seconds(5))
    configuration.maxBodyBytes = maxBodyBytes
    return configuration
}

/// The gateway under test, with the IdP's keys, credentials, metrics and audit at the seams.
struct GatewayHarness: Sendable {
    let idp = TestIdentityProvider()
    let credentials: FixedCredentialSource
    let audit = CollectingAuditSink()
    let registry = PrometheusCollectorRegistry()

    init(credentials: FixedCredentialSource = FixedCredentialSource()) {
        self.credentials = credentials
    }

    func application(
        upstreamPort: Int, maxBodyBytes: Int = GatewayConfiguration.defaultMaxBodyBytes, timeouts: GatewayConfiguration.Timeouts? = nil
    ) async throws -> some ApplicationProtocol {
        try await buildApplication(
            configuration: testConfiguration(upstreamPort: upstreamPort, maxBodyBytes: maxBodyBytes, timeouts: timeouts),
            dependencies: GatewayDependencies(
                authenticator: try idp.authenticator(), credentialSource: credentials, metricsRegistry: registry, auditSink: audit
            ),
            logger: Logger(label: "gateway-test")
        )
    }
}

/// A Bedrock stand-in for every operation: reads each request's body, then answers with `answer`.
func upstream(answering answer: @escaping @Sendable () async throws -> Response) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.post("/model/**") { request, _ -> Response in
        _ = try await request.body.collect(upTo: 1 << 20)
        return try await answer()
    }
    return router
}

/// A Bedrock stand-in that records requests and answers Converse with a fixed JSON body.
func recordingUpstream(_ recorder: UpstreamRecorder, status: HTTPResponse.Status = .ok, extraHeaders: HTTPFields = [:], body: String? = nil) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
        var request = request
        let bytes = try await request.collectBody(upTo: 30_000_000)
        recorder.record(ReceivedRequest(path: request.uri.path, authority: request.head.authority, headers: request.headers, body: Array(bytes.readableBytesView)))
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extraHeaders)
        let text = body ?? #"{"output":{"message":{"role":"assistant","content":[{"text":"hello"}]}},"stopReason":"end_turn","usage":{"inputTokens":12,"outputTokens":3,"totalTokens":15}}"#
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
    router.post("/model/**", use: handler)
    return router
}

extension HTTPFields {
    /// Headers of a caller with a bearer token.
    static func caller(_ token: String, useCase: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        if let useCase { fields[.useCaseID] = useCase }
        return fields
    }
}

extension ByteBuffer {
    var text: String { String(buffer: self) }
}

let simpleConverseBody = #"{"messages":[{"role":"user","content":[{"text":"Hi, what are your opening hours?"}]}],"inferenceConfig":{"maxTokens":100}}"#
let complexConverseBody = #"{"messages":[{"role":"user","content":[{"text":"Analyze the trade-offs between event sourcing and CRUD for our billing service, compare their failure modes step by step, and write a detailed migration plan with code examples in Swift for the ledger module. Why would each approach fail under concurrent refunds?"}]}],"inferenceConfig":{"maxTokens":4096}}"#

/// A flag shared between a stand-in and the test.
final class SharedFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
