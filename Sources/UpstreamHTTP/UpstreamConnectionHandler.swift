import NIOCore
import NIOHTTP1
import NIOSSL

/// One exchange on a connection: the request's promise for the response head, its timeouts and what to do when it
/// ends. Lives on the connection's event loop.
final class Exchange {
    let id: UInt64
    let headPromise: EventLoopPromise<UpstreamResponse>
    let readIdleTimeout: TimeAmount
    /// Bodies declaring at most this many bytes are read whole before `headPromise` is completed.
    let wholeBodyLimit: Int?
    /// Called once when the exchange ends: whether the connection can carry another request.
    private var onFinish: ((_ reusable: Bool) -> Void)?

    init(
        id: UInt64, headPromise: EventLoopPromise<UpstreamResponse>, readIdleTimeout: TimeAmount, wholeBodyLimit: Int?,
        onFinish: @escaping (_ reusable: Bool) -> Void
    ) {
        self.id = id
        self.headPromise = headPromise
        self.readIdleTimeout = readIdleTimeout
        self.wholeBodyLimit = wholeBodyLimit
        self.onFinish = onFinish
    }

    /// Whether a response with `head` is read whole: the exchange asked for it and the body declares a length
    /// within the limit.
    func readsWhole(_ head: HTTPResponseHead) -> Bool {
        guard let wholeBodyLimit else { return false }
        let lengths = head.headers["content-length"]
        guard lengths.count == 1, let length = Int(lengths[0]) else { return false }
        return length >= 0 && length <= wholeBodyLimit
    }

    func finish(reusable: Bool) {
        let onFinish = self.onFinish
        self.onFinish = nil
        onFinish?(reusable)
    }
}

