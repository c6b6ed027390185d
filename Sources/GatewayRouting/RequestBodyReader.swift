/// Reads the parts of a request body the router needs (``RequestBody``) in one pass over the UTF-8 bytes, skipping
/// everything else without building it.
///
/// It replaces `JSONDecoder`, which cost about 40 µs for a 560-byte, 3-turn Converse body on Linux (BENCHMARKS.md).
/// The whole document is still validated as JSON (RFC 8259, nesting at most ``maximumDepth`` deep; like Foundation's
/// parser it tolerates a trailing comma in an object or array), and failures
/// keep the decoder's wording: an invalid document is reported as such even when a field before the error had the
/// wrong type, and a field of the wrong type, a `null` where a value is needed, or a missing key is reported with
/// its path (`messages[0].content`).
struct RequestBodyReader {
    /// What went wrong, before it is worded for an API.
    enum Failure: Error, Equatable {
        case invalidJSON
        case notAnObject
        case wrongType(path: String, expected: String)
        case null(path: String, expected: String)
        case missingKey(key: String, parent: String)
    }

    /// Deeper nesting is refused as invalid JSON (as `JSONDecoder` does), so a hostile body cannot exhaust the stack.
    static let maximumDepth = 512

    private enum PathComponent {
        case key(String)
        case index(Int)
    }

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private var depth = 0
    private var path: [PathComponent] = []
    /// The first type error met; reported only if the document turns out to be valid JSON.
    private var typeFailure: Failure?

    private init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Reads `body`; throws the first problem, invalid JSON taking precedence over a type error.
    static func read(_ body: some Collection<UInt8>) throws(Failure) -> RequestBody {
        let result: Result<RequestBody, Failure>? = body.withContiguousStorageIfAvailable { buffer in
            Self.read(UnsafeRawBufferPointer(buffer))
        }
        return try (result ?? Array(body).withUnsafeBytes { Self.read($0) }).get()
    }

    private static func read(_ bytes: UnsafeRawBufferPointer) -> Result<RequestBody, Failure> {
        var reader = RequestBodyReader(bytes)
        do throws(Failure) {
            let body = try reader.document()
            if let typeFailure = reader.typeFailure { return .failure(typeFailure) }
            return .success(body)
        } catch {
            return .failure(error)
        }
    }

    // MARK: The body's shape

    private mutating func document() throws(Failure) -> RequestBody {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else {
            try skipValue()
            try expectEnd()
            throw .notAnObject
        }
        var body = RequestBody()
        var inference: (maxTokens: Int?, maxNewTokens: Int?) = (nil, nil)
        var generationMaxTokens: Int?
        var topLevelMaxTokens: [String: Int] = [:]
        var converseTools = 0
        var anthropicTools = 0
        try object { reader, key throws(Failure) in
            switch key {
            case "messages":
                body.messages = try reader.optional { reader throws(Failure) in try reader.messages() }
            case "inputText":
                body.inputText = try reader.optional { reader throws(Failure) in try reader.string(expected: "a string") }
            case "prompt":
                body.prompt = try reader.optional { reader throws(Failure) in try reader.string(expected: "a string") }
            case "inferenceConfig":
                try reader.optionalObject { reader, key throws(Failure) in
                    switch key {
                    case "maxTokens": inference.maxTokens = try reader.optional { reader throws(Failure) in try reader.integer() }
                    case "max_new_tokens": inference.maxNewTokens = try reader.optional { reader throws(Failure) in try reader.integer() }
                    default: try reader.skipValue()
                    }
                }
            case "textGenerationConfig":
                try reader.optionalObject { reader, key throws(Failure) in
                    if key == "maxTokenCount" {
                        generationMaxTokens = try reader.optional { reader throws(Failure) in try reader.integer() }
                    } else {
                        try reader.skipValue()
                    }
                }
            case "toolConfig":
                try reader.optionalObject { reader, key throws(Failure) in
                    if key == "tools" {
                        converseTools = try reader.optional { reader throws(Failure) in try reader.countElements() } ?? 0
                    } else {
                        try reader.skipValue()
                    }
                }
            case "tools":
                anthropicTools = try reader.optional { reader throws(Failure) in try reader.countElements() } ?? 0
            case "max_tokens", "max_gen_len", "max_tokens_to_sample":
                if let value = try reader.optional({ reader throws(Failure) in try reader.integer() }) { topLevelMaxTokens[key] = value }
            default:
                try reader.skipValue()
            }
        }
        try expectEnd()
        body.maxTokens = inference.maxTokens ?? inference.maxNewTokens ?? generationMaxTokens
            ?? topLevelMaxTokens["max_tokens"] ?? topLevelMaxTokens["max_gen_len"] ?? topLevelMaxTokens["max_tokens_to_sample"]
        body.toolCount = converseTools + anthropicTools
        return body
    }

