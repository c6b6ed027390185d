import AWSSigning
import CredentialPlane
import Foundation
import GatewayRedis
import Logging
import WebIdentity
import TestServers

enum TestSupport {
    static let roleArn = "arn:aws:iam::111111111111:role/ACME-GenAI-UseCaseA-BedrockInvokeRole"
    static let otherRoleArn = "arn:aws:iam::222222222222:role/ACME-GenAI-UseCaseB-BedrockInvokeRole"
    static let policy =
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","Resource":"*"}]}"#

    static let logger: Logger = {
        var logger = Logger(label: "credentialplane.tests")
        logger.logLevel = .critical
        return logger
    }()

    static func request(
        roleArn: String = roleArn,
        sessionPolicy: String? = nil,
        durationSeconds: Int = 3_600,
        tokenSource: any WebIdentityTokenSource = FixedTokenSource()
    ) throws -> CredentialRequest {
        try CredentialRequest(
            roleArn: roleArn,
            stsRegion: "us-east-1",
            sessionPolicy: sessionPolicy,
            useCase: "UseCaseA",
            durationSeconds: durationSeconds,
            tokenSource: tokenSource
        )
    }

    static func key(_ byte: UInt8) throws -> CredentialEncryptionKey {
        try CredentialEncryptionKey(bytes: [UInt8](repeating: byte, count: 32))
    }

    static func cipher(_ byte: UInt8 = 1, previous: [UInt8] = []) throws -> CredentialCipher {
        try CredentialCipher(current: key(byte), previous: previous.map { try key($0) })
    }

    /// Runs `body` while `broker.run()` processes background refreshes, then stops it.
    static func whileRunning<T: Sendable>(
        _ broker: CredentialBroker,
        _ body: () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await broker.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    ///
    /// The default is generous because it only runs out when the condition never holds: with the whole suite
    /// starting at once on a 2-core CI machine, test tasks have waited more than 10 s for a thread.
    static func eventually(
        timeout: Duration = .seconds(60),
        _ condition: () async throws -> Bool
    ) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return try await condition()
    }
}

extension TestSupport {
    /// Runs `body` against a fresh `redis-server`, stopping it afterwards whatever happens.
    static func withRedis<T>(_ body: (RedisServerProcess) async throws -> T) async throws -> T {
        try await RedisServerProcess.withServer(body)
    }

    /// Runs `body` with a connection pool for `url`, shutting it down afterwards whatever happens.
    static func withPool<T>(
        _ url: String,
        timeout: Duration = .seconds(2),
        _ body: (RedisConnectionPool) async throws -> T
    ) async throws -> T {
        let pool = RedisConnectionPool(
            configuration: try RedisConfiguration(
                url: url,
                connectTimeout: timeout,
                commandTimeout: timeout,
                poolSize: 4
            ),
            logger: logger
        )
        do {
            let result = try await body(pool)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}
