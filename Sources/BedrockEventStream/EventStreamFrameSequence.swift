import NIOCore

/// An asynchronous sequence of whole event-stream frames cut from an asynchronous sequence of byte chunks,
/// such as an HTTP response body.
///
/// Each element is one complete, checksum-verified frame, sliced from the incoming bytes without re-encoding.
/// The sequence throws ``EventStreamError`` for a corrupt frame and ``EventStreamError/truncatedStream`` when
/// the chunks end in the middle of a frame; errors from the underlying sequence are rethrown as they are.
///
/// ```swift
/// for try await frame in response.body.eventStreamFrames() {
///     try await writer.write(frame)
/// }
/// ```
public struct EventStreamFrameSequence<Base: AsyncSequence>: AsyncSequence where Base.Element == ByteBuffer {
    /// One whole frame.
    public typealias Element = ByteBuffer

    private let base: Base
    private let limits: EventStreamLimits

    /// Wraps `base`, enforcing `limits` on every frame.
    public init(_ base: Base, limits: EventStreamLimits = .default) {
        self.base = base
        self.limits = limits
    }

    /// Starts cutting the underlying chunks into frames.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: self.base.makeAsyncIterator(), splitter: EventStreamFrameSplitter(limits: self.limits))
    }

    /// The iterator of an ``EventStreamFrameSequence``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var base: Base.AsyncIterator
        private var splitter: EventStreamFrameSplitter
        private var finished = false

        init(base: Base.AsyncIterator, splitter: EventStreamFrameSplitter) {
            self.base = base
            self.splitter = splitter
        }

        /// The next whole frame, or `nil` at the end of a stream that ended on a frame boundary.
        public mutating func next() async throws -> ByteBuffer? {
            while !self.finished {
                if let frame = try self.splitter.nextFrame() {
                    return frame
                }
                guard let chunk = try await self.base.next() else {
                    self.finished = true
                    try self.splitter.finish()
                    return nil
                }
                self.splitter.append(chunk)
            }
            return nil
        }
    }
}

extension EventStreamFrameSequence: Sendable where Base: Sendable {}

extension AsyncSequence where Element == ByteBuffer {
    /// The whole event-stream frames in this sequence of byte chunks.
    public func eventStreamFrames(limits: EventStreamLimits = .default) -> EventStreamFrameSequence<Self> {
        EventStreamFrameSequence(self, limits: limits)
    }
}
