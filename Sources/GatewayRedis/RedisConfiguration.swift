/// Where and how to connect to Redis.
///
/// Build it from a URL, the way ElastiCache and most tooling spell it:
///
/// ```swift
/// let configuration = try RedisConfiguration(url: "rediss://gateway:s3cret@cache.example.internal:6379/0")
/// ```
///
/// `redis://[user[:password]@]host[:port][/database]` connects in plain text, `rediss://` with TLS. A user and
/// password send `AUTH user password` (Redis 6 ACL users, ElastiCache RBAC); a password alone
/// (`redis://:password@host`) sends `AUTH password`. Percent-escape reserved characters in the user name and
/// password. ``description`` redacts the password.
public struct RedisConfiguration: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// Host name or IP address of the server (without brackets for IPv6).
    public var host: String
    /// TCP port; 6379 by default.
    public var port: Int
    /// ACL user for `AUTH user password`; `nil` sends `AUTH password` when a password is set.
    public var username: String?
    /// Password for `AUTH`; `nil` skips `AUTH`. Never appears in descriptions, logs or errors.
    public var password: String?
    /// Database selected with `SELECT` after connecting; 0 (the default database) skips `SELECT`.
    public var database: Int
    /// TLS settings; `nil` connects in plain text.
    public var tls: TLSOptions?
    /// Upper bound for opening one connection: TCP connect, TLS handshake, `AUTH` and `SELECT` together.
    public var connectTimeout: Duration
    /// Upper bound for each command, from the moment it is written until its reply arrives. A command that times
    /// out closes its connection (its late reply can no longer be matched); the pool opens a new one when needed.
    public var commandTimeout: Duration
    /// The most connections the pool opens. Each connection carries any number of pipelined commands.
    public var poolSize: Int

    /// Whether connections use TLS (`rediss://`).
    public var useTLS: Bool { self.tls != nil }

    /// Creates a configuration from its parts.
    ///
    /// - Parameters:
    ///   - host: Host name or IP address.
    ///   - port: TCP port, 1-65535.
    ///   - username: ACL user; requires `password`.
    ///   - password: Password for `AUTH`.
    ///   - database: Database number for `SELECT`, 0 or more.
    ///   - tls: TLS settings; `nil` for plain text.
    ///   - connectTimeout: Upper bound for opening a connection; positive.
    ///   - commandTimeout: Upper bound for each command; positive.
    ///   - poolSize: The most connections to open; 1 or more.
    /// - Throws: ``RedisError/invalidConfiguration`` naming the value that is out of range.
    public init(
        host: String,
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        tls: TLSOptions? = nil,
        connectTimeout: Duration = .milliseconds(250),
        commandTimeout: Duration = .milliseconds(250),
        poolSize: Int = 8
    ) throws {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.poolSize = poolSize
        try self.validate()
    }

    /// Creates a configuration from a `redis://` or `rediss://` URL.
    ///
    /// - Parameters:
    ///   - url: `redis://[user[:password]@]host[:port][/database]`; `rediss://` for TLS.
    ///   - connectTimeout: Upper bound for opening a connection; positive.
    ///   - commandTimeout: Upper bound for each command; positive.
    ///   - poolSize: The most connections to open; 1 or more.
    ///   - tls: TLS settings for a `rediss://` URL; `nil` uses the system trust roots and verifies the server.
    ///     Passing TLS settings with a `redis://` URL is an error, so TLS is never silently off.
    /// - Throws: ``RedisError/invalidURL`` or ``RedisError/invalidConfiguration`` saying what is wrong; the
    ///   message never repeats the password.
    public init(
        url: String,
        connectTimeout: Duration = .milliseconds(250),
        commandTimeout: Duration = .milliseconds(250),
        poolSize: Int = 8,
        tls: TLSOptions? = nil
    ) throws {
        let parsed = try RedisURL(parsing: url)
        if !parsed.useTLS && tls != nil {
            throw RedisError.invalidURL(
                "TLS options were given but the URL scheme is redis:// (plain text); use rediss:// to connect with TLS"
            )
        }
        try self.init(
            host: parsed.host,
            port: parsed.port,
            username: parsed.username,
            password: parsed.password,
            database: parsed.database,
            tls: parsed.useTLS ? (tls ?? TLSOptions()) : nil,
            connectTimeout: connectTimeout,
            commandTimeout: commandTimeout,
            poolSize: poolSize
        )
    }

    /// The connection as a URL with the password replaced by `***`, for logs.
    public var description: String {
        var userInfo = ""
        if let username {
            userInfo = RedisURL.percentEncode(username)
            if self.password != nil { userInfo += ":***" }
            userInfo += "@"
        } else if self.password != nil {
            userInfo = ":***@"
        }
        let database = self.database == 0 ? "" : "/\(self.database)"
        return "\(self.useTLS ? "rediss" : "redis")://\(userInfo)\(self.endpoint)\(database)"
    }

    /// The same as ``description``: the password is redacted.
    public var debugDescription: String { self.description }

    /// A mirror that shows the password as `***`, so `dump` and debuggers do not reveal it.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": self.host,
                "port": self.port,
                "username": self.username as Any,
                "password": self.password == nil ? "nil" : "***",
                "database": self.database,
                "tls": self.tls as Any,
                "connectTimeout": self.connectTimeout,
                "commandTimeout": self.commandTimeout,
                "poolSize": self.poolSize,
            ],
            displayStyle: .struct
        )
    }

    /// `host:port` (`[::1]:6379` for IPv6), for error messages.
    var endpoint: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }

    private func validate() throws {
        if self.host.isEmpty {
            throw RedisError.invalidConfiguration("the host is empty; give a host name or IP address")
        }
        if !(1...65_535).contains(self.port) {
            throw RedisError.invalidConfiguration("port \(self.port) is out of range 1-65535")
        }
        if self.database < 0 {
            throw RedisError.invalidConfiguration("database \(self.database) is negative; use 0 or more")
        }
        if self.username != nil && self.password == nil {
            throw RedisError.invalidConfiguration(
                "a user name was given without a password; use redis://user:password@host or redis://:password@host"
            )
        }
        if self.connectTimeout <= .zero {
            throw RedisError.invalidConfiguration("the connect timeout must be positive")
        }
        if self.commandTimeout <= .zero {
            throw RedisError.invalidConfiguration("the command timeout must be positive")
        }
        if self.poolSize < 1 {
            throw RedisError.invalidConfiguration("pool size \(self.poolSize) is less than 1")
        }
    }
}
