import BedrockEventStream
import Foundation
import NIOCore
import Testing

/// Cross-checks the codec against an implementation written by someone else: botocore's `EventStreamBuffer`
/// decodes what Swift encodes, and Swift decodes (and re-encodes byte for byte) frames built in Python with
/// `struct` and `zlib.crc32`.
struct BotocoreCrossCheckTests {
    private static func scratchFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("evstream-\(UUID().uuidString)-\(name)")
    }

    /// The header value as botocore reports it: types collapse to bool, int, bytes and string.
    private static func botocoreView(_ value: EventStreamHeaderValue) -> [String: AnyHashable] {
        switch value {
        case .bool(let flag): ["kind": "bool", "value": flag]
        case .byte(let number): ["kind": "int", "value": Int(number)]
        case .int16(let number): ["kind": "int", "value": Int(number)]
        case .int32(let number): ["kind": "int", "value": Int(number)]
        case .int64(let number): ["kind": "int", "value": Int(number)]
        case .timestamp(let milliseconds): ["kind": "int", "value": Int(milliseconds)]
        case .byteArray(let bytes): ["kind": "bytes", "value": Hex.encode(bytes)]
        case .uuid(let uuid): ["kind": "bytes", "value": Hex.encode(uuid.bytes)]
        case .string(let string): ["kind": "string", "value": string]
        }
    }

    /// botocore's view parsed back from JSON; the kind decides how the value is read, because
    /// `JSONSerialization` gives numbers and booleans as the same `NSNumber`.
    private static func normalize(_ json: Any) -> [String: AnyHashable] {
        guard let object = json as? [String: Any], let kind = object["kind"] as? String else { return [:] }
        let value: AnyHashable?
        switch kind {
        case "bool": value = object["value"] as? Bool
        case "int": value = (object["value"] as? NSNumber).map { Int($0.int64Value) }
        default: value = object["value"] as? String
        }
        return ["kind": kind, "value": value ?? AnyHashable("missing")]
    }

    @Test func botocoreDecodesFramesEncodedInSwift() async throws {
        var rng = SplitMix64(seed: 2026)
        var messages: [EventStreamMessage] = [
            .bedrockChunk(Array(#"{"type":"content_block_delta","delta":{"text":"Hello"}}"#.utf8), padding: "abcdefghij"),
            .bedrockException("throttlingException", message: "Too many requests"),
            .bedrockEvent("metadata", jsonPayload: #"{"usage":{"inputTokens":1,"outputTokens":2}}"#),
        ]
        for _ in 0..<80 {
            messages.append(RandomMessages.message(using: &rng))
        }
        var stream = ByteBuffer()
        for message in messages {
            try EventStreamEncoder().encode(message, into: &stream)
        }
        let input = Self.scratchFile("swift.hex")
        let output = Self.scratchFile("botocore.json")
        defer {
            try? FileManager.default.removeItem(at: input)
            try? FileManager.default.removeItem(at: output)
        }
        try Hex.encode(stream.readableBytesView).write(to: input, atomically: true, encoding: .utf8)

        try await PythonScript.check("eventstream_crosscheck.py", ["decode", input.path, output.path], needs: "botocore")

        let decoded = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [[String: Any]])
        try #require(decoded.count == messages.count)
        for (message, seen) in zip(messages, decoded) {
            let headers = try #require(seen["headers"] as? [String: Any])
            #expect(headers.count == message.headers.count)
            for header in message.headers {
                #expect(Self.normalize(headers[header.name] as Any) == Self.botocoreView(header.value), "\(header.name)")
            }
            #expect(seen["payload"] as? String == Hex.encode(message.payload.readableBytesView))
        }
    }

    @Test(arguments: [11, 12] as [Int])
    func swiftDecodesFramesBuiltByHandInPython(seed: Int) async throws {
        let hexFile = Self.scratchFile("python.hex")
        let jsonFile = Self.scratchFile("python.json")
        defer {
            try? FileManager.default.removeItem(at: hexFile)
            try? FileManager.default.removeItem(at: jsonFile)
        }
        try await PythonScript.check(
            "eventstream_crosscheck.py",
            ["encode", String(seed), hexFile.path, jsonFile.path],
            needs: "botocore"
        )
        let stream = Hex.decode(try String(contentsOf: hexFile, encoding: .utf8))
        let expected = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: jsonFile)) as? [[String: Any]])

        var splitter = EventStreamFrameSplitter()
        var frames: [ByteBuffer] = []
        var offset = 0
        var step = 5
        while offset < stream.count {
            let end = min(stream.count, offset + step)
            splitter.append(ByteBuffer(bytes: stream[offset..<end]))
            offset = end
            step = step * 7 % 113 + 1
            while let frame = try splitter.nextFrame() {
                frames.append(frame)
            }
        }
        try splitter.finish()
        try #require(frames.count == expected.count)

        var reencoded = ByteBuffer()
        for (frame, description) in zip(frames, expected) {
            let message = try EventStreamDecoder().decode(frame: frame)
            let headers = try #require(description["headers"] as? [[String: Any]])
            #expect(message.headers.count == headers.count)
            for (header, wanted) in zip(message.headers, headers) {
                #expect(header.name == wanted["name"] as? String)
                let type = (wanted["type"] as? NSNumber)?.uint8Value
                #expect(header.value.typeCode == type, "\(header.name)")
                let value = wanted["value"]
                switch header.value {
                case .bool(let flag): #expect(flag == (type == 0))
                case .byte(let number): #expect(Int64(number) == (value as? NSNumber)?.int64Value)
                case .int16(let number): #expect(Int64(number) == (value as? NSNumber)?.int64Value)
                case .int32(let number): #expect(Int64(number) == (value as? NSNumber)?.int64Value)
                case .int64(let number): #expect(number == (value as? NSNumber)?.int64Value)
                case .timestamp(let milliseconds): #expect(milliseconds == (value as? NSNumber)?.int64Value)
                case .byteArray(let bytes): #expect(Hex.encode(bytes) == value as? String)
                case .uuid(let uuid): #expect(Hex.encode(uuid.bytes) == value as? String)
                case .string(let string): #expect(string == value as? String)
                }
            }
            #expect(Hex.encode(message.payload.readableBytesView) == description["payload"] as? String)
            try EventStreamEncoder().encode(message, into: &reencoded)
        }
        #expect(reencoded.bytes == stream)
    }
}
