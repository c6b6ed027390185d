/// Makes token-supplied text safe to quote in an error message: control characters are replaced and long
/// values are cut, so a hostile claim cannot forge log lines or bloat responses.
enum Sanitize {
    static func quoted(_ text: String, limit: Int = 128) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                result += "…"
                break
            }
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                result.unicodeScalars.append("?")
            } else {
                result.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return result
    }
}
