import NIOCore

/// An error from the Redis client.
///
/// The kind of error is opaque so new kinds can be added without breaking callers. Compare against the static
/// values to branch on the kind (equality and hashing consider the kind only, not the message):
///
/// ```swift
/// do {
///     _ = try await pool.get("key")
/// } catch let error as RedisError where error == .timeout {
///     // the server did not answer in time
/// }
/// ```
///
/// ``description`` says what went wrong and how to fix it; it never contains a password, a command's arguments
/// or a value. ``shortDescription`` is a fixed token per kind, safe to use as a metric label.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case invalidURL = "invalid_url"
        case invalidConfiguration = "invalid_configuration"
        case invalidArgument = "invalid_argument"
        case connectFailed = "connect_failed"
        case tlsFailed = "tls_failed"
        case authenticationFailed = "authentication_failed"
        case timeout = "timeout"
        case closed = "closed"
        case protocolError = "protocol_error"
        case serverError = "server_error"
        case unexpectedReply = "unexpected_reply"
        case shutDown = "shut_down"
    }

    private let code: Code
    private let message: String?
    /// The error text the server sent, for ``serverError`` and ``authenticationFailed``.
    public let serverMessage: String?
    /// Whether the command was certainly not written to the socket, so sending it again elsewhere is safe.
    let wasNotSent: Bool

    private init(code: Code, message: String? = nil, serverMessage: String? = nil, wasNotSent: Bool = false) {
        self.code = code
        self.message = message
        self.serverMessage = serverMessage
        self.wasNotSent = wasNotSent
    }

    /// The Redis URL or configuration could not be parsed.
    public static let invalidURL = RedisError(code: .invalidURL)
    /// A configuration value is out of range.
    public static let invalidConfiguration = RedisError(code: .invalidConfiguration)
    /// A command was malformed before it was sent (for example, no arguments).
    public static let invalidArgument = RedisError(code: .invalidArgument)
    /// No TCP connection could be opened (refused, unreachable, name not resolved).
    public static let connectFailed = RedisError(code: .connectFailed)
    /// TLS could not be set up: bad CA or certificate files, or the handshake failed.
    public static let tlsFailed = RedisError(code: .tlsFailed)
    /// The server rejected `AUTH` (wrong user name or password, disabled user).
    public static let authenticationFailed = RedisError(code: .authenticationFailed)
    /// Connecting (connect timeout) or a command (command timeout) took too long.
    public static let timeout = RedisError(code: .timeout)
    /// The connection closed before the command was answered.
    public static let closed = RedisError(code: .closed)
    /// The server sent bytes that are not valid RESP.
    public static let protocolError = RedisError(code: .protocolError)
    /// The server answered with an error reply; see ``serverMessage``.
    public static let serverError = RedisError(code: .serverError)
    /// The server answered with a reply of a type the called method does not expect.
    public static let unexpectedReply = RedisError(code: .unexpectedReply)
    /// The connection pool was shut down.
    public static let shutDown = RedisError(code: .shutDown)

    /// A server error reply with the given text, as thrown by commands the server rejects.
    public static func serverError(_ message: String) -> RedisError {
        RedisError(code: .serverError, message: "Redis answered with an error: \(message)", serverMessage: message)
    }

    /// A fixed, low-cardinality token naming the kind of error (for example `timeout`), for metric labels.
    public var shortDescription: String { self.code.rawValue }

    /// What went wrong and how to fix it. Never contains passwords, arguments or values.
    public var description: String {
        if let message { return message }
        switch self.code {
        case .invalidURL: return "the Redis URL is invalid"
        case .invalidConfiguration: return "the Redis configuration is invalid"
        case .invalidArgument: return "the Redis command is invalid"
        case .connectFailed: return "could not connect to Redis"
        case .tlsFailed: return "TLS with Redis failed"
        case .authenticationFailed: return "Redis rejected the credentials"
        case .timeout: return "Redis did not answer in time"
        case .closed: return "the Redis connection closed"
        case .protocolError: return "Redis sent an invalid reply"
        case .serverError: return "Redis answered with an error"
        case .unexpectedReply: return "Redis sent an unexpected reply"
        case .shutDown: return "the Redis connection pool is shut down"
        }
    }

    /// Compares the kind of error only.
    public static func == (lhs: RedisError, rhs: RedisError) -> Bool { lhs.code == rhs.code }

    /// Hashes the kind of error only.
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}

// MARK: - Factories with context (internal)

extension RedisError {
    static func invalidURL(_ message: String) -> RedisError {
        RedisError(code: .invalidURL, message: "invalid Redis URL: \(message)")
    }

    static func invalidConfiguration(_ message: String) -> RedisError {
        RedisError(code: .invalidConfiguration, message: "invalid Redis configuration: \(message)")
    }

