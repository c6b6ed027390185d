/// Standard base64 (RFC 4648 §4, with padding), as Bedrock uses for `PayloadPart.bytes`.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output = [UInt8]()
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let word = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(alphabet[Int(word >> 18 & 0x3F)])
            output.append(alphabet[Int(word >> 12 & 0x3F)])
            output.append(second == nil ? UInt8(ascii: "=") : alphabet[Int(word >> 6 & 0x3F)])
            output.append(third == nil ? UInt8(ascii: "=") : alphabet[Int(word & 0x3F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes padded base64; returns `nil` for any other character, bad padding or a length not a multiple of 4.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 4 == 0 else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count / 4 * 3)
        var index = 0
        while index < bytes.count {
            let isLast = index + 4 == bytes.count
            var word: UInt32 = 0
            var padding = 0
            for offset in 0..<4 {
                let byte = bytes[index + offset]
                if byte == UInt8(ascii: "="), isLast, offset >= 2 {
                    padding += 1
                    word <<= 6
                    continue
                }
                let value = decodeTable[Int(byte)]
                guard value != 0xFF, padding == 0 else { return nil }
                word = word << 6 | UInt32(value)
            }
            output.append(UInt8(truncatingIfNeeded: word >> 16))
            if padding < 2 { output.append(UInt8(truncatingIfNeeded: word >> 8)) }
            if padding < 1 { output.append(UInt8(truncatingIfNeeded: word)) }
            index += 4
        }
        return output
    }
}
