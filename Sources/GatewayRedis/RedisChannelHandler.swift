import NIOCore
import NIOSSL

/// Speaks RESP on one connection: formats each outgoing command with hiredis, parses replies with hiredis's
/// reader, and answers pipelined commands in the order they were written (Redis replies FIFO).
///
/// Each command carries its own timeout. When one fires, the connection is closed: its late reply could no
/// longer be told apart from the replies that follow, and a server that stopped answering is better replaced.
/// Every pending command then fails; nothing waits forever.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Request
    typealias OutboundOut = ByteBuffer

    /// A command to send and where to deliver its reply.
    struct Request: Sendable {
        var arguments: [[UInt8]]
        var timeout: TimeAmount
        var promise: EventLoopPromise<RedisReply>
    }

    private struct Pending {
        var promise: EventLoopPromise<RedisReply>
        var sequence: UInt64
        var commandName: String
        var timeout: TimeAmount
        var timer: Scheduled<Void>
    }

    private let endpoint: String
    private let usesTLS: Bool
    private let reader = RedisReplyReader()
    private var pending = CircularBuffer<Pending>(initialCapacity: 16)
    private var nextSequence: UInt64 = 0
    private var hasReceivedReply = false
    /// Set once the connection is closing; later writes fail with it and pending commands fail with it.
    private var closeReason: RedisError?

    init(endpoint: String, usesTLS: Bool) {
        self.endpoint = endpoint
        self.usesTLS = usesTLS
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        if let closeReason = self.closeReason {
            let error = RedisError.closed(
                endpoint: self.endpoint,
                reason: "the connection was already closing (\(closeReason.shortDescription))",
                wasNotSent: true
            )
            request.promise.fail(error)
            promise?.fail(error)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: Self.estimatedSize(of: request.arguments))
        do {
            try RedisCommandEncoder.encode(request.arguments, into: &buffer)
        } catch {
            request.promise.fail(error)
            promise?.fail(error)
            return
        }
        let sequence = self.nextSequence
        self.nextSequence &+= 1
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: request.timeout) {
            self.commandTimedOut(sequence: sequence, context: context)
        }
        self.pending.append(
            Pending(
                promise: request.promise,
                sequence: sequence,
                commandName: RedisCommandEncoder.commandName(request.arguments),
                timeout: request.timeout,
                timer: timer
            )
        )
        context.write(self.wrapOutboundOut(buffer), promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if self.closeReason == nil {
            self.closeReason = RedisError.closed(endpoint: self.endpoint, reason: "the client closed the connection")
        }
        context.close(mode: mode, promise: promise)
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = self.unwrapInboundIn(data)
        do {
            try self.reader.feed(buffer)
            while let reply = try self.reader.next() {
                self.hasReceivedReply = true
                guard let head = self.pending.popFirst() else {
                    self.failAndClose(
                        context: context,
                        error: RedisError.protocolError(
                            endpoint: self.endpoint,
                            reason: "a reply arrived for which no command was waiting"
                        )
                    )
                    return
                }
                head.timer.cancel()
                head.promise.succeed(reply)
            }
        } catch {
            self.failAndClose(
                context: context,
                error: RedisError.protocolError(endpoint: self.endpoint, reason: error.reason)
            )
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let reason: RedisError
        if let closeReason = self.closeReason {
            reason = closeReason
        } else if !self.hasReceivedReply && !self.usesTLS {
            reason = RedisError.closed(
                endpoint: self.endpoint,
                reason: "the server closed the connection without answering (if the port requires TLS, use rediss://)"
            )
        } else {
            reason = RedisError.closed(endpoint: self.endpoint, reason: "the server closed the connection")
        }
        self.closeReason = reason
        self.failAllPending(with: reason)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason: RedisError
        if let error = error as? RedisError {
            reason = error
        } else if error is NIOSSLError || error is BoringSSLError {
            reason = RedisError.closed(endpoint: self.endpoint, reason: "TLS error: \(error)")
        } else {
            reason = RedisError.closed(endpoint: self.endpoint, reason: "network error: \(error)")
        }
        // The last handler in the pipeline: the error ends here, delivered to every pending command.
        self.failAndClose(context: context, error: reason)
    }

    // MARK: Helpers

    private func commandTimedOut(sequence: UInt64, context: ChannelHandlerContext) {
        guard let index = self.pending.firstIndex(where: { $0.sequence == sequence }) else { return }
        let timedOut = self.pending[index]
        let error = RedisError.commandTimeout(
            endpoint: self.endpoint,
            command: timedOut.commandName,
            timeout: timedOut.timeout
        )
        self.pending.remove(at: index)
        timedOut.promise.fail(error)
        self.failAndClose(
            context: context,
            error: RedisError.closed(
                endpoint: self.endpoint,
                reason: "an earlier \(timedOut.commandName) on the same connection timed out"
            )
        )
    }

    private func failAndClose(context: ChannelHandlerContext, error: RedisError) {
        if self.closeReason == nil {
            self.closeReason = error
        }
        self.failAllPending(with: error)
        context.close(promise: nil)
    }

    private func failAllPending(with error: RedisError) {
        while let entry = self.pending.popFirst() {
            entry.timer.cancel()
            entry.promise.fail(error)
        }
    }

    private static func estimatedSize(of arguments: [[UInt8]]) -> Int {
        var size = 16
        for argument in arguments {
            size += argument.count + 16
        }
        return size
    }
}
