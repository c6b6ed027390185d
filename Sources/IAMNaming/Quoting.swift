/// Renders untrusted input safely inside messages.
enum Quoting {
    /// `s` in single quotes, with every scalar outside printable ASCII written as `\u{XXXX}`, so a
    /// message never carries control characters or look-alike letters from its input.
    static func quoted(_ s: String) -> String {
        var out = "'"
        for scalar in s.unicodeScalars {
            if (0x20...0x7E).contains(scalar.value) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{\(hex(scalar.value))}"
            }
        }
        return out + "'"
    }

    /// One character for a message: `'_'` for visible ASCII, `' ' (U+0020)` for a space or a visible
    /// non-ASCII character, `U+000A` for a control character.
    static func character(_ scalar: Unicode.Scalar) -> String {
        if (0x21...0x7E).contains(scalar.value) { return "'\(scalar)'" }
        let code = "U+\(hex(scalar.value))"
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned,
            .nonspacingMark, .enclosingMark, .spacingMark:
            return code
        default:
            return "'\(scalar)' (\(code))"
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
