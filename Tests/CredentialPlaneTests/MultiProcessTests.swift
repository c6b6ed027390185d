import Foundation
import TestServers
import Testing

/// Four `credential-probe` processes (gateway replicas) burst against one `redis-server` and one counting
/// STS stand-in.
@Suite("Single flight across processes", .serialized)
struct MultiProcessTests {
    struct ProbeReport: Decodable {
        var requests: Int
        var succeeded: Int
        var layers: [String: Int]
        var errors: [String]
        var accessKeyIds: [String]
    }

    struct STSCalls: Decodable {
        var count: Int
    }

    /// The `credential-probe` executable built next to this test binary (`.build/<config>/`).
    static func probeExecutable() throws -> URL {
        var folders: [URL] = []
        if let executable = Bundle.main.executableURL { folders.append(executable.deletingLastPathComponent()) }
        folders.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        folders.append(Bundle.main.bundleURL)
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for folder in folders {
            // On macOS the binary sits inside `<name>.xctest/Contents/MacOS`; walk up to `.build/<config>/`.
            var candidate = folder
            for _ in 0..<4 {
                let probe = candidate.appendingPathComponent("credential-probe")
                if FileManager.default.isExecutableFile(atPath: probe.path) { return probe }
                candidate = candidate.deletingLastPathComponent()
            }
        }
        throw PeerStartError(
            description: "credential-probe was not found next to the test binary (looked in \(folders.map(\.path))); "
                + "the test target must depend on the credential-probe executable target"
        )
    }

    /// The counting STS stand-in, which the WebIdentity tests own.
    static var stsStandInScript: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent()  // CredentialPlaneTests
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("WebIdentityTests/sts_standin.py")
    }

    @Test("4 replicas × 200 concurrent cold requests for one role make exactly one STS call")
    func coldBurst() async throws {
        let probe = try Self.probeExecutable()
        try await TestSupport.withRedis { redis in
            try await PythonPeerProcess.with({
                try await PythonPeerProcess.startStandIn(script: Self.stsStandInScript)
            }) { sts in
                // The one expected call is slow, so every replica is waiting while it runs.
                try await sts.post("/control/script", json: #"[{"delay": 0.5}]"#)
                let folder = FileManager.default.temporaryDirectory
                    .appendingPathComponent("credential-probe-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }
                let tokenFile = folder.appendingPathComponent("token")
                try Data(TestJWT.make(subject: "system:serviceaccount:genai:gateway").utf8).write(to: tokenFile)
                let encryptionKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
                let startAt = Date().timeIntervalSince1970 + 4

                let processes = try (0..<4).map { index in
                    try ProbeProcess.launch(
                        probe,
                        arguments: [
                            "--redis-url", redis.url,
                            "--sts-endpoint", sts.baseURL,
                            "--role-arn", "arn:aws:iam::111111111111:role/ACME-GenAI-Burst-BedrockInvokeRole",
                            "--concurrency", "200",
                            "--token-file", tokenFile.path,
                            "--start-at", String(startAt),
                        ],
                        environment: ["GW_CREDENTIAL_CACHE_KEY": encryptionKey],
                        name: "replica-\(index)"
                    )
                }
                var reports: [ProbeReport] = []
                for process in processes {
                    let (status, output, errorOutput) = await process.wait(timeout: .seconds(120))
                    #expect(status == 0, "probe exited with \(status): \(errorOutput)")
                    let report = try JSONDecoder().decode(ProbeReport.self, from: Data(output.utf8))
                    reports.append(report)
                }

                let calls = try JSONDecoder().decode(STSCalls.self, from: try await sts.get("/calls"))
                #expect(calls.count == 1, "STS was called \(calls.count) times")
                #expect(reports.count == 4)
                for report in reports {
                    #expect(report.requests == 200)
                    #expect(report.succeeded == 200)
                    #expect(report.errors.isEmpty, "\(report.errors.prefix(3))")
                }
                #expect(Set(reports.flatMap(\.accessKeyIds)).count == 1)
                // One replica's in-process flight made the call; the other three read it from Redis.
                #expect(reports.filter { ($0.layers["sts"] ?? 0) > 0 }.count == 1)
                #expect(reports.filter { ($0.layers["l2"] ?? 0) > 0 }.count == 3)
            }
        }
    }
}
