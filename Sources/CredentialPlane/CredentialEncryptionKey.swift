import Crypto
import Foundation

/// A 32-byte AES-256-GCM key for the shared cache, with the id stored next to every value it encrypts.
///
/// The id lets a replica find the right key during rotation: configure the new key as current and keep
/// the old one as previous until every entry written under it has expired (at most the longest session
/// duration). `description` prints the id only.
public struct CredentialEncryptionKey: Sendable, CustomStringConvertible {
    /// The key id written into each encrypted value (1–64 printable ASCII characters).
    public let id: String
    let symmetricKey: SymmetricKey

    /// Creates a key from its base64 text (standard alphabet, 32 bytes once decoded).
    ///
    /// - Parameters:
    ///   - base64: the key material, e.g. from `openssl rand -base64 32`.
    ///   - id: the key id; defaults to ``defaultID(for:)``.
    /// - Throws: ``CredentialPlaneError/invalidEncryptionKey`` when the text is not base64 of 32 bytes or the
    ///   id is not 1–64 printable ASCII characters. The message never repeats the key material.
    public init(base64: String, id: String? = nil) throws {
        let trimmed = base64.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = Data(base64Encoded: trimmed) else {
            throw CredentialPlaneError.invalidEncryptionKey(
                "the credential cache encryption key is not valid base64; generate one with `openssl rand -base64 32`"
            )
        }
        try self.init(bytes: Array(data), id: id)
    }

    /// Creates a key from 32 raw bytes.
    ///
    /// - Throws: ``CredentialPlaneError/invalidEncryptionKey`` on a wrong length or an invalid id.
    public init(bytes: [UInt8], id: String? = nil) throws {
        guard bytes.count == 32 else {
            throw CredentialPlaneError.invalidEncryptionKey(
                "the credential cache encryption key has \(bytes.count) bytes; AES-256-GCM needs exactly 32 "
                    + "(generate one with `openssl rand -base64 32`)"
            )
        }
        let id = id ?? Self.defaultID(for: bytes)
        guard (1...64).contains(id.utf8.count), id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw CredentialPlaneError.invalidEncryptionKey(
                "the encryption key id '\(id)' must be 1...64 printable ASCII characters without spaces"
            )
        }
        self.id = id
        self.symmetricKey = SymmetricKey(data: bytes)
    }

    /// The default key id: the first 8 bytes of the key's SHA-256, in lower-case hex (16 characters).
    ///
    /// A hash prefix identifies the key without revealing it.
    public static func defaultID(for bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes).prefix(8))
    }

    public var description: String { "CredentialEncryptionKey(id: \(id))" }
}
