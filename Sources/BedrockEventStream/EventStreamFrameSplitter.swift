import NIOCore

/// Cuts a byte stream, fed in chunks split anywhere, into whole event-stream frames.
///
/// Frames come out as slices of the bytes fed in, untouched, so a proxy can forward each one as soon as it
/// is complete without re-encoding. Both CRCs and the length limits are checked before a frame is returned,
/// and the prelude is checked as soon as its 12 bytes arrive, so a corrupt or oversized length is refused
/// before anything is buffered for it.
///
/// ```swift
/// var splitter = EventStreamFrameSplitter()
/// for try await chunk in response.body {
///     splitter.append(chunk)
///     while let frame = try splitter.nextFrame() {
///         try await writer.write(frame)
///     }
/// }
/// try splitter.finish()
/// ```
public struct EventStreamFrameSplitter: Sendable {
    /// The limits each frame must respect.
    public let limits: EventStreamLimits
    private var buffer: ByteBuffer
    private var pendingPrelude: EventStreamFraming.Prelude?
    private var ownsBuffer = false

    /// Creates an empty splitter enforcing `limits`.
    public init(limits: EventStreamLimits = .default) {
        self.limits = limits
        self.buffer = ByteBuffer()
        self.pendingPrelude = nil
    }

    /// Bytes received but not yet returned as part of a frame.
    public var bufferedByteCount: Int { self.buffer.readableBytes }

    /// Adds the readable bytes of `chunk` to the stream.
    public mutating func append(_ chunk: ByteBuffer) {
        if self.buffer.readableBytes == 0 {
            // Nothing pending: adopt the chunk itself, so frames inside it are returned as zero-copy slices.
            self.buffer = chunk
            self.ownsBuffer = false
        } else if self.ownsBuffer, self.buffer.readerIndex == 0 {
            // Our own buffer, holding only the start of one frame that nobody else references: append in place.
            self.buffer.writeImmutableBuffer(chunk)
        } else {
            // Start a private buffer holding the partial frame, sized for the whole frame when its prelude is
            // known. This copies each partial frame at most once, so feeding a large frame in small chunks
            // stays linear.
            let needed = self.buffer.readableBytes + chunk.readableBytes
            let capacity = max(needed, self.pendingPrelude?.totalLength ?? 0)
            var merged = ByteBufferAllocator().buffer(capacity: capacity)
            merged.writeImmutableBuffer(self.buffer)
            merged.writeImmutableBuffer(chunk)
            self.buffer = merged
            self.ownsBuffer = true
        }
    }

    /// Returns the next complete frame, or `nil` when more bytes are needed.
    ///
    /// - Throws: ``EventStreamError`` for a bad prelude CRC, inconsistent lengths, a frame over the limits or a
    ///   bad message CRC. The stream cannot continue after an error.
    public mutating func nextFrame() throws(EventStreamError) -> ByteBuffer? {
        let prelude: EventStreamFraming.Prelude
        if let pending = self.pendingPrelude {
            prelude = pending
        } else {
            guard self.buffer.readableBytes >= EventStreamFraming.preludeLength else { return nil }
            let limits = self.limits
            let parsed: Result<EventStreamFraming.Prelude, EventStreamError> = self.buffer.withUnsafeReadableBytes {
                bytes in
                do throws(EventStreamError) {
                    return .success(try EventStreamFraming.prelude(of: bytes, limits: limits))
                } catch {
                    return .failure(error)
                }
            }
            prelude = try parsed.get()
            self.pendingPrelude = prelude
        }
        guard self.buffer.readableBytes >= prelude.totalLength else { return nil }
        let frame = self.buffer.readSlice(length: prelude.totalLength)!
        self.pendingPrelude = nil
        if self.buffer.readableBytes == 0 {
            self.buffer = ByteBuffer()
        }
        let verified: Result<Void, EventStreamError> = frame.withUnsafeReadableBytes { bytes in
            do throws(EventStreamError) {
                try EventStreamFraming.verifyMessageChecksum(bytes)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try verified.get()
        return frame
    }

    /// Returns the next complete frame decoded, or `nil` when more bytes are needed.
    public mutating func nextMessage() throws(EventStreamError) -> EventStreamMessage? {
        guard let frame = try self.nextFrame() else { return nil }
        return try EventStreamDecoder(limits: self.limits).decode(frame: frame, verifyingChecksums: false)
    }

    /// Call when the stream has ended: throws ``EventStreamError/truncatedStream`` if part of a frame is still
    /// buffered.
    public func finish() throws(EventStreamError) {
        guard self.buffer.readableBytes == 0 else {
            throw .truncatedStream(bufferedBytes: self.buffer.readableBytes)
        }
    }
}
