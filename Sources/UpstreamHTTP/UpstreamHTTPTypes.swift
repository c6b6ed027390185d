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
        let scheme: String
        let rest: Substring
        if url.lowercased().hasPrefix("https://") {
            (scheme, rest) = ("https", url.dropFirst("https://".count))
        } else if url.lowercased().hasPrefix("http://") {
            (scheme, rest) = ("http", url.dropFirst("http://".count))
        } else {
            return nil
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var host = Substring(authority)
        var port = scheme == "https" ? 443 : 80
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
        self.init(tls: scheme == "https", host: String(host), port: port)
    }

    /// The `host` header value: the host (an IPv6 literal in brackets), plus the port when it is not the scheme's
    /// default.
    public var hostHeader: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return port == (tls ? 443 : 80) ? host : "\(host):\(port)"
    }

    /// The path of `scheme://authority/path?query#fragment`: what follows the authority, up to any query or
    /// fragment (empty when there is none). The authority ends where ``init(url:)`` ends it.
    public static func path(of url: String) -> Substring {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return "" }
        let rest = url[url.index(colon, offsetBy: 3)...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return rest[authority.endIndex...].prefix { $0 != "?" && $0 != "#" }
    }

    public var description: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "\(tls ? "https" : "http")://\(host):\(port)"
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

/// An upstream's answer: its head at once, its body as it arrives.
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

    public init(_ code: Code, detail: String, beforeResponse: Bool) {
        self.code = code
        self.detail = detail
        self.beforeResponse = beforeResponse
    }

    public var description: String { detail.isEmpty ? code.rawValue : "\(code.rawValue): \(detail)" }
}
