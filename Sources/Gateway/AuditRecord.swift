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
    /// Time from sending upstream to the response head, in milliseconds.
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
        return json.finish()
    }
}

/// A minimal JSON object writer for flat audit lines (no Foundation on the request path).
struct JSONLineWriter {
    private var text = "{"
    private var first = true

    private mutating func key(_ name: String) {
        if !first { text += "," }
        first = false
        text += "\""
        text += name
        text += "\":"
    }

    mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        Self.appendQuoted(value, to: &text)
    }

    mutating func field(_ name: String, _ value: Int?) {
        guard let value else { return }
        key(name)
        text += String(value)
    }

    mutating func field(_ name: String, _ value: Double?) {
        guard let value else { return }
        key(name)
        // Milliseconds with microsecond resolution.
        let micros = Int((value * 1000).rounded())
        text += String(micros / 1000)
        let fraction = abs(micros % 1000)
        text += "."
        if fraction < 100 { text += "0" }
        if fraction < 10 { text += "0" }
        text += String(fraction)
    }

    mutating func field(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    mutating func finish() -> String {
        text += "}"
        return text
    }

    static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
