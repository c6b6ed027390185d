import Crypto
import Foundation
import TestServers
import Testing

@testable import AWSSigning

/// Signing-key derivation and the per-signer key cache.
@Suite("signing key")
struct SigningKeyTests {
    @Test("derivation matches AWS's published example")
    func derivationMatchesAWSExample() {
        // "Examples of how to derive a signing key for Signature Version 4" (AWS General Reference).
        let context = SigningContext(
            credential: AWSCredential(
                accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
            ),
            region: "us-east-1", service: "iam"
        )
        let key = context.signingKey(dateStamp: Array("20120215".utf8))
        let hex = key.withUnsafeBytes { Hex.string($0) }
        #expect(hex == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    static let credential = AWSCredential(accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret/key", sessionToken: "t")
    static let days = [
        Date(timeIntervalSince1970: 1_793_693_730),  // 2026-11-03
        Date(timeIntervalSince1970: 1_793_779_199.5),  // 2026-11-03, last second
        Date(timeIntervalSince1970: 1_793_779_200),  // 2026-11-04, first second
        Date(timeIntervalSince1970: 1_440_938_160),  // 2015-08-30 (older than the cached day)
    ]

    static func authorization(_ signer: SigV4Signer, _ date: Date) -> String {
        signer.signHeaders(
            method: "POST", path: "/model/x%3A0/converse", query: nil,
            headers: [("Host", "bedrock-runtime.us-east-1.amazonaws.com")],
            payloadSHA256Hex: SigV4Signer.emptyPayloadSHA256Hex, date: date
        )[0].value
    }

    @Test("a reused signer signs like fresh signers across day changes, backwards dates included")
    func cacheFollowsDays() {
        let reused = SigV4Signer(credential: Self.credential, region: "us-east-1", service: "bedrock")
        let copy = reused
        for date in Self.days + Self.days.reversed() + Self.days {
            let fresh = SigV4Signer(credential: Self.credential, region: "us-east-1", service: "bedrock")
            #expect(Self.authorization(reused, date) == Self.authorization(fresh, date))
            #expect(Self.authorization(copy, date) == Self.authorization(fresh, date))
        }
        #expect(Self.authorization(reused, Self.days[0]).contains("/20261103/us-east-1/bedrock/aws4_request"))
        #expect(Self.authorization(reused, Self.days[2]).contains("/20261104/us-east-1/bedrock/aws4_request"))
    }

    @Test("concurrent signing with mixed days gives the same results as sequential signing")
    func concurrentSigning() async {
        let expected = Self.days.map {
            Self.authorization(SigV4Signer(credential: Self.credential, region: "us-east-1", service: "bedrock"), $0)
        }
        let shared = SigV4Signer(credential: Self.credential, region: "us-east-1", service: "bedrock")
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var mismatches = 0
                    for iteration in 0..<500 {
                        let index = (task + iteration) % Self.days.count
                        if Self.authorization(shared, Self.days[index]) != expected[index] { mismatches += 1 }
                    }
                    return mismatches
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }
}

/// The pre-keyed HMAC the signer caches, against swift-crypto's `HMAC`.
@Suite("keyed HMAC")
struct KeyedHMACTests {
    @Test("matches HMAC<SHA256> for keys of 0 to 64 bytes and messages of 0 to 300 bytes")
    func matchesCryptoHMAC() {
        var rng = SplitMix64(seed: 5)
        for keyLength in [0, 1, 20, 32, 63, 64] {
            let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let keyed = key.withUnsafeBytes { KeyedHMAC(key: $0) }
            for messageLength in [0, 1, 55, 56, 64, 119, 300] {
                let message = (0..<messageLength).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let ours = message.withUnsafeBytes { keyed.authenticationCode(for: $0) }
                let reference = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
                #expect(Array(ours) == Array(reference), "key \(keyLength) B, message \(messageLength) B")
            }
        }
    }
}
