import BedrockEventStream
import CredentialPlane

/// One request's audit facts, written as one JSON line when the request ends.
///
/// Holds identifiers, decisions, timings and token counts only: never a token, a key or prompt text.
public struct AuditRecord: Sendable {
    /// The gateway's request id.
    public var requestID: String
    /// The operation path segment (`converse`, ...), or `-` before the path was understood.
    public var operation: String = "-"
    /// The use case, once known.
    public var useCase: String?
    /// The caller's `sub`, once authenticated.
    public var callerSubject: String?
    /// The model id sent upstream, once resolved.
    public var model: String?
    /// The shared-model account, once resolved.
    public var account: String?
    /// The Region, once resolved.
    public var region: String?
    /// `explicit`, `simple` or `complex`, once resolved.
    public var route: String?
    /// The router's reason, for routed requests.
    public var routeReason: String?
    /// The HTTP status sent to the client.
    public var status: Int = 0
    /// The error label when the gateway refused or failed the request.
    public var error: String?
    /// The upstream `x-amzn-ErrorType`, when Bedrock answered with an error.
    public var upstreamErrorType: String?
    /// The upstream request id.
    public var upstreamRequestID: String?
    /// Total time in the gateway, in milliseconds.
    public var latencyMilliseconds: Double = 0
    /// Time from sending upstream to the response head, in milliseconds; for a small answer of a non-streaming
    /// operation, which is read whole before it is passed on, to the end of the answer.
    public var upstreamLatencyMilliseconds: Double?
    /// The credential cache layer that answered.
    public var credentialLayer: CacheLayer?
    /// Token counts reported by the response.
    public var usage: BedrockTokenUsage?
    /// Whether the client went away before the response ended.
    public var clientDisconnected = false

    /// Creates a record for a request.
    public init(requestID: String) {
        self.requestID = requestID
    }

    /// The record as one line of JSON (no trailing newline).
    public var jsonLine: String {
        String(decoding: jsonLineBytes(), as: UTF8.self)
    }

    /// The record as one line of JSON in UTF-8, followed by `terminator` when one is given.
    func jsonLineBytes(terminator: UInt8? = nil) -> [UInt8] {
        var json = JSONLineWriter()
        json.field("type", "audit")
        json.field("request_id", requestID)
        json.field("operation", operation)
        json.field("use_case", useCase)
        json.field("caller_sub", callerSubject)
        json.field("model", model)
        json.field("account", account)
        json.field("region", region)
        json.field("route", route)
        json.field("route_reason", routeReason)
        json.field("status", status)
        json.field("error", error)
        json.field("upstream_error_type", upstreamErrorType)
        json.field("upstream_request_id", upstreamRequestID)
        json.field("latency_ms", latencyMilliseconds)
        json.field("upstream_latency_ms", upstreamLatencyMilliseconds)
        json.field("credential_cache", credentialLayer?.rawValue)
        json.field("input_tokens", usage?.inputTokens)
        json.field("output_tokens", usage?.outputTokens)
        if clientDisconnected { json.field("client_disconnected", true) }
        return json.finish(terminator: terminator)
    }
}

/// A minimal JSON object writer for flat audit lines: UTF-8 bytes appended to one buffer, no Foundation and no
/// intermediate strings on the request path.
struct JSONLineWriter {
    private var bytes: [UInt8]
    private var first = true

    init() {
        bytes = []
        bytes.reserveCapacity(512)
        bytes.append(UInt8(ascii: "{"))
    }

    private mutating func key(_ name: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        Self.appendQuoted(value, to: &bytes)
    }

    mutating func field(_ name: StaticString, _ value: Int?) {
        guard let value else { return }
        key(name)
        appendDecimal(value)
    }

    mutating func field(_ name: StaticString, _ value: Double?) {
        guard let value else { return }
        key(name)
        // Milliseconds with microsecond resolution.
        let micros = Int((value * 1000).rounded())
        if micros < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDecimal(abs(micros) / 1000)
        let fraction = abs(micros) % 1000
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }

    mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
    }

    mutating func finish(terminator: UInt8? = nil) -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        if let terminator { bytes.append(terminator) }
        return bytes
    }

    private mutating func appendDecimal(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(value == .min ? Int.max : -value)  // Int.min never occurs in an audit field
            return
        }
        if value >= 10 { appendDecimal(value / 10) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        var value = value
        value.withUTF8 { appendQuoted(utf8: $0, to: &bytes) }
    }

    private static func appendQuoted(utf8 value: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Audit values rarely need escaping: then one copy instead of an append per byte.
        if !value.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: value)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default:
                bytes.append(byte)  // UTF-8 of a Swift String is valid; multi-byte sequences pass through
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
