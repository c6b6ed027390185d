import StrictJSON
import Testing

/// `JSONValue.member(_:ofObjectIn:)` must give exactly what a full parse followed by a subscript gives, for valid
/// and malformed documents alike.
@Suite("StrictJSON member lookup agrees with the full parser")
struct StrictJSONMemberTests {
    static let converse = #"""
        {"output":{"message":{"role":"assistant","content":[{"text":"Caf\u00e9 \"quoted\" \\ line\nnext \ud83d\ude00 ünïcode"},{"toolUse":{"toolUseId":"t1","name":"lookup","input":{"a":[1,2.5e3,-0.5,true,false,null]}}}]}},"stopReason":"end_turn","usage":{"inputTokens":12,"outputTokens":8,"totalTokens":20,"cacheReadInputTokens":4},"metrics":{"latencyMs":7}}
        """#

    static func agree(_ text: String, member name: String = "usage", sourceLocation: SourceLocation = #_sourceLocation) {
        let bytes = Array(text.utf8)
        let full = bytes.withUnsafeBytes { JSONValue.parse($0)?[name] }
        let scanned = bytes.withUnsafeBytes { JSONValue.member(name, ofObjectIn: $0) }
        #expect(scanned == full, "member(\(name)) and parse()[\(name)] disagree on \(text.debugDescription)", sourceLocation: sourceLocation)
    }

    @Test func findsUsageInAConverseResponse() {
        let bytes = Array(Self.converse.utf8)
        let usage = bytes.withUnsafeBytes { JSONValue.member("usage", ofObjectIn: $0) }
        #expect(usage?["inputTokens"]?.intValue == 12)
        #expect(usage?["cacheReadInputTokens"]?.intValue == 4)
        Self.agree(Self.converse)
        Self.agree(Self.converse, member: "output")
        Self.agree(Self.converse, member: "absent")
    }

    @Test func everyTruncationIsRejectedByBoth() {
        let bytes = Array(Self.converse.utf8)
        for length in 0..<bytes.count {
            Self.agree(String(decoding: bytes[..<length], as: UTF8.self))
        }
    }

    @Test(arguments: [
        #"{"usage":1,"usage":{"inputTokens":2}}"#,  // the last duplicate wins, as in the full parse
        #"{"text":"\x","usage":{}}"#,  // bad escape in a skipped string
        #"{"text":"\ud800","usage":{}}"#,  // lone high surrogate
        #"{"text":"\udc00","usage":{}}"#,  // lone low surrogate
        "{\"text\":\"tab\there\",\"usage\":{}}",  // raw control character
        #"{"n":1.2.3,"usage":{}}"#,  // malformed number
        #"{"n":-,"usage":{}}"#,
        #"{"a":[1,2,],"usage":{}}"#,  // trailing comma
        #"{"a":{"b":}, "usage":{}}"#,
        #"{"a":tru,"usage":{}}"#,
        #"{"usage":{}} x"#,  // trailing garbage
        #"  {"usage" : { "inputTokens" : 1 } }  "#,
        #"[{"usage":{}}]"#,  // not an object
        #""usage""#,
        "{}",
        "",
        #"{"\u0075sage":{"inputTokens":3}}"#,  // an escaped key
    ])
    func agreesOnEdgeCases(_ document: String) {
        Self.agree(document)
    }

    @Test func agreesOnInvalidUTF8InASkippedString() {
        var bytes = Array(#"{"text":"ab","usage":{}}"#.utf8)
        bytes[10] = 0xFF
        let full = bytes.withUnsafeBytes { JSONValue.parse($0)?["usage"] }
        let scanned = bytes.withUnsafeBytes { JSONValue.member("usage", ofObjectIn: $0) }
        #expect(full == nil)
        #expect(scanned == nil)
    }

    @Test func agreesOnNestingDepth() {
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        Self.agree(#"{"a":"# + deep + #","usage":{}}"#)
        let shallow = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        Self.agree(#"{"a":"# + shallow + #","usage":{"inputTokens":1}}"#)
    }
}

@Suite("StrictJSON UTF-8 validation")
struct StrictJSONUTF8Tests {
    /// Random byte strings, mostly ASCII with a non-ASCII byte or sequence at every offset around the 8-byte
    /// fast path, judged against the standard library's validating initializer.
    @Test func agreesWithTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        let samples: [[UInt8]] = [
            [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80],  // valid 2-, 3- and 4-byte scalars
            [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],  // overlong, surrogate, > U+10FFFF
            [0x80], [0xFF], [0xC3], [0xE2, 0x82],  // stray continuation, invalid byte, truncated sequences
        ]
        for sample in samples {
            for prefix in 0...17 {
                for suffix in [0, 1, 9] {
                    let bytes = Array(repeating: UInt8(ascii: "a"), count: prefix) + sample
                        + Array(repeating: UInt8(ascii: "z"), count: suffix)
                    let expected = String(validating: bytes, as: UTF8.self) != nil
                    #expect(bytes.withUnsafeBytes { JSONValue.isValidUTF8($0) } == expected, "\(bytes)")
                }
            }
        }
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<count).map { _ in
                Int.random(in: 0..<10, using: &generator) == 0 ? UInt8.random(in: 0x80...0xFF, using: &generator)
                    : UInt8.random(in: 0x20..<0x7F, using: &generator)
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(bytes.withUnsafeBytes { JSONValue.isValidUTF8($0) } == expected, "\(bytes)")
        }
    }
}
