import CredentialPlane
import Foundation
import Logging
import UpstreamHTTP
import Yams

/// Reading the configuration from a YAML file and the environment.
///
/// Every setting can be given in the YAML file (`--config <path>` or `GATEWAY_CONFIG`) under the snake_case key
/// below, and most by an environment variable; **the environment wins** over the file. Unknown YAML keys and
/// malformed values are reported, one message per problem, and stop start-up.
///
/// | YAML key | Environment variable | Type | Default |
/// |---|---|---|---|
/// | `listen` | `GATEWAY_LISTEN` | `host:port` | `0.0.0.0:8080` |
/// | `catalog` | `GATEWAY_CATALOG` | path | `policies/catalog.yaml` |
/// | `redis_url` | `GATEWAY_REDIS_URL` | `redis://` or `rediss://` URL | none: in-process cache only |
/// | `cache_key` | `GATEWAY_CACHE_KEY` | base64 of 32 bytes (AES-256), secret | required with Redis |
/// | `cache_previous_keys` | `GATEWAY_CACHE_PREVIOUS_KEYS` | list (env: comma-separated) of base64 keys | none |
/// | `inbound_audience` | `GATEWAY_INBOUND_AUDIENCE` | string: the `aud` caller tokens must carry | required |
/// | `groups_claim` | `GATEWAY_GROUPS_CLAIM` | claim name | `groups` |
/// | `idp_jwks_url` | `GATEWAY_IDP_JWKS_URL` | URL | discovered from the catalog issuer |
/// | `idp_token_url` | `GATEWAY_IDP_TOKEN_URL` | URL | discovered from the catalog issuer |
/// | `client_id` | `GATEWAY_CLIENT_ID` | OAuth2 client id | none |
/// | `client_secret` | `GATEWAY_CLIENT_SECRET` | OAuth2 client secret, secret | none (required with `client_id`) |
/// | `client_scope` | `GATEWAY_CLIENT_SCOPE` | OAuth2 scope of client-credentials requests | none |
/// | `sts_endpoint` | `GATEWAY_STS_ENDPOINT` | URL used for every Region | `https://sts.<region>.amazonaws.com` |
/// | `bedrock_endpoint` | `GATEWAY_BEDROCK_ENDPOINT` | URL used for every Region | `https://bedrock-runtime.<region>.amazonaws.com` |
/// | `log_level` | `GATEWAY_LOG_LEVEL` | `trace`…`critical` | `info` |
/// | `max_body_bytes` | `GATEWAY_MAX_BODY_BYTES` | integer ≥ 1 | `25000000` |
/// | `upstream_max_connections` | `GATEWAY_UPSTREAM_MAX_CONNECTIONS` | 1…65535 | `1024` |
/// | `timeouts.connect_ms` | `GATEWAY_CONNECT_TIMEOUT_MS` | integer ≥ 1 | `3000` |
/// | `timeouts.first_byte_ms` | `GATEWAY_FIRST_BYTE_TIMEOUT_MS` | integer ≥ 1 | `120000` |
/// | `timeouts.stream_idle_ms` | `GATEWAY_STREAM_IDLE_TIMEOUT_MS` | integer ≥ 1 | `60000` |
/// | `credentials.duration_seconds` | `GATEWAY_CREDENTIAL_DURATION_SECONDS` | 900…43200 | `3600` |
/// | `token_sources.default` | `GATEWAY_TOKEN_SOURCE` | `client_credentials`, `token_file`, `passthrough` | `client_credentials` when a client id is set |
/// | `token_sources.token_file` | `GATEWAY_TOKEN_FILE` | path of the default `token_file` source | none |
/// | `token_sources.use_cases.<UseCaseId>.type` | — | as `token_sources.default` | the default |
/// | `token_sources.use_cases.<UseCaseId>.path` | — | token file of that use case | none |
///
/// When both `idp_jwks_url` and `idp_token_url` are set, the gateway makes no OIDC discovery request at all.
/// `GATEWAY_CACHE_KEY`'s key id is the first 8 bytes of its SHA-256 in hex; previous keys get theirs the same way.
///
/// ```yaml
/// listen: 0.0.0.0:8080
/// catalog: policies/catalog.yaml
/// inbound_audience: genai-gateway
/// client_id: genai-gateway
/// token_sources:
///   default: client_credentials
///   use_cases:
///     UseCaseB: { type: token_file, path: /var/run/secrets/usecase-b/token }
/// timeouts: { connect_ms: 3000, first_byte_ms: 120000, stream_idle_ms: 60000 }
/// credentials: { duration_seconds: 3600 }
/// ```
extension GatewayConfiguration {
    /// Every environment variable the gateway reads, with its meaning, for `gateway --help`.
    public static let environmentVariables: [(name: String, help: String)] = [
        ("GATEWAY_CONFIG", "YAML configuration file (same as --config)"),
        ("GATEWAY_LISTEN", "host:port to listen on (default 0.0.0.0:8080)"),
        ("GATEWAY_CATALOG", "use-case catalog file (default policies/catalog.yaml)"),
        ("GATEWAY_REDIS_URL", "redis:// or rediss:// URL of the shared credential cache (default: in-process only)"),
        ("GATEWAY_CACHE_KEY", "base64 32-byte AES-256 key encrypting cached credentials (required with Redis)"),
        ("GATEWAY_CACHE_PREVIOUS_KEYS", "comma-separated earlier base64 keys, still accepted for reading"),
        ("GATEWAY_INBOUND_AUDIENCE", "the aud caller tokens must contain (required)"),
        ("GATEWAY_GROUPS_CLAIM", "claim holding the caller's groups (default groups)"),
        ("GATEWAY_IDP_JWKS_URL", "IdP JWKS URL (default: OIDC discovery of the catalog issuer)"),
        ("GATEWAY_IDP_TOKEN_URL", "IdP token endpoint (default: OIDC discovery); with the JWKS URL, no discovery"),
        ("GATEWAY_CLIENT_ID", "OAuth2 client id; makes client credentials the default web-identity source"),
        ("GATEWAY_CLIENT_SECRET", "OAuth2 client secret of GATEWAY_CLIENT_ID"),
        ("GATEWAY_CLIENT_SCOPE", "OAuth2 scope of client-credentials token requests (optional)"),
        ("GATEWAY_TOKEN_SOURCE", "default web-identity source: client_credentials, token_file or passthrough"),
        ("GATEWAY_TOKEN_FILE", "token file of the token_file default source"),
        ("GATEWAY_STS_ENDPOINT", "STS endpoint for every Region (local stacks, tests)"),
        ("GATEWAY_BEDROCK_ENDPOINT", "bedrock-runtime endpoint for every Region (local stacks, tests): scheme, host, optional port and base path"),
        ("GATEWAY_CONNECT_TIMEOUT_MS", "upstream connect timeout in ms (default 3000)"),
        ("GATEWAY_FIRST_BYTE_TIMEOUT_MS", "upstream time to response head in ms (default 120000)"),
        ("GATEWAY_STREAM_IDLE_TIMEOUT_MS", "longest silence in a streamed response in ms (default 60000)"),
        ("GATEWAY_CREDENTIAL_DURATION_SECONDS", "STS DurationSeconds, 900-43200 (default 3600)"),
        ("GATEWAY_MAX_BODY_BYTES", "largest request body in bytes (default 25000000)"),
        ("GATEWAY_UPSTREAM_MAX_CONNECTIONS", "most requests in flight to Bedrock at once, each on its own HTTP/1.1 connection; more wait for one within the first-byte timeout (default 1024)"),
        ("GATEWAY_LOG_LEVEL", "trace, debug, info, notice, warning, error or critical (default info)"),
    ]

