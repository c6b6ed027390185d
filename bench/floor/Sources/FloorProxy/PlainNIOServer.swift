import NIOCore
import NIOHTTP1
import NIOPosix

/// One inbound connection of the plain-NIO floor: collects a request, POSTs its body upstream with
/// MinimalHTTP1Client on this connection's event loop, and writes the answer back. No Swift concurrency, no task
/// per request: the least a pass-through on NIO costs, for bench/load.sh (FLOOR_SERVER=nio).
final class PlainNIOProxyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private let client: MinimalHTTP1Client
    private var body = ByteBuffer()
    private var keepAlive = true
    init(client: MinimalHTTP1Client) { self.client = client }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            body.clear()
            keepAlive = head.isKeepAlive
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            let channel = context.channel
            let keepAlive = self.keepAlive
            client.post(body, on: context.eventLoop).whenComplete { result in
                var head = HTTPResponseHead(version: .http1_1, status: .ok)
                switch result {
                case .success(let answer):
                    head.headers.add(name: "content-type", value: "application/json")
                    head.headers.add(name: "content-length", value: String(answer.readableBytes))
                    channel.write(HTTPServerResponsePart.head(head), promise: nil)
                    channel.write(HTTPServerResponsePart.body(.byteBuffer(answer)), promise: nil)
                case .failure:
                    head.status = .badGateway
                    head.headers.add(name: "content-length", value: "0")
                    channel.write(HTTPServerResponsePart.head(head), promise: nil)
                }
                let done = channel.writeAndFlush(HTTPServerResponsePart.end(nil))
                if !keepAlive { done.whenComplete { _ in channel.close(promise: nil) } }
            }
        }
    }
}

/// Serves PlainNIOProxyHandler on 127.0.0.1:port until the process is killed.
func runPlainNIOServer(port: Int, client: MinimalHTTP1Client) throws {
    let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.backlog, value: 256)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(PlainNIOProxyHandler(client: client))
            }
        }
        .bind(host: "127.0.0.1", port: port).wait()
    try channel.closeFuture.wait()
}
