/// A bedrock-runtime operation the gateway serves, named by the last segment of its path.
public enum BedrockOperation: String, Sendable, Hashable, CaseIterable {
    /// `POST /model/{modelId}/converse`
    case converse = "converse"
    /// `POST /model/{modelId}/converse-stream`
    case converseStream = "converse-stream"
    /// `POST /model/{modelId}/invoke`
    case invoke = "invoke"
    /// `POST /model/{modelId}/invoke-with-response-stream`
    case invokeWithResponseStream = "invoke-with-response-stream"
    /// `POST /model/{modelId}/count-tokens`
    case countTokens = "count-tokens"

    /// The path segment after the model id.
    public var pathComponent: String { rawValue }

    /// The API operation name, as in Bedrock's documentation and audit logs.
    public var name: String {
        switch self {
        case .converse: "Converse"
        case .converseStream: "ConverseStream"
        case .invoke: "InvokeModel"
        case .invokeWithResponseStream: "InvokeModelWithResponseStream"
        case .countTokens: "CountTokens"
        }
    }

    /// Whether the response is an `application/vnd.amazon.eventstream` stream.
    public var isStreaming: Bool {
        switch self {
        case .converseStream, .invokeWithResponseStream: true
        case .converse, .invoke, .countTokens: false
        }
    }

    /// Dense index, for per-operation tables.
    var index: Int {
        switch self {
        case .converse: 0
        case .converseStream: 1
        case .invoke: 2
        case .invokeWithResponseStream: 3
        case .countTokens: 4
        }
    }

    /// The supported path segments, for messages.
    static let supportedList = allCases.map(\.rawValue).joined(separator: ", ")
}
