import BedrockEventStream
import Foundation
import NIOCore

/// A small deterministic generator, so every randomized test is reproducible from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var value = self.state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

enum Hex {
    static func decode(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8).filter { !$0.isASCIIWhitespace }
        precondition(digits.count % 2 == 0, "odd number of hex digits")
        return stride(from: 0, to: digits.count, by: 2).map { index in
            UInt8(Self.nibble(digits[index]) << 4 | Self.nibble(digits[index + 1]))
        }
    }

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ digit: UInt8) -> UInt8 {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: preconditionFailure("not a hex digit: \(digit)")
        }
    }
}

extension UInt8 {
    fileprivate var isASCIIWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}

extension ByteBuffer {
    var bytes: [UInt8] { Array(self.readableBytesView) }
}

/// Random messages covering every header type, with names unique within a message.
enum RandomMessages {
    static func message(using rng: inout SplitMix64, maxPayload: Int = 600) -> EventStreamMessage {
        let headerCount = Int.random(in: 0...12, using: &rng)
        var headers: [EventStreamHeader] = []
        var names = Set<String>()
        while headers.count < headerCount {
            let name = Self.name(using: &rng)
            guard names.insert(name).inserted else { continue }
            headers.append(EventStreamHeader(name: name, value: Self.value(using: &rng)))
        }
        let payloadLength = Int.random(in: 0...maxPayload, using: &rng)
        var payload = ByteBuffer()
        for _ in 0..<payloadLength {
            payload.writeInteger(UInt8.random(in: .min ... .max, using: &rng))
        }
        return EventStreamMessage(headers: headers, payload: payload)
    }

    static func name(using rng: inout SplitMix64) -> String {
        let alphabet = Array(":-_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789é€😀")
        let length = Int.random(in: 1...24, using: &rng)
        return String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
    }

    static func value(using rng: inout SplitMix64) -> EventStreamHeaderValue {
        switch Int.random(in: 0...9, using: &rng) {
        case 0: return .bool(true)
        case 1: return .bool(false)
        case 2: return .byte(Int8.random(in: .min ... .max, using: &rng))
        case 3: return .int16(Int16.random(in: .min ... .max, using: &rng))
        case 4: return .int32(Int32.random(in: .min ... .max, using: &rng))
        case 5: return .int64(Int64.random(in: .min ... .max, using: &rng))
        case 6: return .byteArray((0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case 7: return .string(Self.name(using: &rng) + (Bool.random(using: &rng) ? "" : " value"))
        case 8: return .timestamp(milliseconds: Int64.random(in: -1_000_000_000_000...4_000_000_000_000, using: &rng))
        default: return .uuid(EventStreamUUID(high: rng.next(), low: rng.next()))
        }
    }
}