    static func invalidArgument(_ message: String) -> RedisError {
        RedisError(code: .invalidArgument, message: message)
    }

    static func connectFailed(endpoint: String, reason: String) -> RedisError {
        RedisError(
            code: .connectFailed,
            message: "could not connect to Redis at \(endpoint): \(reason). Check that the server is running, that "
                + "the host and port in the Redis URL are right and that no firewall or security group blocks the port."
        )
    }

    static func tlsConfiguration(_ reason: String) -> RedisError {
        RedisError(
            code: .tlsFailed,
            message: "the Redis TLS settings cannot be used: \(reason). Check the CA file and the client certificate "
                + "and key paths in the TLS options (PEM format)."
        )
    }

    static func tlsHandshake(endpoint: String, serverName: String, reason: String) -> RedisError {
        RedisError(
            code: .tlsFailed,
            message: "the TLS handshake with Redis at \(endpoint) failed: \(reason). Check that the port speaks TLS, "
                + "that the CA in the TLS options issued the server certificate and that the certificate is valid "
                + "for '\(serverName)' (set the TLS server name if the URL uses another name)."
        )
    }

    static func authenticationFailed(endpoint: String, username: String?, serverMessage: String) -> RedisError {
        let who = username.map { "user '\($0)'" } ?? "the default user (password only)"
        return RedisError(
            code: .authenticationFailed,
            message: "Redis at \(endpoint) rejected AUTH for \(who): \(serverMessage). Check the user name and "
                + "password in the Redis URL (the password is not shown) and that the ACL user is enabled.",
            serverMessage: serverMessage
        )
    }

    static func setupFailed(endpoint: String, command: String, serverMessage: String) -> RedisError {
        RedisError(
            code: .serverError,
            message: "Redis at \(endpoint) rejected \(command) while the connection was being set up: "
                + "\(serverMessage). Check the database number and credentials in the Redis URL.",
            serverMessage: serverMessage
        )
    }

    static func connectTimeout(endpoint: String, timeout: Duration) -> RedisError {
        RedisError(
            code: .timeout,
            message: "connecting to Redis at \(endpoint) did not complete within \(timeout.redisDescription) "
                + "(connect timeout, covering TCP, the TLS handshake, AUTH and SELECT). Check that the host is "
                + "reachable and that rediss:// is used only for TLS ports, or raise the connect timeout."
        )
    }

    static func commandTimeout(endpoint: String, command: String, timeout: TimeAmount) -> RedisError {
        RedisError(
            code: .timeout,
            message: "Redis at \(endpoint) did not answer \(command) within \(timeout.redisDescription) (command "
                + "timeout); the connection was closed and a later call opens a new one. The server is overloaded, "
                + "blocked or unreachable; raise the command timeout only if it is merely slow."
        )
    }

    static func closed(endpoint: String, reason: String, wasNotSent: Bool = false) -> RedisError {
        RedisError(
            code: .closed,
            message: "the connection to Redis at \(endpoint) closed before the command was answered: \(reason). "
                + "A later call opens a new connection.",
            wasNotSent: wasNotSent
        )
    }

    static func protocolError(endpoint: String, reason: String) -> RedisError {
        RedisError(
            code: .protocolError,
            message: "Redis at \(endpoint) sent a reply that is not valid RESP (\(reason)). Check that the host and "
                + "port belong to a Redis server and that rediss:// is used exactly when the port speaks TLS."
        )
    }

    static func server(endpoint: String, command: String, message: String) -> RedisError {
        RedisError(
            code: .serverError,
            message: "Redis at \(endpoint) answered \(command) with an error: \(message)",
            serverMessage: message
        )
    }

    static func unexpectedReply(command: String, expected: String, reply: RedisReply) -> RedisError {
        RedisError(
            code: .unexpectedReply,
            message: "Redis answered \(command) with \(reply.kindDescription) where \(expected) was expected"
        )
    }

    static func shutDown(endpoint: String) -> RedisError {
        RedisError(
            code: .shutDown,
            message: "the connection pool for Redis at \(endpoint) is shut down; no more commands can be sent"
        )
    }
}

extension Duration {
    /// A short human form (`250 ms`, `12 s`) for error messages.
    var redisDescription: String {
        let (seconds, attoseconds) = self.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds < 10_000 ? "\(milliseconds) ms" : "\(milliseconds / 1000) s"
    }
}

extension TimeAmount {
    /// A short human form (`250 ms`) for error messages.
    var redisDescription: String {
        let milliseconds = self.nanoseconds / 1_000_000
        return milliseconds < 10_000 ? "\(milliseconds) ms" : "\(milliseconds / 1000) s"
    }
}
