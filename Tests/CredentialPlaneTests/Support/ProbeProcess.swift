import Foundation
import TestServers

/// One launched probe with its output collected on background threads.
final class ProbeProcess: @unchecked Sendable {
    private let process: Process
    private let stdout = Pipe()
    private let stderr = Pipe()
    private let outputData = OutputBuffer()
    private let errorData = OutputBuffer()

    private init(process: Process) {
        self.process = process
    }

    static func launch(
        _ executable: URL,
        arguments: [String],
        environment: [String: String],
        name: String
    ) throws -> ProbeProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let probe = ProbeProcess(process: process)
        process.standardOutput = probe.stdout
        process.standardError = probe.stderr
        probe.outputData.drain(probe.stdout.fileHandleForReading)
        probe.errorData.drain(probe.stderr.fileHandleForReading)
        do {
            try process.run()
        } catch {
            throw PeerStartError(description: "cannot launch \(executable.path) (\(name)): \(error)")
        }
        return probe
    }

    /// Waits for exit (killing the process after `timeout`) and returns its status, stdout and stderr.
    func wait(timeout: Duration) async -> (Int32, String, String) {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            // SIGKILL: the child may have inherited a mask that blocks SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
        await outputData.finished()
        await errorData.finished()
        return (process.terminationStatus, outputData.text, errorData.text)
    }
}

/// Collects a pipe's bytes on a dedicated thread until end of file.
final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var done = false

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

    func drain(_ handle: FileHandle) {
        Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                self.lock.withLock { self.data.append(chunk) }
            }
            self.lock.withLock { self.done = true }
        }.start()
    }

    func finished() async {
        let deadline = ContinuousClock.now + .seconds(5)
        while !lock.withLock({ done }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
