/// A small, strict JSON reader and string escaper for the few JSON documents the gateway looks inside on its
/// request path: JWT headers and claims (CallerAuth) and Bedrock event payloads and usage (BedrockEventStream).
/// Foundation's `JSONDecoder` and `JSONSerialization` are slow on Linux (about 18 µs for one claims set, as much as
/// half an RSA signature check); this reader is several times faster.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The member named `key` of an object; `nil` for a missing member or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The value as a string, when it is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as an integer, when it is a whole number in range.
    public var intValue: Int? {
        guard case .number(let value) = self, value.rounded() == value, abs(value) < 9.0e15 else { return nil }
        return Int(value)
    }

    /// Parses one JSON document; returns `nil` for anything malformed or nested deeper than 64 levels.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> JSONValue? {
        var parser = Parser(bytes: bytes)
        guard let value = parser.parseValue(depth: 0) else { return nil }
        parser.skipWhitespace()
        return parser.offset == bytes.count ? value : nil
    }

    /// The member `name` of the object `bytes` holds: the same answer as `parse(bytes)?[name]`, but the other
    /// members are only checked, not built, so reading a small member next to a large one (a response's `usage`
    /// next to its text) costs a scan of the large one instead of copies of it.
    public static func member(_ name: String, ofObjectIn bytes: UnsafeRawBufferPointer) -> JSONValue? {
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        guard parser.offset < bytes.count, bytes[parser.offset] == UInt8(ascii: "{") else {
            // Not an object: valid or not, it has no members.
            return nil
        }
        guard case .found(let value) = parser.findMember(name) else { return nil }
        parser.skipWhitespace()
        return parser.offset == bytes.count ? value : nil
    }

    /// Parses one JSON document held in `bytes`.
    public static func parse(_ bytes: some Sequence<UInt8>) -> JSONValue? {
        if let result = bytes.withContiguousStorageIfAvailable({ Self.parse(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { Self.parse($0) }
    }

    /// Appends `string` as a JSON string literal (with quotes) to `output`.
    public static func appendQuoted(_ string: String, to output: inout String) {
        output.append("\"")
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output.append("\\\"")
            case "\\": output.append("\\\\")
            case "\n": output.append("\\n")
            case "\r": output.append("\\r")
            case "\t": output.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output.append("\"")
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        mutating func skipWhitespace() {
            while self.offset < self.bytes.count {
                switch self.bytes[self.offset] {
                case 0x20, 0x09, 0x0A, 0x0D: self.offset += 1
                default: return
                }
            }
        }

        mutating func consume(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard self.bytes.count - self.offset >= count else { return false }
            for index in 0..<count where self.bytes[self.offset + index] != literal.utf8Start[index] {
                return false
            }
            self.offset += count
            return true
        }

        mutating func parseValue(depth: Int) -> JSONValue? {
            guard depth < 64 else { return nil }
            self.skipWhitespace()
            guard self.offset < self.bytes.count else { return nil }
            switch self.bytes[self.offset] {
            case UInt8(ascii: "{"): return self.parseObject(depth: depth)
            case UInt8(ascii: "["): return self.parseArray(depth: depth)
            case UInt8(ascii: "\""): return self.parseString().map(JSONValue.string)
            case UInt8(ascii: "t"): return self.consume("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return self.consume("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return self.consume("null") ? .null : nil
            default: return self.parseNumber()
            }
        }

        mutating func parseObject(depth: Int) -> JSONValue? {
            self.offset += 1
            var members: [String: JSONValue] = [:]
            self.skipWhitespace()
            if self.offset < self.bytes.count, self.bytes[self.offset] == UInt8(ascii: "}") {
                self.offset += 1
                return .object(members)
            }
            while true {
                self.skipWhitespace()
                guard self.offset < self.bytes.count, self.bytes[self.offset] == UInt8(ascii: "\""),
                    let key = self.parseString()
                else { return nil }
                self.skipWhitespace()
                guard self.offset < self.bytes.count, self.bytes[self.offset] == UInt8(ascii: ":") else { return nil }
                self.offset += 1
                guard let value = self.parseValue(depth: depth + 1) else { return nil }
                members[key] = value
                self.skipWhitespace()
                guard self.offset < self.bytes.count else { return nil }
                let byte = self.bytes[self.offset]
                self.offset += 1
                if byte == UInt8(ascii: "}") { return .object(members) }
                guard byte == UInt8(ascii: ",") else { return nil }
            }
        }

        enum MemberSearch {
            case found(JSONValue?)
            case malformed
        }

        /// Reads the object at `offset` (depth 0), building only the value of `name` (its last occurrence, as
        /// ``parseObject(depth:)`` keeps).
        mutating func findMember(_ name: String) -> MemberSearch {
            self.offset += 1
            var found: JSONValue?
            self.skipWhitespace()
            if self.offset < self.bytes.count, self.bytes[self.offset] == UInt8(ascii: "}") {
                self.offset += 1
                return .found(nil)
            }
            while true {
                self.skipWhitespace()
                guard self.offset < self.bytes.count, self.bytes[self.offset] == UInt8(ascii: "\""),
                    let key = self.parseString()
                else { return .malformed }
                self.skipWhitespace()
                guard self.offset < self.bytes.count, self.bytes[self.offset] == UInt8(ascii: ":") else { return .malformed }
                self.offset += 1
                if key == name {
                    guard let value = self.parseValue(depth: 1) else { return .malformed }
                    found = value
                } else {
                    guard self.skipValue(depth: 1) else { return .malformed }
                }
                self.skipWhitespace()
                guard self.offset < self.bytes.count else { return .malformed }
                let byte = self.bytes[self.offset]
                self.offset += 1
                if byte == UInt8(ascii: "}") { return .found(found) }
                guard byte == UInt8(ascii: ",") else { return .malformed }
            }
        }

        /// Checks one value as ``parseValue(depth:)`` would, without building it.
        mutating func skipValue(depth: Int) -> Bool {
            guard depth < 64 else { return false }
            self.skipWhitespace()
            guard self.offset < self.bytes.count else { return false }
            switch self.bytes[self.offset] {
            case UInt8(ascii: "{"):
                self.offset += 1
                self.skipWhitespace()
                if self.offset < self.bytes.count, self.bytes[self.offset] == UInt8(ascii: "}") {
                    self.offset += 1
                    return true
                }
                while true {
                    self.skipWhitespace()
                    guard self.offset < self.bytes.count, self.bytes[self.offset] == UInt8(ascii: "\""), self.skipString()
                    else { return false }
                    self.skipWhitespace()
                    guard self.offset < self.bytes.count, self.bytes[self.offset] == UInt8(ascii: ":") else { return false }
                    self.offset += 1
                    guard self.skipValue(depth: depth + 1) else { return false }
                    self.skipWhitespace()
                    guard self.offset < self.bytes.count else { return false }
                    let byte = self.bytes[self.offset]
                    self.offset += 1
                    if byte == UInt8(ascii: "}") { return true }
                    guard byte == UInt8(ascii: ",") else { return false }
                }
            case UInt8(ascii: "["):
                self.offset += 1
                self.skipWhitespace()
                if self.offset < self.bytes.count, self.bytes[self.offset] == UInt8(ascii: "]") {
                    self.offset += 1
                    return true
                }
                while true {
                    guard self.skipValue(depth: depth + 1) else { return false }
                    self.skipWhitespace()
                    guard self.offset < self.bytes.count else { return false }
                    let byte = self.bytes[self.offset]
                    self.offset += 1
                    if byte == UInt8(ascii: "]") { return true }
                    guard byte == UInt8(ascii: ",") else { return false }
                }
            case UInt8(ascii: "\""): return self.skipString()
            case UInt8(ascii: "t"): return self.consume("true")
            case UInt8(ascii: "f"): return self.consume("false")
            case UInt8(ascii: "n"): return self.consume("null")
            default: return self.parseNumber() != nil
            }
        }

        /// Checks one string as ``parseString()`` would (escapes, control characters, UTF-8), without building it.
        mutating func skipString() -> Bool {
            self.offset += 1
            let start = self.offset
            while self.offset < self.bytes.count {
                let byte = self.bytes[self.offset]
                switch byte {
                case UInt8(ascii: "\""):
                    let raw = UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.offset])
                    self.offset += 1
                    // Escapes are ASCII, so the raw bytes are valid UTF-8 exactly when the decoded ones are.
                    return JSONValue.isValidUTF8(raw)
                case UInt8(ascii: "\\"):
                    self.offset += 1
                    guard self.offset < self.bytes.count else { return false }
                    let escape = self.bytes[self.offset]
                    self.offset += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        continue
                    case UInt8(ascii: "u"):
                        guard let scalar = self.parseHex4() else { return false }
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard self.consume("\\u"), let low = self.parseHex4(), (0xDC00..<0xE000).contains(low) else {
                                return false
                            }
                        } else if Unicode.Scalar(scalar) == nil {
                            return false
                        }
                    default:
                        return false
                    }
                case 0..<0x20:
                    return false
                default:
                    self.offset += 1
                }
            }
            return false
        }

        mutating func parseArray(depth: Int) -> JSONValue? {
            self.offset += 1
            var elements: [JSONValue] = []
            self.skipWhitespace()
            if self.offset < self.bytes.count, self.bytes[self.offset] == UInt8(ascii: "]") {
                self.offset += 1
                return .array(elements)
            }
            while true {
                guard let value = self.parseValue(depth: depth + 1) else { return nil }
                elements.append(value)
                self.skipWhitespace()
                guard self.offset < self.bytes.count else { return nil }
                let byte = self.bytes[self.offset]
                self.offset += 1
                if byte == UInt8(ascii: "]") { return .array(elements) }
                guard byte == UInt8(ascii: ",") else { return nil }
            }
        }

        mutating func parseNumber() -> JSONValue? {
            let start = self.offset
            if self.offset < self.bytes.count, self.bytes[self.offset] == UInt8(ascii: "-") { self.offset += 1 }
            var digits = 0
            while self.offset < self.bytes.count {
                let byte = self.bytes[self.offset]
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    digits += 1
                case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                    break
                default:
                    return self.finishNumber(start: start, digits: digits)
                }
                self.offset += 1
            }
            return self.finishNumber(start: start, digits: digits)
        }

        private func finishNumber(start: Int, digits: Int) -> JSONValue? {
            guard digits > 0 else { return nil }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.offset]), as: UTF8.self)
            return Double(text).map(JSONValue.number)
        }

        mutating func parseString() -> String? {
            self.offset += 1
            // Most strings have no escape: checked and decoded straight from the input, without a buffer. Anything
            // else (an escape, a control character, no closing quote) goes the general way from the start.
            var end = self.offset
            while end < self.bytes.count {
                let byte = self.bytes[end]
                if byte == UInt8(ascii: "\"") {
                    let raw = UnsafeRawBufferPointer(rebasing: self.bytes[self.offset..<end])
                    guard JSONValue.isValidUTF8(raw) else { return nil }
                    self.offset = end + 1
                    return String(decoding: raw, as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                end += 1
            }
            var result = [UInt8]()
            while self.offset < self.bytes.count {
                let byte = self.bytes[self.offset]
                self.offset += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return result.withUnsafeBytes { raw in
                        JSONValue.isValidUTF8(raw) ? String(decoding: raw, as: UTF8.self) : nil
                    }
                case UInt8(ascii: "\\"):
                    guard self.offset < self.bytes.count else { return nil }
                    let escape = self.bytes[self.offset]
                    self.offset += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): result.append(escape)
                    case UInt8(ascii: "b"): result.append(0x08)
                    case UInt8(ascii: "f"): result.append(0x0C)
                    case UInt8(ascii: "n"): result.append(0x0A)
                    case UInt8(ascii: "r"): result.append(0x0D)
                    case UInt8(ascii: "t"): result.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = self.parseHex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard self.consume("\\u"), let low = self.parseHex4(), (0xDC00..<0xE000).contains(low) else {
                                return nil
                            }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { return nil }
                        result.append(contentsOf: String(Character(unicode)).utf8)
                    default:
                        return nil
                    }
                case 0..<0x20:
                    return nil
                default:
                    result.append(byte)
                }
            }
            return nil
        }

        mutating func parseHex4() -> UInt32? {
            guard self.bytes.count - self.offset >= 4 else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = self.bytes[self.offset]
                self.offset += 1
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
    }
}

extension JSONValue {
    /// Strict UTF-8 validation (no overlongs, no surrogates, nothing above U+10FFFF).
    public static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // Most text is ASCII: check eight bytes at a time for a high bit before decoding anything.
        var index = 0
        while index + 8 <= bytes.count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            index += 8
        }
        while index < bytes.count, bytes[index] < 0x80 { index += 1 }
        if index == bytes.count { return true }
        // Everything before `index` is ASCII, so only the rest needs decoding.
        var iterator = UnsafeRawBufferPointer(rebasing: bytes[index...]).makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
