import NIOCore

/// A response body as an async sequence of the buffers the connection reads.
public struct UpstreamResponseBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    typealias Producer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, BodyDemand
    >

    let producer: Producer

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Producer.AsyncIterator

        public mutating func next() async throws -> ByteBuffer? {
            try await base.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: producer.makeAsyncIterator())
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
