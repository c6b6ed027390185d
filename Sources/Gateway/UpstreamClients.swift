import AsyncHTTPClient
import Foundation
import GatewayCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The HTTP clients that talk to bedrock-runtime, and where each Region's endpoint is.
///
/// Two clients share the event loops: one for buffered operations, whose read timeout is the first-byte timeout
/// (Bedrock answers them whole), and one for event streams, whose read timeout is the stream-idle timeout (the
/// longest silence between bytes). Both use the connect timeout, and every request has the first-byte timeout as
/// its deadline for the response head.
final class UpstreamClients: Sendable {
    /// Where requests for one Region go.
    struct Endpoint: Sendable {
        /// `scheme://host[:port]`.
        var origin: String
        /// A path prefix of an endpoint override (usually empty), without a trailing `/`.
        var basePath: String
        /// The `host` header value: host, plus the port when it is not the scheme's default.
        var hostHeader: String
    }

    let buffered: HTTPClient
    let streaming: HTTPClient
    let timeouts: GatewayConfiguration.Timeouts
    private let override: Endpoint?

    init(
        timeouts: GatewayConfiguration.Timeouts, endpointOverride: String?, maxConnectionsPerHost: Int,
        eventLoopGroup: any EventLoopGroup
    ) {
        self.timeouts = timeouts
        self.override = endpointOverride.map(Self.parse)
        func client(read: Duration) -> HTTPClient {
            var configuration = HTTPClient.Configuration()
            configuration.timeout = HTTPClient.Configuration.Timeout(connect: TimeAmount(timeouts.connect), read: TimeAmount(read))
            configuration.redirectConfiguration = .disallow
            configuration.decompression = .disabled
            configuration.httpVersion = .automatic
            // AsyncHTTPClient's default of 8 connections per host would cap HTTP/1.1 upstreams at 8 requests in
            // flight: 160 req/s against a 50 ms upstream.
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
            return HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: configuration)
        }
        self.buffered = client(read: timeouts.firstByte)
        self.streaming = client(read: timeouts.streamIdle)
    }

    func endpoint(forRegion region: String) -> Endpoint {
        if let override { return override }
        let host = region.hasPrefix("cn-") ? "bedrock-runtime.\(region).amazonaws.com.cn" : "bedrock-runtime.\(region).amazonaws.com"
        return Endpoint(origin: "https://\(host)", basePath: "", hostHeader: host)
    }

    static func parse(_ url: String) -> Endpoint {
        let schemeEnd = url.range(of: "://")!
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        var basePath = String(rest.dropFirst(authority.count))
        while basePath.hasSuffix("/") { basePath.removeLast() }
        var hostHeader = String(authority)
        if (scheme == "https" && hostHeader.hasSuffix(":443")) || (scheme == "http" && hostHeader.hasSuffix(":80")) {
            hostHeader = String(hostHeader.prefix { $0 != ":" })
        }
        return Endpoint(origin: "\(scheme)://\(authority)", basePath: basePath, hostHeader: hostHeader)
    }

    /// A 503 for a request that got no response head.
    func transportError(_ error: any Error, endpoint: Endpoint) -> GatewayError {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout:
                return .serviceUnavailable(
                    "Bedrock at \(endpoint.hostHeader) did not answer within the first-byte timeout (\(timeouts.firstByte)); retry, or raise timeouts.first_byte_ms",
                    reason: "upstream_timeout"
                )
            case .connectTimeout:
                return .serviceUnavailable(
                    "could not connect to Bedrock at \(endpoint.hostHeader) within the connect timeout (\(timeouts.connect)); retry the request",
                    reason: "upstream_connect_timeout"
                )
            default:
                break
            }
        }
        return .serviceUnavailable("could not reach Bedrock at \(endpoint.hostHeader); retry the request", reason: "upstream_unreachable")
    }

    func shutdown() async {
        try? await buffered.shutdown()
        try? await streaming.shutdown()
    }
}

/// Shuts the upstream clients down when the application stops.
struct UpstreamClientsService: Service {
    let clients: UpstreamClients

    func run() async throws {
        try? await gracefulShutdown()
        await clients.shutdown()
    }
}
