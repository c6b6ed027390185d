import ArgumentParser
import Foundation
import Gateway
import Hummingbird
import Logging
import Metrics
import Prometheus

/// `gateway`: the GenAI gateway server.
@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "The multi-account GenAI gateway: a bedrock-runtime compatible endpoint with IAM-federated model access.",
        discussion: """
            Settings come from a YAML file (--config or GATEWAY_CONFIG) and environment variables; the environment \
            wins. Every YAML key is the snake_case name shown in parentheses.

            ENVIRONMENT (YAML key)
            \(GatewayCommand.environmentHelp)

            YAML-only settings
              token_sources.use_cases.<UseCaseId>.type   client_credentials, token_file or passthrough
              token_sources.use_cases.<UseCaseId>.path   token file of that use case

            URL settings must be https://, except http:// to 127.0.0.1, ::1 or localhost (local stacks, tests).
            Bad configuration stops start-up with one message per problem (exit status 1).
            """,
        subcommands: [Serve.self, CheckConfig.self],
        defaultSubcommand: Serve.self
    )

    static var environmentHelp: String {
        let yamlKeys: [String: String] = [
            "GATEWAY_LISTEN": "listen", "GATEWAY_CATALOG": "catalog", "GATEWAY_REDIS_URL": "redis_url",
            "GATEWAY_CACHE_KEY": "cache_key", "GATEWAY_CACHE_PREVIOUS_KEYS": "cache_previous_keys",
            "GATEWAY_INBOUND_AUDIENCE": "inbound_audience", "GATEWAY_GROUPS_CLAIM": "groups_claim",
            "GATEWAY_IDP_JWKS_URL": "idp_jwks_url", "GATEWAY_IDP_TOKEN_URL": "idp_token_url",
            "GATEWAY_CLIENT_ID": "client_id", "GATEWAY_CLIENT_SECRET": "client_secret", "GATEWAY_CLIENT_SCOPE": "client_scope",
            "GATEWAY_TOKEN_SOURCE": "token_sources.default", "GATEWAY_TOKEN_FILE": "token_sources.token_file",
            "GATEWAY_STS_ENDPOINT": "sts_endpoint", "GATEWAY_BEDROCK_ENDPOINT": "bedrock_endpoint",
            "GATEWAY_CONNECT_TIMEOUT_MS": "timeouts.connect_ms", "GATEWAY_FIRST_BYTE_TIMEOUT_MS": "timeouts.first_byte_ms",
            "GATEWAY_STREAM_IDLE_TIMEOUT_MS": "timeouts.stream_idle_ms",
            "GATEWAY_CREDENTIAL_DURATION_SECONDS": "credentials.duration_seconds",
            "GATEWAY_MAX_BODY_BYTES": "max_body_bytes", "GATEWAY_UPSTREAM_MAX_CONNECTIONS": "upstream_max_connections", "GATEWAY_LOG_LEVEL": "log_level",
        ]
        return GatewayConfiguration.environmentVariables.map { entry in
            let key = yamlKeys[entry.name].map { " (\($0))" } ?? ""
            return "  \(entry.name)\(key)\n      \(entry.help)"
        }.joined(separator: "\n")
    }
}

/// Options shared by the subcommands.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "YAML configuration file (default: GATEWAY_CONFIG, else none).")
    var config: String?

    func load() throws -> GatewayConfiguration {
        do {
            return try GatewayConfiguration.load(configFile: config)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(1)
        }
    }
}

/// `gateway serve`: runs the server until SIGTERM or SIGINT, then drains in-flight requests.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the gateway (the default).")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try options.load()
        LoggingSystem.bootstrap { label in GatewayLogHandler(label: label) }
        var logger = Logger(label: "gateway")
        logger.logLevel = configuration.logLevel
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: PrometheusMetricsFactory.defaultRegistry))
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(configuration: configuration, logger: logger)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(1)
        }
        logger.notice("gateway starting", metadata: ["gw.configuration": "\(configuration)"])
        try await app.runService()
    }
}

/// `gateway check-config`: validates the configuration and the catalog without serving.
struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and the catalog, print every problem, and exit (1 when there are problems)."
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try options.load()
        do {
            let prepared = try PreparedCatalog(configuration: configuration)
            print("configuration OK: \(prepared.useCaseIDs.count) use cases from \(configuration.catalogPath)")
            print(configuration.description)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(1)
        }
    }
}
