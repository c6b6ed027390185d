import Crypto

extension SigV4Signer {
    /// The hex SHA-256 of an empty body: `e3b0c442…b855`.
    public static let emptyPayloadSHA256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The lower-case hex SHA-256 of `bytes`, as the payload hash of a request.
    public static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return hasher.finalize().withUnsafeBytes { Hex.string($0) }
    }

    /// The lower-case hex SHA-256 of `bytes` (`[UInt8]`, `ArraySlice<UInt8>`, `Data`, `String.UTF8View`, …).
    public static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = PayloadHasher()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    /// The lower-case hex SHA-256 of a string's UTF-8 bytes.
    public static func sha256Hex(utf8 string: String) -> String {
        var string = string
        return string.withUTF8 { sha256Hex(UnsafeRawBufferPointer($0)) }
    }

    /// Computes a payload hash incrementally, for bodies that arrive in chunks.
    public struct PayloadHasher: Sendable {
        private var hasher = SHA256()

        /// Creates a hasher with nothing hashed yet.
        public init() {}

        /// Adds the bytes in `buffer`.
        public mutating func update(_ buffer: UnsafeRawBufferPointer) {
            hasher.update(bufferPointer: buffer)
        }

        /// Adds `bytes`, in one call when they are contiguous.
        public mutating func update(_ bytes: some Sequence<UInt8>) {
            let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
                hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
            }
            guard done == nil else { return }
            var chunk: [UInt8] = []
            chunk.reserveCapacity(4_096)
            for byte in bytes {
                chunk.append(byte)
                if chunk.count == 4_096 {
                    chunk.withUnsafeBytes { hasher.update(bufferPointer: $0) }
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            chunk.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }

        /// The lower-case hex SHA-256 of everything added.
        public func finalizeHex() -> String {
            hasher.finalize().withUnsafeBytes { Hex.string($0) }
        }
    }
}