    private mutating func messages() throws(Failure) -> [RequestBody.Message]? {
        var messages: [RequestBody.Message] = []
        let complete = try array { reader, _ throws(Failure) in
            if let message = try reader.message() { messages.append(message) }
        }
        return complete ? messages : nil
    }

    private mutating func message() throws(Failure) -> RequestBody.Message? {
        var role: String?
        var roleSeen = false
        var content: [RequestBody.Block]?
        var contentSeen = false
        let complete = try object { reader, key throws(Failure) in
            switch key {
            case "role":
                roleSeen = true
                role = try reader.required(expected: "a string") { reader throws(Failure) in try reader.string(expected: "a string") }
            case "content":
                contentSeen = true
                content = try reader.required(expected: "an array") { reader throws(Failure) in try reader.content() }
            default:
                try reader.skipValue()
            }
        }
        guard complete else { return nil }
        guard roleSeen else { return recordMissing("role") }
        guard contentSeen else { return recordMissing("content") }
        guard let role, let content else { return nil }  // a type error was recorded
        return RequestBody.Message(role: role, content: content)
    }

    private mutating func content() throws(Failure) -> [RequestBody.Block]? {
        skipWhitespace()
        if peek() == UInt8(ascii: "\"") {
            return try string(expected: "an array").map { [RequestBody.Block(text: $0)] }
        }
        var blocks: [RequestBody.Block] = []
        let complete = try array { reader, _ throws(Failure) in
            if let block = try reader.block() { blocks.append(block) }
        }
        return complete ? blocks : nil
    }

    private mutating func block() throws(Failure) -> RequestBody.Block? {
        var type: String?
        var text: String?
        var textSeen = false
        var present: Set<String> = []
        let complete = try object { reader, key throws(Failure) in
            switch key {
            case "type":
                type = try reader.optional { reader throws(Failure) in try reader.string(expected: "a string") }
            case "text":
                textSeen = true
                if let value = try reader.optional({ reader throws(Failure) in try reader.string(expected: "a string") }) {
                    text = value
                }
            case "image", "document", "video", "toolUse", "toolResult":
                present.insert(key)
                try reader.skipValue()
            default:
                try reader.skipValue()
            }
        }
        guard complete else { return nil }
        if let type {
            switch type {
            case "text":
                guard textSeen else { return recordMissing("text") }
                guard let text else { return recordNull("text", expected: "a string") }
                return RequestBody.Block(text: text)
            case "image", "document", "video", "container_upload":
                return RequestBody.Block(kind: .attachment)
            case "tool_use", "tool_result", "server_tool_use", "mcp_tool_use", "mcp_tool_result":
                return RequestBody.Block(kind: .tool)
            default:
                return RequestBody.Block(kind: .other)
            }
        }
        if let text { return RequestBody.Block(text: text) }
        if present.contains("image") || present.contains("document") || present.contains("video") {
            return RequestBody.Block(kind: .attachment)
        }
        if present.contains("toolUse") || present.contains("toolResult") { return RequestBody.Block(kind: .tool) }
        return RequestBody.Block(kind: .other)
    }

    // MARK: Typed values

    /// `null` is absent; anything else is read by `value`.
    private mutating func optional<Value>(_ value: (inout Self) throws(Failure) -> Value?) throws(Failure) -> Value? {
        skipWhitespace()
        if try literal("null") { return nil }
        return try value(&self)
    }

