import Foundation

/// Runs the Python helper scripts next to these tests with the interpreter named by `PYTHON`, else
/// `python3` on `PATH`, without blocking a Swift concurrency thread while the script runs.
struct PythonScript {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static let scriptsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Scripts")

    /// Exit status the scripts use when a Python package they need is missing.
    static let missingPackageStatus: Int32 = 3

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
            description: "no Python interpreter: set PYTHON or put python3 on PATH, then run the project's test command, scripts/test.sh, which installs the pinned Python packages and sets PYTHON (botocore)"
        )
    }

    /// Runs `script` with `arguments` and waits for it to exit.
    static func run(_ script: String, _ arguments: [String]) async throws -> Result {
        let python = try Self.interpreter()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("evstream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.scriptsDirectory.appendingPathComponent(script).path] + arguments
        process.standardOutput = out
        process.standardError = err
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: Failure(description: "could not start \(python): \(error)"))
            }
        }
        return Result(
            status: status,
            standardOutput: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        )
    }

    /// Runs `script` and throws a readable failure unless it exits 0.
    static func check(_ script: String, _ arguments: [String], needs package: String) async throws {
        let result = try await Self.run(script, arguments)
        if result.status == Self.missingPackageStatus {
            throw Failure(
                description: "\(package) is not importable by \(try Self.interpreter()): run the project's test command, scripts/test.sh, which installs the pinned Python packages and sets PYTHON, or set PYTHON to an interpreter that has \(package). \(result.standardError)"
            )
        }
        guard result.status == 0 else {
            throw Failure(description: "\(script) \(arguments.first ?? "") exited \(result.status): \(result.standardError)")
        }
    }
}
