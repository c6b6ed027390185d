import AsyncHTTPClient
import Foundation
import NIOCore
import TestServers

/// Why a test peer could not be started; fails the test with the reason.
struct PeerStartError: Error, CustomStringConvertible {
    var description: String
}

/// A Python server the test starts on a loopback port and stops afterwards: `moto_server` as STS, or the
/// counting STS stand-in (`Tests/WebIdentityTests/sts_standin.py`).
final class PythonPeer: @unchecked Sendable {
    let name: String
    let port: Int
    private let process: Process
    private let logURL: URL

    private init(name: String, port: Int, process: Process, logURL: URL) {
        self.name = name
        self.port = port
        self.process = process
        self.logURL = logURL
    }

    /// `http://127.0.0.1:<port>`.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `$PYTHON` when set, else `python3` from `PATH`.
    static func pythonCommand() -> (URL, [String]) {
        if let python = ProcessInfo.processInfo.environment["PYTHON"], !python.isEmpty {
            return (URL(fileURLWithPath: python), [])
        }
        return (URL(fileURLWithPath: "/usr/bin/env"), ["python3"])
    }

    /// The STS stand-in script, which the WebIdentity tests own.
    static var stsStandInScript: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // CredentialPlaneTests
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("WebIdentityTests/sts_standin.py")
    }

    /// Starts the STS stand-in; it binds an ephemeral port and prints `PORT <n>`.
    static func startSTSStandIn() async throws -> PythonPeer {
        let script = stsStandInScript
        guard FileManager.default.fileExists(atPath: script.path) else {
            throw PeerStartError(description: "the STS stand-in \(script.path) is missing")
        }
        let (python, prefix) = pythonCommand()
        let process = Process()
        process.executableURL = python
        process.arguments = prefix + ["-u", script.path]
        let stdout = Pipe()
        process.standardOutput = stdout
        let logURL = try makeLogFile("sts-standin")
        process.standardError = try FileHandle(forWritingTo: logURL)
        do {
            try process.run()
        } catch {
            throw PeerStartError(description: "cannot launch \(python.path) \(script.path): \(error)")
        }
        let line = await firstLine(of: stdout.fileHandleForReading, timeout: .seconds(30), process: process)
        guard let line, line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            throw PeerStartError(
                description: "sts_standin.py did not start (stdout: \(line ?? "<eof>")); stderr: \(log.suffix(2_000))"
            )
        }
        return PythonPeer(name: "sts_standin", port: port, process: process, logURL: logURL)
    }

    /// Starts `python3 -m moto.server` (moto 5.2.1) on a free port and waits until it answers HTTP.
    static func startMoto() async throws -> PythonPeer {
        var lastFailure = ""
        for _ in 0..<3 {
            let port = try RedisServerProcess.freePort()
            let (python, prefix) = pythonCommand()
            let process = Process()
            process.executableURL = python
            process.arguments = prefix + ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
            let logURL = try makeLogFile("moto")
            let log = try FileHandle(forWritingTo: logURL)
            process.standardOutput = log
            process.standardError = log
            do {
                try process.run()
            } catch {
                throw PeerStartError(description: "cannot launch \(python.path) -m moto.server: \(error)")
            }
            let peer = PythonPeer(name: "moto_server", port: port, process: process, logURL: logURL)
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
            description: "moto_server (`python3 -m moto.server`, moto 5.2.1) did not start: \(lastFailure); "
                + "install it with `pip install 'moto[server]==5.2.1'` or set PYTHON to an interpreter that has it"
        )
    }

    /// GETs `path` and returns the body.
    func get(_ path: String) async throws -> Data {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: baseURL + path),
            timeout: .seconds(10)
        )
        let body = try await response.body.collect(upTo: 16 << 20)
        return Data(body.readableBytesView)
    }

    /// POSTs a JSON body to `path`.
    func post(_ path: String, json: String) async throws {
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
    func logTail() -> String {
        String(((try? String(contentsOf: logURL, encoding: .utf8)) ?? "").suffix(2_000))
    }

    /// Stops the process and removes its log.
    ///
    /// SIGKILL, because a child started by Foundation's `Process` on Linux inherits the spawning thread's
    /// blocked-signal mask and may ignore SIGTERM; these servers keep no state worth a clean exit.
    func stop() async {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        try? FileManager.default.removeItem(at: logURL)
    }

    /// Runs `body` with a started peer and always stops it.
    static func with<T>(
        _ start: () async throws -> PythonPeer,
        _ body: (PythonPeer) async throws -> T
    ) async throws -> T {
        let peer = try await start()
        do {
            let result = try await body(peer)
            await peer.stop()
            return result
        } catch {
            await peer.stop()
            throw error
        }
    }

    private static func makeLogFile(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("credentialplane-\(name)-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw PeerStartError(description: "cannot create \(url.path)")
        }
        return url
    }

    /// Reads the first line on a dedicated thread (the read blocks), giving up after `timeout`.
    private static func firstLine(of handle: FileHandle, timeout: Duration, process: Process) async -> String? {
        let watchdog = Thread {
            Thread.sleep(forTimeInterval: timeout.seconds)
            if !Thread.current.isCancelled, process.isRunning { process.terminate() }
        }
        let result: String? = await withCheckedContinuation { continuation in
            Thread {
                var bytes: [UInt8] = []
                while true {
                    let chunk = handle.readData(ofLength: 1)
                    guard let byte = chunk.first else { break }
                    if byte == UInt8(ascii: "\n") { break }
                    bytes.append(byte)
                }
                continuation.resume(returning: bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
            }.start()
            watchdog.start()
        }
        watchdog.cancel()
        return result
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
