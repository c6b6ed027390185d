import Crypto
import Foundation

/// Encrypts and decrypts shared-cache values with AES-256-GCM, binding each one to its cache key.
///
/// Stored format (version 1):
/// ```
/// 0x01 | key-id length (1 byte) | key id (ASCII) | nonce (12) | ciphertext | tag (16)
/// ```
/// The associated data is the header (version, length, id) followed by the cache key's UTF-8 bytes, so a
/// value copied under another key (another role, policy or caller) fails authentication, as does a value
/// whose key id was edited. Writes use ``current``; reads accept the current and every previous key.
public struct CredentialCipher: Sendable {
    /// Why a stored value was rejected; used for logging, never shown with the value itself.
    enum OpenFailure: Error, Equatable {
        /// The bytes are not a version-1 envelope.
        case malformed
        /// The envelope names a key id this replica does not have.
        case unknownKeyID
        /// AES-GCM authentication failed: tampered, wrong key or bound to another cache key.
        case authenticationFailed

        var reason: String {
            switch self {
            case .malformed: "malformed"
            case .unknownKeyID: "unknown_key_id"
            case .authenticationFailed: "authentication_failed"
            }
        }
    }

    static let formatVersion: UInt8 = 1

    /// The key new values are encrypted with.
    public let current: CredentialEncryptionKey
    /// Keys still accepted for reading, during rotation.
    public let previous: [CredentialEncryptionKey]
    private let keysByID: [String: SymmetricKey]

    /// Creates a cipher.
    ///
    /// - Parameters:
    ///   - current: the key for new values.
    ///   - previous: earlier keys whose values may still be in the cache.
    /// - Throws: ``CredentialPlaneError/invalidEncryptionKey`` if two keys share an id.
    public init(current: CredentialEncryptionKey, previous: [CredentialEncryptionKey] = []) throws {
        var keysByID: [String: SymmetricKey] = [:]
        for key in [current] + previous {
            guard keysByID.updateValue(key.symmetricKey, forKey: key.id) == nil else {
                throw CredentialPlaneError.invalidEncryptionKey(
                    "two credential cache encryption keys have the id '\(key.id)'; give each key a distinct id"
                )
            }
        }
        self.current = current
        self.previous = previous
        self.keysByID = keysByID
    }

    /// Encrypts `plaintext` for storage under `cacheKey`.
    func seal(_ plaintext: [UInt8], boundTo cacheKey: String) throws -> [UInt8] {
        let header = Self.header(keyID: current.id)
        let box = try AES.GCM.seal(
            plaintext,
            using: current.symmetricKey,
            authenticating: Self.associatedData(header: header, cacheKey: cacheKey)
        )
        guard let combined = box.combined else { throw OpenFailure.malformed }
        return header + Array(combined)
    }

    /// Decrypts a stored value read from `cacheKey`.
    func open(_ blob: [UInt8], boundTo cacheKey: String) throws(OpenFailure) -> [UInt8] {
        guard blob.count > 2, blob[0] == Self.formatVersion else { throw .malformed }
        let idLength = Int(blob[1])
        let headerLength = 2 + idLength
        // nonce (12) + tag (16) at least
        guard idLength > 0, blob.count >= headerLength + 28 else { throw .malformed }
        let keyID = String(decoding: blob[2..<headerLength], as: UTF8.self)
        guard let key = keysByID[keyID] else { throw .unknownKeyID }
        let header = Array(blob[0..<headerLength])
        do {
            let box = try AES.GCM.SealedBox(combined: blob[headerLength...])
            let plaintext = try AES.GCM.open(
                box,
                using: key,
                authenticating: Self.associatedData(header: header, cacheKey: cacheKey)
            )
            return Array(plaintext)
        } catch {
            throw .authenticationFailed
        }
    }

    /// The key id a stored value names, if it is well-formed enough to have one.
    static func keyID(of blob: [UInt8]) -> String? {
        guard blob.count > 2, blob[0] == formatVersion, blob.count >= 2 + Int(blob[1]) else { return nil }
        return String(decoding: blob[2..<(2 + Int(blob[1]))], as: UTF8.self)
    }

    private static func header(keyID: String) -> [UInt8] {
        let id = Array(keyID.utf8)
        return [formatVersion, UInt8(id.count)] + id
    }

    private static func associatedData(header: [UInt8], cacheKey: String) -> [UInt8] {
        header + Array(cacheKey.utf8)
    }
}