    /// Reads the configuration.
    ///
    /// - Parameters:
    ///   - environment: the process environment (`GATEWAY_*` variables win over the file).
    ///   - configFile: the YAML file; nil reads `GATEWAY_CONFIG` from `environment`, and no file when unset.
    /// - Returns: a configuration whose values are individually valid (catalog-dependent checks are in
    ///   ``problems(against:)``).
    /// - Throws: ``ConfigurationError`` listing every problem.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        configFile: String? = nil
    ) throws(ConfigurationError) -> GatewayConfiguration {
        var reader = ConfigurationReader(environment: environment)
        if let path = configFile ?? environment["GATEWAY_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            reader.loadYAML(path: path)
        }
        let configuration = reader.read()
        if !reader.problems.isEmpty { throw ConfigurationError(problems: reader.problems) }
        return configuration
    }
}

/// Reads settings from parsed YAML and the environment, collecting problems instead of stopping at the first.
struct ConfigurationReader {
    let environment: [String: String]
    var yaml: [String: Any] = [:]
    var file: String?
    var problems: [String] = []

    static let topLevelKeys: Set<String> = [
        "listen", "catalog", "redis_url", "cache_key", "cache_previous_keys", "inbound_audience", "groups_claim",
        "idp_jwks_url", "idp_token_url", "client_id", "client_secret", "client_scope", "sts_endpoint",
        "bedrock_endpoint", "log_level", "max_body_bytes", "upstream_max_connections", "timeouts", "credentials", "token_sources",
    ]

