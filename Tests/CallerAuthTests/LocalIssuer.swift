import Foundation
import NIOConcurrencyHelpers

/// The Python OIDC issuer in `Scripts/oidc_issuer.py`, started on a free loopback port for one test.
///
/// Python comes from `PYTHON`, else `python3` on `PATH`. The script mints its tokens with joserfc and serves
/// discovery and JWKS over real HTTP. Reading its first line and waiting for it to exit happen off the Swift
/// concurrency pool.
final class LocalIssuer: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Announcement: Decodable, Sendable {
        var issuer: String
        var jwks_url: String
        var audience: String
        var tokens: [String: String]
    }

    let announcement: Announcement
    private let process: Process
    private let input: Pipe

    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts")
    private static let missingPackageStatus: Int32 = 3

    private init(announcement: Announcement, process: Process, input: Pipe) {
        self.announcement = announcement
        self.process = process
        self.input = input
    }

    static func interpreter() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let python = environment["PYTHON"], !python.isEmpty {
            return python
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        throw Failure(
            description: "no Python interpreter: set PYTHON or put python3 on PATH, then run the project's test command, scripts/test.sh, which installs the pinned Python packages and sets PYTHON (joserfc)"
        )
    }

    /// Starts the issuer and waits (up to 60 s) for it to announce its port and tokens.
    static func start(audience: String) async throws -> LocalIssuer {
        let python = try Self.interpreter()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.scripts.appendingPathComponent("oidc_issuer.py").path, audience]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors

        let line: String = try await withCheckedThrowingContinuation { continuation in
            let resumed = NIOLockedValueBox(false)
            let buffer = NIOLockedValueBox(Data())
            @Sendable func finish(_ result: Result<String, any Error>) {
                let first = resumed.withLockedValue { done in
                    defer { done = true }
                    return !done
                }
                guard first else { return }
                output.fileHandleForReading.readabilityHandler = nil
                continuation.resume(with: result)
            }
            output.fileHandleForReading.readabilityHandler = { handle in
                let chunk = handle.availableData
                if chunk.isEmpty {
                    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    finish(.failure(Failure(description: Self.explain(status: process.terminationStatusIfExited, stderr: stderr))))
                    return
                }
                let data = buffer.withLockedValue { data -> Data in
                    data.append(chunk)
                    return data
                }
                if let newline = data.firstIndex(of: UInt8(ascii: "\n")) {
                    finish(.success(String(decoding: data[..<newline], as: UTF8.self)))
                }
            }
            do {
                try process.run()
            } catch {
                finish(.failure(Failure(description: "could not start \(python): \(error)")))
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + 60) {
                finish(.failure(Failure(description: "the local OIDC issuer did not announce itself within 60 s")))
            }
        }
        do {
            let announcement = try JSONDecoder().decode(Announcement.self, from: Data(line.utf8))
            return LocalIssuer(announcement: announcement, process: process, input: input)
        } catch {
            process.terminate()
            throw Failure(description: "the local OIDC issuer printed an unexpected first line: \(line.prefix(200))")
        }
    }

    private static func explain(status: Int32?, stderr: String) -> String {
        if status == Self.missingPackageStatus || stderr.contains("joserfc is not importable") {
            return "joserfc is not importable by \((try? Self.interpreter()) ?? "python3"): run the project's test command, scripts/test.sh, which installs the pinned Python packages and sets PYTHON, or set PYTHON to an interpreter that has joserfc 1.6.x. \(stderr)"
        }
        return "the local OIDC issuer exited before announcing itself: \(stderr)"
    }

    /// Stops the issuer (closing its stdin) and waits for it to exit.
    func stop() async {
        let process = self.process
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                try? self.input.fileHandleForWriting.close()
                let deadline = Date().addingTimeInterval(5)
                while process.isRunning, Date() < deadline {
                    usleep(20_000)
                }
                if process.isRunning {
                    process.terminate()
                    process.waitUntilExit()
                }
                continuation.resume()
            }
        }
    }
}

extension Process {
    fileprivate var terminationStatusIfExited: Int32? {
        self.isRunning ? nil : self.terminationStatus
    }
}