    /// `null` is a type error: the field needs `expected`, which `value` reads.
    private mutating func required<Value>(expected: String, _ value: (inout Self) throws(Failure) -> Value?) throws(Failure) -> Value? {
        skipWhitespace()
        if try literal("null") { return recordNull(nil, expected: expected) }
        return try value(&self)
    }

    /// An object that may be `null`; a value of another type is a type error.
    private mutating func optionalObject(_ member: (inout Self, String) throws(Failure) -> Void) throws(Failure) {
        skipWhitespace()
        if try literal("null") { return }
        _ = try object(member)
    }

    private mutating func string(expected: String) throws(Failure) -> String? {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else {
            try skipValue()
            return recordWrongType(expected: expected)
        }
        return try readString()
    }

    private mutating func integer() throws(Failure) -> Int? {
        skipWhitespace()
        guard let byte = peek(), byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
            try skipValue()
            return recordWrongType(expected: "an integer")
        }
        let start = index
        try skipNumber()
        let token = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if let value = Int(token) { return value }
        if let double = Double(token), double.rounded() == double, let value = Int(exactly: double) { return value }
        return recordWrongType(expected: "an integer")
    }

    private mutating func countElements() throws(Failure) -> Int? {
        var count = 0
        let complete = try array { reader, _ throws(Failure) in
            count += 1
            try reader.skipValue()
        }
        return complete ? count : nil
    }

    /// Reads an object, calling `member` with each key (the reader then positioned at its value, which `member`
    /// must consume). Returns false, with a type error recorded, when the value is not an object.
    @discardableResult
    private mutating func object(_ member: (inout Self, String) throws(Failure) -> Void) throws(Failure) -> Bool {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else {
            try skipValue()
            recordWrongTypeOnly(expected: "an object")
            return false
        }
        try enter()
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return true
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw .invalidJSON }
            let key = try readString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw .invalidJSON }
            index += 1
            path.append(.key(key))
            try member(&self, key)
            path.removeLast()
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") { fallthrough }  // a trailing comma, which Foundation accepts
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return true
            default: throw .invalidJSON
            }
        }
    }

    /// Reads an array, calling `element` with each index (the reader then positioned at the element, which
    /// `element` must consume). Returns false, with a type error recorded, when the value is not an array.
    private mutating func array(_ element: (inout Self, Int) throws(Failure) -> Void) throws(Failure) -> Bool {
        skipWhitespace()
        guard peek() == UInt8(ascii: "[") else {
            try skipValue()
            recordWrongTypeOnly(expected: "an array")
            return false
        }
        try enter()
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return true
        }
        var position = 0
        while true {
            path.append(.index(position))
            try element(&self, position)
            path.removeLast()
            position += 1
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "]") { fallthrough }  // a trailing comma, which Foundation accepts
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return true
            default: throw .invalidJSON
            }
        }
    }

    // MARK: Failures (recorded, reported at the end if the JSON is valid)

    private var pathText: String {
        var text = ""
        for component in path {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key
            case .index(let position):
                text += "[\(position)]"
            }
        }
        return text
    }

    private mutating func recordWrongTypeOnly(expected: String) {
        if typeFailure == nil { typeFailure = .wrongType(path: pathText, expected: expected) }
    }

    private mutating func recordWrongType<Value>(expected: String) -> Value? {
        recordWrongTypeOnly(expected: expected)
        return nil
    }

    private mutating func recordNull<Value>(_ key: String?, expected: String) -> Value? {
        if typeFailure == nil {
            var where_ = pathText
            if let key { where_ += where_.isEmpty ? key : ".\(key)" }
            typeFailure = .null(path: where_, expected: expected)
        }
        return nil
    }

    private mutating func recordMissing<Value>(_ key: String) -> Value? {
        if typeFailure == nil { typeFailure = .missingKey(key: key, parent: pathText) }
        return nil
    }

    // MARK: JSON grammar

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func expectEnd() throws(Failure) {
        skipWhitespace()
        guard index == bytes.count else { throw .invalidJSON }
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw .invalidJSON }
    }

    /// Consumes `word` if it is next; a prefix of it followed by anything else is invalid JSON.
    private mutating func literal(_ word: StaticString) throws(Failure) -> Bool {
        let count = word.utf8CodeUnitCount
        guard let first = peek(), first == word.utf8Start.pointee else { return false }
        guard index + count <= bytes.count else { throw .invalidJSON }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw .invalidJSON
        }
        index += count
        return true
    }

    private mutating func skipValue() throws(Failure) {
        skipWhitespace()
        guard let byte = peek() else { throw .invalidJSON }
        switch byte {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"):
            try enter()
            index += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                index += 1
            } else {
                while true {
                    skipWhitespace()
                    guard peek() == UInt8(ascii: "\"") else { throw .invalidJSON }
                    try skipString()
                    skipWhitespace()
                    guard peek() == UInt8(ascii: ":") else { throw .invalidJSON }
                    index += 1
                    try skipValue()
                    skipWhitespace()
                    guard let next = peek() else { throw .invalidJSON }
                    index += 1
                    if next == UInt8(ascii: "}") { break }
                    guard next == UInt8(ascii: ",") else { throw .invalidJSON }
                    skipWhitespace()
                    if peek() == UInt8(ascii: "}") {  // a trailing comma, which Foundation accepts
                        index += 1
                        break
                    }
                }
            }
            depth -= 1
        case UInt8(ascii: "["):
            try enter()
            index += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                index += 1
            } else {
                while true {
                    try skipValue()
                    skipWhitespace()
                    guard let next = peek() else { throw .invalidJSON }
                    index += 1
                    if next == UInt8(ascii: "]") { break }
                    guard next == UInt8(ascii: ",") else { throw .invalidJSON }
                    skipWhitespace()
                    if peek() == UInt8(ascii: "]") {  // a trailing comma, which Foundation accepts
                        index += 1
                        break
                    }
                }
            }
            depth -= 1
        case UInt8(ascii: "t"):
            guard try literal("true") else { throw .invalidJSON }
        case UInt8(ascii: "f"):
            guard try literal("false") else { throw .invalidJSON }
        case UInt8(ascii: "n"):
            guard try literal("null") else { throw .invalidJSON }
        default:
            try skipNumber()
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func skipNumber() throws(Failure) {
        func isDigit(_ byte: UInt8?) -> Bool { byte.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false }
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard isDigit(peek()) else { throw .invalidJSON }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard isDigit(peek()) else { throw .invalidJSON }
            while isDigit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard isDigit(peek()) else { throw .invalidJSON }
            while isDigit(peek()) { index += 1 }
        }
    }

    private mutating func skipString() throws(Failure) {
        index += 1  // the opening quote
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                index += 1
                guard let escaped = peek() else { throw .invalidJSON }
                if escaped == UInt8(ascii: "u") {
                    _ = try hexQuad(at: index + 1)
                    index += 5
                } else {
                    guard Self.simpleEscape(escaped) != nil else { throw .invalidJSON }
                    index += 1
                }
            case 0..<0x20:
                throw .invalidJSON
            default:
                index += 1
            }
        }
        throw .invalidJSON
    }

    /// Reads a string at the reader (which is at its opening quote), decoding escapes.
    private mutating func readString() throws(Failure) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw .invalidJSON }
            index += 1
        }
        guard index < bytes.count else { throw .invalidJSON }
        var decoded = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard let escaped = peek() else { throw .invalidJSON }
                if escaped == UInt8(ascii: "u") {
                    var scalar = try hexQuad(at: index + 1)
                    index += 5
                    if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    {
                        let low = try hexQuad(at: index + 2)
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            index += 6
                        }
                    }
                    // A lone surrogate becomes U+FFFD, as decoding invalid UTF-16 does.
                    decoded.append(contentsOf: String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8)
                } else {
                    guard let simple = Self.simpleEscape(escaped) else { throw .invalidJSON }
                    decoded.append(simple)
                    index += 1
                }
            case 0..<0x20:
                throw .invalidJSON
            default:
                decoded.append(byte)
                index += 1
            }
        }
        throw .invalidJSON
    }

    private static func simpleEscape(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case UInt8(ascii: "/"): UInt8(ascii: "/")
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }

    private func hexQuad(at position: Int) throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw .invalidJSON }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[position + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .invalidJSON
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
