import NIOCore
import NIOPosix

/// A loopback TCP server that is not Redis: it either never answers or answers with bytes that are not RESP.
final class FakeTCPServer: Sendable {
    enum Behaviour: Sendable {
        /// Accepts connections and reads, but never writes (a hung server, or a TLS port nobody answers on).
        case silent
        /// Answers every read with `reply`.
        case answer(String)
    }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let reply: String?

        init(reply: String?) { self.reply = reply }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard let reply = self.reply else { return }
            context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: reply)), promise: nil)
        }
    }

    let channel: any Channel
    var port: Int { self.channel.localAddress?.port ?? 0 }

    init(_ behaviour: Behaviour) async throws {
        let reply: String?
        switch behaviour {
        case .silent: reply = nil
        case .answer(let text): reply = text
        }
        self.channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(reply: reply))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    func close() async {
        try? await self.channel.close()
    }

    /// Runs `body` with a server, closing it afterwards.
    static func with<T>(_ behaviour: Behaviour, _ body: (FakeTCPServer) async throws -> T) async throws -> T {
        let server = try await FakeTCPServer(behaviour)
        do {
            let result = try await body(server)
            await server.close()
            return result
        } catch {
            await server.close()
            throw error
        }
    }
}
