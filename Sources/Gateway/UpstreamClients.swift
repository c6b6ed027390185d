import GatewayCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UpstreamHTTP

/// The HTTP/1.1 client that talks to bedrock-runtime, and where each Region's endpoint is.
///
/// Every request has the first-byte timeout as its deadline for the response head (waiting for a free connection and
/// connecting count against it) and a read-idle timeout for its body: the first-byte timeout for buffered operations,
/// whose answer Bedrock sends whole, and the stream-idle timeout for event streams.
final class UpstreamClients: Sendable {
    /// Where requests for one Region go.
    struct Endpoint: Sendable {
        /// Scheme, host and port.
        var origin: UpstreamOrigin
        /// A path prefix of an endpoint override (usually empty), without a trailing `/`.
        var basePath: String
        /// The `host` header value: host, plus the port when it is not the scheme's default.
        var hostHeader: String
    }

    let client: UpstreamHTTPClient
    let timeouts: GatewayConfiguration.Timeouts
    private let override: Endpoint?
    private let eventLoopGroup: any EventLoopGroup
    /// The group's event loops: a request runs on its inbound connection's loop when that is one of these.
    private let ownLoops: Set<ObjectIdentifier>

    init(
        timeouts: GatewayConfiguration.Timeouts, endpointOverride: String?, maxConnections: Int,
        eventLoopGroup: any EventLoopGroup, tls: UpstreamHTTPClient.Configuration? = nil
    ) throws {
        self.timeouts = timeouts
        self.override = endpointOverride.map(Self.parse)
        self.eventLoopGroup = eventLoopGroup
        self.ownLoops = Set(eventLoopGroup.makeIterator().map { ObjectIdentifier($0) })
        var configuration = tls ?? UpstreamHTTPClient.Configuration()
        configuration.connectTimeout = TimeAmount(timeouts.connect)
        configuration.maxConnections = maxConnections
        // Upstream headers are the caller's, as Hummingbird's parser accepted them (no CR, LF or NUL), plus the
        // host and SigV4 headers the gateway makes: NIO's per-request re-validation was 4% of CPU under load.
        configuration.validatesHeaders = false
        self.client = UpstreamHTTPClient(configuration: configuration)
        if override?.origin.tls ?? true { try client.prepareTLS() }
    }

    func endpoint(forRegion region: String) -> Endpoint {
        if let override { return override }
        let host = region.hasPrefix("cn-") ? "bedrock-runtime.\(region).amazonaws.com.cn" : "bedrock-runtime.\(region).amazonaws.com"
        return Endpoint(origin: UpstreamOrigin(tls: true, host: host, port: 443), basePath: "", hostHeader: host)
    }

    /// The event loop a request runs on: `preferred` (the inbound connection's) when it belongs to the group.
    func eventLoop(preferring preferred: (any EventLoop)?) -> any EventLoop {
        if let preferred, ownLoops.contains(ObjectIdentifier(preferred)) { return preferred }
        return eventLoopGroup.next()
    }

    /// Parses an endpoint override; the configuration reader has already checked it is an http(s) URL with a host and
    /// no query, fragment or user info.
    static func parse(_ url: String) -> Endpoint {
        let origin = UpstreamOrigin(url: url) ?? UpstreamOrigin(tls: true, host: "invalid", port: 443)
        var basePath = String(UpstreamOrigin.path(of: url))
        while basePath.hasSuffix("/") { basePath.removeLast() }
        return Endpoint(origin: origin, basePath: basePath, hostHeader: origin.hostHeader)
    }

    /// A 503 for a request that got no response head.
    func transportError(_ error: any Error, endpoint: Endpoint) -> GatewayError {
        if let error = error as? UpstreamHTTPError {
            switch error.code {
            case .firstByteTimeout:
                return .serviceUnavailable(
                    "Bedrock at \(endpoint.hostHeader) did not answer within the first-byte timeout (\(timeouts.firstByte)); retry, or raise timeouts.first_byte_ms",
                    reason: "upstream_timeout"
                )
            case .connectTimeout:
                return .serviceUnavailable(
                    "could not connect to Bedrock at \(endpoint.hostHeader) within the connect timeout (\(timeouts.connect)); retry the request",
                    reason: "upstream_connect_timeout"
                )
            case .tlsFailed:
                return .serviceUnavailable(
                    "the TLS handshake with Bedrock at \(endpoint.hostHeader) failed (\(error.detail)); check the endpoint and its certificate",
                    reason: "upstream_tls"
                )
            case .shutdown:
                return .serviceUnavailable("the gateway is shutting down; retry the request", reason: "shutting_down")
            case .readIdleTimeout, .connectFailed, .connectionClosed, .invalidResponse:
                break
            }
        }
        return .serviceUnavailable("could not reach Bedrock at \(endpoint.hostHeader); retry the request", reason: "upstream_unreachable")
    }

    func shutdown() async {
        await client.shutdown()
    }
}

/// Shuts the upstream client down when the application stops.
struct UpstreamClientsService: Service {
    let clients: UpstreamClients

    func run() async throws {
        try? await gracefulShutdown()
        await clients.shutdown()
    }
}
