import NIOCore
import StrictJSON

extension EventStreamMessage {
    /// An InvokeModelWithResponseStream `chunk` event: JSON `{"bytes":"<base64>","p":"<padding>"}`.
    ///
    /// - Parameters:
    ///   - bytes: The model's own bytes for this chunk (for Anthropic models, one JSON event).
    ///   - padding: Bedrock's random-length `p` field; omitted when empty.
    public static func bedrockChunk(_ bytes: some Collection<UInt8>, padding: String = "") -> EventStreamMessage {
        var json = #"{"bytes":""#
        json += Base64.encode(bytes)
        json += "\""
        if !padding.isEmpty {
            json += #","p":"#
            JSONValue.appendQuoted(padding, to: &json)
        }
        json += "}"
        return .bedrockEvent("chunk", jsonPayload: json)
    }

    /// A Bedrock stream event such as ConverseStream's `contentBlockDelta` or `metadata`, whose payload is
    /// the given JSON text (written as is, not validated).
    public static func bedrockEvent(_ eventType: String, jsonPayload: String) -> EventStreamMessage {
        EventStreamMessage(
            headers: [
                EventStreamHeader(name: ":event-type", string: eventType),
                EventStreamHeader(name: ":content-type", string: "application/json"),
                EventStreamHeader(name: ":message-type", string: "event"),
            ],
            payload: ByteBuffer(string: jsonPayload)
        )
    }

    /// A modeled in-stream error, as Bedrock sends when a stream fails after it started.
    ///
    /// - Parameters:
    ///   - exceptionType: The member name in lowerCamelCase: `throttlingException`, `modelStreamErrorException`,
    ///     `internalServerException`, `validationException`, `serviceUnavailableException`,
    ///     `modelTimeoutException`.
    ///   - message: Human-readable text, sent as `{"message":"..."}`.
    public static func bedrockException(_ exceptionType: String, message: String) -> EventStreamMessage {
        var json = #"{"message":"#
        JSONValue.appendQuoted(message, to: &json)
        json += "}"
        return EventStreamMessage(
            headers: [
                EventStreamHeader(name: ":exception-type", string: exceptionType),
                EventStreamHeader(name: ":content-type", string: "application/json"),
                EventStreamHeader(name: ":message-type", string: "exception"),
            ],
            payload: ByteBuffer(string: json)
        )
    }

    /// For a `chunk` event, the model bytes carried base64-encoded in the payload's `bytes` field; `nil` for
    /// other messages or a malformed payload.
    public var bedrockChunkBytes: [UInt8]? {
        guard self.eventType == "chunk", let json = self.payloadJSON, let encoded = json["bytes"]?.stringValue else {
            return nil
        }
        return Base64.decode(encoded)
    }

    /// The `message` field of an `exception` or JSON `error` payload, if there is one.
    public var bedrockExceptionMessage: String? {
        guard self.messageType == "exception" || self.messageType == "error" else { return nil }
        return self.payloadJSON?["message"]?.stringValue ?? self.payloadJSON?["Message"]?.stringValue
            ?? self.errorMessage
    }

    var payloadJSON: JSONValue? {
        self.payload.withUnsafeReadableBytes { JSONValue.parse($0) }
    }
}
