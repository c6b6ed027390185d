/// Why an event-stream frame could not be decoded or encoded.
///
/// Compare against the static members to learn which check failed (equality looks only at the kind of
/// failure, not at the details in ``description``):
///
/// ```swift
/// do { _ = try decoder.decode(frame: frame) }
/// catch where error == .messageChecksumMismatch { ... }
/// ```
public struct EventStreamError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case preludeChecksumMismatch
        case messageChecksumMismatch
        case invalidLength
        case headersTooLong
        case payloadTooLong
        case invalidHeader
        case duplicateHeader
        case truncatedStream
    }

    private let code: Code
    private let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The CRC-32 of the 8-byte prelude does not match the prelude checksum.
    public static let preludeChecksumMismatch = Self(.preludeChecksumMismatch, "")
    /// The CRC-32 of the whole frame does not match the trailing message checksum.
    public static let messageChecksumMismatch = Self(.messageChecksumMismatch, "")
    /// The prelude's lengths are inconsistent (total shorter than 16 bytes, headers longer than the frame, ...).
    public static let invalidLength = Self(.invalidLength, "")
    /// The headers section is longer than the configured limit (128 KiB by default).
    public static let headersTooLong = Self(.headersTooLong, "")
    /// The payload is longer than the configured limit (24 MiB by default).
    public static let payloadTooLong = Self(.payloadTooLong, "")
    /// A header is malformed: unknown value type, truncated value, invalid UTF-8, or a name or value that
    /// does not fit its length field.
    public static let invalidHeader = Self(.invalidHeader, "")
    /// Two headers in one frame have the same name.
    public static let duplicateHeader = Self(.duplicateHeader, "")
    /// The byte stream ended in the middle of a frame.
    public static let truncatedStream = Self(.truncatedStream, "")

    static func preludeChecksumMismatch(expected: UInt32, actual: UInt32) -> Self {
        Self(
            .preludeChecksumMismatch,
            "prelude checksum mismatch: frame says \(hex(expected)), bytes give \(hex(actual)); the stream is corrupt"
        )
    }

    static func messageChecksumMismatch(expected: UInt32, actual: UInt32) -> Self {
        Self(
            .messageChecksumMismatch,
            "message checksum mismatch: frame says \(hex(expected)), bytes give \(hex(actual)); the stream is corrupt"
        )
    }

    static func invalidLength(_ detail: String) -> Self { Self(.invalidLength, detail) }

    static func headersTooLong(_ length: Int, limit: Int) -> Self {
        Self(.headersTooLong, "headers section is \(length) bytes; the limit is \(limit) bytes")
    }

    static func payloadTooLong(_ length: Int, limit: Int) -> Self {
        Self(.payloadTooLong, "payload is \(length) bytes; the limit is \(limit) bytes")
    }

    static func invalidHeader(_ detail: String) -> Self { Self(.invalidHeader, detail) }

    static func duplicateHeader(_ name: String) -> Self {
        Self(.duplicateHeader, "header '\(name)' appears more than once; header names must be unique")
    }

    static func truncatedStream(bufferedBytes: Int) -> Self {
        Self(
            .truncatedStream,
            "the event stream ended with \(bufferedBytes) bytes of an incomplete frame; the connection was cut"
        )
    }

    /// A short, fixed name for the kind of failure, suitable as a metric label.
    public var shortDescription: String {
        switch self.code {
        case .preludeChecksumMismatch: "preludeChecksumMismatch"
        case .messageChecksumMismatch: "messageChecksumMismatch"
        case .invalidLength: "invalidLength"
        case .headersTooLong: "headersTooLong"
        case .payloadTooLong: "payloadTooLong"
        case .invalidHeader: "invalidHeader"
        case .duplicateHeader: "duplicateHeader"
        case .truncatedStream: "truncatedStream"
        }
    }

    /// What went wrong, in words.
    public var description: String {
        self.detail.isEmpty ? "EventStreamError.\(self.shortDescription)" : self.detail
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
