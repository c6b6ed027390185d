import Foundation

/// Runs `botocore_sigv4.py` (next to this file) to get botocore's SigV4 signatures for a batch of requests.
///
/// The interpreter is `$PYTHON` if set, else `python3` from `PATH`. Input and output go through temporary files
/// and the process's exit is awaited through its termination handler, so no thread blocks on pipes.
struct BotocoreReference {
    /// One request, in the JSON shape the script reads.
    struct Request: Encodable {
        var label: String
        var method: String
        var path: String
        var query: String?
        var headers: [[String]]
        var bodyBase64: String
        var accessKey: String
        var secretKey: String
        var sessionToken: String?
        var region: String
        var service: String
        var timestamp: String

        enum CodingKeys: String, CodingKey {
            case label, method, path, query, headers, region, service, timestamp
            case bodyBase64 = "body_base64"
            case accessKey = "access_key"
            case secretKey = "secret_key"
            case sessionToken = "session_token"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(label, forKey: .label)
            try container.encode(method, forKey: .method)
            try container.encode(path, forKey: .path)
            try container.encode(query, forKey: .query)  // null when absent
            try container.encode(headers, forKey: .headers)
            try container.encode(bodyBase64, forKey: .bodyBase64)
            try container.encode(accessKey, forKey: .accessKey)
            try container.encode(secretKey, forKey: .secretKey)
            try container.encode(sessionToken, forKey: .sessionToken)
            try container.encode(region, forKey: .region)
            try container.encode(service, forKey: .service)
            try container.encode(timestamp, forKey: .timestamp)
        }
    }

    /// botocore's result for one request.
    struct Result: Decodable {
        var authorization: String
        var xAmzDate: String
        var xAmzSecurityToken: String?
        var canonicalRequest: String
        var botocoreVersion: String

        enum CodingKeys: String, CodingKey {
            case authorization
            case xAmzDate = "x_amz_date"
            case xAmzSecurityToken = "x_amz_security_token"
            case canonicalRequest = "canonical_request"
            case botocoreVersion = "botocore_version"
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("botocore_sigv4.py")
    static let setupHint = "Run the project's test command, which installs the Python test dependencies "
        + "(botocore), or `pip install botocore`; set PYTHON to choose the interpreter."

    /// The interpreter to use: `$PYTHON`, else `python3` found on `PATH`.
    static func interpreter() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let python = environment["PYTHON"], !python.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: python) else {
                throw Failure(description: "PYTHON=\(python) is not an executable file. \(setupHint)")
            }
            return URL(fileURLWithPath: python)
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("python3")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw Failure(description: "python3 is not on PATH and PYTHON is not set: the botocore cross-check needs "
            + "Python 3 with botocore. \(setupHint)")
    }

    /// Signs `requests` with botocore and returns its results in the same order.
    static func sign(_ requests: [Request]) async throws -> [Result] {
        let python = try interpreter()
        let work = FileManager.default.temporaryDirectory
            .appendingPathComponent("botocore-sigv4-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let inputURL = work.appendingPathComponent("input.json")
        let outputURL = work.appendingPathComponent("output.json")
        let errorURL = work.appendingPathComponent("stderr.txt")
        try JSONEncoder().encode(requests).write(to: inputURL)
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil),
            FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        else {
            throw Failure(description: "cannot create files in \(work.path)")
        }

        let process = Process()
        process.executableURL = python
        process.arguments = [script.path]
        let input = try FileHandle(forReadingFrom: inputURL)
        let output = try FileHandle(forWritingTo: outputURL)
        let errors = try FileHandle(forWritingTo: errorURL)
        defer {
            try? input.close()
            try? output.close()
            try? errors.close()
        }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors

        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(
                    throwing: Failure(description: "cannot start \(python.path): \(error). \(setupHint)")
                )
            }
        }
        let stderr = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
        switch status {
        case 0:
            break
        case 3:
            let reason = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: "\(python.path) cannot import botocore (\(reason)). \(setupHint)")
        default:
            throw Failure(
                description: "\(script.lastPathComponent) exited with status \(status): \(stderr.suffix(2_000))"
            )
        }
        let results = try JSONDecoder().decode([Result].self, from: Data(contentsOf: outputURL))
        guard results.count == requests.count else {
            throw Failure(description: "botocore returned \(results.count) results for \(requests.count) requests")
        }
        return results
    }
}
