#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The pieces of a SigV4 canonical request, written byte by byte into one buffer.
///
/// Every function mirrors botocore's `SigV4Auth` (non-S3) and is covered by the AWS SigV4 test suite and a
/// cross-check against botocore itself.
enum SigV4Canonicalizer {
    /// Header names never signed: hop-by-hop headers and headers that proxies, load balancers or HTTP clients add
    /// or rewrite (botocore's `SIGNED_HEADERS_BLACKLIST`), plus the headers the signer itself sets
    /// (`authorization`, `x-amz-date`, and `x-amz-security-token` when the credential has a session token).
    /// ``isUnsigned(_:hasSessionToken:)`` matches exactly these.
    static let unsignedHeaderNames: [String] = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amz-date", "x-amzn-trace-id",
    ]
    static let securityTokenHeaderName = "x-amz-security-token"
    static let dateHeaderName = "x-amz-date"

    // MARK: Bytes

    /// RFC 3986 unreserved characters: `A-Z a-z 0-9 - _ . ~`.
    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// The whitespace `Trimall` removes and collapses: space, tab, line feed, carriage return, vertical tab and
    /// form feed (Python's `bytes.split()` set; HTTP itself only allows space and tab inside values).
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    @inline(__always)
    static func uppercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte & ~0x20 : byte
    }

    /// Appends `bytes` percent-encoded: unreserved characters (and `/` when `keepSlash`) as they are, every other
    /// byte, including `%`, as `%XX`.
    @inline(__always)
    static func appendEncoded(_ bytes: UnsafeBufferPointer<UInt8>, keepSlash: Bool, to writer: inout ByteWriter) {
        for byte in bytes {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                writer.append(byte)
            } else {
                writer.appendPercentEncoded(byte)
            }
        }
    }

    // MARK: Method

    /// Appends the method upper-cased.
    static func appendMethod(_ method: String, to writer: inout ByteWriter) {
        method.withUTF8Bytes { bytes in
            for byte in bytes { writer.append(uppercased(byte)) }
        }
    }

    // MARK: Path

    /// Appends the canonical URI of a non-S3 request: `path` (as sent on the wire) with dot segments removed and
    /// consecutive slashes collapsed, then percent-encoded again, so `%3A` becomes `%253A`.
    ///
    /// Dot-segment removal follows botocore's `remove_dot_segments`: `.` segments and empty segments are
    /// dropped, `..` drops the previous segment (never above the root), and a trailing slash survives only if a
    /// segment remains. An empty path is `/`. At most `max(1, 3 × path length)` bytes are written.
    static func appendCanonicalURI(_ path: String, to writer: inout ByteWriter) {
        path.withUTF8Bytes { bytes in
            appendCanonicalURI(bytes, to: &writer)
        }
    }

    static func appendCanonicalURI(_ bytes: UnsafeBufferPointer<UInt8>, to writer: inout ByteWriter) {
        let slash = UInt8(ascii: "/")
        guard !bytes.isEmpty else {
            writer.append(slash)
            return
        }
        if !needsNormalization(bytes) {
            appendEncoded(bytes, keepSlash: true, to: &writer)
            return
        }
        // Slow path: collect the surviving segments, then join them.
        var segments: [Range<Int>] = []
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == slash {
            let length = index - start
            if length == 0 || (length == 1 && bytes[start] == UInt8(ascii: ".")) {
                // Empty or ".": dropped.
            } else if length == 2 && bytes[start] == UInt8(ascii: ".") && bytes[start + 1] == UInt8(ascii: ".") {
                if !segments.isEmpty { segments.removeLast() }
            } else {
                segments.append(start..<index)
            }
            start = index + 1
        }
        if bytes[0] == slash { writer.append(slash) }
        for (position, segment) in segments.enumerated() {
            if position > 0 { writer.append(slash) }
            appendEncoded(UnsafeBufferPointer(rebasing: bytes[segment]), keepSlash: false, to: &writer)
        }
        if bytes[bytes.count - 1] == slash && !segments.isEmpty { writer.append(slash) }
    }

    /// Whether the path has an empty segment (other than a leading or trailing slash) or a `.`/`..` segment.
    private static func needsNormalization(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        var start = 0
        let count = bytes.count
        for index in 0...count where index == count || bytes[index] == slash {
            let length = index - start
            if length == 0 {
                // Only a leading "/" (empty first segment) and a trailing "/" (empty last segment) survive as is.
                if index != 0 && index != count { return true }
            } else if bytes[start] == dot && (length == 1 || (length == 2 && bytes[start + 1] == dot)) {
                return true
            }
            start = index + 1
        }
        return false
    }

    // MARK: Query

    /// Appends the canonical query string for a raw query (as sent, without `?`): each `key=value` pair is
    /// split at its first `=` (a missing value is empty), percent-decoded and re-encoded with the RFC 3986
    /// unreserved set (so `+` is a literal plus, `%2B`), and the pairs are sorted by encoded key, then value.
    /// As in botocore, an empty pair (`a=1&&b=2`, a trailing `&`) counts as an empty key with an empty value
    /// (`=`). An empty query writes nothing. At most `4 × query length + 1` bytes are written.
    static func appendCanonicalQuery(_ query: String, to writer: inout ByteWriter) {
        query.withUTF8Bytes { bytes in
            appendCanonicalQuery(bytes, to: &writer)
        }
    }

    static func appendCanonicalQuery(_ bytes: UnsafeBufferPointer<UInt8>, to writer: inout ByteWriter) {
        guard !bytes.isEmpty else { return }
        var pairs: [(key: [UInt8], value: [UInt8])] = []
        var start = 0
        let count = bytes.count
        for index in 0...count where index == count || bytes[index] == UInt8(ascii: "&") {
            let pair = UnsafeBufferPointer(rebasing: bytes[start..<index])
            let separator = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.count
            let key = normalizedQueryComponent(UnsafeBufferPointer(rebasing: pair[0..<separator]))
            let value = separator < pair.count
                ? normalizedQueryComponent(UnsafeBufferPointer(rebasing: pair[(separator + 1)...]))
                : []
            pairs.append((key, value))
            start = index + 1
        }
        pairs.sort { lhs, rhs in
            lhs.key == rhs.key
                ? lhs.value.lexicographicallyPrecedes(rhs.value)
                : lhs.key.lexicographicallyPrecedes(rhs.key)
        }
        for (position, pair) in pairs.enumerated() {
            if position > 0 { writer.append(UInt8(ascii: "&")) }
            writer.append(pair.key)
            writer.append(UInt8(ascii: "="))
            writer.append(pair.value)
        }
    }

    /// Decodes `%XX` escapes (a `%` not followed by two hex digits is literal) and re-encodes the bytes.
    private static func normalizedQueryComponent(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 3 * bytes.count) { buffer, initialized in
            var writer = ByteWriter(buffer)
            var index = 0
            while index < bytes.count {
                var byte = bytes[index]
                if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = Hex.value(of: bytes[index + 1]),
                    let low = Hex.value(of: bytes[index + 2])
                {
                    byte = high << 4 | low
                    index += 2
                }
                if isUnreserved(byte) {
                    writer.append(byte)
                } else {
                    writer.appendPercentEncoded(byte)
                }
                index += 1
            }
            initialized = writer.count
        }
    }

    // MARK: Headers

    /// One header to sign: its lower-cased name in the name arena and where its value comes from.
    struct HeaderEntry {
        var nameStart: Int32
        var nameEnd: Int32
        /// An index into the caller's headers, or ``dateSource`` / ``tokenSource``.
        var source: Int32
        /// The entry's position in the request, so repeated names keep their order.
        var position: Int32
        static let dateSource: Int32 = -1
        static let tokenSource: Int32 = -2
    }

    /// The most bytes ``appendCanonicalHeaders(_:amzDate:sessionToken:to:)`` writes.
    static func canonicalHeadersBound(_ headers: [(name: String, value: String)], sessionToken: [UInt8]?) -> Int {
        var bound = 2 * (dateHeaderName.utf8.count + 2) + 16 + 2
        for header in headers { bound += 2 * (header.name.utf8.count + 1) + header.value.utf8.count + 1 }
        if let sessionToken { bound += 2 * (securityTokenHeaderName.utf8.count + 1) + sessionToken.count + 1 }
        return bound
    }

    /// Appends the canonical headers block (`name:value\n` per distinct name, sorted), a blank line and the
    /// signed-headers list, and returns the range of that list in the writer.
    ///
    /// - Parameters:
    ///   - headers: The caller's headers; unsigned ones are skipped.
    ///   - amzDate: Signed as `x-amz-date`.
    ///   - sessionToken: The session token, already trimmed; signed as `x-amz-security-token` when present (the
    ///     caller's own header of that name is then ignored).
    static func appendCanonicalHeaders(
        _ headers: [(name: String, value: String)],
        amzDate: AmzDate,
        sessionToken: [UInt8]?,
        to writer: inout ByteWriter
    ) -> Range<Int> {
        var arenaSize = dateHeaderName.utf8.count + securityTokenHeaderName.utf8.count
        for header in headers { arenaSize += header.name.utf8.count }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: arenaSize) { arenaBuffer in
            withUnsafeTemporaryAllocation(of: HeaderEntry.self, capacity: headers.count + 2) { entryBuffer in
                var arena = ByteWriter(arenaBuffer)
                var entryCount = 0
                func add(source: Int32, nameStart: Int) {
                    entryBuffer.initializeElement(
                        at: entryCount,
                        to: HeaderEntry(
                            nameStart: Int32(nameStart), nameEnd: Int32(arena.count), source: source,
                            position: Int32(entryCount)
                        )
                    )
                    entryCount += 1
                }
                let hasSessionToken = sessionToken != nil
                for (index, header) in headers.enumerated() {
                    let start = arena.count
                    header.name.withUTF8Bytes { name in
                        for byte in name { arena.append(lowercased(byte)) }
                    }
                    let name = UnsafeBufferPointer(rebasing: arena.written[start...])
                    if isUnsigned(name, hasSessionToken: hasSessionToken) {
                        arena.removeLast(name.count)
                    } else {
                        add(source: Int32(index), nameStart: start)
                    }
                }
                var start = arena.count
                arena.append(utf8: dateHeaderName)
                add(source: HeaderEntry.dateSource, nameStart: start)
                if hasSessionToken {
                    start = arena.count
                    arena.append(utf8: securityTokenHeaderName)
                    add(source: HeaderEntry.tokenSource, nameStart: start)
                }

                let names = arena.written
                var entries = UnsafeMutableBufferPointer(rebasing: entryBuffer[0..<entryCount])
                defer { entries.deinitialize() }
                entries.sort { lhs, rhs in
                    let comparison = compare(names, lhs, rhs)
                    return comparison != 0 ? comparison < 0 : lhs.position < rhs.position
                }
                return writeHeaders(
                    entries, names: names, headers: headers, amzDate: amzDate, sessionToken: sessionToken,
                    to: &writer
                )
            }
        }
    }

    private static func writeHeaders(
        _ entries: UnsafeMutableBufferPointer<HeaderEntry>,
        names: UnsafeBufferPointer<UInt8>,
        headers: [(name: String, value: String)],
        amzDate: AmzDate,
        sessionToken: [UInt8]?,
        to writer: inout ByteWriter
    ) -> Range<Int> {
        var previous: HeaderEntry?
        for entry in entries {
            if let previous, compare(names, previous, entry) == 0 {
                writer.append(UInt8(ascii: ","))
            } else {
                if previous != nil { writer.append(UInt8(ascii: "\n")) }
                writer.append(UnsafeBufferPointer(rebasing: names[Int(entry.nameStart)..<Int(entry.nameEnd)]))
                writer.append(UInt8(ascii: ":"))
            }
            switch entry.source {
            case HeaderEntry.dateSource:
                amzDate.appendTimestamp(to: &writer)
            case HeaderEntry.tokenSource:
                if let sessionToken { writer.append(sessionToken) }
            default:
                appendTrimmed(headers[Int(entry.source)].value, to: &writer)
            }
            previous = entry
        }
        writer.append(UInt8(ascii: "\n"))
        writer.append(UInt8(ascii: "\n"))

        let signedStart = writer.count
        previous = nil
        for entry in entries {
            if let previous {
                if compare(names, previous, entry) == 0 { continue }
                writer.append(UInt8(ascii: ";"))
            }
            writer.append(UnsafeBufferPointer(rebasing: names[Int(entry.nameStart)..<Int(entry.nameEnd)]))
            previous = entry
        }
        return signedStart..<writer.count
    }

    /// Appends `value` trimmed, with each run of whitespace (including line breaks of folded values) collapsed
    /// to one space (SigV4's `Trimall`, which applies inside quotes too). Runs of other bytes are copied whole.
    static func appendTrimmed(_ value: String, to writer: inout ByteWriter) {
        value.withUTF8Bytes { bytes in
            var index = 0
            let count = bytes.count
            var first = true
            while index < count {
                while index < count && isWhitespace(bytes[index]) { index += 1 }
                guard index < count else { return }
                let start = index
                while index < count && !isWhitespace(bytes[index]) { index += 1 }
                if !first { writer.append(0x20) }
                writer.append(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                first = false
            }
        }
    }

    static func isUnsigned(_ name: UnsafeBufferPointer<UInt8>, hasSessionToken: Bool) -> Bool {
        switch name.count {
        case 2: equals(name, "te")
        case 6: equals(name, "expect")
        case 7: equals(name, "trailer") || equals(name, "upgrade")
        case 10: equals(name, "connection") || equals(name, "keep-alive") || equals(name, "user-agent")
            || equals(name, "x-amz-date")
        case 13: equals(name, "authorization")
        case 15: equals(name, "x-amzn-trace-id")
        case 17: equals(name, "transfer-encoding")
        case 18: equals(name, "proxy-authenticate")
        case 19: equals(name, "proxy-authorization")
        case 20: hasSessionToken && equals(name, "x-amz-security-token")
        default: false
        }
    }

    @inline(__always)
    private static func equals(_ name: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        literal.utf8CodeUnitCount == name.count && memcmp(literal.utf8Start, name.baseAddress!, name.count) == 0
    }

    /// Three-way byte comparison of two entries' names.
    @inline(__always)
    private static func compare(_ names: UnsafeBufferPointer<UInt8>, _ lhs: HeaderEntry, _ rhs: HeaderEntry) -> Int {
        let leftCount = Int(lhs.nameEnd - lhs.nameStart)
        let rightCount = Int(rhs.nameEnd - rhs.nameStart)
        let left = Int(lhs.nameStart)
        let right = Int(rhs.nameStart)
        for offset in 0..<min(leftCount, rightCount) {
            let a = names[left + offset]
            let b = names[right + offset]
            if a != b { return a < b ? -1 : 1 }
        }
        return leftCount == rightCount ? 0 : (leftCount < rightCount ? -1 : 1)
    }
}
