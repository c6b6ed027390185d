import CallerAuth
import Crypto
import Foundation
import Logging
import _CryptoExtras

/// Caller JWT verification: cold (parse, claim checks and signature, token cache off) and cached (a token seen
/// before). Keys and tokens are made before timing; the key set is served from memory, so no network is involved.
enum AuthBenchmarks {
    private struct FixedKeySet: JWKSFetcher {
        let keySet: JSONWebKeySet
        func fetchKeySet(logger: Logger) async throws -> JSONWebKeySet { keySet }
    }

    static let issuer = "https://idp.example.com/realms/acme"

    static func all() async throws -> [MicroBenchmark] {
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let ec = P256.Signing.PrivateKey()
        let keySet = JSONWebKeySet(keys: [
            try JSONWebKey(rsaPublicKey: rsa.publicKey, kid: "rsa-1"),
            JSONWebKey(p256PublicKey: ec.publicKey, kid: "ec-1"),
        ])
        let now = Date().timeIntervalSince1970
        let claims: [String: Any] = [
            "iss": issuer, "aud": ["genai-gateway", "account"], "sub": "alice@example.com", "iat": now,
            "exp": now + 86_400, "groups": ["support-desk", "genai-users", "finance-readers"],
        ]
        func base64url(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        func mint(alg: String, kid: String, sign: (Data) throws -> Data) throws -> String {
            let header = base64url(try JSONSerialization.data(withJSONObject: ["alg": alg, "kid": kid, "typ": "JWT"]))
            let input = header + "." + base64url(try JSONSerialization.data(withJSONObject: claims))
            return input + "." + base64url(try sign(Data(input.utf8)))
        }
        let rs256 = try mint(alg: "RS256", kid: "rsa-1") {
            try rsa.signature(for: SHA256.hash(data: $0), padding: .insecurePKCS1v1_5).rawRepresentation
        }
        let es256 = try mint(alg: "ES256", kid: "ec-1") { try ec.signature(for: SHA256.hash(data: $0)).rawRepresentation }

        var coldConfiguration = JWTVerifierConfiguration(issuer: issuer, audience: "genai-gateway")
        coldConfiguration.tokenCacheCapacity = 0
        let cold = try JWTVerifier(configuration: coldConfiguration, fetcher: FixedKeySet(keySet: keySet))
        let cached = try JWTVerifier(
            configuration: JWTVerifierConfiguration(issuer: issuer, audience: "genai-gateway"),
            fetcher: FixedKeySet(keySet: keySet)
        )
        try await cold.prefetchKeys()
        _ = try await cached.verify(rs256)

        return [
            MicroBenchmark("JWT verify RS256 cold (parse, claims, signature; \(rs256.utf8.count) B token)", operationsPerSample: 1) { count in
                for _ in 0..<count { blackHole(try await cold.verify(rs256)) }
            },
            MicroBenchmark("JWT verify ES256 cold (parse, claims, signature)", operationsPerSample: 1) { count in
                for _ in 0..<count { blackHole(try await cold.verify(es256)) }
            },
            MicroBenchmark("JWT verify cached (RS256 token seen before)") { count in
                for _ in 0..<count { blackHole(try await cached.verify(rs256)) }
            },
        ]
    }
}
