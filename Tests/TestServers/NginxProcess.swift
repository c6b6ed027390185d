import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real nginx (Debian's, with the echo module) on a free loopback port, serving the `location` blocks a test
/// gives it, over plain HTTP or TLS.
///
/// ```swift
/// try await NginxProcess.withServer(locations: "location / { return 200 'ok'; }") { nginx in
///     // http://127.0.0.1:\(nginx.port)/
/// }
/// ```
public final class NginxProcess: @unchecked Sendable {
    public static let executable = ProcessInfo.processInfo.environment["NGINX"] ?? "/usr/sbin/nginx"
    public static let echoModule = ProcessInfo.processInfo.environment["NGINX_ECHO_MODULE"]
        ?? "/usr/lib/nginx/modules/ngx_http_echo_module.so"

    public let port: Int
    public let directory: URL
    private let lock = NSLock()
    private var processID: pid_t?

    private init(port: Int, directory: URL) {
        self.port = port
        self.directory = directory
    }

    deinit {
        if let processID { sendSignal(SIGKILL, to: processID); _ = RedisServerProcess.reap(processID) }
    }

    /// Starts nginx serving `locations` (the body of its one `server` block) on a free port.
    ///
    /// - Parameter tls: certificate and key files: the server speaks TLS only.
    public static func start(locations: String, tls: (certificate: String, key: String)? = nil) async throws -> NginxProcess {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw RedisServerProcess.StartError(description: "\(executable) is missing; install Debian's nginx")
        }
        guard FileManager.default.fileExists(atPath: echoModule) else {
            throw RedisServerProcess.StartError(description: "no nginx echo module at \(echoModule); install libnginx-mod-http-echo")
        }
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = try RedisServerProcess.freePort()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nginx-test-\(port)-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("tmp"), withIntermediateDirectories: true)
            let server = NginxProcess(port: port, directory: directory)
            do {
                try await server.launch(locations: locations, tls: tls)
                return server
            } catch {
                lastError = error
                await server.stop()
            }
        }
        throw lastError ?? RedisServerProcess.StartError(description: "nginx did not start")
    }

    /// Runs `body` against a fresh server, stopping it afterwards whatever happens.
    public static func withServer<T>(
        locations: String, tls: (certificate: String, key: String)? = nil, _ body: (NginxProcess) async throws -> T
    ) async throws -> T {
        try await runThenStop(try await start(locations: locations, tls: tls), stop: { await $0.stop() }, body)
    }

    public func stop() async {
        let processID = lock.withLock { () -> pid_t? in
            defer { self.processID = nil }
            return self.processID
        }
        if let processID {
            sendSignal(SIGTERM, to: processID)
            if !(await RedisServerProcess.waitForExit(processID, timeout: 5)) {
                sendSignal(SIGKILL, to: processID)
                await RedisServerProcess.waitForExit(processID, timeout: 5)
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    public var errorLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? "(no log)"
    }

    private func launch(locations: String, tls: (certificate: String, key: String)?) async throws {
        let root = directory.path
        let listen = tls == nil ? "listen 127.0.0.1:\(port);" : """
            listen 127.0.0.1:\(port) ssl;
                    ssl_certificate \(tls!.certificate);
                    ssl_certificate_key \(tls!.key);
            """
        let configuration = """
            load_module \(Self.echoModule);
            master_process off;
            daemon off;
            worker_processes 1;
            pid \(root)/nginx.pid;
            error_log \(root)/error.log warn;
            events { worker_connections 512; }
            http {
                access_log off;
                client_body_temp_path \(root)/tmp/body;
                proxy_temp_path \(root)/tmp/proxy;
                fastcgi_temp_path \(root)/tmp/fastcgi;
                uwsgi_temp_path \(root)/tmp/uwsgi;
                scgi_temp_path \(root)/tmp/scgi;
                keepalive_timeout 60s;
                keepalive_requests 10000;
                server {
                    \(listen)
                    \(locations)
                }
            }
            """
        let file = directory.appendingPathComponent("nginx.conf")
        try configuration.write(to: file, atomically: true, encoding: .utf8)
        let processID = try RedisServerProcess.spawn(Self.executable, arguments: ["-p", root, "-c", file.path])
        lock.withLock { self.processID = processID }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let status = RedisServerProcess.reap(processID) {
                lock.withLock { self.processID = nil }
                throw RedisServerProcess.StartError(description: "nginx exited (wait status \(status)) on port \(port):\n\(errorLog)")
            }
            if RedisServerProcess.acceptsConnections(port) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw RedisServerProcess.StartError(description: "nginx did not accept connections on port \(port):\n\(errorLog)")
    }
}
