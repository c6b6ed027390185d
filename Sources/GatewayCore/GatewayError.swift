import HTTPTypes

/// An error the gateway answers a client with, in Bedrock's rest-json error shape.
///
/// The AWS SDKs pick the exception class from the `x-amzn-ErrorType` header and read the text from the body's
/// `message`, so an app sees `AccessDeniedException`, `ValidationException`, ... exactly as it would from Bedrock.
/// Messages say what was wrong and how to fix it. Text that looks like a JWT is redacted, so a token can never reach
/// a client, a log line or a test report through an error.
public struct GatewayError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unrecognizedClient
        case accessDenied
        case validation
        case resourceNotFound
        case payloadTooLarge
        case throttling
        case badGateway
        case serviceUnavailable
        case internalServer
    }

    private let code: Code
    /// What was wrong and how to fix it; the body's `message`.
    public let message: String
    /// A short label with bounded cardinality (a compile-time constant), for metrics and audit logs.
    public let shortDescription: String

    private init(_ code: Code, _ message: String, reason: StaticString) {
        self.code = code
        self.message = Redaction.redactingTokens(in: message)
        self.shortDescription = reason.description
    }

    /// 401 `UnrecognizedClientException`: the caller's token is missing, malformed, expired or wrongly signed.
    public static func unauthenticated(_ message: String, reason: StaticString = "unauthenticated") -> Self {
        Self(.unrecognizedClient, message, reason: reason)
    }

    /// 403 `AccessDeniedException`: the caller, use case or model is not allowed.
    public static func accessDenied(_ message: String, reason: StaticString = "access_denied") -> Self {
        Self(.accessDenied, message, reason: reason)
    }

    /// 400 `ValidationException`: the request is malformed.
    public static func validation(_ message: String, reason: StaticString = "validation") -> Self {
        Self(.validation, message, reason: reason)
    }

    /// 404 `ResourceNotFoundException`: no operation at this path.
    public static func notFound(_ message: String, reason: StaticString = "not_found") -> Self {
        Self(.resourceNotFound, message, reason: reason)
    }

    /// 413 `ValidationException`: the request body is larger than `limit` bytes.
    public static func payloadTooLarge(limit: Int, reason: StaticString = "payload_too_large") -> Self {
        Self(
            .payloadTooLarge,
            "the request body is larger than \(limit) bytes, Bedrock's limit; send a smaller body (fewer or smaller attachments, a shorter conversation)",
            reason: reason
        )
    }

    /// 429 `ThrottlingException`: too many requests; the SDKs retry it.
    public static func throttling(_ message: String, reason: StaticString = "throttling") -> Self {
        Self(.throttling, message, reason: reason)
    }

    /// 502 `ServiceUnavailableException`: a dependency (STS, the IdP) answered with an error.
    public static func badGateway(_ message: String, reason: StaticString = "bad_gateway") -> Self {
        Self(.badGateway, message, reason: reason)
    }

    /// 503 `ServiceUnavailableException`: a dependency (STS, the IdP, the upstream) is unreachable; the SDKs retry it.
    public static func serviceUnavailable(_ message: String, reason: StaticString = "service_unavailable") -> Self {
        Self(.serviceUnavailable, message, reason: reason)
    }

    /// 500 `InternalServerException`: a fault of the gateway itself; the SDKs retry it.
    public static func internalServer(_ message: String, reason: StaticString = "internal") -> Self {
        Self(.internalServer, message, reason: reason)
    }

    /// The HTTP status code.
    public var status: Int {
        switch code {
        case .unrecognizedClient: 401
        case .accessDenied: 403
        case .validation: 400
        case .resourceNotFound: 404
        case .payloadTooLarge: 413
        case .throttling: 429
        case .badGateway: 502
        case .serviceUnavailable: 503
        case .internalServer: 500
        }
    }

    /// The HTTP status as a swift-http-types value.
    public var httpStatus: HTTPResponse.Status { HTTPResponse.Status(code: status) }

    /// The Bedrock exception name sent as `x-amzn-ErrorType`.
    public var errorType: String {
        switch code {
        case .unrecognizedClient: "UnrecognizedClientException"
        case .accessDenied: "AccessDeniedException"
        case .validation, .payloadTooLarge: "ValidationException"
        case .resourceNotFound: "ResourceNotFoundException"
        case .throttling: "ThrottlingException"
        case .badGateway, .serviceUnavailable: "ServiceUnavailableException"
        case .internalServer: "InternalServerException"
        }
    }

    /// `x-amzn-ErrorType` and `content-type: application/json`.
    public var headerFields: HTTPFields {
        var fields = HTTPFields()
        fields[.amznErrorType] = errorType
        fields[.contentType] = "application/json"
        return fields
    }

    /// `{"message":"..."}` as UTF-8, with the message escaped per RFC 8259.
    public func responseBody() -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(message.utf8.count + 16)
        body.append(contentsOf: #"{"message":""#.utf8)
        JSONString.appendEscaped(message, to: &body)
        body.append(contentsOf: #""}"#.utf8)
        return body
    }

    /// `<status> <errorType>: <message>`.
    public var description: String { "\(status) \(errorType): \(message)" }
}

extension HTTPField.Name {
    /// `x-amzn-ErrorType`: the exception name of an error response.
    public static let amznErrorType = HTTPField.Name("x-amzn-ErrorType")!
}
