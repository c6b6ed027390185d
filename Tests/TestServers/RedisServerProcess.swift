import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(Darwin)
    private let streamSocketType = SOCK_STREAM
#else
    private let streamSocketType = Int32(SOCK_STREAM.rawValue)
#endif

/// Sends a signal to a process (libc `kill`, which the ``RedisServerProcess/kill()`` method shadows).
func sendSignal(_ signal: Int32, to pid: Int32) {
    #if canImport(Glibc)
        _ = Glibc.kill(pid, signal)
    #elseif canImport(Musl)
        _ = Musl.kill(pid, signal)
    #elseif canImport(Darwin)
        _ = Darwin.kill(pid, signal)
    #endif
}

/// A real `redis-server` for tests, on a free loopback port with its own temporary directory, no persistence.
///
/// Self-contained (Foundation and libc only) so other test targets can copy it as is.
///
/// ```swift
/// let server = try await RedisServerProcess.start()
/// defer { server.stop() }          // or `await server.stop()`
/// let url = server.url             // redis://127.0.0.1:<port>
/// ```
///
/// Starting throws with the server's log when it does not come up, so a test fails with the reason instead of
/// being skipped.
public final class RedisServerProcess: @unchecked Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// TLS files for a TLS-only server (`--port 0 --tls-port N`).
    public struct TLSFiles: Sendable {
        public var certificateFile: String
        public var keyFile: String
        public var caFile: String
        /// Require client certificates (`--tls-auth-clients yes`).
        public var requireClientCertificates = false

        public init(certificateFile: String, keyFile: String, caFile: String, requireClientCertificates: Bool = false) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.caFile = caFile
            self.requireClientCertificates = requireClientCertificates
        }
    }

    public static let executable = ProcessInfo.processInfo.environment["REDIS_SERVER"] ?? "/usr/bin/redis-server"

    /// The port the server listens on (TLS or plain text), kept across ``restart()``.
    public let port: Int
    /// The temporary directory holding the log; removed by ``stop()``.
    public let directory: URL
    public let tls: TLSFiles?
    private let extraArguments: [String]
    private let lock = NSLock()
    private var processID: pid_t?

    /// `redis://127.0.0.1:<port>` (`rediss://` for a TLS server).
    public var url: String { "\(self.tls == nil ? "redis" : "rediss")://127.0.0.1:\(self.port)" }

    public var logFile: URL { self.directory.appendingPathComponent("redis.log") }

    private init(port: Int, directory: URL, tls: TLSFiles?, extraArguments: [String]) {
        self.port = port
        self.directory = directory
        self.tls = tls
        self.extraArguments = extraArguments
    }

    deinit {
        // Safety net when a test forgot to stop the server.
        if let processID = self.processID {
            sendSignal(SIGKILL, to: processID)
            _ = Self.reap(processID)
        }
    }

    /// Starts a server on a free port and waits until it accepts commands.
    ///
    /// - Parameters:
    ///   - arguments: Extra `redis-server` arguments, such as `["--requirepass", "secret"]`.
    ///   - tls: Serve TLS only, with these files.
    public static func start(arguments: [String] = [], tls: TLSFiles? = nil) async throws -> RedisServerProcess {
        var lastError: (any Error)?
        // A free port can be taken by someone else between probing and binding; try a few.
        for _ in 0..<5 {
            let port = try Self.freePort()
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("redis-test-\(port)-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let server = RedisServerProcess(port: port, directory: directory, tls: tls, extraArguments: arguments)
            do {
                try await server.launch()
                return server
            } catch {
                lastError = error
                await server.stop()
            }
        }
        throw lastError ?? StartError(description: "redis-server did not start")
    }

    /// Starts the server again on the same port (after ``kill()`` or ``stop(removingDirectory:)``).
    public func restart() async throws {
        try await self.launch()
    }

    /// Kills the server with SIGKILL (as a crash would) and waits until it is gone.
    public func kill() async {
        guard let processID = self.takeProcessID() else { return }
        sendSignal(SIGKILL, to: processID)
        await Self.waitForExit(processID, timeout: 5)
    }

    /// Runs `body` against a fresh server, stopping it afterwards whatever happens.
    public static func withServer<T>(
        arguments: [String] = [],
        tls: TLSFiles? = nil,
        _ body: (RedisServerProcess) async throws -> T
    ) async throws -> T {
        try await runThenStop(try await start(arguments: arguments, tls: tls), stop: { await $0.stop() }, body)
    }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s).
    ///
    /// - Parameter removingDirectory: Also delete the temporary directory (default `true`).
    public func stop(removingDirectory: Bool = true) async {
        if let processID = self.takeProcessID() {
            sendSignal(SIGTERM, to: processID)
            if !(await Self.waitForExit(processID, timeout: 5)) {
                sendSignal(SIGKILL, to: processID)
                await Self.waitForExit(processID, timeout: 5)
            }
        }
        if removingDirectory {
            try? FileManager.default.removeItem(at: self.directory)
        }
    }

    /// The last lines of the server's log, for failure messages.
    public func logTail(lines: Int = 20) -> String {
        guard let log = try? String(contentsOf: self.logFile, encoding: .utf8) else { return "(no log)" }
        return log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    // MARK: - Launching

    private func launch() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw StartError(description: "\(Self.executable) is missing; install Debian's redis-server")
        }
        try? FileManager.default.removeItem(at: self.logFile)
        var arguments = [
            "--bind", "127.0.0.1", "-::1",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", self.directory.path,
            "--logfile", self.logFile.path,
            "--enable-debug-command", "yes",
        ]
        if let tls = self.tls {
            arguments += [
                "--port", "0",
                "--tls-port", String(self.port),
                "--tls-cert-file", tls.certificateFile,
                "--tls-key-file", tls.keyFile,
                "--tls-ca-cert-file", tls.caFile,
                "--tls-auth-clients", tls.requireClientCertificates ? "yes" : "no",
            ]
        } else {
            arguments += ["--port", String(self.port)]
        }
        arguments += self.extraArguments

        let processID = try Self.spawn(Self.executable, arguments: arguments)
        self.lock.withLock { self.processID = processID }

        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let status = Self.reap(processID) {
                self.lock.withLock { self.processID = nil }
                throw StartError(
                    description: "redis-server exited (wait status \(status)) on port \(self.port):\n" + self.logTail()
                )
            }
            if self.logTail(lines: 50).contains("Ready to accept connections"), Self.acceptsConnections(self.port) {
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw StartError(description: "redis-server did not become ready on port \(self.port):\n" + self.logTail())
    }

    private func takeProcessID() -> pid_t? {
        self.lock.withLock {
            defer { self.processID = nil }
            return self.processID
        }
    }

    /// Starts `path` with `arguments`, stdio on /dev/null, and a clean signal mask and dispositions.
    ///
    /// Foundation's `Process` on Linux hands the child the blocked-signal mask of the thread that spawns it, so
    /// a server started with it ignores SIGTERM.
    static func spawn(_ path: String, arguments: [String]) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(
                &fileActions,
                descriptor,
                "/dev/null",
                descriptor == 0 ? O_RDONLY : O_WRONLY,
                0
            )
        }

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var processID = pid_t()
        let result = posix_spawn(&processID, path, &fileActions, &attributes, argv, environ)
        guard result == 0 else {
            throw StartError(description: "could not start \(path): \(String(cString: strerror(result)))")
        }
        return processID
    }

    /// The wait status if the process has exited (and is now reaped), `nil` while it runs.
    static func reap(_ processID: pid_t) -> Int32? {
        var status: Int32 = 0
        let result = waitpid(processID, &status, WNOHANG)
        if result == processID { return status }
        if result < 0 { return -1 }  // Already reaped or not our child.
        return nil
    }

    @discardableResult
    static func waitForExit(_ processID: pid_t, timeout: TimeInterval) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if Self.reap(processID) != nil { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    // MARK: - Sockets

    /// A port that was free a moment ago (bind to port 0 on loopback, read it back, close).
    public static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, streamSocketType, 0)
        guard socketFD >= 0 else { throw StartError(description: "socket() failed: errno \(errno)") }
        defer { close(socketFD) }
        var address = Self.loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw StartError(description: "bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        guard named == 0 else { throw StartError(description: "getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on the loopback port.
    static func acceptsConnections(_ port: Int) -> Bool {
        let socketFD = socket(AF_INET, streamSocketType, 0)
        guard socketFD >= 0 else { return false }
        defer { close(socketFD) }
        var address = Self.loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return connected == 0
    }

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

/// Runs `body` against `server`, then stops it whatever happens: the shape of every `withServer`.
func runThenStop<Server, T>(
    _ server: Server, stop: (Server) async -> Void, _ body: (Server) async throws -> T
) async throws -> T {
    do {
        let result = try await body(server)
        await stop(server)
        return result
    } catch {
        await stop(server)
        throw error
    }
}
