import NIOCore

/// Decodes one complete AWS event-stream frame into an ``EventStreamMessage``.
///
/// To cut a byte stream into frames first, use ``EventStreamFrameSplitter``.
///
/// ```swift
/// let message = try EventStreamDecoder().decode(frame: frame)
/// if message.messageType == "exception" { ... }
/// ```
public struct EventStreamDecoder: Sendable {
    /// The limits a frame must respect.
    public var limits: EventStreamLimits

    /// Creates a decoder enforcing `limits`.
    public init(limits: EventStreamLimits = .default) {
        self.limits = limits
    }

    /// Decodes `frame`, whose readable bytes must be exactly one frame.
    ///
    /// - Parameters:
    ///   - frame: One whole frame. The returned payload is a slice of it (no copy).
    ///   - verifyingChecksums: Pass `false` only for frames that ``EventStreamFrameSplitter`` returned, which
    ///     has already checked both CRCs.
    /// - Throws: ``EventStreamError`` naming the check that failed.
    public func decode(frame: ByteBuffer, verifyingChecksums: Bool = true) throws(EventStreamError) -> EventStreamMessage {
        let result: Result<EventStreamMessage, EventStreamError> = frame.withUnsafeReadableBytes { bytes in
            do throws(EventStreamError) {
                guard bytes.count >= EventStreamFraming.overhead else {
                    throw .invalidLength("a frame is at least 16 bytes; got \(bytes.count)")
                }
                let prelude: EventStreamFraming.Prelude
                if verifyingChecksums {
                    prelude = try EventStreamFraming.prelude(of: bytes, limits: self.limits)
                } else {
                    prelude = EventStreamFraming.Prelude(
                        totalLength: Int(EventStreamFraming.readUInt32(bytes, at: 0)),
                        headersLength: Int(EventStreamFraming.readUInt32(bytes, at: 4))
                    )
                }
                guard prelude.totalLength == bytes.count else {
                    throw .invalidLength(
                        "prelude says the frame is \(prelude.totalLength) bytes; got \(bytes.count)"
                    )
                }
                guard prelude.headersLength <= prelude.totalLength - EventStreamFraming.overhead else {
                    throw .invalidLength("headers length \(prelude.headersLength) does not fit in the frame")
                }
                if verifyingChecksums {
                    try EventStreamFraming.verifyMessageChecksum(bytes)
                }
                let headerStart = EventStreamFraming.preludeLength
                let headers = try EventStreamFraming.decodeHeaders(
                    UnsafeRawBufferPointer(rebasing: bytes[headerStart..<(headerStart + prelude.headersLength)])
                )
                let payload = frame.getSlice(
                    at: frame.readerIndex + headerStart + prelude.headersLength,
                    length: prelude.payloadLength
                )!
                return .success(EventStreamMessage(headers: headers, payload: payload))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