/// Drives HTTP/1.1 exchanges on one upstream connection, one at a time.
///
/// Sits after NIO's HTTP client codec. It writes a request, completes the caller's promise with the response head,
/// then feeds body parts into an async sequence; while the consumer is behind, it withholds `read()` so the
/// kernel's receive window pushes back on the upstream. A consumer that goes away before the end closes the
/// connection, which is how the upstream learns the request was cancelled. A small body the exchange asked to read
/// whole is gathered here instead, and the promise completed with it at the end of the response.
final class UpstreamConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private enum State {
        case idle
        case awaitingHead(Exchange)
        case streaming(Exchange, UpstreamResponseBody.Producer.Source, keepAlive: Bool)
        /// Reading a body whole (``Exchange/readsWhole(_:)``); the caller's promise is still pending.
        case collecting(Exchange, HTTPResponseHead, body: ByteBuffer?)
        case closed
    }

    private var state = State.idle
    private var context: ChannelHandlerContext?
    /// The one scheduled timer check, and when it runs (``setDeadline(_:)``).
    private var timer: Scheduled<Void>?
    private var timerFiresAt = NIODeadline.distantFuture
    /// When the current state times out: the first-byte deadline while awaiting the head, the read-idle deadline
    /// while streaming, the pool-idle deadline while idle.
    private var deadline = NIODeadline.distantFuture
    private var readsPaused = false
    private var pendingRead = false
    private var nextExchangeID: UInt64 = 0
    /// Set by ``ResponseByteObserver`` when any byte of a response arrives during the current exchange.
    var sawResponseBytes = false
    /// How long the connection may sit idle in the pool before it is closed.
    let poolIdleTimeout: TimeAmount
    /// Called once when the channel closes, so the pool forgets it.
    var onClose: (() -> Void)?
    let origin: UpstreamOrigin

    init(origin: UpstreamOrigin, poolIdleTimeout: TimeAmount) {
        self.origin = origin
        self.poolIdleTimeout = poolIdleTimeout
    }

    var isIdle: Bool {
        if case .idle = state, let context, context.channel.isActive { return true }
        return false
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(UpstreamHTTPError(.connectionClosed, detail: "\(origin) closed the connection", beforeResponse: !sawResponseBytes))
        state = .closed
        stopTimer()
        let onClose = self.onClose
        self.onClose = nil
        onClose?()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(Self.classify(error, origin: origin, beforeResponse: !sawResponseBytes))
        context.close(promise: nil)
    }

    static func classify(_ error: any Error, origin: UpstreamOrigin, beforeResponse: Bool) -> UpstreamHTTPError {
        switch error {
        case let error as UpstreamHTTPError:
            return error
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return UpstreamHTTPError(.tlsFailed, detail: "TLS with \(origin.host) failed: \(error)", beforeResponse: beforeResponse)
        case is HTTPParserError:
            return UpstreamHTTPError(.invalidResponse, detail: "\(origin) sent an invalid HTTP/1.1 response: \(error)", beforeResponse: beforeResponse)
        default:
            return UpstreamHTTPError(.connectionClosed, detail: "connection to \(origin) failed: \(error)", beforeResponse: beforeResponse)
        }
    }

    // MARK: Exchanges

    /// Writes `request` and completes `headPromise` with the response head. Must run on the event loop.
    func start(
        _ request: UpstreamRequest, deadline: NIODeadline, readIdleTimeout: TimeAmount, wholeBodyLimit: Int?,
        headPromise: EventLoopPromise<UpstreamResponse>, onFinish: @escaping (_ reusable: Bool) -> Void
    ) -> UInt64 {
        guard case .idle = state, let context, context.channel.isActive else {
            headPromise.fail(UpstreamHTTPError(.connectionClosed, detail: "\(origin) closed the connection", beforeResponse: true))
            onFinish(false)
            return 0
        }
        nextExchangeID &+= 1
        let exchange = Exchange(
            id: nextExchangeID, headPromise: headPromise, readIdleTimeout: readIdleTimeout, wholeBodyLimit: wholeBodyLimit,
            onFinish: onFinish
        )
        state = .awaitingHead(exchange)
        sawResponseBytes = false
        setDeadline(deadline)

        var head = HTTPRequestHead(version: .http1_1, method: request.method, uri: request.target, headers: request.headers)
        head.headers.replaceOrAdd(name: "content-length", value: String(request.body.readableBytes))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(request.body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        return exchange.id
    }

    /// The caller stopped waiting for exchange `id` (its task was cancelled).
    func cancel(exchange id: UInt64) {
        switch state {
        case .awaitingHead(let exchange) where exchange.id == id:
            failAndClose(UpstreamHTTPError(.connectionClosed, detail: "cancelled", beforeResponse: true), cause: CancellationError())
        case .collecting(let exchange, _, _) where exchange.id == id:
            failAndClose(UpstreamHTTPError(.connectionClosed, detail: "cancelled", beforeResponse: false), cause: CancellationError())
        case .streaming(let exchange, _, _) where exchange.id == id:
            consumerTerminated(exchange: id)
        default:
            break
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .awaitingHead(let exchange) = state else {
                return protocolViolation("a response arrived with no request outstanding")
            }
            setDeadline(.now() + exchange.readIdleTimeout)
            if exchange.readsWhole(head) {
                state = .collecting(exchange, head, body: nil)
                return
            }
            let demand = BodyDemand(eventLoop: context.eventLoop, connection: NIOLoopBound(self, eventLoop: context.eventLoop), exchange: exchange.id)
            let producer = UpstreamResponseBody.Producer.makeSequence(
                elementType: ByteBuffer.self,
                backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8),
                finishOnDeinit: true,
                delegate: demand
            )
            state = .streaming(exchange, producer.source, keepAlive: head.isKeepAlive)
            exchange.headPromise.succeed(
                UpstreamResponse(status: head.status, headers: head.headers, body: UpstreamResponseBody(producer: producer.sequence))
            )
        case .body(var part):
            switch state {
            case .streaming(let exchange, let source, _):
                setDeadline(.now() + exchange.readIdleTimeout)
                if case .stopProducing = source.yield(part) {
                    readsPaused = true
                }
            case .collecting(let exchange, let head, var body):
                setDeadline(.now() + exchange.readIdleTimeout)
                // The first part is kept as it is (usually the whole body, in the buffer it was read into).
                state = .closed
                if body == nil { body = part } else { body!.writeBuffer(&part) }
                state = .collecting(exchange, head, body: body)
            default:
                protocolViolation("body bytes arrived outside a response")
            }
        case .end:
            let exchange: Exchange
            let keepAlive: Bool
            var whole: UpstreamResponse?
            switch state {
            case .streaming(let streamed, let source, let streamedKeepAlive):
                (exchange, keepAlive) = (streamed, streamedKeepAlive)
                state = .idle
                source.finish()
            case .collecting(let collected, let head, let body):
                (exchange, keepAlive) = (collected, head.isKeepAlive)
                state = .idle
                whole = UpstreamResponse(status: head.status, headers: head.headers, body: UpstreamResponseBody(whole: body ?? ByteBuffer()))
            default:
                return protocolViolation("a response ended outside a response")
            }
            resumeReads()
            if keepAlive && context.channel.isActive {
                setDeadline(.now() + poolIdleTimeout)
                exchange.finish(reusable: true)
            } else {
                stopTimer()
                exchange.finish(reusable: false)
                context.close(promise: nil)
            }
            // A whole body is handed over last, so its slot and connection are free by the time the caller runs.
            if let whole { exchange.headPromise.succeed(whole) }
        }
    }

    // MARK: Back-pressure

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            pendingRead = true
        } else {
            context.read()
        }
    }

    func consumerWantsMore(exchange id: UInt64) {
        guard case .streaming(let exchange, _, _) = state, exchange.id == id else { return }
        resumeReads()
    }

    /// The body's consumer is gone: if the response has not ended, the upstream request is abandoned.
    func consumerTerminated(exchange id: UInt64) {
        guard case .streaming(let exchange, _, _) = state, exchange.id == id else { return }
        failAndClose(UpstreamHTTPError(.connectionClosed, detail: "the response body was abandoned", beforeResponse: false))
    }

    private func resumeReads() {
        readsPaused = false
        if pendingRead, let context {
            pendingRead = false
            context.read()
        }
    }

    // MARK: Failure

    private func protocolViolation(_ what: String) {
        failAndClose(UpstreamHTTPError(.invalidResponse, detail: "\(origin): \(what)", beforeResponse: !sawResponseBytes))
    }

    /// ``fail(_:cause:)``, then closes the connection.
    private func failAndClose(_ error: UpstreamHTTPError, cause: (any Error)? = nil) {
        fail(error, cause: cause)
        context?.close(promise: nil)
    }

    /// Ends the current exchange with `error` (or `cause` for the waiting caller), leaving the connection unusable.
    private func fail(_ error: UpstreamHTTPError, cause: (any Error)? = nil) {
        stopTimer()
        switch state {
        case .awaitingHead(let exchange):
            state = .closed
            exchange.headPromise.fail(cause ?? error)
            exchange.finish(reusable: false)
        case .streaming(let exchange, let source, _):
            state = .closed
            source.finish(cause ?? error)
            exchange.finish(reusable: false)
        case .collecting(let exchange, _, _):
            state = .closed
            var error = error
            error.afterHead = true
            exchange.headPromise.fail(cause ?? error)
            exchange.finish(reusable: false)
        case .idle:
            state = .closed
        case .closed:
            break
        }
        resumeReads()
    }

    // MARK: Timers

    /// Makes `newDeadline` the current state's deadline. Moving it later, which every body part and every
    /// exchange on a kept-alive connection does, only stores it: the pending check runs first and re-arms. A new
    /// scheduled task is needed only when the deadline moves earlier than the pending check (scheduling one costs
    /// several thousand instructions; a request used to schedule four).
    private func setDeadline(_ newDeadline: NIODeadline) {
        deadline = newDeadline
        if newDeadline == .distantFuture || timer != nil && timerFiresAt <= newDeadline { return }
        timer?.cancel()
        scheduleCheck(at: newDeadline)
    }

    private func stopTimer() {
        timer?.cancel()
        timer = nil
        timerFiresAt = .distantFuture
        deadline = .distantFuture
    }

    private func scheduleCheck(at when: NIODeadline) {
        guard let context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timerFiresAt = when
        timer = context.eventLoop.scheduleTask(deadline: when) { loopBound.value.timerFired() }
    }

    private func timerFired() {
        timer = nil
        timerFiresAt = .distantFuture
        guard deadline != .distantFuture else { return }
        if NIODeadline.now() < deadline {
            scheduleCheck(at: deadline)
            return
        }
        switch state {
        case .awaitingHead:
            failAndClose(UpstreamHTTPError(.firstByteTimeout, detail: "\(origin) sent no response head before the deadline", beforeResponse: !sawResponseBytes))
        case .streaming(let exchange, _, _), .collecting(let exchange, _, _):
            failAndClose(UpstreamHTTPError(.readIdleTimeout, detail: "\(origin) sent nothing for \(exchange.readIdleTimeout)", beforeResponse: false))
        case .idle:
            // Sat in the pool for poolIdleTimeout.
            stopTimer()
            context?.close(promise: nil)
        case .closed:
            stopTimer()
        }
    }
}

/// Notes, before the HTTP decoder, that response bytes arrived; a request is only retried when none did.
final class ResponseByteObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let connection: UpstreamConnectionHandler

    init(connection: UpstreamConnectionHandler) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.sawResponseBytes = true
        context.fireChannelRead(data)
    }
}
