import Crypto
import Foundation
import Testing
import WebIdentity

@testable import CredentialPlane

@Suite("Credential keys and requests")
struct CredentialKeyTests {
    @Test("the storage key is stable and made of the policy hash, the caller hash and the role ARN")
    func storageKey() throws {
        let request = try TestSupport.request(sessionPolicy: TestSupport.policy)
        let key = try CredentialKey(request: request, context: TokenRequestContext())
        let digest = SHA256.hash(data: Array(TestSupport.policy.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(key.storageKey == "gw:cred:v1:\(digest):-:\(TestSupport.roleArn)")
        #expect(key.lockKey == "gw:lock:v1:\(digest):-:\(TestSupport.roleArn)")
        #expect(
            try CredentialKey(request: TestSupport.request(sessionPolicy: TestSupport.policy), context: .init()) == key
        )

        let noPolicy = try CredentialKey(request: TestSupport.request(), context: .init())
        #expect(noPolicy.storageKey == "gw:cred:v1:-:-:\(TestSupport.roleArn)")
        #expect(noPolicy != key)
    }

    @Test("per-caller sources key by the caller's issuer and subject, hashed; shared sources ignore the caller")
    func perCaller() throws {
        let passthrough = try TestSupport.request(tokenSource: PassthroughTokenSource())
        let alice = TokenRequestContext(
            callerToken: WebIdentityToken(value: TestJWT.make(subject: "alice@example.com"))
        )
        let bob = TokenRequestContext(callerToken: WebIdentityToken(value: TestJWT.make(subject: "bob@example.com")))
        let aliceKey = try CredentialKey(request: passthrough, context: alice)
        let bobKey = try CredentialKey(request: passthrough, context: bob)
        #expect(aliceKey != bobKey)
        #expect(aliceKey.storageKey != bobKey.storageKey)
        #expect(!aliceKey.storageKey.contains("alice"))
        #expect(!"\(aliceKey)".contains("alice"))
        #expect(try CredentialKey(request: passthrough, context: alice) == aliceKey)

        #expect(throws: CredentialPlaneError.missingCallerToken) {
            try CredentialKey(request: passthrough, context: TokenRequestContext())
        }

        let shared = try TestSupport.request()
        #expect(try CredentialKey(request: shared, context: alice) == CredentialKey(request: shared, context: bob))
    }

    @Test("requests validate duration, ARN, Region and policy size")
    func requestValidation() throws {
        for duration in [899, 43_201, 0, -1] {
            #expect(throws: CredentialPlaneError.invalidRequest) { try TestSupport.request(durationSeconds: duration) }
        }
        #expect(try TestSupport.request(durationSeconds: 900).durationSeconds == 900)
        #expect(try TestSupport.request(durationSeconds: 43_200).durationSeconds == 43_200)
        #expect(try TestSupport.request().durationSeconds == 3_600)
        #expect(throws: CredentialPlaneError.invalidRequest) { try TestSupport.request(roleArn: "role/Name") }
        #expect(throws: CredentialPlaneError.invalidRequest) { try TestSupport.request(sessionPolicy: "") }
        #expect(throws: CredentialPlaneError.invalidRequest) {
            try TestSupport.request(sessionPolicy: String(repeating: "x", count: 2_049))
        }
        do {
            _ = try TestSupport.request(durationSeconds: 60)
        } catch {
            #expect("\(error)".contains("900...43200"))
            #expect("\(error)".contains(TestSupport.roleArn))
        }
    }
}
