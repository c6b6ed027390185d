import NIOCore
import NIOTLS

/// Completes a promise when the TLS handshake finishes (or fails), so connecting can wait for it within the
/// connect timeout and report a TLS failure as such. Removes itself once the handshake succeeded.
final class TLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let promise: EventLoopPromise<Void>

    init(promise: EventLoopPromise<Void>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            self.promise.succeed()
            context.fireUserInboundEventTriggered(event)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.promise.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.promise.fail(HandshakeInterrupted())
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.promise.fail(HandshakeInterrupted())
    }

    /// The connection closed before the handshake finished.
    struct HandshakeInterrupted: Error, CustomStringConvertible {
        var description: String { "the connection closed during the TLS handshake" }
    }
}
