import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A bounded pool of non-blocking Redis connections on a NIO event loop group.
///
/// Connections open lazily, on the first command that needs one, up to ``RedisConfiguration/poolSize``. Each
/// command goes to an idle connection if there is one, otherwise it is pipelined on the least busy one (a new
/// connection is opened in the background while the pool has room). Every command is bounded by the connect and
/// command timeouts. A connection that closes, fails or times out is dropped and a later command opens a new
/// one, so the pool recovers by itself when the server comes back; while the server is gone, commands fail fast
/// with a ``RedisError``.
///
/// The pool is a ServiceLifecycle `Service`: add it to the application's service group, which shuts it down
/// gracefully. Without a service group, call ``shutdown()`` when done.
///
/// ```swift
/// let pool = RedisConnectionPool(
///     configuration: try RedisConfiguration(url: "rediss://cache.internal:6379"),
///     logger: logger
/// )
/// try await pool.set("greeting", value: Array("hello".utf8), expireMilliseconds: 60_000)
/// let value = try await pool.get("greeting")
/// ```
public final class RedisConnectionPool: Sendable {
    /// The configuration the pool connects with.
    public let configuration: RedisConfiguration

    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let sslContext: Result<NIOSSLContext, RedisError>?
    private let commandTimeout: TimeAmount
    private let state: NIOLockedValueBox<State>

