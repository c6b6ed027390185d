import Foundation
import Testing

@testable import WebIdentity

@Suite("WebIdentityToken")
struct WebIdentityTokenTests {
    @Test("claims are read from the unverified payload, string audience")
    func stringAudience() throws {
        let value = TestJWT.make(issuer: "https://idp.example.com", subject: "svc-a", audience: "aud-1")
        let token = WebIdentityToken(value: value)
        #expect(token.issuer == "https://idp.example.com")
        #expect(token.subject == "svc-a")
        #expect(token.audience == ["aud-1"])
        let expiresAt = try #require(token.expiresAt)
        #expect(abs(expiresAt.timeIntervalSinceNow - 3600) < 5)
        #expect(token.issuedAt != nil)
    }

    @Test("array audience")
    func arrayAudience() {
        let token = WebIdentityToken(value: TestJWT.make(audience: ["a", "b"]))
        #expect(token.audience == ["a", "b"])
        #expect(token.claimsSummary.contains("aud=a,b"))
    }

    @Test("a claim of an unexpected type leaves only that claim empty")
    func unexpectedTypes() {
        let payload = TestJWT.segment(["iss": "https://i", "sub": 42, "aud": ["x": 1], "exp": "soon"])
        let token = WebIdentityToken(value: "eyJhbGciOiJub25lIn0.\(payload).sig")
        #expect(token.issuer == "https://i")
        #expect(token.subject == nil)
        #expect(token.audience.isEmpty)
        #expect(token.expiresAt == nil)
    }

    @Test("opaque and malformed tokens have no claims", arguments: ["opaque-token", "a.b.c", "a.!!!.c", "x.e30", ""])
    func opaqueTokens(value: String) {
        let token = WebIdentityToken(value: value)
        #expect(token.issuer == nil && token.subject == nil && token.audience.isEmpty && token.expiresAt == nil)
    }

    @Test("description, debugDescription and dump never show the token")
    func redaction() {
        let value = TestJWT.make()
        let token = WebIdentityToken(value: value)
        let signature = String(value.split(separator: ".")[2])
        var dumped = ""
        dump(token, to: &dumped)
        for text in [token.description, token.debugDescription, String(reflecting: token), "\(token)", dumped] {
            #expect(!text.contains(value))
            #expect(!text.contains(signature))
        }
        #expect(token.description.contains("svc-genai-gateway"))
    }

    @Test("form encoding percent-encodes everything outside the unreserved set")
    func formEncoding() {
        #expect(FormURLEncoding.encode("a b&c=d/é~-._+") == "a%20b%26c%3Dd%2F%C3%A9~-._%2B")
        #expect(FormURLEncoding.encode([("A", "1"), ("B C", "x=y")]) == "A=1&B%20C=x%3Dy")
    }
}
