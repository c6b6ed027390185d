/// Builds and checks STS role session names (`[\w+=,.@-]{2,64}`, where `\w` is ASCII letters, digits and `_`).
///
/// A session name shows up in CloudTrail as the last component of the assumed-role ARN, so the gateway
/// uses the use case's name plus a short unique suffix:
///
/// ```swift
/// RoleSessionName.make(useCase: "Use Case A")          // "Use-Case-A-3f9c2a1b"
/// RoleSessionName.make(useCase: "ucA", suffix: "r2")   // "ucA-r2"
/// ```
public struct RoleSessionName: Sendable {
    private init() {}

    /// The shortest and longest session names STS accepts.
    public static let lengthRange = 2...64
    /// The longest suffix kept; longer suffixes keep their last characters.
    public static let maximumSuffixLength = 32

    /// Returns a valid session name made of the sanitised use case and a suffix.
    ///
    /// Characters STS does not accept become `-`; the use case is truncated so the whole name fits in 64
    /// characters, the suffix always survives whole (up to ``maximumSuffixLength``).
    ///
    /// - Parameters:
    ///   - useCase: the use case's name, any string.
    ///   - suffix: a unique suffix (for example a replica id); `nil` picks 8 random hex characters.
    /// - Returns: a string that always satisfies ``isValid(_:)``.
    public static func make(useCase: String, suffix: String? = nil) -> String {
        var tail = sanitize(suffix ?? randomSuffix())
        if tail.count > maximumSuffixLength { tail = String(tail.suffix(maximumSuffixLength)) }
        var head = sanitize(useCase)
        if head.isEmpty { head = "session" }
        guard !tail.isEmpty else {
            if head.count < lengthRange.lowerBound { head += "-s" }
            return String(head.prefix(lengthRange.upperBound))
        }
        let room = lengthRange.upperBound - 1 - tail.count
        return String(head.prefix(room)) + "-" + tail
    }

    /// Whether STS accepts `name` as a `RoleSessionName`.
    public static func isValid(_ name: String) -> Bool {
        let scalars = name.unicodeScalars
        return lengthRange.contains(scalars.count) && scalars.allSatisfy(isAllowed)
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "+", "=", ",", ".", "@", "-":
            return true
        default:
            return false
        }
    }

    private static func sanitize(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            result.append(isAllowed(scalar) ? scalar : "-")
        }
        return String(result)
    }

    private static func randomSuffix() -> String {
        let value = UInt32.random(in: .min ... .max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
