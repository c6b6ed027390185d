import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The response side of one pooled connection: collects one response and completes the waiting request.
final class MinimalResponseHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    var promise: EventLoopPromise<ByteBuffer>?
    var body = ByteBuffer()
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: body.clear()
        case .body(var part): body.writeBuffer(&part)
        case .end:
            let p = promise; promise = nil
            p?.succeed(body)
        }
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise?.fail(error); promise = nil
        context.close(promise: nil)
    }
    func channelInactive(context: ChannelHandlerContext) {
        promise?.fail(ChannelError.ioOnClosedChannel); promise = nil
    }
}

/// What an upstream call costs without AsyncHTTPClient: a bare NIO HTTP/1.1 keep-alive client with idle connections
/// kept per event loop, the request written and the whole answer collected on the caller's event loop. No TLS, no
/// timeouts, no retries, no streaming: a measuring stick for bench/load.sh (FLOOR_CLIENT=nio), not a client to ship.
final class MinimalHTTP1Client: @unchecked Sendable {
    let host: String
    let port: Int
    let path: String
    // Idle connections by event loop.
    private var idle: [ObjectIdentifier: [(any Channel, MinimalResponseHandler)]] = [:]
    private let lock = NIOLock()
    init(host: String, port: Int, path: String) { self.host = host; self.port = port; self.path = path }

    func post(_ body: ByteBuffer, on el: any EventLoop) -> EventLoopFuture<ByteBuffer> {
        let key = ObjectIdentifier(el)
        let pooled: (any Channel, MinimalResponseHandler)? = lock.withLock { idle[key]?.popLast() }
        let ready: EventLoopFuture<(any Channel, MinimalResponseHandler)>
        if let pooled, pooled.0.isActive {
            ready = el.makeSucceededFuture(pooled)
        } else {
            let handler = MinimalResponseHandler()
            ready = ClientBootstrap(group: el)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHTTPClientHandlers()
                        try ch.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .connect(host: host, port: port).map { ($0, handler) }
        }
        return ready.flatMap { channel, handler in
            let promise = el.makePromise(of: ByteBuffer.self)
            handler.promise = promise
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: self.path)
            head.headers.add(name: "host", value: "\(self.host):\(self.port)")
            head.headers.add(name: "content-type", value: "application/json")
            head.headers.add(name: "content-length", value: String(body.readableBytes))
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            return promise.futureResult.map { result in
                self.lock.withLock { self.idle[key, default: []].append((channel, handler)) }
                return result
            }
        }
    }
}
