import NIOCore
import NIOHTTP1

/// Where a request goes: scheme, host and port of one upstream server.
public struct UpstreamOrigin: Hashable, Sendable, CustomStringConvertible {
    /// Whether the connection uses TLS.
    public var tls: Bool
    /// Host name or IP literal (IPv6 without brackets).
    public var host: String
    /// TCP port.
    public var port: Int

    public init(tls: Bool, host: String, port: Int) {
        self.tls = tls
        self.host = host
        self.port = port
    }

    /// Parses `scheme://host[:port]` (any path is ignored); nil unless the scheme is http or https and the host is
    /// present.
    public init?(url: String) {
        guard let (tls, authority, _) = Self.split(url) else { return nil }
        var host = authority
        var port = tls ? 443 : 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if rest.hasPrefix(":") {
                guard let parsed = Int(rest.dropFirst()), (1...65_535).contains(parsed) else { return nil }
                port = parsed
            } else if !rest.isEmpty {
                return nil
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let parsed = Int(host[host.index(after: colon)...]), (1...65_535).contains(parsed) else { return nil }
            port = parsed
            host = host[..<colon]
        }
        guard !host.isEmpty else { return nil }
        self.init(tls: tls, host: String(host), port: port)
    }

    /// `http(s)://authority/rest` split after the scheme (either case) and at the end of the authority: the first
    /// `/`, `?` or `#`. Nil for any other scheme.
    private static func split(_ url: String) -> (tls: Bool, authority: Substring, rest: Substring)? {
        let tls: Bool
        let afterScheme: Substring
        if url.lowercased().hasPrefix("https://") {
            (tls, afterScheme) = (true, url.dropFirst("https://".count))
        } else if url.lowercased().hasPrefix("http://") {
            (tls, afterScheme) = (false, url.dropFirst("http://".count))
        } else {
            return nil
        }
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return (tls, authority, afterScheme[authority.endIndex...])
    }

    /// The host as it appears in a URL or `host` header: an IPv6 literal in brackets.
    private var bracketedHost: String { host.contains(":") ? "[\(host)]" : host }

    /// The `host` header value: the host (an IPv6 literal in brackets), plus the port when it is not the scheme's
    /// default.
    public var hostHeader: String {
        port == (tls ? 443 : 80) ? bracketedHost : "\(bracketedHost):\(port)"
    }

    /// The path of an http(s) URL: what follows the authority (which ends where ``init(url:)`` ends it), up to any
    /// query or fragment; empty when there is none or the URL is not http(s).
    public static func path(of url: String) -> Substring {
        guard let (_, _, rest) = split(url) else { return "" }
        return rest.prefix { $0 != "?" && $0 != "#" }
    }

    public var description: String {
        "\(tls ? "https" : "http")://\(bracketedHost):\(port)"
    }
}

/// One request to an upstream: the body is sent whole with a `content-length`.
public struct UpstreamRequest: Sendable {
    public var method: HTTPMethod
    /// Path and query, already encoded as they go on the wire.
    public var target: String
    /// Request headers; `host` must be among them. `content-length` is set from `body`.
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public init(method: HTTPMethod = .POST, target: String, headers: HTTPHeaders, body: ByteBuffer) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

/// An upstream's answer: its head at once, its body as it arrives (or already whole: see `wholeBodyLimit` of
/// ``UpstreamHTTPClient/execute(_:to:on:deadline:readIdleTimeout:wholeBodyLimit:)``).
public struct UpstreamResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    /// The body, part by part as it arrives. Reading applies back-pressure to the upstream connection; dropping it
    /// before the end closes the connection, which cancels the upstream request.
    public var body: UpstreamResponseBody
}

/// Why an upstream exchange failed.
public struct UpstreamHTTPError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The TCP connection was not established within the connect timeout.
        case connectTimeout
        /// The connection could not be made (refused, unreachable, DNS failure).
        case connectFailed
        /// The TLS handshake failed (untrusted certificate, wrong host name, protocol error).
        case tlsFailed
        /// No response head arrived before the first-byte deadline.
        case firstByteTimeout
        /// The body went quiet for longer than the read-idle timeout.
        case readIdleTimeout
        /// The upstream closed the connection before the response was complete.
        case connectionClosed
        /// The upstream's answer was not valid HTTP/1.1.
        case invalidResponse
        /// The client was shut down.
        case shutdown
    }

    public var code: Code
    /// Detail for logs; never contains request headers or bodies.
    public var detail: String
    /// True when the exchange failed before any byte of a response arrived.
    public var beforeResponse: Bool
    /// True when the response head had arrived and the body, being read whole, did not complete.
    public var afterHead: Bool

    public init(_ code: Code, detail: String, beforeResponse: Bool, afterHead: Bool = false) {
        self.code = code
        self.detail = detail
        self.beforeResponse = beforeResponse
        self.afterHead = afterHead
    }

    public var description: String { detail.isEmpty ? code.rawValue : "\(code.rawValue): \(detail)" }
}
