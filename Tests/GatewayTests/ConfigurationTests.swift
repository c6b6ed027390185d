import Foundation
import Gateway
import Testing

@Suite("Configuration: YAML and environment")
struct ConfigurationTests {
    static let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()

    func writeYAML(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-config-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func defaults() throws {
        let configuration = try GatewayConfiguration.load(environment: ["GATEWAY_INBOUND_AUDIENCE": "aud"], configFile: nil)
        #expect(configuration.listen == .init(host: "0.0.0.0", port: 8080))
        #expect(configuration.catalogPath == "policies/catalog.yaml")
        #expect(configuration.inbound.groupsClaim == "groups")
        #expect(configuration.maxBodyBytes == 25_000_000)
        #expect(configuration.upstreamMaxConnections == 1_024)
        #expect(configuration.cache.redisURL == nil)
        #expect(configuration.credentials.durationSeconds == 3600)
        #expect(configuration.timeouts == .init())
    }

    @Test func environmentWinsOverTheFile() throws {
        let path = try writeYAML(
            """
            listen: 127.0.0.1:9000
            catalog: from-file.yaml
            inbound_audience: file-aud
            groups_claim: roles
            client_id: file-client
            client_secret: file-secret
            timeouts: { connect_ms: 1000, first_byte_ms: 2000, stream_idle_ms: 3000 }
            credentials: { duration_seconds: 900 }
            max_body_bytes: 1000
            upstream_max_connections: 64
            token_sources:
              default: client_credentials
              use_cases:
                UseCaseB: { type: token_file, path: /tmp/token-b }
            """
        )
        let configuration = try GatewayConfiguration.load(
            environment: [
                "GATEWAY_CONFIG": path, "GATEWAY_LISTEN": "0.0.0.0:7000", "GATEWAY_INBOUND_AUDIENCE": "env-aud",
                "GATEWAY_BEDROCK_ENDPOINT": "http://127.0.0.1:4566", "GATEWAY_CLIENT_ID": "env-client",
            ]
        )
        #expect(configuration.listen == .init(host: "0.0.0.0", port: 7000))
        #expect(configuration.catalogPath == "from-file.yaml")
        #expect(configuration.inbound.audience == "env-aud")
        #expect(configuration.inbound.groupsClaim == "roles")
        #expect(configuration.identityProvider.clientID == "env-client")
        #expect(configuration.identityProvider.clientSecret == "file-secret")
        #expect(configuration.endpoints.bedrock == "http://127.0.0.1:4566")
        #expect(configuration.timeouts == .init(connect: .milliseconds(1000), firstByte: .milliseconds(2000), streamIdle: .milliseconds(3000)))
        #expect(configuration.credentials.durationSeconds == 900)
        #expect(configuration.maxBodyBytes == 1000)
        #expect(configuration.upstreamMaxConnections == 64)
        #expect(configuration.tokenSource(forUseCase: "UseCaseB") == .init(kind: .tokenFile, path: "/tmp/token-b"))
        #expect(configuration.tokenSource(forUseCase: "UseCaseA") == .init(kind: .clientCredentials))
    }

    @Test func clientIDMakesClientCredentialsTheDefault() throws {
        let configuration = try GatewayConfiguration.load(environment: [
            "GATEWAY_INBOUND_AUDIENCE": "aud", "GATEWAY_CLIENT_ID": "gw", "GATEWAY_CLIENT_SECRET": "s3cret",
        ])
        #expect(configuration.tokenSource(forUseCase: "Anything")?.kind == .clientCredentials)
        #expect(!configuration.description.contains("s3cret"))
    }

    @Test func everyProblemIsReportedOnce() throws {
        let path = try writeYAML(
            """
            listen: nonsense
            colour: blue
            timeouts: { connect_ms: -1, idle: 5 }
            token_sources: { default: carrier_pigeon }
            """
        )
        do {
            _ = try GatewayConfiguration.load(environment: [
                "GATEWAY_REDIS_URL": "redis://127.0.0.1:6379", "GATEWAY_CACHE_PREVIOUS_KEYS": "bm90LWEta2V5",
                "GATEWAY_LOG_LEVEL": "loud", "GATEWAY_CLIENT_ID": "gw", "GATEWAY_UPSTREAM_MAX_CONNECTIONS": "0",
            ], configFile: path)
            Issue.record("expected a configuration error")
        } catch {
            let text = error.description
            #expect(text.contains("listen / GATEWAY_LISTEN 'nonsense'"))
            #expect(text.contains("unknown key 'colour'"))
            #expect(text.contains("timeouts.connect_ms"))
            #expect(text.contains("unknown key 'idle' in timeouts"))
            #expect(text.contains("carrier_pigeon"))
            #expect(text.contains("GATEWAY_CACHE_KEY is not"))
            #expect(text.contains("GATEWAY_CACHE_PREVIOUS_KEYS entry 1"))
            #expect(text.contains("GATEWAY_LOG_LEVEL 'loud'"))
            #expect(text.contains("GATEWAY_CLIENT_SECRET is not"))
            #expect(text.contains("GATEWAY_INBOUND_AUDIENCE is not set"))
            #expect(text.contains("GATEWAY_UPSTREAM_MAX_CONNECTIONS"))
            #expect(error.problems.count == 11)
        }
    }

    @Test func cacheKeyIsValidatedAndNeverEchoed() throws {
        let configuration = try GatewayConfiguration.load(environment: [
            "GATEWAY_INBOUND_AUDIENCE": "aud", "GATEWAY_REDIS_URL": "redis://127.0.0.1:6379", "GATEWAY_CACHE_KEY": Self.key,
            "GATEWAY_CACHE_PREVIOUS_KEYS": "\(Self.key), \(Self.key)",
        ])
        #expect(configuration.cache.previousKeys.count == 2)
        #expect(!configuration.description.contains(Self.key))
        let short = Data([1, 2, 3]).base64EncodedString()
        #expect(throws: ConfigurationError.self) {
            _ = try GatewayConfiguration.load(environment: ["GATEWAY_INBOUND_AUDIENCE": "aud", "GATEWAY_CACHE_KEY": short])
        }
    }

