import Foundation
import TestServers
import Testing

@testable import WebIdentity

@Suite("ClientCredentialsTokenSource against the local OIDC issuer", .serialized)
struct ClientCredentialsTokenSourceTests {
    static func source(
        _ issuer: OIDCStandIn,
        endpoint: ClientCredentialsTokenSource.Configuration.TokenEndpoint? = nil,
        secret: String = OIDCStandIn.clientSecret,
        clock: ManualClock = ManualClock(),
        scope: String? = nil,
        audience: String? = "sts.amazonaws.com",
        timeout: Duration = .seconds(5)
    ) -> ClientCredentialsTokenSource {
        ClientCredentialsTokenSource(
            configuration: .init(
                tokenEndpoint: endpoint ?? .discover(issuer: issuer.issuer),
                clientId: OIDCStandIn.clientId,
                clientSecret: secret,
                scope: scope,
                audience: audience,
                refreshMargin: .seconds(60),
                refreshFraction: 0.1,
                requestTimeout: timeout
            ),
            clock: clock
        )
    }

    static func failure(_ source: ClientCredentialsTokenSource) async throws -> WebIdentityTokenError {
        do {
            let token = try await source.token(for: TokenRequestContext(), logger: testLogger)
            Issue.record("expected an error, got \(token)")
            throw PeerStartError(description: "no error")
        } catch let error as WebIdentityTokenError {
            return error
        }
    }

