/// Size limits enforced when decoding and encoding event-stream frames.
///
/// The defaults are the format's own limits: a payload of at most 24 MiB and a headers section of at most
/// 128 KiB.
public struct EventStreamLimits: Hashable, Sendable {
    /// Largest accepted payload, in bytes. Default 25,165,824 (24 MiB).
    public var maximumPayloadLength: Int
    /// Largest accepted headers section, in bytes. Default 131,072 (128 KiB).
    public var maximumHeadersLength: Int

    /// Creates limits; each defaults to the event-stream format's limit.
    public init(maximumPayloadLength: Int = 24 * 1024 * 1024, maximumHeadersLength: Int = 128 * 1024) {
        self.maximumPayloadLength = maximumPayloadLength
        self.maximumHeadersLength = maximumHeadersLength
    }

    /// The format's limits: 24 MiB of payload, 128 KiB of headers.
    public static let `default` = EventStreamLimits()
}
