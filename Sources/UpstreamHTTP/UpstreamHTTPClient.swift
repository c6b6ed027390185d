import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An HTTP/1.1 client for a gateway's upstream calls, built directly on SwiftNIO.
///
/// Each request runs on the event loop its caller names, normally the one serving the inbound connection, so a
/// proxied request does not cross threads beyond the hop into and out of the caller's task. Idle keep-alive
/// connections are kept per event loop and origin. At most `maxConnections` requests are in flight at once; further
/// requests wait, within their first-byte deadline, for one to finish.
///
/// A request that fails on a reused connection before any response byte arrives (the server closed the idle
/// connection as it was handed out) is sent once more on a new connection. Nothing else is retried.
public final class UpstreamHTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Longest wait for a TCP connection (and for TLS, its handshake starts after it).
        public var connectTimeout: TimeAmount = .seconds(10)
        /// How long an idle connection is kept for reuse.
        public var poolIdleTimeout: TimeAmount = .seconds(50)
        /// Most requests in flight at once across all origins and event loops.
        public var maxConnections: Int = 1_024
        /// Check every request header for characters HTTP/1.1 forbids before writing it. Callers whose headers are
        /// already valid (parsed by an HTTP server, or produced by a signer) can skip the cost.
        public var validatesHeaders = true
        /// TLS settings for `https` origins: full certificate and host name verification against the system's
        /// trust roots by default.
        public var tls: TLSConfiguration = {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.applicationProtocols = ["http/1.1"]
            return tls
        }()

        public init() {}
    }

    private struct PoolKey: Hashable {
        var origin: UpstreamOrigin
        var eventLoop: ObjectIdentifier
    }

    private struct Idle: @unchecked Sendable {
        // Only touched on `channel.eventLoop`.
        var channel: any Channel
        var handler: UpstreamConnectionHandler
    }

    private struct PoolState {
        var idle: [PoolKey: [Idle]] = [:]
        var shutDown = false
    }

    private let configuration: Configuration
    /// Made on the first `https` connection: loading the trust roots costs milliseconds that plain-http origins
    /// (local stacks, tests) need not pay.
    private let sslContext = NIOLockedValueBox<NIOSSLContext?>(nil)
    private let pool = NIOLockedValueBox(PoolState())
    private let permits: PermitQueue

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.permits = PermitQueue(limit: configuration.maxConnections)
    }

    /// Requests in flight (holding one of the `maxConnections` slots).
    var requestsInFlight: Int { permits.inUse }

    /// Loads the TLS settings now (trust roots included), so a bad setting fails at start-up and the first `https`
    /// request does not pay for it.
    public func prepareTLS() throws {
        _ = try makeSSLContext()
    }

    private func makeSSLContext() throws -> NIOSSLContext {
        try sslContext.withLockedValue { context in
            if let context { return context }
            let made = try NIOSSLContext(configuration: configuration.tls)
            context = made
            return made
        }
    }

    /// Sends `request` to `origin` on `eventLoop` and returns once the response head has arrived.
    ///
    /// - Parameters:
    ///   - deadline: when the response head must have arrived, including any wait for a free connection.
    ///   - readIdleTimeout: the longest silence allowed between parts of the response body.
    ///   - wholeBodyLimit: when set, a response whose `content-length` is at most this many bytes is read whole
    ///     before this returns, and its body's ``UpstreamResponseBody/whole`` holds it: no async sequence, no
    ///     per-part suspension. A body that does not complete then fails the call with an error whose
    ///     ``UpstreamHTTPError/afterHead`` is true. Other responses stream as usual.
    /// - Throws: ``UpstreamHTTPError`` for transport failures, `CancellationError` if the task is cancelled first.
    public func execute(
        _ request: UpstreamRequest, to origin: UpstreamOrigin, on eventLoop: any EventLoop, deadline: NIODeadline,
        readIdleTimeout: TimeAmount, wholeBodyLimit: Int? = nil
    ) async throws -> UpstreamResponse {
        let permit = try await permits.acquire(deadline: deadline, eventLoop: eventLoop)
        let handle = ExchangeHandle()
        do {
            return try await withTaskCancellationHandler {
                let send: @Sendable () -> EventLoopFuture<UpstreamResponse> = {
                    self.send(request, to: origin, on: eventLoop, deadline: deadline, readIdleTimeout: readIdleTimeout,
                              wholeBodyLimit: wholeBodyLimit, permit: permit, handle: handle, mayRetry: true)
                }
                // The gateway's request tasks already run on their connection's event loop: send from here
                // instead of queueing a task for the next tick.
                return try await (eventLoop.inEventLoop ? send() : eventLoop.flatSubmit(send)).get()
            } onCancel: {
                handle.cancel()
            }
        } catch {
            permit.release()
            throw error
        }
    }

    /// Closes idle connections and refuses new requests; requests in flight finish.
    public func shutdown() async {
        let idle = pool.withLockedValue { state -> [Idle] in
            state.shutDown = true
            defer { state.idle = [:] }
            return state.idle.values.flatMap { $0 }
        }
        permits.shutDown()
        for connection in idle {
            try? await connection.channel.close()
        }
    }

    // MARK: On the event loop

    private func send(
        _ request: UpstreamRequest, to origin: UpstreamOrigin, on eventLoop: any EventLoop, deadline: NIODeadline,
        readIdleTimeout: TimeAmount, wholeBodyLimit: Int?, permit: Permit, handle: ExchangeHandle, mayRetry: Bool
    ) -> EventLoopFuture<UpstreamResponse> {
        if handle.isCancelled {
            return eventLoop.makeFailedFuture(CancellationError())
        }
        let key = PoolKey(origin: origin, eventLoop: ObjectIdentifier(eventLoop))
        let pooled: Idle?
        switch takeIdle(key) {
        case .shutDown:
            return eventLoop.makeFailedFuture(UpstreamHTTPError(.shutdown, detail: "the upstream client is shut down", beforeResponse: true))
        case .connection(let connection):
            pooled = connection
        case .none:
            pooled = nil
        }
        let exchange: @Sendable (Idle) -> EventLoopFuture<UpstreamResponse> = { connection in
            let promise = eventLoop.makePromise(of: UpstreamResponse.self)
            let id = connection.handler.start(
                request, deadline: deadline, readIdleTimeout: readIdleTimeout, wholeBodyLimit: wholeBodyLimit, headPromise: promise,
                onFinish: { reusable in
                    permit.release()
                    if reusable { self.putIdle(connection, key: key) }
                }
            )
            handle.started(NIOLoopBound(connection.handler, eventLoop: eventLoop), exchange: id, on: eventLoop)
            return promise.futureResult
        }
        guard let pooled else {
            let response = connect(to: origin, on: eventLoop, deadline: deadline).flatMap(exchange)
            // Released already when the exchange started and failed; this covers failures before it started.
            response.whenFailure { _ in permit.release() }
            return response
        }
        // A pooled connection starts the exchange at once, with no future for the connection in between (each
        // future costs an allocation and run-time metadata lookups); `start` releases the permit however it ends.
        let response = exchange(pooled)
        guard mayRetry else { return response }
        return response.flatMapError { error in
            guard let error = error as? UpstreamHTTPError, error.code == .connectionClosed, error.beforeResponse,
                !handle.isCancelled
            else {
                return eventLoop.makeFailedFuture(error)
            }
            // The server closed a pooled connection as it was reused: no byte of an answer came back, so the
            // request is sent again on a fresh connection.
            return self.permits.acquire(deadline: deadline, on: eventLoop).flatMap { permit in
                self.send(request, to: origin, on: eventLoop, deadline: deadline, readIdleTimeout: readIdleTimeout,
                          wholeBodyLimit: wholeBodyLimit, permit: permit, handle: handle, mayRetry: false)
            }
        }
    }

    private enum Taken {
        case connection(Idle)
        case none
        case shutDown
    }

    private func takeIdle(_ key: PoolKey) -> Taken {
        pool.withLockedValue { state -> Taken in
            if state.shutDown { return .shutDown }
            while let connection = state.idle[key]?.popLast() {
                if connection.handler.isIdle { return .connection(connection) }
            }
            return .none
        }
    }

    private func putIdle(_ connection: Idle, key: PoolKey) {
        let kept = pool.withLockedValue { state -> Bool in
            guard !state.shutDown else { return false }
            state.idle[key, default: []].append(connection)
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }

    private func forget(_ channel: any Channel, key: PoolKey) {
        pool.withLockedValue { state in
            state.idle[key]?.removeAll { $0.channel === channel }
            if state.idle[key]?.isEmpty == true { state.idle[key] = nil }
        }
    }

    private func connect(to origin: UpstreamOrigin, on eventLoop: any EventLoop, deadline: NIODeadline) -> EventLoopFuture<Idle> {
        let remaining = deadline - .now()
        guard remaining > .zero else {
            return eventLoop.makeFailedFuture(UpstreamHTTPError(.firstByteTimeout, detail: "no time left to connect to \(origin)", beforeResponse: true))
        }
        let poolIdleTimeout = configuration.poolIdleTimeout
        let validatesHeaders = configuration.validatesHeaders
        let sslContext: NIOSSLContext?
        do {
            sslContext = origin.tls ? try makeSSLContext() : nil
        } catch {
            return eventLoop.makeFailedFuture(UpstreamHTTPError(.tlsFailed, detail: "TLS settings unusable: \(error)", beforeResponse: true))
        }
        let key = PoolKey(origin: origin, eventLoop: ObjectIdentifier(eventLoop))
        let connectTimeout = min(configuration.connectTimeout, remaining)
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext {
                        let sni = Self.isIPAddress(origin.host) ? nil : origin.host
                        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: sni))
                    }
                    let handler = UpstreamConnectionHandler(origin: origin, poolIdleTimeout: poolIdleTimeout)
                    try sync.addHandler(ResponseByteObserver(connection: handler))
                    try sync.addHTTPClientHandlers(enableOutboundHeaderValidation: validatesHeaders)
                    try sync.addHandler(handler)
                }
            }
            .connect(host: origin.host, port: origin.port)
            .flatMapErrorThrowing { error in
                if case ChannelError.connectTimeout = error {
                    throw UpstreamHTTPError(.connectTimeout, detail: "no connection to \(origin) within \(connectTimeout)", beforeResponse: true)
                }
                throw UpstreamHTTPError(.connectFailed, detail: "could not connect to \(origin): \(error)", beforeResponse: true)
            }
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: UpstreamConnectionHandler.self)
                handler.onClose = { [weak channel] in
                    if let channel { self.forget(channel, key: key) }
                }
                return Idle(channel: channel, handler: handler)
            }
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}

/// Lets a cancelled caller reach the exchange it started, wherever it is.
final class ExchangeHandle: Sendable {
    private struct State {
        var cancelled = false
        var started: (connection: NIOLoopBound<UpstreamConnectionHandler>, exchange: UInt64, eventLoop: any EventLoop)?
    }

    private let state = NIOLockedValueBox(State())

    var isCancelled: Bool { state.withLockedValue { $0.cancelled } }

    func started(_ connection: NIOLoopBound<UpstreamConnectionHandler>, exchange: UInt64, on eventLoop: any EventLoop) {
        let cancelled = state.withLockedValue { state -> Bool in
            state.started = (connection, exchange, eventLoop)
            return state.cancelled
        }
        if cancelled { connection.value.cancel(exchange: exchange) }
    }

    func cancel() {
        let started = state.withLockedValue { state in
            state.cancelled = true
            return state.started
        }
        guard let started else { return }
        started.eventLoop.execute { started.connection.value.cancel(exchange: started.exchange) }
    }
}
