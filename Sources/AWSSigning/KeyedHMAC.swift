import Crypto

/// HMAC-SHA256 with the key already absorbed: the inner and outer SHA-256 states after their padded key blocks.
///
/// Copying the two states and hashing a message costs one compression per 64-byte block plus two for the outer
/// hash, instead of re-deriving the key pads for every request as `HMAC(key:)` does.
struct KeyedHMAC: Sendable {
    private let inner: SHA256
    private let outer: SHA256

    /// Absorbs `key`, which must be at most one SHA-256 block (64 bytes); SigV4 keys are 32.
    init(key: UnsafeRawBufferPointer) {
        precondition(key.count <= 64, "KeyedHMAC keys are at most one SHA-256 block")
        var innerPad = [UInt8](repeating: 0x36, count: 64)
        var outerPad = [UInt8](repeating: 0x5C, count: 64)
        for (index, byte) in key.enumerated() {
            innerPad[index] ^= byte
            outerPad[index] ^= byte
        }
        var inner = SHA256()
        innerPad.withUnsafeBytes { inner.update(bufferPointer: $0) }
        var outer = SHA256()
        outerPad.withUnsafeBytes { outer.update(bufferPointer: $0) }
        self.inner = inner
        self.outer = outer
    }

    init(key: SymmetricKey) {
        self = key.withUnsafeBytes { KeyedHMAC(key: $0) }
    }

    /// `HMAC-SHA256(key, message)`.
    func authenticationCode(for message: UnsafeRawBufferPointer) -> SHA256.Digest {
        var innerHash = inner
        innerHash.update(bufferPointer: message)
        let innerDigest = innerHash.finalize()
        var outerHash = outer
        innerDigest.withUnsafeBytes { outerHash.update(bufferPointer: $0) }
        return outerHash.finalize()
    }
}
