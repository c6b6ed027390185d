/// Keeps credentials out of error messages.
enum Redaction {
    static let placeholder = "<redacted>"

    /// `text` with every JWT-shaped run (`eyJ...` with at least one `.`) and every value after `Bearer ` replaced by
    /// ``placeholder``. Returns `text` unchanged when there is nothing to redact.
    static func redactingTokens(in text: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var index = 0
        var changed = false
        while index < bytes.count {
            if let (kept, end) = token(in: bytes, at: index) {
                if !changed {
                    output.reserveCapacity(bytes.count)
                    output.append(contentsOf: bytes[..<index])
                    changed = true
                }
                output.append(contentsOf: bytes[index..<(index + kept)])
                output.append(contentsOf: placeholder.utf8)
                index = end
                continue
            }
            if changed { output.append(bytes[index]) }
            index += 1
        }
        return changed ? String(decoding: output, as: UTF8.self) : text
    }

    /// A token starting at `start`: how many of its leading bytes to keep (`Bearer `) and where it ends.
    private static func token(in bytes: [UInt8], at start: Int) -> (kept: Int, end: Int)? {
        guard start == 0 || !isTokenByte(bytes[start - 1]) else { return nil }
        let bearer = Array("bearer ".utf8)
        // `Bearer <JWT ...>` in help text is a placeholder, not a token: no token starts with `<`.
        if start + bearer.count < bytes.count,
            zip(bytes[start..<(start + bearer.count)], bearer).allSatisfy({ ($0 | 0x20) == $1 }),
            bytes[start + bearer.count] != UInt8(ascii: "<")
        {
            var end = start + bearer.count
            while end < bytes.count, bytes[end] > 0x20, bytes[end] != UInt8(ascii: "'"), bytes[end] != UInt8(ascii: "\"") {
                end += 1
            }
            return end > start + bearer.count ? (bearer.count, end) : nil
        }
        guard start + 3 <= bytes.count, bytes[start] == UInt8(ascii: "e"), bytes[start + 1] == UInt8(ascii: "y"),
            bytes[start + 2] == UInt8(ascii: "J")
        else { return nil }
        var end = start
        var dots = 0
        while end < bytes.count, isTokenByte(bytes[end]) || bytes[end] == UInt8(ascii: ".") {
            if bytes[end] == UInt8(ascii: ".") { dots += 1 }
            end += 1
        }
        return dots >= 1 && end - start >= 16 ? (0, end) : nil
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "/"):
            true
        default: false
        }
    }
}
