import Testing

@testable import GatewayRedis

struct RedisConfigurationTests {
    @Test func parsesAFullURL() throws {
        let configuration = try RedisConfiguration(url: "rediss://gateway:s3cret@cache.example.internal:6380/2")
        #expect(configuration.host == "cache.example.internal")
        #expect(configuration.port == 6380)
        #expect(configuration.username == "gateway")
        #expect(configuration.password == "s3cret")
        #expect(configuration.database == 2)
        #expect(configuration.useTLS)
        #expect(configuration.tls == RedisConfiguration.TLSOptions())
        #expect(configuration.connectTimeout == .milliseconds(250))
        #expect(configuration.commandTimeout == .milliseconds(250))
        #expect(configuration.poolSize == 8)
    }

    @Test func appliesDefaults() throws {
        let configuration = try RedisConfiguration(url: "redis://localhost")
        #expect(configuration.host == "localhost")
        #expect(configuration.port == 6379)
        #expect(configuration.username == nil)
        #expect(configuration.password == nil)
        #expect(configuration.database == 0)
        #expect(!configuration.useTLS)
        #expect(configuration.tls == nil)
    }

    @Test func acceptsAPasswordWithoutUser() throws {
        let configuration = try RedisConfiguration(url: "redis://:only-password@10.0.0.5:7000/")
        #expect(configuration.username == nil)
        #expect(configuration.password == "only-password")
        #expect(configuration.host == "10.0.0.5")
        #expect(configuration.port == 7000)
        #expect(configuration.database == 0)
    }

    @Test func decodesPercentEscapesAndToleratesUnescapedAtSigns() throws {
        let escaped = try RedisConfiguration(url: "redis://us%40er:p%40ss%3Aw%2Frd%25@h:1/3")
        #expect(escaped.username == "us@er")
        #expect(escaped.password == "p@ss:w/rd%")
        let unescaped = try RedisConfiguration(url: "redis://user:p@ss@h:1")
        #expect(unescaped.password == "p@ss")
        #expect(unescaped.host == "h")
    }

    @Test func parsesIPv6Hosts() throws {
        let configuration = try RedisConfiguration(url: "redis://[::1]:6390/1")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 6390)
        #expect(configuration.endpoint == "[::1]:6390")
        #expect(configuration.description == "redis://[::1]:6390/1")
    }

    @Test func takesTLSOptionsForRedissURLs() throws {
        let tls = RedisConfiguration.TLSOptions(caFile: "/etc/ca.pem", verifyPeer: false, serverName: "cache")
        let configuration = try RedisConfiguration(url: "REDISS://h", tls: tls)
        #expect(configuration.tls == tls)
    }

    @Test func refusesTLSOptionsWithAPlainTextURL() {
        #expect(throws: RedisError.invalidURL) {
            try RedisConfiguration(url: "redis://h", tls: RedisConfiguration.TLSOptions())
        }
    }

    @Test(arguments: [
        ("http://h", "scheme"),
        ("h:6379", "://"),
        ("redis://", "host"),
        ("redis://h:0", "port"),
        ("redis://h:99999", "port"),
        ("redis://h:abc", "port"),
        ("redis://h/x", "database"),
        ("redis://h/-1", "database"),
        ("redis://[::1", "IPv6"),
        ("redis://user@h", "no password"),
        ("redis://h?timeout=1", "query"),
        ("redis://:bad%zzescape@h", "'%'"),
    ])
    func rejectsMalformedURLsSayingWhatIsWrong(url: String, expected: String) {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error == .invalidURL)
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
        #expect(error?.shortDescription == "invalid_url")
    }

    @Test func neverEchoesThePasswordInErrors() {
        let password = "Sup3rS3cretValue"
        for url in [
            "redis://:\(password)%zz@h",  // bad escape in the password
            "redis://user:\(password)",  // '@host' forgotten: the password lands in the port
            "redis://h/\(password)",  // path that is not a number
            "redis://user:\(password)@h:notaport",
            "redis://user:\(password)@h?x=1",
        ] {
            let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
            #expect(error?.description.contains(password) == false, "\(url) leaked into: \(error?.description ?? "")")
        }
    }

    @Test func redactsThePasswordInTheDescription() throws {
        let configuration = try RedisConfiguration(url: "rediss://alice:Sup3rS3cret@cache:6379/4")
        #expect(configuration.description == "rediss://alice:***@cache:6379/4")
        #expect(!"\(configuration)".contains("Sup3rS3cret"))
        #expect(!String(reflecting: configuration).contains("Sup3rS3cret"))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains("Sup3rS3cret"))
        #expect(dumped.contains("alice"))
        let passwordOnly = try RedisConfiguration(url: "redis://:Sup3rS3cret@cache")
        #expect(passwordOnly.description == "redis://:***@cache:6379")
    }

    @Test func validatesTheMemberwiseInitializer() throws {
        let configuration = try RedisConfiguration(host: "h", port: 1, password: "p", database: 1, poolSize: 1)
        #expect(configuration.description == "redis://:***@h:1/1")
        #expect(throws: RedisError.invalidConfiguration) { try RedisConfiguration(host: "") }
        #expect(throws: RedisError.invalidConfiguration) { try RedisConfiguration(host: "h", port: 70_000) }
        #expect(throws: RedisError.invalidConfiguration) { try RedisConfiguration(host: "h", database: -1) }
        #expect(throws: RedisError.invalidConfiguration) { try RedisConfiguration(host: "h", username: "u") }
        #expect(throws: RedisError.invalidConfiguration) { try RedisConfiguration(host: "h", poolSize: 0) }
        #expect(throws: RedisError.invalidConfiguration) {
            try RedisConfiguration(host: "h", connectTimeout: .zero)
        }
        #expect(throws: RedisError.invalidConfiguration) {
            try RedisConfiguration(host: "h", commandTimeout: .milliseconds(-1))
        }
        #expect(throws: RedisError.invalidConfiguration) {
            try RedisConfiguration(url: "redis://h", poolSize: 0)
        }
    }

    @Test func comparesErrorsByKindAndKeepsLabelsFixed() {
        let server = RedisError.serverError("ERR something")
        #expect(server == .serverError)
        #expect(server != .timeout)
        #expect(server.serverMessage == "ERR something")
        #expect(server.shortDescription == "server_error")
        #expect(RedisError.timeout.shortDescription == "timeout")
        let auth = RedisError.authenticationFailed(
            endpoint: "h:1",
            username: "alice",
            serverMessage: "WRONGPASS invalid username-password pair or user is disabled."
        )
        #expect(auth == .authenticationFailed)
        #expect(auth.description.contains("alice"))
        #expect(auth.description.contains("WRONGPASS"))
    }
}
