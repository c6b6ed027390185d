import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// Fetches the JWKS over HTTP(S) with AsyncHTTPClient: from a configured URL, or from the `jwks_uri` of the
/// issuer's OIDC discovery document (`<issuer>/.well-known/openid-configuration`).
///
/// Discovery runs on every fetch (fetches are rate limited by ``JWKSCache``), so an IdP that moves its keys is
/// followed. When a JWKS URL is configured, no discovery request is made.
///
/// ```swift
/// let fetcher = HTTPJWKSFetcher(issuer: "https://idp.example.com/realms/acme")
/// ```
public struct HTTPJWKSFetcher: JWKSFetcher {
    /// The issuer whose discovery document names the JWKS, and which that document must name as `issuer`.
    public let issuer: String
    /// The JWKS location when configured; `nil` means discover it.
    public let jwksURL: String?
    private let httpClient: HTTPClient
    private let timeout: TimeAmount
    private let maximumResponseBytes: Int

    /// Creates a fetcher.
    ///
    /// - Parameters:
    ///   - issuer: The configured issuer.
    ///   - jwksURL: The JWKS URL, overriding discovery.
    ///   - httpClient: The client to use; the shared one by default.
    ///   - timeout: Deadline for each request, body included. Default 10 s.
    ///   - maximumResponseBytes: Largest accepted discovery or JWKS document. Default 1 MiB.
    public init(
        issuer: String,
        jwksURL: String? = nil,
        httpClient: HTTPClient = .shared,
        timeout: TimeAmount = .seconds(10),
        maximumResponseBytes: Int = 1 << 20
    ) {
        self.issuer = issuer
        self.jwksURL = jwksURL
        self.httpClient = httpClient
        self.timeout = timeout
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// Creates a fetcher for `configuration`'s issuer and JWKS URL.
    public init(configuration: JWTVerifierConfiguration, httpClient: HTTPClient = .shared) {
        self.init(issuer: configuration.issuer, jwksURL: configuration.jwksURL, httpClient: httpClient)
    }

    /// The discovery document location for the issuer.
    public var discoveryURL: String {
        var base = self.issuer
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/.well-known/openid-configuration"
    }

    public func fetchKeySet(logger: Logger) async throws -> JSONWebKeySet {
        let url: String
        if let configured = self.jwksURL {
            url = configured
        } else {
            url = try await self.discoverJWKSURL(logger: logger)
        }
        let body = try await self.get(url, what: "JWKS", logger: logger)
        do {
            return try JSONWebKeySet(jsonData: Data(buffer: body))
        } catch {
            throw AuthError.keySetUnavailable("the JWKS at \(url) is not JSON with a 'keys' array")
        }
    }

    private func discoverJWKSURL(logger: Logger) async throws -> String {
        struct Discovery: Decodable {
            var issuer: String?
            var jwks_uri: String?
        }
        let url = self.discoveryURL
        let body = try await self.get(url, what: "OIDC discovery document", logger: logger)
        guard let document = try? JSONDecoder().decode(Discovery.self, from: Data(buffer: body)) else {
            throw AuthError.keySetUnavailable("the OIDC discovery document at \(url) is not a JSON object")
        }
        guard document.issuer == self.issuer else {
            throw AuthError.keySetUnavailable(
                "the OIDC discovery document at \(url) names issuer '\(document.issuer ?? "none")', not the configured '\(self.issuer)'"
            )
        }
        guard let jwks = document.jwks_uri, jwks.hasPrefix("https://") || jwks.hasPrefix("http://") else {
            throw AuthError.keySetUnavailable("the OIDC discovery document at \(url) has no http(s) 'jwks_uri'")
        }
        return jwks
    }

    private func get(_ url: String, what: String, logger: Logger) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        let response: HTTPClientResponse
        do {
            response = try await self.httpClient.execute(request, timeout: self.timeout, logger: logger)
        } catch {
            throw AuthError.keySetUnavailable("could not fetch the \(what) from \(url): \(error)")
        }
        guard response.status == .ok else {
            throw AuthError.keySetUnavailable(
                "could not fetch the \(what) from \(url): HTTP \(response.status.code) \(response.status.reasonPhrase)"
            )
        }
        do {
            return try await response.body.collect(upTo: self.maximumResponseBytes)
        } catch {
            throw AuthError.keySetUnavailable(
                "could not read the \(what) from \(url) (limit \(self.maximumResponseBytes) bytes): \(error)"
            )
        }
    }
}
