import Crypto
import Foundation
import _CryptoExtras

/// One public key from a JWKS document (RFC 7517), as the IdP publishes it.
///
/// Only the members this gateway uses are kept: RSA keys (`n`, `e`) for RS256 and EC P-256 keys (`crv`, `x`,
/// `y`) for ES256. Other members are ignored when decoding.
public struct JSONWebKey: Codable, Hashable, Sendable {
    /// Key type: `RSA` or `EC` (others are ignored by the verifier).
    public var kty: String
    /// Key id, matched against a token's `kid` header.
    public var kid: String?
    /// Intended use; keys whose `use` is present and not `sig` are ignored.
    public var use: String?
    /// Algorithm the key is meant for; when present it must equal the token's `alg`.
    public var alg: String?
    /// RSA modulus, base64url big-endian.
    public var n: String?
    /// RSA public exponent, base64url big-endian.
    public var e: String?
    /// EC curve: `P-256`.
    public var crv: String?
    /// EC x coordinate, base64url (32 bytes for P-256).
    public var x: String?
    /// EC y coordinate, base64url (32 bytes for P-256).
    public var y: String?

    /// Creates a key from its JWK members.
    public init(
        kty: String,
        kid: String? = nil,
        use: String? = nil,
        alg: String? = nil,
        n: String? = nil,
        e: String? = nil,
        crv: String? = nil,
        x: String? = nil,
        y: String? = nil
    ) {
        self.kty = kty
        self.kid = kid
        self.use = use
        self.alg = alg
        self.n = n
        self.e = e
        self.crv = crv
        self.x = x
        self.y = y
    }

    /// The JWK of an RSA signing key, for RS256.
    public init(rsaPublicKey key: _RSA.Signing.PublicKey, kid: String?) throws {
        let primitives = try key.getKeyPrimitives()
        self.init(
            kty: "RSA",
            kid: kid,
            use: "sig",
            alg: "RS256",
            n: Base64URL.encode(primitives.modulus.drop { $0 == 0 }),
            e: Base64URL.encode(primitives.publicExponent.drop { $0 == 0 })
        )
    }

    /// The JWK of a P-256 signing key, for ES256.
    public init(p256PublicKey key: P256.Signing.PublicKey, kid: String?) {
        let raw = key.rawRepresentation
        self.init(
            kty: "EC",
            kid: kid,
            use: "sig",
            alg: "ES256",
            crv: "P-256",
            x: Base64URL.encode(raw.prefix(32)),
            y: Base64URL.encode(raw.suffix(32))
        )
    }

    /// The key ready for signature checks, or why it cannot be used.
    func verificationKey() -> Result<VerificationKey, KeyRejection> {
        if let use = self.use, use != "sig" {
            return .failure(KeyRejection("'use' is '\(use)', not 'sig'"))
        }
        switch self.kty {
        case "RSA":
            guard let n = self.n.flatMap(Base64URL.decode), let e = self.e.flatMap(Base64URL.decode), !n.isEmpty,
                !e.isEmpty
            else {
                return .failure(KeyRejection("RSA key without valid base64url 'n' and 'e'"))
            }
            do {
                return .success(.rsa(try _RSA.Signing.PublicKey(n: n, e: e)))
            } catch {
                return .failure(KeyRejection("RSA key rejected (at least 2048 bits are required): \(error)"))
            }
        case "EC":
            guard self.crv == "P-256" else {
                return .failure(KeyRejection("EC curve '\(self.crv ?? "none")' is not P-256"))
            }
            guard let x = self.x.flatMap(Base64URL.decode), let y = self.y.flatMap(Base64URL.decode), x.count == 32,
                y.count == 32
            else {
                return .failure(KeyRejection("P-256 key without 32-byte base64url 'x' and 'y'"))
            }
            do {
                return .success(.p256(try P256.Signing.PublicKey(rawRepresentation: x + y)))
            } catch {
                return .failure(KeyRejection("P-256 point is not on the curve"))
            }
        default:
            return .failure(KeyRejection("key type '\(self.kty)' is not supported (RSA and EC P-256 are)"))
        }
    }

    struct KeyRejection: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
