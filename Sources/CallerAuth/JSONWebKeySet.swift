import Foundation

/// A JWKS document: `{"keys": [...]}`.
public struct JSONWebKeySet: Codable, Hashable, Sendable {
    /// The published keys, in document order.
    public var keys: [JSONWebKey]

    /// Creates a key set.
    public init(keys: [JSONWebKey]) {
        self.keys = keys
    }

    /// Decodes a JWKS document. Keys of unknown types decode too; the verifier skips what it cannot use.
    public init(jsonData data: Data) throws(AuthError) {
        struct Document: Decodable {
            var keys: [Entry]
        }
        /// Decodes one key leniently, so a single odd key (an `x5c`-only entry, a number where a string was
        /// expected) does not make the whole set unusable.
        struct Entry: Decodable {
            var key: JSONWebKey?
            init(from decoder: any Decoder) throws {
                self.key = try? JSONWebKey(from: decoder)
            }
        }
        do {
            let document = try JSONDecoder().decode(Document.self, from: data)
            self.init(keys: document.keys.compactMap(\.key))
        } catch {
            throw .keySetUnavailable("the JWKS document is not JSON with a 'keys' array")
        }
    }
}
