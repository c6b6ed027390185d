import NIOCore

/// One decoded event-stream message: ordered headers and an opaque payload.
///
/// ```swift
/// let message = EventStreamMessage(
///     headers: [
///         EventStreamHeader(name: ":message-type", string: "event"),
///         EventStreamHeader(name: ":event-type", string: "chunk"),
///     ],
///     payload: ByteBuffer(string: #"{"bytes":"..."}"#)
/// )
/// message.eventType   // "chunk"
/// ```
public struct EventStreamMessage: Hashable, Sendable {
    /// The headers, in wire order. Names are unique within a valid message.
    public var headers: [EventStreamHeader]
    /// The payload bytes (for Bedrock, usually JSON). When decoded from a frame this is a slice of the frame.
    public var payload: ByteBuffer

    /// Creates a message.
    public init(headers: [EventStreamHeader] = [], payload: ByteBuffer = ByteBuffer()) {
        self.headers = headers
        self.payload = payload
    }

    /// Returns the value of the header called `name`, or `nil` when there is none.
    public subscript(header name: String) -> EventStreamHeaderValue? {
        for header in self.headers where header.name == name {
            return header.value
        }
        return nil
    }

    /// `:message-type`: `event`, `exception` or `error`.
    public var messageType: String? { self[header: ":message-type"]?.stringValue }

    /// `:event-type` of an `event` message, such as `chunk`, `contentBlockDelta` or `metadata`.
    public var eventType: String? { self[header: ":event-type"]?.stringValue }

    /// `:exception-type` of an `exception` message, such as `throttlingException`.
    public var exceptionType: String? { self[header: ":exception-type"]?.stringValue }

    /// `:content-type` of the payload, such as `application/json`.
    public var contentType: String? { self[header: ":content-type"]?.stringValue }

    /// `:error-code` of an `error` message.
    public var errorCode: String? { self[header: ":error-code"]?.stringValue }

    /// `:error-message` of an `error` message.
    public var errorMessage: String? { self[header: ":error-message"]?.stringValue }
}
