/// Hex digits by hand (no `String(format:)`).
enum Hex {
    private static let lowerDigits: StaticString = "0123456789abcdef"
    private static let upperDigits: StaticString = "0123456789ABCDEF"

    /// The lower-case hex digit for a value in `0..<16`.
    @inline(__always)
    static func lowerDigit(_ nibble: UInt8) -> UInt8 {
        lowerDigits.utf8Start[Int(nibble & 0x0F)]
    }

    /// The upper-case hex digit for a value in `0..<16`.
    @inline(__always)
    static func upperDigit(_ nibble: UInt8) -> UInt8 {
        upperDigits.utf8Start[Int(nibble & 0x0F)]
    }

    /// The lower-case hex form of `bytes` as a string.
    static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { output in
            var writer = ByteWriter(output)
            writer.appendHex(bytes)
            return writer.count
        }
    }

    /// The value of an ASCII hex digit (either case), or `nil`.
    @inline(__always)
    static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
