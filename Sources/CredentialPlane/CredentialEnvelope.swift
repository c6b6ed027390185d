import AWSSigning
import Foundation

/// The plaintext of a shared-cache value: a small binary record (no JSON on the hot path).
///
/// ```
/// 0x01 | issuedAt (Float64 BE, seconds since 2001-01-01, as Date stores it) | expiration (same)
///      | accessKeyId (UInt32 BE length + UTF-8) | secretAccessKey (same) | 0/1 | sessionToken (same, if 1)
/// ```
enum CredentialEnvelope {
    static let version: UInt8 = 1

    struct Decoded: Equatable {
        var credential: AWSCredential
        var issuedAt: Date
        var expiration: Date
    }

    static func encode(_ credential: AWSCredential, issuedAt: Date, expiration: Date) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(
            64 + credential.accessKeyId.utf8.count + credential.secretAccessKey.utf8.count
                + (credential.sessionToken?.utf8.count ?? 0)
        )
        out.append(version)
        // Full Double precision, so a credential read back from the shared cache equals the one stored.
        appendUInt64(&out, issuedAt.timeIntervalSinceReferenceDate.bitPattern)
        appendUInt64(&out, expiration.timeIntervalSinceReferenceDate.bitPattern)
        appendString(&out, credential.accessKeyId)
        appendString(&out, credential.secretAccessKey)
        if let token = credential.sessionToken {
            out.append(1)
            appendString(&out, token)
        } else {
            out.append(0)
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) -> Decoded? {
        var reader = Reader(bytes: bytes)
        guard reader.byte() == version,
            let issuedBits = reader.uint64(),
            let expiresBits = reader.uint64(),
            let accessKeyId = reader.string(),
            let secretAccessKey = reader.string(),
            let hasToken = reader.byte()
        else { return nil }
        var sessionToken: String?
        switch hasToken {
        case 0: sessionToken = nil
        case 1:
            guard let token = reader.string() else { return nil }
            sessionToken = token
        default: return nil
        }
        let issued = TimeInterval(bitPattern: issuedBits)
        let expires = TimeInterval(bitPattern: expiresBits)
        guard reader.isAtEnd, !accessKeyId.isEmpty, issued.isFinite, expires.isFinite else { return nil }
        let expiration = Date(timeIntervalSinceReferenceDate: expires)
        return Decoded(
            credential: AWSCredential(
                accessKeyId: accessKeyId,
                secretAccessKey: secretAccessKey,
                sessionToken: sessionToken,
                expiration: expiration
            ),
            issuedAt: Date(timeIntervalSinceReferenceDate: issued),
            expiration: expiration
        )
    }

    private static func appendUInt64(_ out: inout [UInt8], _ bits: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
        }
    }

    private static func appendString(_ out: inout [UInt8], _ value: String) {
        let count = UInt32(value.utf8.count)
        for shift in stride(from: 24, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: count >> UInt32(shift)))
        }
        out.append(contentsOf: value.utf8)
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var isAtEnd: Bool { offset == bytes.count }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func uint64() -> UInt64? {
            guard bytes.count - offset >= 8 else { return nil }
            var bits: UInt64 = 0
            for index in offset..<(offset + 8) { bits = bits << 8 | UInt64(bytes[index]) }
            offset += 8
            return bits
        }

        mutating func string() -> String? {
            guard bytes.count - offset >= 4 else { return nil }
            var count = 0
            for index in offset..<(offset + 4) { count = count << 8 | Int(bytes[index]) }
            offset += 4
            guard bytes.count - offset >= count else { return nil }
            defer { offset += count }
            return String(validating: bytes[offset..<(offset + count)], as: UTF8.self)
        }
    }
}
