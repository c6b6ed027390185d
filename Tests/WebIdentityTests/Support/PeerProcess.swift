import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// Why a test peer could not be started; fails the test with the reason.
struct PeerStartError: Error, CustomStringConvertible {
    var description: String
}

/// A server process a test starts on a free loopback port and stops afterwards: a Python stand-in or moto.
final class PeerProcess: @unchecked Sendable {
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

    /// The Python interpreter: `$PYTHON` when set, else `python3` from `PATH`.
    static func pythonCommand() -> (URL, [String]) {
        if let python = ProcessInfo.processInfo.environment["PYTHON"], !python.isEmpty {
            return (URL(fileURLWithPath: python), [])
        }
        return (URL(fileURLWithPath: "/usr/bin/env"), ["python3"])
    }

    /// The folder holding the stand-in scripts (this test target's folder).
    static var scriptsFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Starts one of this target's Python stand-ins, which binds an ephemeral port and prints `PORT <n>`.
    static func startStandIn(_ script: String, arguments: [String] = []) async throws -> PeerProcess {
        let (python, prefix) = pythonCommand()
        let scriptPath = scriptsFolder.appendingPathComponent(script).path
        let process = Process()
        process.executableURL = python
        process.arguments = prefix + ["-u", scriptPath] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        let logURL = try makeLogFile(script)
        process.standardError = try FileHandle(forWritingTo: logURL)
        do {
            try process.run()
        } catch {
            throw PeerStartError(description: "cannot launch \(python.path) \(scriptPath): \(error)")
        }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(90))
            process.terminate()
        }
        let line = await firstLine(of: stdout.fileHandleForReading)
        watchdog.cancel()
        guard let line, line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            throw PeerStartError(
                description: "\(script) did not start (stdout: \(line ?? "<eof>")); its stderr: \(log.suffix(2000))"
            )
        }
        return PeerProcess(name: script, port: port, process: process, logURL: logURL)
    }

    /// Starts `python3 -m moto.server` on a free loopback port and waits until it answers HTTP.
    static func startMoto() async throws -> PeerProcess {
        var lastFailure = ""
        for _ in 0..<3 {
            let port = try await freePort()
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
            let peer = PeerProcess(name: "moto_server", port: port, process: process, logURL: logURL)
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
                + "install it with `pip install 'moto[server]==5.2.1'` or set PYTHON to a venv that has it"
        )
    }

    /// A loopback port nothing listens on right now.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close().get()
        guard port > 0 else { throw PeerStartError(description: "could not find a free loopback port") }
        return port
    }

    /// The end of the peer's log, for failure messages.
    func logTail() -> String {
        String(((try? String(contentsOf: logURL, encoding: .utf8)) ?? "").suffix(2000))
    }

    /// Stops the process (SIGTERM, then SIGKILL after 2 s) and removes its log.
    func stop() async {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(2)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
        try? FileManager.default.removeItem(at: logURL)
    }

    private static func makeLogFile(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("webidentity-\(name)-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw PeerStartError(description: "cannot create \(url.path)")
        }
        return url
    }

    /// Reads up to the first newline on a background thread (the read blocks).
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

/// Runs `body` with a started peer and always stops it.
func withPeer<T>(
    _ start: () async throws -> PeerProcess,
    _ body: (PeerProcess) async throws -> T
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
