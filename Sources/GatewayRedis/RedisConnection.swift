import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One open connection to Redis: a NIO channel with a ``RedisChannelHandler`` (and TLS when configured).
///
/// Any number of commands may be in flight at once; their replies arrive in order.
final class RedisConnection: Sendable {
    let id: Int
    let channel: any Channel

    private init(id: Int, channel: any Channel) {
        self.id = id
        self.channel = channel
    }

    /// Sends one command; the future fails with a ``RedisError`` only (a server error reply is a success here).
    func send(_ arguments: [[UInt8]], timeout: TimeAmount, endpoint: String) -> EventLoopFuture<RedisReply> {
        let promise = self.channel.eventLoop.makePromise(of: RedisReply.self)
        let request = RedisChannelHandler.Request(arguments: arguments, timeout: timeout, promise: promise)
        self.channel.writeAndFlush(request).whenFailure { error in
            // Completing a promise twice is a no-op: if the handler already failed it, its error stands.
            if let error = error as? RedisError {
                promise.fail(error)
            } else if let error = error as? ChannelError, error == .ioOnClosedChannel {
                promise.fail(RedisError.closed(endpoint: endpoint, reason: "it was already closed", wasNotSent: true))
            } else {
                promise.fail(RedisError.closed(endpoint: endpoint, reason: "writing failed: \(error)"))
            }
        }
        return promise.futureResult
    }

    /// Closes the connection; pending commands fail with ``RedisError/closed``.
    func close() -> EventLoopFuture<Void> {
        self.channel.close().recover { _ in }
    }

