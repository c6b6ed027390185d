import AWSSigning
import Crypto
import Foundation
import Testing

@testable import CredentialPlane

@Suite("Shared-cache encryption")
struct CredentialCipherTests {
    let storageKey = "gw:cred:v1:-:-:arn:aws:iam::111111111111:role/A"
    let plaintext = Array("ASIAEXAMPLE secret token".utf8)

    @Test("seal then open round-trips and the blob names the key id")
    func roundTrip() throws {
        let cipher = try TestSupport.cipher(1)
        let blob = try cipher.seal(plaintext, boundTo: storageKey)
        #expect(try cipher.open(blob, boundTo: storageKey) == plaintext)
        #expect(CredentialCipher.keyID(of: blob) == cipher.current.id)
        #expect(!blob.containsSubsequence(Array("ASIAEXAMPLE".utf8)))
        // Fresh nonce per seal.
        #expect(try cipher.seal(plaintext, boundTo: storageKey) != blob)
    }

    @Test("the default key id is the first 8 bytes of the key's SHA-256, in hex")
    func defaultID() throws {
        let bytes = [UInt8](repeating: 7, count: 32)
        let key = try CredentialEncryptionKey(bytes: bytes)
        let digest = Array(SHA256.hash(data: bytes))
        #expect(key.id == digest.prefix(8).map { String(format: "%02x", $0) }.joined())
        #expect(key.id.count == 16)
        #expect(!"\(key)".contains(Data(bytes).base64EncodedString()))
    }

    @Test("a key must be base64 of exactly 32 bytes; messages never repeat the key")
    func keyValidation() throws {
        let short = Data([UInt8](repeating: 1, count: 16)).base64EncodedString()
        #expect(throws: CredentialPlaneError.invalidEncryptionKey) { try CredentialEncryptionKey(base64: short) }
        #expect(throws: CredentialPlaneError.invalidEncryptionKey) {
            try CredentialEncryptionKey(base64: "not base64!")
        }
        let good = Data([UInt8](repeating: 9, count: 32)).base64EncodedString()
        #expect(throws: CredentialPlaneError.invalidEncryptionKey) {
            try CredentialEncryptionKey(base64: good, id: "has space")
        }
        do {
            _ = try CredentialEncryptionKey(base64: short)
        } catch {
            #expect(!"\(error)".contains(short))
            #expect("\(error)".contains("32"))
        }
        let key = try CredentialEncryptionKey(base64: " \(good)\n", id: "k-2026-11")
        #expect(key.id == "k-2026-11")
        #expect(throws: CredentialPlaneError.invalidEncryptionKey) {
            try CredentialCipher(current: key, previous: [try CredentialEncryptionKey(base64: good, id: "k-2026-11")])
        }
    }

    @Test("a flipped byte anywhere in the ciphertext or tag is rejected")
    func tampered() throws {
        let cipher = try TestSupport.cipher(1)
        let blob = try cipher.seal(plaintext, boundTo: storageKey)
        let headerLength = 2 + Int(blob[1])
        for index in headerLength..<blob.count {
            var copy = blob
            copy[index] ^= 0x01
            #expect(throws: CredentialCipher.OpenFailure.authenticationFailed) {
                try cipher.open(copy, boundTo: storageKey)
            }
        }
        #expect(throws: CredentialCipher.OpenFailure.malformed) {
            try cipher.open(Array(blob.prefix(20)), boundTo: storageKey)
        }
        #expect(throws: CredentialCipher.OpenFailure.malformed) { try cipher.open([], boundTo: storageKey) }
        var wrongVersion = blob
        wrongVersion[0] = 9
        #expect(throws: CredentialCipher.OpenFailure.malformed) { try cipher.open(wrongVersion, boundTo: storageKey) }
    }

    @Test("an unknown key id is rejected; an edited key id fails authentication")
    func wrongKeyID() throws {
        let writer = try TestSupport.cipher(1)
        let reader = try TestSupport.cipher(2)
        let blob = try writer.seal(plaintext, boundTo: storageKey)
        #expect(throws: CredentialCipher.OpenFailure.unknownKeyID) { try reader.open(blob, boundTo: storageKey) }

        // Same id, different key material: authentication fails.
        let impostor = try CredentialCipher(
            current: CredentialEncryptionKey(bytes: [UInt8](repeating: 2, count: 32), id: writer.current.id)
        )
        #expect(throws: CredentialCipher.OpenFailure.authenticationFailed) {
            try impostor.open(blob, boundTo: storageKey)
        }
    }

    @Test("rotation: the previous key still decrypts, new values use the new key")
    func rotation() throws {
        let old = try TestSupport.cipher(1)
        let rotated = try TestSupport.cipher(2, previous: [1])
        let oldBlob = try old.seal(plaintext, boundTo: storageKey)
        #expect(try rotated.open(oldBlob, boundTo: storageKey) == plaintext)
        let newBlob = try rotated.seal(plaintext, boundTo: storageKey)
        #expect(CredentialCipher.keyID(of: newBlob) == (try TestSupport.key(2)).id)
        #expect(throws: CredentialCipher.OpenFailure.unknownKeyID) { try old.open(newBlob, boundTo: storageKey) }
    }

    @Test("the cache key is associated data: a blob moved to another key is rejected")
    func associatedData() throws {
        let cipher = try TestSupport.cipher(1)
        let blob = try cipher.seal(plaintext, boundTo: storageKey)
        #expect(throws: CredentialCipher.OpenFailure.authenticationFailed) {
            try cipher.open(blob, boundTo: "gw:cred:v1:-:-:arn:aws:iam::111111111111:role/B")
        }
    }

    @Test("the plaintext envelope round-trips and rejects truncation")
    func envelope() throws {
        let issued = Date(timeIntervalSince1970: 1_800_000_000.123)
        let expires = issued.addingTimeInterval(3_600)
        let credential = AWSCredential(
            accessKeyId: "ASIAX",
            secretAccessKey: "s/+=",
            sessionToken: "t",
            expiration: expires
        )
        let bytes = CredentialEnvelope.encode(credential, issuedAt: issued, expiration: expires)
        let decoded = try #require(CredentialEnvelope.decode(bytes))
        #expect(decoded.credential.accessKeyId == "ASIAX")
        #expect(decoded.credential.secretAccessKey == "s/+=")
        #expect(decoded.credential.sessionToken == "t")
        #expect(decoded.expiration == expires)
        #expect(decoded.issuedAt == issued)
        #expect(decoded.credential == credential)
        for length in 0..<bytes.count {
            #expect(CredentialEnvelope.decode(Array(bytes.prefix(length))) == nil)
        }
        let noToken = AWSCredential(accessKeyId: "AKIAX", secretAccessKey: "s")
        #expect(
            CredentialEnvelope.decode(CredentialEnvelope.encode(noToken, issuedAt: issued, expiration: expires))?
                .credential.sessionToken == nil
        )
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        for start in 0...(count - needle.count) where self[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}