    init(environment: [String: String]) {
        self.environment = environment
    }

    mutating func loadYAML(path: String) {
        file = path
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            problems.append("cannot read the configuration file '\(path)' (--config / GATEWAY_CONFIG): \(error.localizedDescription)")
            return
        }
        let parsed: Any?
        do {
            parsed = try Yams.load(yaml: text)
        } catch {
            problems.append("the configuration file '\(path)' is not valid YAML: \(error)")
            return
        }
        guard let parsed else { return }
        guard let mapping = parsed as? [String: Any] else {
            problems.append("the configuration file '\(path)' must be a YAML mapping of settings (key: value)")
            return
        }
        for key in mapping.keys.sorted() where !Self.topLevelKeys.contains(key) {
            problems.append("unknown key '\(key)' in '\(path)'; known keys: \(Self.topLevelKeys.sorted().joined(separator: ", "))")
        }
        yaml = mapping
    }

    mutating func read() -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        if let listen = string("listen", env: "GATEWAY_LISTEN") {
            if let parsed = Self.parseListen(listen) {
                configuration.listen = parsed
            } else {
                problems.append("listen / GATEWAY_LISTEN '\(listen)' is not host:port with a port in 0-65535 (for example 0.0.0.0:8080)")
            }
        }
        if let catalog = string("catalog", env: "GATEWAY_CATALOG") { configuration.catalogPath = catalog }

        configuration.cache.redisURL = string("redis_url", env: "GATEWAY_REDIS_URL")
        configuration.cache.key = string("cache_key", env: "GATEWAY_CACHE_KEY")
        configuration.cache.previousKeys = list("cache_previous_keys", env: "GATEWAY_CACHE_PREVIOUS_KEYS")

        configuration.inbound.audience = string("inbound_audience", env: "GATEWAY_INBOUND_AUDIENCE")
        if let claim = string("groups_claim", env: "GATEWAY_GROUPS_CLAIM") { configuration.inbound.groupsClaim = claim }

        configuration.identityProvider = GatewayConfiguration.IdentityProvider(
            jwksURL: url("idp_jwks_url", env: "GATEWAY_IDP_JWKS_URL"),
            tokenURL: url("idp_token_url", env: "GATEWAY_IDP_TOKEN_URL"),
            clientID: string("client_id", env: "GATEWAY_CLIENT_ID"),
            clientSecret: string("client_secret", env: "GATEWAY_CLIENT_SECRET"),
            scope: string("client_scope", env: "GATEWAY_CLIENT_SCOPE")
        )
        var bedrock = url("bedrock_endpoint", env: "GATEWAY_BEDROCK_ENDPOINT")
        if let value = bedrock, value.contains(where: { $0 == "?" || $0 == "#" || $0 == "@" }) {
            problems.append(
                "bedrock_endpoint / GATEWAY_BEDROCK_ENDPOINT '\(value)' has a query, fragment or user info, which "
                    + "requests to Bedrock cannot carry; give only the scheme, host, optional port and optional base "
                    + "path, e.g. https://bedrock-runtime.us-east-1.amazonaws.com or http://127.0.0.1:9000/bedrock"
            )
            bedrock = nil
        } else if let value = bedrock, UpstreamOrigin(url: value) == nil {
            problems.append(
                "bedrock_endpoint / GATEWAY_BEDROCK_ENDPOINT '\(value)' has no valid host and port; use e.g. "
                    + "https://bedrock-runtime.us-east-1.amazonaws.com or http://127.0.0.1:9000"
            )
            bedrock = nil
        }
        configuration.endpoints = GatewayConfiguration.Endpoints(sts: url("sts_endpoint", env: "GATEWAY_STS_ENDPOINT"), bedrock: bedrock)
        if let level = string("log_level", env: "GATEWAY_LOG_LEVEL") {
            if let parsed = Logger.Level(rawValue: level.lowercased()) {
                configuration.logLevel = parsed
            } else {
                problems.append("log_level / GATEWAY_LOG_LEVEL '\(level)' is not one of trace, debug, info, notice, warning, error, critical")
            }
        }
        if let bytes = integer("max_body_bytes", env: "GATEWAY_MAX_BODY_BYTES", range: 1...Int(Int32.max)) {
            configuration.maxBodyBytes = bytes
        }
        if let connections = integer("upstream_max_connections", env: "GATEWAY_UPSTREAM_MAX_CONNECTIONS", range: 1...65_535) {
            configuration.upstreamMaxConnections = connections
        }

        let timeouts = section("timeouts", keys: ["connect_ms", "first_byte_ms", "stream_idle_ms"])
        if let ms = integer("connect_ms", in: timeouts, section: "timeouts", env: "GATEWAY_CONNECT_TIMEOUT_MS", range: 1...3_600_000) {
            configuration.timeouts.connect = .milliseconds(ms)
        }
        if let ms = integer("first_byte_ms", in: timeouts, section: "timeouts", env: "GATEWAY_FIRST_BYTE_TIMEOUT_MS", range: 1...3_600_000) {
            configuration.timeouts.firstByte = .milliseconds(ms)
        }
        if let ms = integer("stream_idle_ms", in: timeouts, section: "timeouts", env: "GATEWAY_STREAM_IDLE_TIMEOUT_MS", range: 1...3_600_000) {
            configuration.timeouts.streamIdle = .milliseconds(ms)
        }
        let credentials = section("credentials", keys: ["duration_seconds"])
        if let seconds = integer(
            "duration_seconds", in: credentials, section: "credentials", env: "GATEWAY_CREDENTIAL_DURATION_SECONDS", range: 900...43_200
        ) {
            configuration.credentials.durationSeconds = seconds
        }

        configuration.tokenSources = readTokenSources()
        checkCombinations(configuration)
        return configuration
    }

    // MARK: Token sources

    private mutating func readTokenSources() -> GatewayConfiguration.TokenSources {
        var sources = GatewayConfiguration.TokenSources()
        let tokenSection = section("token_sources", keys: ["default", "token_file", "use_cases"])
        let kindText = environment["GATEWAY_TOKEN_SOURCE"].flatMap { $0.isEmpty ? nil : $0 } ?? yamlString("default", in: tokenSection, path: "token_sources.default")
        if let kindText {
            if let kind = GatewayConfiguration.TokenSourceKind(rawValue: kindText) {
                sources.defaultKind = kind
            } else {
                problems.append("token_sources.default / GATEWAY_TOKEN_SOURCE '\(kindText)' is not one of \(Self.kindList)")
            }
        }
        sources.tokenFile = environment["GATEWAY_TOKEN_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? yamlString("token_file", in: tokenSection, path: "token_sources.token_file")
        guard let useCases = tokenSection?["use_cases"] else { return sources }
        guard let mapping = useCases as? [String: Any] else {
            problems.append("token_sources.use_cases must map use case ids to { type: ..., path: ... }")
            return sources
        }
        for (id, value) in mapping.sorted(by: { $0.key < $1.key }) {
            let path = "token_sources.use_cases.\(id)"
            guard let entry = value as? [String: Any] else {
                problems.append("\(path) must be a mapping { type: client_credentials|token_file|passthrough, path: <token file> }")
                continue
            }
            for key in entry.keys.sorted() where key != "type" && key != "path" {
                problems.append("unknown key '\(key)' in \(path); known keys: type, path")
            }
            guard let typeText = yamlString("type", in: entry, path: "\(path).type") else {
                problems.append("\(path).type is missing; set it to one of \(Self.kindList)")
                continue
            }
            guard let kind = GatewayConfiguration.TokenSourceKind(rawValue: typeText) else {
                problems.append("\(path).type '\(typeText)' is not one of \(Self.kindList)")
                continue
            }
            let file = yamlString("path", in: entry, path: "\(path).path")
            if kind == .tokenFile, file == nil {
                problems.append("\(path) is a token_file source without a path; add path: <token file>")
            }
            sources.useCases[id] = GatewayConfiguration.TokenSource(kind: kind, path: file)
        }
        return sources
    }

    static let kindList = GatewayConfiguration.TokenSourceKind.allCases.map(\.rawValue).joined(separator: ", ")

    // MARK: Cross-setting checks

    private mutating func checkCombinations(_ configuration: GatewayConfiguration) {
        if configuration.inbound.audience == nil {
            problems.append(
                "inbound_audience / GATEWAY_INBOUND_AUDIENCE is not set; set it to the aud your IdP puts in the tokens apps send (callers cannot be authenticated without it)"
            )
        }
        if configuration.cache.redisURL != nil, configuration.cache.key == nil {
            problems.append(
                "GATEWAY_REDIS_URL is set but GATEWAY_CACHE_KEY is not; credentials are stored in Redis encrypted, so set a key (generate one with `openssl rand -base64 32`)"
            )
        }
        if let key = configuration.cache.key {
            do { _ = try CredentialEncryptionKey(base64: key) } catch {
                problems.append("cache_key / GATEWAY_CACHE_KEY: \((error as? CredentialPlaneError)?.message ?? "invalid key")")
            }
        }
        for (index, key) in configuration.cache.previousKeys.enumerated() {
            do { _ = try CredentialEncryptionKey(base64: key) } catch {
                problems.append("cache_previous_keys / GATEWAY_CACHE_PREVIOUS_KEYS entry \(index + 1): \((error as? CredentialPlaneError)?.message ?? "invalid key")")
            }
        }
        let idp = configuration.identityProvider
        if idp.clientID != nil, idp.clientSecret == nil {
            problems.append("GATEWAY_CLIENT_ID is set but GATEWAY_CLIENT_SECRET is not; the client-credentials token source needs both")
        }
        let kinds = [configuration.tokenSources.defaultKind].compactMap { $0 } + configuration.tokenSources.useCases.values.map(\.kind)
        if kinds.contains(.clientCredentials), idp.clientID == nil {
            problems.append("a client_credentials token source is configured but GATEWAY_CLIENT_ID / GATEWAY_CLIENT_SECRET are not set")
        }
        if configuration.tokenSources.defaultKind == .tokenFile, configuration.tokenSources.tokenFile == nil {
            problems.append("token_sources.default is token_file but no file is named; set token_sources.token_file or GATEWAY_TOKEN_FILE")
        }
    }

    /// Problems only visible with the catalog at hand.
    static func problems(of configuration: GatewayConfiguration, useCaseIDs: [String]) -> [String] {
        var problems: [String] = []
        let known = Set(useCaseIDs)
        for id in configuration.tokenSources.useCases.keys.sorted() where !known.contains(id) {
            problems.append("token_sources.use_cases names '\(id)', which is not a use case of the catalog (use cases: \(useCaseIDs.joined(separator: ", ")))")
        }
        let missing = useCaseIDs.filter { configuration.tokenSource(forUseCase: $0) == nil }
        if !missing.isEmpty {
            problems.append(
                "no web-identity token source for use case\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")); set GATEWAY_CLIENT_ID and GATEWAY_CLIENT_SECRET (client credentials), GATEWAY_TOKEN_SOURCE, or token_sources in the configuration file"
            )
        }
        return problems
    }

    // MARK: Primitive readers

    private func envValue(_ name: String) -> String? {
        guard let value = environment[name] else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    private mutating func yamlString(_ key: String, in mapping: [String: Any]?, path: String) -> String? {
        guard let value = mapping?[key] else { return nil }
        switch value {
        case let text as String: return text.isEmpty ? nil : text
        case let number as Int: return String(number)
        case is NSNull: return nil
        default:
            problems.append("\(path) in '\(file ?? "the configuration file")' must be a string")
            return nil
        }
    }

    mutating func string(_ key: String, env: String) -> String? {
        envValue(env) ?? yamlString(key, in: yaml, path: key)
    }

    mutating func url(_ key: String, env: String) -> String? {
        guard let value = string(key, env: env) else { return nil }
        guard value.hasPrefix("http://") || value.hasPrefix("https://"), value.count > 8 else {
            problems.append("\(key) / \(env) '\(value)' is not an http:// or https:// URL")
            return nil
        }
        if value.hasPrefix("http://"), !Self.isLoopback(authority: value.dropFirst("http://".count).prefix { $0 != "/" }) {
            problems.append(
                "\(key) / \(env) '\(value)' uses plain http to another machine, so keys, tokens or credentials would "
                    + "cross the network unencrypted; use https:// (plain http is accepted only for 127.0.0.1, ::1 and "
                    + "localhost, for local stacks and tests)"
            )
            return nil
        }
        return value
    }

    /// Whether a URL authority (`host[:port]`, `[v6]:port`) names this machine.
    static func isLoopback(authority: Substring) -> Bool {
        let host: Substring
        if authority.hasPrefix("[") {
            host = authority.dropFirst().prefix { $0 != "]" }
        } else {
            host = authority.prefix { $0 != ":" }
        }
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    mutating func list(_ key: String, env: String) -> [String] {
        if let value = envValue(env) {
            return value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard let value = yaml[key] else { return [] }
        if let text = value as? String {
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let items = value as? [Any] {
            var result: [String] = []
            for item in items {
                if let text = item as? String { result.append(text) } else { problems.append("\(key) must be a list of strings") }
            }
            return result
        }
        problems.append("\(key) must be a list of base64 keys")
        return []
    }

    mutating func section(_ key: String, keys: Set<String>) -> [String: Any]? {
        guard let value = yaml[key] else { return nil }
        guard let mapping = value as? [String: Any] else {
            problems.append("\(key) must be a mapping with keys \(keys.sorted().joined(separator: ", "))")
            return nil
        }
        for unknown in mapping.keys.sorted() where !keys.contains(unknown) {
            problems.append("unknown key '\(unknown)' in \(key); known keys: \(keys.sorted().joined(separator: ", "))")
        }
        return mapping
    }

    mutating func integer(_ key: String, env: String, range: ClosedRange<Int>) -> Int? {
        integer(key, in: yaml, section: nil, env: env, range: range)
    }

    mutating func integer(_ key: String, in mapping: [String: Any]?, section: String?, env: String, range: ClosedRange<Int>) -> Int? {
        let name = section.map { "\($0).\(key)" } ?? key
        let value: Int?
        if let text = envValue(env) {
            value = Int(text)
            if value == nil { problems.append("\(env) '\(text)' is not a whole number") }
        } else if let raw = mapping?[key] {
            value = raw as? Int ?? (raw as? String).flatMap { Int($0) }
            if value == nil { problems.append("\(name) must be a whole number") }
        } else {
            return nil
        }
        guard let value else { return nil }
        guard range.contains(value) else {
            problems.append("\(name) / \(env) is \(value); it must be within \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return value
    }

    static func parseListen(_ text: String) -> GatewayConfiguration.Listen? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65_535).contains(port) else { return nil }
        return GatewayConfiguration.Listen(host: String(host), port: port)
    }
}

extension GatewayConfiguration {
    /// Problems that need the catalog: token sources naming unknown use cases, use cases without a token source.
    public func problems(againstUseCases useCaseIDs: [String]) -> [String] {
        ConfigurationReader.problems(of: self, useCaseIDs: useCaseIDs)
    }
}
