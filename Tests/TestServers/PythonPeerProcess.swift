import AsyncHTTPClient
import Foundation
import NIOCore

/// Why a test peer could not be started (or answered badly); fails the test with the reason.
public struct PeerStartError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// A Python server a test starts on a loopback port and stops afterwards: `moto_server` (as STS), or a stand-in
/// script that binds an ephemeral port and prints `PORT <n>`.
///
/// ```swift
/// try await PythonPeerProcess.with({ try await PythonPeerProcess.startMoto() }) { moto in
///     let client = STSClient(region: "us-east-1", endpoint: moto.baseURL)
/// }
/// ```
///
/// The interpreter is `$PYTHON` when set, else `python3` from `PATH`.
public final class PythonPeerProcess: @unchecked Sendable {
    public let name: String
    public let port: Int
    private let process: Process
    private let logURL: URL

    private init(name: String, port: Int, process: Process, logURL: URL) {
        self.name = name
        self.port = port
        self.process = process
        self.logURL = logURL
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `$PYTHON` when set, else `python3` from `PATH`.
    static func pythonCommand() -> (URL, [String]) {
        if let python = ProcessInfo.processInfo.environment["PYTHON"], !python.isEmpty {
            return (URL(fileURLWithPath: python), [])
        }
        return (URL(fileURLWithPath: "/usr/bin/env"), ["python3"])
    }

    /// Starts a stand-in script, which binds an ephemeral port and prints `PORT <n>` on stdout.
    ///
    /// - Parameters:
    ///   - script: The script file; each test target passes its own.
    ///   - arguments: Arguments after the script path.
    public static func startStandIn(script: URL, arguments: [String] = []) async throws -> PythonPeerProcess {
        let name = script.lastPathComponent
        guard FileManager.default.fileExists(atPath: script.path) else {
            throw PeerStartError(description: "the stand-in script \(script.path) is missing")
        }
        let (python, prefix) = pythonCommand()
        let process = Process()
        process.executableURL = python
        process.arguments = prefix + ["-u", script.path] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        let logURL = try makeLogFile(name)
        process.standardError = try FileHandle(forWritingTo: logURL)
        do {
            try process.run()
        } catch {
            throw PeerStartError(description: "cannot launch \(python.path) \(script.path): \(error)")
        }
        // The read blocks until the script prints or exits; stop a script that does neither.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(90))
            process.terminate()
        }
        let line = await firstLine(of: stdout.fileHandleForReading)
        watchdog.cancel()
        guard let line, line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            let peer = PythonPeerProcess(name: name, port: 0, process: process, logURL: logURL)
            let log = peer.logTail()
            await peer.stop()
            throw PeerStartError(description: "\(name) did not start (stdout: \(line ?? "<eof>")); its stderr: \(log)")
        }
        return PythonPeerProcess(name: name, port: port, process: process, logURL: logURL)
    }

    /// Starts `python3 -m moto.server` (moto 5.2.1) on a free loopback port and waits until it answers HTTP.
    public static func startMoto() async throws -> PythonPeerProcess {
        var lastFailure = ""
        // A free port can be taken by someone else between probing and binding; try a few.
        for _ in 0..<3 {
            let port = try RedisServerProcess.freePort()
            let (python, prefix) = pythonCommand()
            let process = Process()
            process.executableURL = python
            // Like `python3 -m moto.server -H 127.0.0.1 -p PORT`, with the signal mask this thread passes on
            // cleared so SIGTERM stops it.
            let launcher = "import runpy, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                + "sys.argv = ['moto_server'] + sys.argv[1:]; runpy.run_module('moto.server', run_name='__main__')"
            process.arguments = prefix + ["-c", launcher, "-H", "127.0.0.1", "-p", String(port)]
            let logURL = try makeLogFile("moto")
            let log = try FileHandle(forWritingTo: logURL)
            process.standardOutput = log
            process.standardError = log
            do {
                try process.run()
            } catch {
                throw PeerStartError(description: "cannot launch \(python.path) -m moto.server: \(error)")
            }
            let peer = PythonPeerProcess(name: "moto_server", port: port, process: process, logURL: logURL)
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline, process.isRunning {
                var request = HTTPClientRequest(url: "\(peer.baseURL)/moto-api/")
                request.method = .GET
                if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)),
                    response.status.code < 500
                {
                    _ = try? await response.body.collect(upTo: 1 << 20)
                    return peer
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            lastFailure = peer.logTail()
            await peer.stop()
        }
        throw PeerStartError(
            description: "moto_server (moto 5.2.1, `python3 -m moto.server`) did not start: \(lastFailure); "
                + "install it with `pip install 'moto[server]==5.2.1'` or set PYTHON to an interpreter that has it"
        )
    }

    /// Runs `body` with a started peer and always stops it.
    public static func with<T>(
        _ start: () async throws -> PythonPeerProcess,
        _ body: (PythonPeerProcess) async throws -> T
    ) async throws -> T {
        try await runThenStop(try await start(), stop: { await $0.stop() }, body)
    }

    /// GETs `path` and returns the body.
    public func get(_ path: String) async throws -> Data {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: baseURL + path),
            timeout: .seconds(10)
        )
        let body = try await response.body.collect(upTo: 16 << 20)
        return Data(body.readableBytesView)
    }

    /// POSTs a JSON body to `path`; throws unless the answer is 200.
    public func post(_ path: String, json: String) async throws {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            throw PeerStartError(description: "\(name) answered \(response.status) to POST \(path)")
        }
    }

    /// The end of the peer's log, for failure messages.
    public func logTail() -> String {
        String(((try? String(contentsOf: logURL, encoding: .utf8)) ?? "").suffix(2_000))
    }

    /// Stops the process (SIGTERM, then SIGKILL after 2 s), waits for it to exit and removes its log.
    public func stop() async {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(2)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            sendSignal(SIGKILL, to: process.processIdentifier)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
        try? FileManager.default.removeItem(at: logURL)
    }

    private static func makeLogFile(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("python-peer-\(name)-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw PeerStartError(description: "cannot create \(url.path)")
        }
        return url
    }

    /// Reads up to the first newline on a background thread (the read blocks); `nil` at end of file without any.
    private static func firstLine(of handle: FileHandle) async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var buffer = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty {
                        continuation.resume(returning: buffer.isEmpty ? nil : String(decoding: buffer, as: UTF8.self))
                        return
                    }
                    buffer.append(chunk)
                    if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        continuation.resume(returning: String(decoding: buffer[..<newline], as: UTF8.self))
                        return
                    }
                }
            }
        }
    }
}
