/// Appends bytes into a buffer allocated once with a known upper bound: the signer's canonical request, string
/// to sign and `Authorization` value are built with it instead of growing arrays byte by byte.
///
/// Every write is bounds-checked against the capacity (a precondition, not just a debug assertion).
struct ByteWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.base = buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 1)!
        self.capacity = buffer.count
    }

    /// The bytes written so far.
    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        precondition(count < capacity, "ByteWriter capacity exceeded")
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(bytes.count <= capacity - count, "ByteWriter capacity exceeded")
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Drops the last `count` bytes written.
    mutating func removeLast(_ count: Int) {
        precondition(count <= self.count, "ByteWriter cannot remove more than it wrote")
        self.count -= count
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends a string's UTF-8 bytes.
    mutating func append(utf8 string: String) {
        string.withUTF8Bytes { append($0) }
    }

    /// Appends `%XX` (upper-case hex), RFC 3986 percent-encoding.
    @inline(__always)
    mutating func appendPercentEncoded(_ byte: UInt8) {
        append(UInt8(ascii: "%"))
        append(Hex.upperDigit(byte >> 4))
        append(Hex.upperDigit(byte & 0x0F))
    }

    /// Appends the lower-case hex form of `bytes`.
    mutating func appendHex(_ bytes: UnsafeRawBufferPointer) {
        precondition(2 * bytes.count <= capacity - count, "ByteWriter capacity exceeded")
        var index = count
        for byte in bytes {
            base[index] = Hex.lowerDigit(byte >> 4)
            base[index + 1] = Hex.lowerDigit(byte & 0x0F)
            index += 2
        }
        count = index
    }
}

extension String {
    /// Calls `body` with the string's UTF-8 bytes, without copying native strings.
    @inline(__always)
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return copy.withUTF8(body)
    }
}