    @Test("discovers the token endpoint and gets a signed JWT with the requested audience and scope")
    func discoveryAndFetch() async throws {
        try await OIDCStandIn.with { issuer in
            let source = Self.source(issuer, scope: "openid gateway")
            let token = try await source.token(for: TokenRequestContext(), logger: testLogger)
            #expect(token.issuer == issuer.issuer)
            #expect(token.subject == OIDCStandIn.clientId)
            #expect(token.audience == ["sts.amazonaws.com"])
            let expiresAt = try #require(token.expiresAt)
            #expect(abs(expiresAt.timeIntervalSinceNow - 3600) < 30)
            #expect(token.value.split(separator: ".").count == 3)
            #expect(!source.isPerCaller)

            let stats = try await issuer.stats()
            #expect(stats.discovery_requests == 1)
            #expect(stats.token_requests == 1)
            let last = try #require(stats.last)
            #expect(last.has_basic_auth)
            #expect(last.content_type == "application/x-www-form-urlencoded")
            #expect(last.form == ["grant_type": "client_credentials", "scope": "openid gateway",
                "audience": "sts.amazonaws.com"])
        }
    }

    @Test("a configured token endpoint skips discovery")
    func configuredEndpoint() async throws {
        try await OIDCStandIn.with { issuer in
            let source = Self.source(issuer, endpoint: .url("\(issuer.issuer)/oauth2/token"), audience: nil)
            let token = try await source.token(for: TokenRequestContext(), logger: testLogger)
            #expect(token.audience == ["default-audience"])
            let stats = try await issuer.stats()
            #expect(stats.discovery_requests == 0)
            #expect(stats.token_requests == 1)
            #expect(stats.last?.form == ["grant_type": "client_credentials"])
        }
    }

    @Test("the token is cached until the fixed margin before exp")
    func cachedUntilMargin() async throws {
        try await OIDCStandIn.with { issuer in
            try await issuer.control(["lifetime": 600])
            let clock = ManualClock()
            let source = Self.source(issuer, clock: clock)
            let first = try await source.token(for: TokenRequestContext(), logger: testLogger)
            let expiresAt = try #require(first.expiresAt)
            for _ in 0..<5 {
                let again = try await source.token(for: TokenRequestContext(), logger: testLogger)
                #expect(again == first)
            }
            clock.set(expiresAt.addingTimeInterval(-70))
            #expect(try await source.token(for: TokenRequestContext(), logger: testLogger) == first)
            #expect(try await issuer.stats().token_requests == 1)

            clock.set(expiresAt.addingTimeInterval(-50))
            let refreshed = try await source.token(for: TokenRequestContext(), logger: testLogger)
            #expect(refreshed != first)
            let stats = try await issuer.stats()
            #expect(stats.token_requests == 2)
            #expect(stats.discovery_requests == 1)
        }
    }

    @Test("long-lived tokens refresh 10% of their lifetime before exp")
    func cachedUntilFraction() async throws {
        try await OIDCStandIn.with { issuer in
            try await issuer.control(["lifetime": 3600])
            let clock = ManualClock()
            let source = Self.source(issuer, clock: clock)
            let first = try await source.token(for: TokenRequestContext(), logger: testLogger)
            let expiresAt = try #require(first.expiresAt)
            clock.set(expiresAt.addingTimeInterval(-400))
            #expect(try await source.token(for: TokenRequestContext(), logger: testLogger) == first)
            #expect(try await issuer.stats().token_requests == 1)
            clock.set(expiresAt.addingTimeInterval(-300))
            #expect(try await source.token(for: TokenRequestContext(), logger: testLogger) != first)
            #expect(try await issuer.stats().token_requests == 2)
        }
    }

    @Test("concurrent callers share one token request")
    func singleFlight() async throws {
        try await OIDCStandIn.with { issuer in
            try await issuer.control(["delay": 0.5])
            let source = Self.source(issuer)
            let tokens = try await withThrowingTaskGroup(of: WebIdentityToken.self) { group in
                for _ in 0..<64 {
                    group.addTask { try await source.token(for: TokenRequestContext(), logger: testLogger) }
                }
                return try await group.reduce(into: [WebIdentityToken]()) { $0.append($1) }
            }
            #expect(tokens.count == 64)
            #expect(Set(tokens).count == 1)
            let stats = try await issuer.stats()
            #expect(stats.token_requests == 1)
            #expect(stats.discovery_requests == 1)
        }
    }

    @Test("a token without exp or expires_in is not cached")
    func noExpiry() async throws {
        try await OIDCStandIn.with { issuer in
            try await issuer.control(["omit_exp": true])
            let source = Self.source(issuer)
            _ = try await source.token(for: TokenRequestContext(), logger: testLogger)
            _ = try await source.token(for: TokenRequestContext(), logger: testLogger)
            #expect(try await issuer.stats().token_requests == 2)
        }
    }

    @Test("a wrong secret gives the HTTP status and OAuth error, never the secret")
    func wrongSecret() async throws {
        try await OIDCStandIn.with { issuer in
            let wrong = "wrong-secret-value-123"
            let error = try await Self.failure(Self.source(issuer, secret: wrong))
            #expect(error.code == "TokenRequestRejected")
            #expect(error.httpStatus == 401)
            #expect(error.oauthError == "invalid_client")
            #expect(error.oauthErrorDescription == "Client authentication failed")
            #expect(!error.isRetryable)
            #expect(error.description.contains("invalid_client"))
            #expect(error.description.contains("Client authentication failed"))
            #expect(error.description.contains("HTTP 401"))
            #expect(error.description.contains("/oauth2/token"))
            #expect(!error.description.contains(wrong))
            #expect(!error.description.contains(OIDCStandIn.clientSecret))
            let configuration = Self.source(issuer, secret: wrong).configuration
            #expect(!"\(configuration)".contains(wrong))
            var dumped = ""
            dump(configuration, to: &dumped)
            #expect(!dumped.contains(wrong))
            #expect(dumped.contains(OIDCStandIn.clientId))
        }
    }

    @Test("IdP failures: 5xx, broken discovery, unreachable issuer, timeout")
    func idpFailures() async throws {
        try await OIDCStandIn.with { issuer in
            try await issuer.control([
                "fail_status": 400, "fail_error": "invalid_request",
                "fail_description": "secret \(OIDCStandIn.clientSecret) is not accepted",
            ])
            let echoed = try await Self.failure(Self.source(issuer))
            #expect(echoed.oauthErrorDescription == "secret <redacted> is not accepted")
            #expect(!echoed.description.contains(OIDCStandIn.clientSecret))

            try await issuer.control([
                "fail_status": 503, "fail_error": "temporarily_unavailable", "fail_description": "maintenance",
            ])
            let unavailable = try await Self.failure(Self.source(issuer))
            #expect(unavailable.code == "TokenRequestRejected")
            #expect(unavailable.httpStatus == 503)
            #expect(unavailable.oauthError == "temporarily_unavailable")
            #expect(unavailable.isRetryable)

            try await issuer.control(["discovery_status": 404])
            let discovery = try await Self.failure(Self.source(issuer))
            #expect(discovery.code == "DiscoveryFailed")
            #expect(discovery.httpStatus == 404)
            #expect(discovery.description.contains("/.well-known/openid-configuration"))

            try await issuer.control(["discovery_status": 200, "delay": 2])
            let slow = try await Self.failure(Self.source(issuer, timeout: .milliseconds(300)))
            #expect(slow.code == "Timeout")
            #expect(slow.isRetryable)
        }
        let port = try RedisServerProcess.freePort()
        let unreachable = ClientCredentialsTokenSource(
            configuration: .init(tokenEndpoint: .url("http://127.0.0.1:\(port)/token"), clientId: "c",
                clientSecret: "s", requestTimeout: .seconds(1))
        )
        let error = try await Self.failure(unreachable)
        #expect(error.code == "Transport")
        #expect(error.location == "http://127.0.0.1:\(port)/token")
    }

    @Test("when a refresh fails, the cached token is used until shortly before it expires")
    func staleWhileRefreshFails() async throws {
        try await OIDCStandIn.with { issuer in
            try await issuer.control(["lifetime": 600])
            let clock = ManualClock()
            let source = Self.source(issuer, clock: clock)
            let first = try await source.token(for: TokenRequestContext(), logger: testLogger)
            let expiresAt = try #require(first.expiresAt)

            try await issuer.control(["lifetime": 600, "fail_status": 500, "fail_error": "server_error"])
            clock.set(expiresAt.addingTimeInterval(-30))
            #expect(try await source.token(for: TokenRequestContext(), logger: testLogger) == first)
            #expect(try await issuer.stats().token_requests == 1)

            clock.set(expiresAt.addingTimeInterval(-5))
            let error = try await Self.failure(source)
            #expect(error.httpStatus == 500)

            try await issuer.control(["lifetime": 600, "fail_status": NSNull()])
            let recovered = try await source.token(for: TokenRequestContext(), logger: testLogger)
            #expect(recovered != first)
        }
    }
}
