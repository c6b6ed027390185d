import HTTPTypes

/// Which headers cross the gateway, in each direction.
///
/// Upstream requests carry an allow-list: `content-type`, `accept`, every `x-amzn-bedrock-*` header (accept, trace,
/// guardrail identifier and version, performance-config latency, service tier, and any Bedrock adds), and trace
/// context (`traceparent`, `tracestate`, `x-amzn-trace-id`). Never forwarded: the caller's credentials
/// (`authorization`, `cookie`, `x-amz-security-token`), SigV4 inputs the gateway recomputes (`x-amz-date`, `host`,
/// `content-length`), the gateway's own `x-use-case-id`, hop-by-hop headers and any header named in `Connection`.
/// Responses carry every upstream header except hop-by-hop ones, `set-cookie` and any `x-gateway-*` (only the gateway
/// sets those), plus the gateway's ``GatewayResponseHeaders``.
public enum HeaderPolicy {
    /// What happens to a header.
    public enum Disposition: Sendable, Hashable {
        /// Sent on.
        case forward
        /// Not sent on, for this reason.
        case drop(DropReason)
    }

    /// Why a header is not forwarded.
    public enum DropReason: String, Sendable, Hashable, CaseIterable {
        /// Hop-by-hop (RFC 9110 §7.6.1) or named in `Connection`.
        case hopByHop
        /// The caller's credentials: never sent upstream.
        case credential
        /// Recomputed by the gateway when it signs and frames the upstream request (`host`, `x-amz-date`,
        /// `content-length`).
        case recomputed
        /// Meant for the gateway itself (`x-use-case-id`, `x-gateway-*`).
        case gatewayOnly
        /// `set-cookie`: the gateway's clients do not get upstream cookies.
        case cookie
        /// Not a header Bedrock reads.
        case notBedrock
    }

    private static let bedrockPrefix = "x-amzn-bedrock-"

    /// The disposition of an inbound request header (before `Connection` is considered).
    public static func requestDisposition(of name: HTTPField.Name) -> Disposition {
        let canonical = name.canonicalName
        if isHopByHop(canonical) { return .drop(.hopByHop) }
        switch canonical {
        case "authorization", "cookie", "x-amz-security-token": return .drop(.credential)
        case "host", "x-amz-date", "content-length", "x-amz-content-sha256": return .drop(.recomputed)
        case "x-use-case-id": return .drop(.gatewayOnly)
        default: break
        }
        if canonical.hasPrefix(GatewayResponseHeaders.prefix) { return .drop(.gatewayOnly) }
        switch canonical {
        case "content-type", "accept", "traceparent", "tracestate", "x-amzn-trace-id": return .forward
        default: return canonical.hasPrefix(bedrockPrefix) ? .forward : .drop(.notBedrock)
        }
    }

    /// The disposition of an upstream response header (before `Connection` is considered).
    public static func responseDisposition(of name: HTTPField.Name) -> Disposition {
        let canonical = name.canonicalName
        if isHopByHop(canonical) { return .drop(.hopByHop) }
        if canonical == "set-cookie" { return .drop(.cookie) }
        if canonical.hasPrefix(GatewayResponseHeaders.prefix) { return .drop(.gatewayOnly) }
        return .forward
    }

    /// The headers to send upstream (before signing) for an inbound request's headers.
    public static func upstreamRequestHeaders(from inbound: HTTPFields) -> HTTPFields {
        let connection = connectionTokens(in: inbound)
        var fields = HTTPFields()
        fields.reserveCapacity(inbound.count)
        for field in inbound where requestDisposition(of: field.name) == .forward {
            if !connection.isEmpty, connection.contains(field.name.canonicalName) { continue }
            fields.append(field)
        }
        return fields
    }

    /// The headers to answer the client with: the upstream response's, filtered, plus the gateway's own.
    public static func clientResponseHeaders(from upstream: HTTPFields, gateway: GatewayResponseHeaders) -> HTTPFields {
        let connection = connectionTokens(in: upstream)
        var fields = HTTPFields()
        fields.reserveCapacity(upstream.count + 5)
        for field in upstream where responseDisposition(of: field.name) == .forward {
            if !connection.isEmpty, connection.contains(field.name.canonicalName) { continue }
            fields.append(field)
        }
        gateway.append(to: &fields)
        return fields
    }

    /// Lower-cased header names listed in `Connection`.
    ///
    /// Read as bytes: tokens are ASCII (RFC 9110 §5.6.2), and only an ASCII token can name a header. Splitting the
    /// `Connection: keep-alive` every request carries by Character cost thousands of instructions.
    static func connectionTokens(in fields: HTTPFields) -> Set<String> {
        var tokens: Set<String> = []
        for var value in fields[values: .connection] {
            value.withUTF8 { utf8 in
                for token in utf8.split(separator: UInt8(ascii: ",")) {
                    guard let content = token.rangeWithoutHTTPWhitespace() else { continue }
                    let lowered = token[content].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
                    tokens.insert(String(decoding: lowered, as: UTF8.self))
                }
            }
        }
        return tokens
    }

    /// A `switch` rather than a `Set`: these names are short, and comparing them costs less than hashing every
    /// header name of every request.
    private static func isHopByHop(_ canonical: String) -> Bool {
        switch canonical {
        case "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade": true
        default: canonical.hasPrefix("proxy-")
        }
    }
}
