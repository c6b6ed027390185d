/// The rule for the fields of a name: one or more ASCII letters or digits, `[A-Za-z0-9]+`.
///
/// Fields never contain `-`, which separates them, so every name splits back into its fields.
public enum NamingField {
    /// The rule as written in messages.
    public static let rule = "[A-Za-z0-9]+"

    /// Whether `s` is a valid field: non-empty, ASCII letters and digits only.
    public static func isValid(_ s: String) -> Bool {
        !s.utf8.isEmpty && s.utf8.allSatisfy(isFieldByte)
    }

    /// Why `s` is not a valid field, or `nil` when it is.
    ///
    /// The reason names the first offending character: `"is empty"`, `"has '_'"`, `"has 'é' (U+00E9)"`.
    public static func violation(in s: String) -> String? {
        if s.isEmpty { return "is empty" }
        guard let bad = s.unicodeScalars.first(where: { !isFieldScalar($0) }) else { return nil }
        return "has \(Quoting.character(bad))"
    }

    static func isFieldByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return false
        }
    }

    static func isFieldScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && isFieldByte(UInt8(scalar.value))
    }
}
