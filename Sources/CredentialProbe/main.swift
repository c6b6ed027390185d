import ArgumentParser
import CredentialPlane
import Foundation
import GatewayRedis
import Logging
import WebIdentity

/// Runs one burst of concurrent credential lookups through a `CredentialBroker` backed by Redis and STS, then
/// prints what happened as one JSON object. Several probes started together behave like gateway replicas.
///
/// ```
/// credential-probe --redis-url redis://127.0.0.1:6379 --sts-endpoint http://127.0.0.1:5000 \
///   --role-arn arn:aws:iam::111111111111:role/Example --token-file /tmp/token --concurrency 200 \
///   --encryption-key "$(openssl rand -base64 32)"
/// ```
/// Output: `{"requests":200,"succeeded":200,"layers":{"l1":0,"l2":1,"sts":199},"errors":[],"accessKeyIds":["ASIA…"]}`
/// (`accessKeyIds` are not secret; they let a test see that every replica got the same credential).
struct CredentialProbe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credential-probe",
        abstract: "Burst concurrent credential lookups through the credential broker and report the layers hit."
    )

    @Option(name: .customLong("redis-url"), help: "Redis URL of the shared cache (redis:// or rediss://).")
    var redisURL: String

    @Option(
        name: .customLong("sts-endpoint"),
        help: "STS endpoint to call instead of https://sts.<region>.amazonaws.com."
    )
    var stsEndpoint: String

    @Option(help: "Role to assume.")
    var roleArn: String

    @Option(help: "Number of concurrent lookups.")
    var concurrency: Int = 200

    @Option(help: "File holding the web-identity token (as ECS/EKS project it).")
    var tokenFile: String

    @Option(help: "Base64 AES-256 key for the shared cache; defaults to $GW_CREDENTIAL_CACHE_KEY.")
    var encryptionKey: String?

    @Option(help: "STS Region.")
    var region: String = "us-east-1"

    @Option(help: "Use case name (role session name stem).")
    var useCase: String = "probe"

    @Option(help: "Unix time (seconds, fractional) at which to start the burst, to line several probes up.")
    var startAt: Double?

    @Option(name: .customLong("redis-timeout-ms"), help: "Redis command timeout in milliseconds.")
    var redisTimeoutMs: Int = 1_000

    /// Runs the burst and prints the report (the entry point below calls it after parsing).
    func probe() async throws {
        var logger = Logger(label: "credential-probe")
        logger.logLevel = .warning
        let keyText = encryptionKey ?? ProcessInfo.processInfo.environment["GW_CREDENTIAL_CACHE_KEY"]
        guard let keyText else {
            throw ValidationError("pass --encryption-key or set GW_CREDENTIAL_CACHE_KEY")
        }
        let cipher = try CredentialCipher(current: CredentialEncryptionKey(base64: keyText))
        let pool = RedisConnectionPool(
            configuration: try RedisConfiguration(
                url: redisURL,
                connectTimeout: .milliseconds(redisTimeoutMs),
                commandTimeout: .milliseconds(redisTimeoutMs),
                poolSize: 8
            ),
            logger: logger
        )
        let sts = STSClient(region: region, endpoint: stsEndpoint)
        let broker = try CredentialBroker(
            fetcher: STSCredentialFetcher(client: sts),
            sharedCache: .init(store: RedisCredentialStore(pool: pool), cipher: cipher),
            logger: logger
        )
        let request = try CredentialRequest(
            roleArn: roleArn,
            stsRegion: region,
            useCase: useCase,
            tokenSource: TokenFileTokenSource(path: tokenFile)
        )
        let concurrency = concurrency
        let startAt = startAt
        let report = try await withThrowingTaskGroup(of: Void.self) { services in
            services.addTask { try await pool.run() }
            services.addTask { try await broker.run() }
            if let startAt {
                let wait = startAt - Date().timeIntervalSince1970
                if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1_000))) }
            }
            let report = await Self.burst(broker: broker, request: request, concurrency: concurrency, logger: logger)
            services.cancelAll()
            return report
        }
        await pool.shutdown()
        print(report.json)
    }

    private static func burst(
        broker: CredentialBroker,
        request: CredentialRequest,
        concurrency: Int,
        logger: Logger
    ) async -> Report {
        await withTaskGroup(of: Result<CredentialLookup, any Error>.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    do {
                        return .success(
                            try await broker.credentials(for: request, context: TokenRequestContext(), logger: logger)
                        )
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var report = Report(requests: concurrency)
            for await result in group {
                switch result {
                case .success(let lookup):
                    report.layers[lookup.layer.rawValue, default: 0] += 1
                    report.accessKeyIds.insert(lookup.credential.accessKeyId)
                case .failure(let error):
                    report.errors.append("\(error)")
                }
            }
            return report
        }
    }
}

/// What one probe run saw.
struct Report: Encodable {
    var requests: Int
    var layers: [String: Int] = ["l1": 0, "l2": 0, "sts": 0]
    var errors: [String] = []
    var accessKeyIds: Set<String> = []

    var succeeded: Int { layers.values.reduce(0, +) }

    private enum CodingKeys: String, CodingKey {
        case requests, succeeded, layers, errors, accessKeyIds
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(requests, forKey: .requests)
        try container.encode(succeeded, forKey: .succeeded)
        try container.encode(layers, forKey: .layers)
        try container.encode(errors, forKey: .errors)
        try container.encode(accessKeyIds.sorted(), forKey: .accessKeyIds)
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) }
            ?? #"{"errors":["encoding failed"]}"#
    }
}

do {
    let command = try CredentialProbe.parse()
    try await command.probe()
} catch {
    CredentialProbe.exit(withError: error)
}