    /// Creates a pool. Nothing connects until the first command.
    ///
    /// Shut the pool down before releasing it, by running it as a `Service` or calling ``shutdown()``; debug
    /// builds assert this once it has opened a connection.
    ///
    /// - Parameters:
    ///   - configuration: Where and how to connect.
    ///   - eventLoopGroup: The event loops the connections run on; the shared NIO group by default.
    ///   - logger: Receives connection lifecycle events at `debug` level (metadata keys `gw.redis.*`).
    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        var logger = logger
        logger[metadataKey: "gw.redis.endpoint"] = "\(configuration.endpoint)"
        self.logger = logger
        self.sslContext = configuration.tls.map { options in
            Result { () throws(RedisError) in try options.makeSSLContext() }
        }
        self.commandTimeout = max(TimeAmount(configuration.commandTimeout), .milliseconds(1))
        self.state = NIOLockedValueBox(State(poolSize: configuration.poolSize))
    }

    deinit {
        let slots = self.state.withLockedValue { $0.isRunning ? $0.slots : [] }
        assert(slots.isEmpty, "RedisConnectionPool was released with open connections; call shutdown() first")
        for slot in slots {
            if case .ready(let connection) = slot.state { connection.channel.close(promise: nil) }
        }
    }

    // MARK: Commands

    /// Sends one command and returns its reply.
    ///
    /// - Parameter arguments: The command name and its arguments, binary-safe.
    /// - Returns: The reply; a nested error reply stays a ``RedisReply/error(_:)`` element.
    /// - Throws: ``RedisError``: ``RedisError/serverError`` when the server answers with an error (its text in
    ///   ``RedisError/serverMessage``), ``RedisError/timeout``, ``RedisError/connectFailed``,
    ///   ``RedisError/closed`` and the others when the command could not be answered.
    public func command(_ arguments: [[UInt8]]) async throws -> RedisReply {
        let reply = try await self.execute(arguments)
        if case .error(let message) = reply {
            throw RedisError.server(
                endpoint: self.configuration.endpoint,
                command: RedisCommandEncoder.commandName(arguments),
                message: message
            )
        }
        return reply
    }

    /// Sends one command given as strings (UTF-8) and returns its reply.
    ///
    /// ```swift
    /// let reply = try await pool.command("INCRBY", "counter", "5")
    /// ```
    public func command(_ arguments: String...) async throws -> RedisReply {
        try await self.command(arguments.map { Array($0.utf8) })
    }

    /// Sends a command and returns the reply as is, error replies included; retries once on another connection
    /// when the chosen one turned out to be closed before the command was written.
    func execute(_ arguments: [[UInt8]]) async throws(RedisError) -> RedisReply {
        var retried = false
        while true {
            let (lease, connectRequest) = self.state.withLockedValue { state in
                state.lease(makePromise: { self.eventLoopGroup.next().makePromise(of: RedisConnection.self) })
            }
            if let connectRequest {
                self.startConnecting(connectRequest)
            }
            let slotID: Int
            let reply: EventLoopFuture<RedisReply>
            switch lease {
            case .shutDown:
                throw RedisError.shutDown(endpoint: self.configuration.endpoint)
            case .connection(let id, let connection):
                slotID = id
                reply = connection.send(arguments, timeout: self.commandTimeout, endpoint: self.configuration.endpoint)
            case .pending(let id, let connection):
                slotID = id
                let timeout = self.commandTimeout
                let endpoint = self.configuration.endpoint
                reply = connection.flatMap { $0.send(arguments, timeout: timeout, endpoint: endpoint) }
            }
            do {
                let value = try await reply.get()
                self.release(slotID: slotID)
                return value
            } catch {
                self.release(slotID: slotID)
                let redisError = Self.redisError(error, endpoint: self.configuration.endpoint)
                if redisError.wasNotSent && !retried {
                    retried = true
                    self.state.withLockedValue { $0.remove(slotID: slotID) }
                    continue
                }
                throw redisError
            }
        }
    }

    private func release(slotID: Int) {
        let drained = self.state.withLockedValue { $0.release(slotID: slotID) }
        drained?.succeed()
    }

    private func startConnecting(_ request: State.ConnectRequest) {
        let slotID = request.slotID
        let sslContext: NIOSSLContext?
        switch self.sslContext {
        case .none:
            sslContext = nil
        case .success(let context):
            sslContext = context
        case .failure(let error):
            self.state.withLockedValue { $0.remove(slotID: slotID) }
            request.promise.fail(error)
            return
        }
        let logger = self.logger
        RedisConnection.connect(
            id: slotID,
            configuration: self.configuration,
            sslContext: sslContext,
            eventLoop: request.promise.futureResult.eventLoop,
            logger: logger
        ).whenComplete { result in
            switch result {
            case .success(let connection):
                let accepted = self.state.withLockedValue { $0.connected(slotID: slotID, connection: connection) }
                guard accepted else {
                    connection.channel.close(promise: nil)
                    request.promise.fail(RedisError.shutDown(endpoint: self.configuration.endpoint))
                    return
                }
                connection.channel.closeFuture.whenComplete { [weak self] _ in
                    logger.debug("redis connection closed", metadata: ["gw.redis.connection": "\(slotID)"])
                    self?.state.withLockedValue { $0.remove(slotID: slotID, connection: connection) }
                }
                request.promise.succeed(connection)
            case .failure(let error):
                self.state.withLockedValue { $0.remove(slotID: slotID) }
                let redisError = Self.redisError(error, endpoint: self.configuration.endpoint)
                logger.debug(
                    "redis connect failed",
                    metadata: ["gw.redis.connection": "\(slotID)", "gw.error": "\(redisError.shortDescription)"]
                )
                request.promise.fail(redisError)
            }
        }
    }

    // MARK: Shutdown

    /// Stops accepting commands, lets in-flight commands finish (for at most the connect plus command timeout),
    /// then closes every connection. Safe to call more than once; later commands throw
    /// ``RedisError/shutDown``.
    public func shutdown() async {
        let eventLoop = self.eventLoopGroup.any()
        let drainedPromise = eventLoop.makePromise(of: Void.self)
        let finishedPromise = eventLoop.makePromise(of: Void.self)
        let action = self.state.withLockedValue { state in
            state.beginShutdown(drained: drainedPromise, finished: finishedPromise)
        }
        switch action {
        case .wait(let finished):
            try? await finished.get()
        case .drain(let drained, let finished):
            // In-flight commands end within their timeouts; stop waiting after that in any case.
            let grace = TimeAmount(self.configuration.connectTimeout) + self.commandTimeout
            let graceTimer = eventLoop.scheduleTask(in: grace) { drainedPromise.succeed() }
            try? await drained.get()
            graceTimer.cancel()
            let slots = self.state.withLockedValue { $0.finishShutdown() }
            var closing: [EventLoopFuture<Void>] = []
            for slot in slots {
                switch slot.state {
                case .ready(let connection):
                    closing.append(connection.close())
                case .connecting(let promise):
                    // `connected` refuses it now, so it is closed as soon as it opens (or fails to).
                    closing.append(promise.futureResult.map { _ in }.recover { _ in })
                }
            }
            try? await EventLoopFuture.andAllComplete(closing, on: eventLoop).get()
            finished.succeed()
            self.logger.debug("redis connection pool shut down")
        }
    }

    // MARK: Internals

    /// Counters for tests and diagnostics.
    var statistics: Statistics { self.state.withLockedValue { $0.statistics } }

    /// The number of open or opening connections.
    var connectionCount: Int { self.state.withLockedValue { $0.slots.count } }

    private static func redisError(_ error: any Error, endpoint: String) -> RedisError {
        if let error = error as? RedisError { return error }
        return RedisError.closed(endpoint: endpoint, reason: String(describing: error))
    }
}
