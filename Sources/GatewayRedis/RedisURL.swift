/// The parts of a `redis://` or `rediss://` URL.
///
/// Parsed by hand rather than with Foundation's `URL`, so every failure can say which part is wrong without
/// repeating the URL (which may hold a password). The user info ends at the last `@`, so an unescaped `@` or `/`
/// in a password still parses.
struct RedisURL: Equatable {
    var useTLS: Bool
    var host: String
    var port: Int
    var username: String?
    var password: String?
    var database: Int

    init(parsing url: String) throws(RedisError) {
        let (scheme, afterScheme) = try Self.splitScheme(url)
        switch scheme.lowercased() {
        case "redis": self.useTLS = false
        case "rediss": self.useTLS = true
        default:
            throw RedisError.invalidURL("the scheme must be redis:// or rediss://, not '\(scheme)://'")
        }

        var rest = Substring(afterScheme)
        self.username = nil
        self.password = nil
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let user: Substring
            let password: Substring?
            if let colon = userInfo.firstIndex(of: ":") {
                user = userInfo[..<colon]
                password = userInfo[userInfo.index(after: colon)...]
            } else {
                user = userInfo
                password = nil
            }
            if !user.isEmpty {
                self.username = try Self.percentDecode(user, part: "user name")
            }
            if let password, !password.isEmpty {
                self.password = try Self.percentDecode(password, part: "password")
            }
            if self.username != nil && self.password == nil {
                throw RedisError.invalidURL(
                    "the URL names a user but no password; use redis://user:password@host, or "
                        + "redis://:password@host for a password alone"
                )
            }
        }

        if rest.contains("?") || rest.contains("#") {
            throw RedisError.invalidURL(
                "query parameters and fragments are not supported; set timeouts, pool size and TLS in the configuration"
            )
        }
        let authority: Substring
        let path: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        } else {
            authority = rest
            path = ""
        }

        let hostPart: Substring
        let portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw RedisError.invalidURL("an IPv6 host must be closed with ']', as in redis://[::1]:6379")
            }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let afterHost = authority[authority.index(after: close)...]
            if afterHost.isEmpty {
                portPart = nil
            } else if afterHost.hasPrefix(":") {
                portPart = afterHost.dropFirst()
            } else {
                throw RedisError.invalidURL("unexpected text after the IPv6 host; expected ':port'")
            }
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
            portPart = nil
        }
        guard !hostPart.isEmpty else {
            throw RedisError.invalidURL("the host is missing; expected redis://host[:port][/database]")
        }
        self.host = String(hostPart)

        if let portPart {
            guard let port = Int(portPart), (1...65_535).contains(port) else {
                // Echo the port only when it is digits: text here may be a password whose '@' is missing.
                let shown = !portPart.isEmpty && portPart.allSatisfy(\.isASCIIDigit) ? " '\(portPart)'" : ""
                throw RedisError.invalidURL("the port\(shown) is not a number in 1-65535")
            }
            self.port = port
        } else {
            self.port = 6379
        }

        if path.isEmpty {
            self.database = 0
        } else {
            guard let database = Int(path), database >= 0 else {
                throw RedisError.invalidURL("the path is not a database number; expected /0, /1, ...")
            }
            self.database = database
        }
    }

    private static func splitScheme(_ url: String) throws(RedisError) -> (Substring, Substring) {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else {
            throw RedisError.invalidURL("expected redis://host[:port][/database] or rediss://...; '://' is missing")
        }
        let scheme = url[..<colon]
        // Only letters may form the scheme; anything else is echoed as a fixed placeholder in case it is a secret.
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw RedisError.invalidURL("the URL does not start with redis:// or rediss://")
        }
        return (scheme, url[url.index(colon, offsetBy: 3)...])
    }

    /// Decodes `%XX` escapes. Errors name the part, never its content.
    private static func percentDecode(_ text: Substring, part: String) throws(RedisError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue)
            else {
                throw RedisError.invalidURL("the \(part) contains a '%' that is not followed by two hex digits")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw RedisError.invalidURL("the \(part) is not valid UTF-8 after percent-decoding")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Escapes everything but unreserved characters (RFC 3986), for redacted descriptions.
    static func percentEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(digits[Int(byte >> 4)])
                result.unicodeScalars.append(digits[Int(byte & 0xF)])
            }
        }
        return result
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { self.isASCII && self.isNumber }
}
