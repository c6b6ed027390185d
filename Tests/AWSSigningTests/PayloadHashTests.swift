import Foundation
import TestServers
import Testing

@testable import AWSSigning

/// The payload hash helpers.
@Suite("payload hash")
struct PayloadHashTests {
    @Test("known digests")
    func knownDigests() {
        #expect(SigV4Signer.sha256Hex([UInt8]()) == SigV4Signer.emptyPayloadSHA256Hex)
        #expect(
            SigV4Signer.emptyPayloadSHA256Hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )
        #expect(
            SigV4Signer.sha256Hex(utf8: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
        // The suite's form body.
        #expect(
            SigV4Signer.sha256Hex(utf8: "Param1=value1")
                == "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
        )
    }

    @Test("every overload and the incremental hasher agree")
    func overloadsAgree() {
        var rng = SplitMix64(seed: 99)
        let bytes = (0..<1_048_583).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let expected = bytes.withUnsafeBytes { SigV4Signer.sha256Hex($0) }
        #expect(SigV4Signer.sha256Hex(bytes) == expected)
        #expect(SigV4Signer.sha256Hex(bytes[...]) == expected)
        #expect(SigV4Signer.sha256Hex(Data(bytes)) == expected)
        #expect(SigV4Signer.sha256Hex(bytes.lazy.map { $0 }) == expected)  // not contiguous: chunked path

        var hasher = SigV4Signer.PayloadHasher()
        var offset = 0
        var chunk = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            if chunk % 2 == 0 {
                bytes[offset..<end].withUnsafeBytes { hasher.update($0) }
            } else {
                hasher.update(bytes[offset..<end])
            }
            offset = end
            chunk = chunk * 3 + 1
        }
        #expect(hasher.finalizeHex() == expected)
        #expect(expected.count == 64 && expected.allSatisfy { "0123456789abcdef".contains($0) })
    }
}
