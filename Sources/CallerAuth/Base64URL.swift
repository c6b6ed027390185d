/// Unpadded base64url (RFC 7515 §2), strict: any character outside the alphabet, padding included, is refused.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    /// Decodes `text`; `nil` when it is not canonical unpadded base64url.
    static func decode(_ text: Substring.UTF8View) -> [UInt8]? {
        if let decoded = text.withContiguousStorageIfAvailable({ Self.decode($0) }) {
            return decoded
        }
        return Array(text).withUnsafeBufferPointer { Self.decode($0) }
    }

    private static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = input.count
        let remainder = count % 4
        guard remainder != 1 else { return nil }
        let outputCount = count / 4 * 3 + (remainder == 0 ? 0 : remainder - 1)
        return Self.decodeTable.withUnsafeBufferPointer { table -> [UInt8]? in
            var valid = true
            let output = [UInt8](unsafeUninitializedCapacity: outputCount) { buffer, initialized in
                var inIndex = 0
                var outIndex = 0
                var invalid: UInt8 = 0
                while count - inIndex >= 4 {
                    let a = table[Int(input[inIndex])]
                    let b = table[Int(input[inIndex + 1])]
                    let c = table[Int(input[inIndex + 2])]
                    let d = table[Int(input[inIndex + 3])]
                    invalid |= a | b | c | d
                    let word = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    buffer[outIndex] = UInt8(truncatingIfNeeded: word >> 16)
                    buffer[outIndex + 1] = UInt8(truncatingIfNeeded: word >> 8)
                    buffer[outIndex + 2] = UInt8(truncatingIfNeeded: word)
                    inIndex += 4
                    outIndex += 3
                }
                if remainder >= 2 {
                    let a = table[Int(input[inIndex])]
                    let b = table[Int(input[inIndex + 1])]
                    let c = remainder == 3 ? table[Int(input[inIndex + 2])] : 0
                    invalid |= a | b | c
                    let word = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
                    buffer[outIndex] = UInt8(truncatingIfNeeded: word >> 16)
                    if remainder == 3 {
                        buffer[outIndex + 1] = UInt8(truncatingIfNeeded: word >> 8)
                    }
                    // Canonical encoding: the bits below the last whole byte must be zero.
                    let unused: UInt32 = remainder == 2 ? (UInt32(b) & 0x0F) : (UInt32(c) & 0x03)
                    if unused != 0 { invalid |= 0x80 }
                }
                // Table entries for invalid characters are 0xFF; valid ones are below 64.
                valid = invalid & 0xC0 == 0
                initialized = outputCount
            }
            return valid ? output : nil
        }
    }

    static func decode(_ text: String) -> [UInt8]? {
        Self.decode(Substring(text).utf8)
    }

    static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output = [UInt8]()
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            accumulator = accumulator << 8 | UInt32(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                output.append(Self.alphabet[Int(accumulator >> UInt32(bits) & 0x3F)])
            }
            accumulator &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 {
            output.append(Self.alphabet[Int(accumulator << UInt32(6 - bits) & 0x3F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