    @Test func catalogChecksNameUnknownUseCasesAndMissingSources() throws {
        var configuration = GatewayConfiguration(catalogPath: Fixture.catalogPath)
        configuration.inbound.audience = "aud"
        configuration.tokenSources.useCases["NoSuchCase"] = .init(kind: .passthrough)
        do {
            _ = try PreparedCatalog(configuration: configuration)
            Issue.record("expected a configuration error")
        } catch {
            #expect(error.problems.contains { $0.contains("'NoSuchCase'") })
            #expect(error.problems.contains { $0.contains("no web-identity token source") && $0.contains("UseCaseA") })
        }
        configuration.tokenSources = .init(defaultKind: .passthrough)
        let prepared = try PreparedCatalog(configuration: configuration)
        #expect(prepared.useCaseIDs.contains("UseCaseA"))
    }

    @Test func missingCatalogIsOneClearProblem() throws {
        var configuration = GatewayConfiguration(catalogPath: "/nonexistent/catalog.yaml")
        configuration.tokenSources = .init(defaultKind: .passthrough)
        #expect {
            _ = try PreparedCatalog(configuration: configuration)
        } throws: { error in
            (error as? ConfigurationError)?.problems.first?.contains("/nonexistent/catalog.yaml") == true
        }
    }

    @Test func plainHTTPIsAcceptedOnlyForThisMachine() throws {
        for local in ["http://127.0.0.1:4566", "http://localhost:9000/jwks", "http://[::1]:8080", "http://127.10.0.1"] {
            let configuration = try GatewayConfiguration.load(
                environment: ["GATEWAY_INBOUND_AUDIENCE": "aud", "GATEWAY_IDP_JWKS_URL": local], configFile: nil
            )
            #expect(configuration.identityProvider.jwksURL == local)
        }
        do {
            _ = try GatewayConfiguration.load(
                environment: [
                    "GATEWAY_INBOUND_AUDIENCE": "aud", "GATEWAY_IDP_JWKS_URL": "http://idp.example.com/jwks",
                    "GATEWAY_STS_ENDPOINT": "http://127.0.0.1.evil.example", "GATEWAY_BEDROCK_ENDPOINT": "https://bedrock.example",
                ],
                configFile: nil
            )
            Issue.record("plain http to another machine must be refused")
        } catch {
            #expect(error.problems.count == 2)
            #expect(error.description.contains("GATEWAY_IDP_JWKS_URL 'http://idp.example.com/jwks' uses plain http"))
            #expect(error.description.contains("GATEWAY_STS_ENDPOINT 'http://127.0.0.1.evil.example' uses plain http"))
            #expect(error.description.contains("use https://"))
        }
    }

    @Test(arguments: ["https://bedrock.example?region=us-east-1", "https://bedrock.example/base#top", "https://user:pw@bedrock.example", "https://user@bedrock.example"])
    func aBedrockEndpointWithAQueryFragmentOrUserInfoIsRefused(endpoint: String) throws {
        do {
            _ = try GatewayConfiguration.load(
                environment: ["GATEWAY_INBOUND_AUDIENCE": "aud", "GATEWAY_BEDROCK_ENDPOINT": endpoint], configFile: nil
            )
            Issue.record("'\(endpoint)' must be refused")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.description.contains("GATEWAY_BEDROCK_ENDPOINT '\(endpoint)' has a query, fragment or user info"))
            #expect(error.description.contains("give only the scheme, host, optional port and optional base path"))
        }
        let fine = try GatewayConfiguration.load(
            environment: ["GATEWAY_INBOUND_AUDIENCE": "aud", "GATEWAY_BEDROCK_ENDPOINT": "http://127.0.0.1:9000/bedrock/"], configFile: nil
        )
        #expect(fine.endpoints.bedrock == "http://127.0.0.1:9000/bedrock/")
    }
}
