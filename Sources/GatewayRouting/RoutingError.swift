/// Why a request for `modelId` `auto` could not be routed.
///
/// The gateway answers these with 400 `ValidationException`; ``message`` is written for the caller and says
/// what was wrong and how to fix it. Errors compare equal when they are of the same kind, whatever their
/// messages, so callers and tests can match on the kinds below.
///
/// ```swift
/// do { input = try RoutingInputExtractor.fromConverse(body: bytes) }
/// catch where error == .noUserMessage { ... }
/// ```
public struct RoutingError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case malformedBody
        case noUserMessage
        case invalidConfiguration
    }

    private let code: Code
    /// What was wrong and how to fix it, for example
    /// `cannot route 'auto': the request has no user message; send at least one message with role 'user'`.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The body is not JSON, or not in the shape its API expects.
    public static let malformedBody = Self(.malformedBody, "cannot route 'auto': the request body is malformed")
    /// The conversation has no message with role `user`.
    public static let noUserMessage = Self(.noUserMessage, "cannot route 'auto': the request has no user message")
    /// A routing threshold is out of range.
    public static let invalidConfiguration = Self(.invalidConfiguration, "invalid routing thresholds")

    static func malformedBody(_ message: String) -> Self { Self(.malformedBody, message) }
    static func noUserMessage(_ message: String) -> Self { Self(.noUserMessage, message) }
    static func invalidConfiguration(_ message: String) -> Self { Self(.invalidConfiguration, message) }

    /// A stable, bounded label for metrics (no request data).
    public var shortDescription: String {
        switch code {
        case .malformedBody: "malformed_body"
        case .noUserMessage: "no_user_message"
        case .invalidConfiguration: "invalid_configuration"
        }
    }

    public var description: String { message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
