import Crypto
import Foundation
import _CryptoExtras

/// A public key parsed from a JWK, ready to check signatures.
enum VerificationKey: Sendable {
    case rsa(_RSA.Signing.PublicKey)
    case p256(P256.Signing.PublicKey)

    /// The only algorithm the key verifies.
    var algorithm: JWTAlgorithm {
        switch self {
        case .rsa: .rs256
        case .p256: .es256
        }
    }

    var kindDescription: String {
        switch self {
        case .rsa(let key): "an RSA-\(key.keySizeInBits) key"
        case .p256: "an EC P-256 key"
        }
    }

    /// Whether `signature` is valid for `signingInput` (the ASCII `header.payload`).
    func isValidSignature(_ signature: [UInt8], for signingInput: Substring.UTF8View) -> Bool {
        let digest: SHA256.Digest =
            signingInput.withContiguousStorageIfAvailable { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
            ?? SHA256.hash(data: Array(signingInput))
        switch self {
        case .rsa(let key):
            return key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: digest,
                padding: .insecurePKCS1v1_5
            )
        case .p256(let key):
            guard signature.count == 64,
                let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
            else { return false }
            return key.isValidSignature(ecdsa, for: digest)
        }
    }
}