    /// Opens a connection: TCP, then the TLS handshake, `AUTH` and `SELECT` as configured, all within the
    /// connect timeout.
    static func connect(
        id: Int,
        configuration: RedisConfiguration,
        sslContext: NIOSSLContext?,
        eventLoop: any EventLoop,
        logger: Logger
    ) -> EventLoopFuture<RedisConnection> {
        let endpoint = configuration.endpoint
        let connectTimeout = TimeAmount(configuration.connectTimeout)
        let deadline = NIODeadline.now() + connectTimeout
        let result = eventLoop.makePromise(of: RedisConnection.self)
        let timeoutTask = eventLoop.scheduleTask(deadline: deadline) {
            result.fail(RedisError.connectTimeout(endpoint: endpoint, timeout: configuration.connectTimeout))
        }

        let serverName = configuration.tls?.serverName ?? configuration.host
        // SNI must not carry an IP address; without it NIOSSL checks the certificate against the peer's IP.
        let sniName: String? = Self.isIPAddress(serverName) ? nil : serverName
        let handshakePromise: EventLoopPromise<Void>? = sslContext == nil ? nil : eventLoop.makePromise()
        result.futureResult.whenComplete { _ in
            timeoutTask.cancel()
            // Settle the handshake promise if connecting ended before the TLS handler could (a no-op otherwise).
            handshakePromise?.fail(TLSHandshakeHandler.HandshakeInterrupted())
        }

        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                do {
                    let handlers = channel.pipeline.syncOperations
                    if let sslContext, let handshakePromise {
                        try handlers.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: sniName))
                        try handlers.addHandler(TLSHandshakeHandler(promise: handshakePromise))
                    }
                    try handlers.addHandler(RedisChannelHandler(endpoint: endpoint, usesTLS: sslContext != nil))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }

        bootstrap.connect(host: configuration.host, port: configuration.port)
            .flatMapErrorThrowing { error in
                throw Self.connectError(error, endpoint: endpoint, configuration: configuration)
            }
            .flatMap { channel -> EventLoopFuture<RedisConnection> in
                // Whatever fails from here on (including the connect timeout) must not leave the channel open.
                result.futureResult.whenFailure { _ in channel.close(promise: nil) }
                let connection = RedisConnection(id: id, channel: channel)
                var ready = eventLoop.makeSucceededVoidFuture()
                if let handshakePromise {
                    ready = handshakePromise.futureResult.flatMapErrorThrowing { error in
                        throw RedisError.tlsHandshake(
                            endpoint: endpoint,
                            serverName: serverName,
                            reason: String(describing: error)
                        )
                    }
                }
                if let password = configuration.password {
                    let arguments: [[UInt8]] =
                        [Array("AUTH".utf8)] + (configuration.username.map { [Array($0.utf8)] } ?? [])
                        + [Array(password.utf8)]
                    ready = ready.flatMap {
                        connection.send(arguments, timeout: Self.remaining(until: deadline), endpoint: endpoint)
                    }.flatMapThrowing { reply in
                        if case .error(let message) = reply {
                            throw RedisError.authenticationFailed(
                                endpoint: endpoint,
                                username: configuration.username,
                                serverMessage: Self.redact(password, from: message)
                            )
                        }
                        guard case .simpleString = reply else {
                            throw RedisError.unexpectedReply(command: "AUTH", expected: "OK", reply: reply)
                        }
                    }
                }
                if configuration.database != 0 {
                    let arguments = [Array("SELECT".utf8), Array(String(configuration.database).utf8)]
                    ready = ready.flatMap {
                        connection.send(arguments, timeout: Self.remaining(until: deadline), endpoint: endpoint)
                    }.flatMapThrowing { reply in
                        if case .error(let message) = reply {
                            throw RedisError.setupFailed(
                                endpoint: endpoint,
                                command: "SELECT \(configuration.database)",
                                serverMessage: message
                            )
                        }
                        guard case .simpleString = reply else {
                            throw RedisError.unexpectedReply(command: "SELECT", expected: "OK", reply: reply)
                        }
                    }
                }
                return ready.map { connection }
            }
            .flatMapErrorThrowing { error in
                // A command that timed out during setup is the connect timeout, as far as the caller can tell.
                if let error = error as? RedisError, error == .timeout {
                    throw RedisError.connectTimeout(endpoint: endpoint, timeout: configuration.connectTimeout)
                }
                throw error
            }
            .cascade(to: result)

        return result.futureResult.map { connection in
            logger.debug(
                "redis connection opened",
                metadata: ["gw.redis.endpoint": "\(endpoint)", "gw.redis.connection": "\(id)"]
            )
            return connection
        }
    }

    private static func remaining(until deadline: NIODeadline) -> TimeAmount {
        max(deadline - .now(), .milliseconds(1))
    }

    private static func connectError(
        _ error: any Error,
        endpoint: String,
        configuration: RedisConfiguration
    ) -> RedisError {
        if let error = error as? RedisError { return error }
        if case ChannelError.connectTimeout = error {
            return RedisError.connectTimeout(endpoint: endpoint, timeout: configuration.connectTimeout)
        }
        if let error = error as? NIOConnectionError {
            var reasons: [String] = []
            if let dnsError = error.dnsAError ?? error.dnsAAAAError {
                reasons.append("resolving '\(configuration.host)' failed (\(dnsError))")
            }
            for attempt in error.connectionErrors {
                if case ChannelError.connectTimeout = attempt.error {
                    return RedisError.connectTimeout(endpoint: endpoint, timeout: configuration.connectTimeout)
                }
                reasons.append("\(attempt.target): \(attempt.error)")
            }
            if reasons.isEmpty { reasons.append("no address found for '\(configuration.host)'") }
            return RedisError.connectFailed(endpoint: endpoint, reason: reasons.joined(separator: "; "))
        }
        return RedisError.connectFailed(endpoint: endpoint, reason: String(describing: error))
    }

    /// Removes the password from a server message before it goes into an error (servers do not echo it, but an
    /// error must never be the place where one leaks).
    private static func redact(_ password: String, from message: String) -> String {
        guard !password.isEmpty, message.contains(password) else { return message }
        return message.replacing(password, with: "***")
    }

    private static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
