import Foundation
import Testing

@testable import AWSSigning

/// Secrets never appear in descriptions, reflection or dumps.
@Suite("credential redaction")
struct CredentialRedactionTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let token = "IQoJb3JpZ2luX2VjSECRETSESSIONTOKEN"
    static let credential = AWSCredential(
        accessKeyId: "ASIAEXAMPLE", secretAccessKey: secret, sessionToken: token,
        expiration: Date(timeIntervalSince1970: 1_793_697_330)
    )

    static func renderings(of value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        var mirrorText = ""
        for child in Mirror(reflecting: value).children { mirrorText += "\(child.label ?? ""): \(child.value)\n" }
        return ["\(value)", String(describing: value), String(reflecting: value), dumped, mirrorText]
    }

    @Test("AWSCredential renderings show the key id but no secret")
    func credentialIsRedacted() {
        for text in Self.renderings(of: Self.credential) {
            #expect(!text.contains(Self.secret), "\(text)")
            #expect(!text.contains(Self.token), "\(text)")
            #expect(text.contains("ASIAEXAMPLE"), "\(text)")
        }
        #expect(Self.credential.description.contains("secretAccessKey: <redacted>"))
        #expect(Self.credential.description.contains("sessionToken: <redacted>"))
        let longTerm = AWSCredential(accessKeyId: "AKIAEXAMPLE", secretAccessKey: Self.secret)
        #expect(longTerm.description == "AWSCredential(accessKeyId: AKIAEXAMPLE, secretAccessKey: <redacted>)")
        #expect(longTerm.debugDescription == longTerm.description)
    }

    @Test("SigV4Signer renderings show the key id and scope but no secret or derived key")
    func signerIsRedacted() {
        let signer = SigV4Signer(credential: Self.credential, region: "eu-west-1", service: "bedrock")
        _ = signer.signHeaders(
            method: "GET", path: "/", query: nil, headers: [("Host", "h")],
            payloadSHA256Hex: SigV4Signer.emptyPayloadSHA256Hex, date: Date()
        )
        for text in Self.renderings(of: signer) {
            #expect(!text.contains(Self.secret), "\(text)")
            #expect(!text.contains(Self.token), "\(text)")
        }
        #expect(signer.description == "SigV4Signer(accessKeyId: ASIAEXAMPLE, region: eu-west-1, service: bedrock)")
    }
}
