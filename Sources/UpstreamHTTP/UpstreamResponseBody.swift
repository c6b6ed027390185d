import NIOCore

/// A response body as an async sequence of the buffers the connection reads, or, when the client was asked to read
/// small bodies whole (`wholeBodyLimit`), the whole body at once.
public struct UpstreamResponseBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    typealias Producer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, BodyDemand
    >

    private enum Storage: Sendable {
        case streamed(Producer)
        case whole(ByteBuffer)
    }

    private let storage: Storage

    init(producer: Producer) {
        self.storage = .streamed(producer)
    }

    init(whole: ByteBuffer) {
        self.storage = .whole(whole)
    }

    /// The whole body, when the connection read all of it before the response was returned; nil when it streams.
    public var whole: ByteBuffer? {
        if case .whole(let body) = storage { return body }
        return nil
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate enum Base {
            case streamed(Producer.AsyncIterator)
            case whole(ByteBuffer?)
        }

        fileprivate var base: Base

        public mutating func next() async throws -> ByteBuffer? {
            switch base {
            case .streamed(let iterator):
                // NIO's producer iterator keeps its state in a shared object; `next()` does not mutate it.
                return try await iterator.next()
            case .whole(let body):
                base = .whole(nil)
                return body
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        switch storage {
        case .streamed(let producer):
            AsyncIterator(base: .streamed(producer.makeAsyncIterator()))
        case .whole(let body):
            AsyncIterator(base: .whole(body.readableBytes > 0 ? body : nil))
        }
    }

    /// Reads the whole body, failing when it exceeds `limit` bytes.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        for try await var part in self {
            guard collected.readableBytes + part.readableBytes <= limit else {
                throw UpstreamHTTPError(.invalidResponse, detail: "response body larger than \(limit) bytes", beforeResponse: false)
            }
            collected.writeBuffer(&part)
        }
        return collected
    }
}

/// Tells the connection when the consumer wants more, or has gone. Called on any thread; hops to the event loop.
struct BodyDemand: NIOAsyncSequenceProducerDelegate {
    let eventLoop: any EventLoop
    let connection: NIOLoopBound<UpstreamConnectionHandler>
    /// The exchange this body belongs to; the connection may carry later ones by the time a call arrives.
    let exchange: UInt64

    func produceMore() {
        let (connection, exchange) = (self.connection, self.exchange)
        eventLoop.execute { connection.value.consumerWantsMore(exchange: exchange) }
    }

    func didTerminate() {
        let (connection, exchange) = (self.connection, self.exchange)
        eventLoop.execute { connection.value.consumerTerminated(exchange: exchange) }
    }
}
