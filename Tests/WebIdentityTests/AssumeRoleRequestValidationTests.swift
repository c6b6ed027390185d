import Testing

@testable import WebIdentity

@Suite("AssumeRoleWithWebIdentityRequest validation")
struct AssumeRoleRequestValidationTests {
    static let roleArn = "arn:aws:iam::111111111111:role/ACME-GenAI-UseCaseA-BedrockInvokeRole"

    static func request(
        roleArn: String = roleArn,
        sessionName: String = "UseCaseA-1234abcd",
        token: String = TestJWT.make(),
        duration: Int? = 3600,
        policy: String? = nil
    ) -> AssumeRoleWithWebIdentityRequest {
        AssumeRoleWithWebIdentityRequest(
            roleArn: roleArn,
            roleSessionName: sessionName,
            webIdentityToken: WebIdentityToken(value: token),
            durationSeconds: duration,
            policy: policy
        )
    }

    static func validationMessage(_ request: AssumeRoleWithWebIdentityRequest) -> String? {
        do {
            try request.validate()
            return nil
        } catch {
            #expect(error.code == "InvalidParameter")
            #expect(error.attempts == 0)
            #expect(!error.isRetryable)
            return error.message
        }
    }

    @Test("accepted boundaries", arguments: [nil, 900, 3600, 43_200] as [Int?])
    func acceptedDurations(duration: Int?) throws {
        try Self.request(duration: duration).validate()
    }

    @Test("DurationSeconds outside 900-43,200", arguments: [0, 899, 43_201, -1])
    func rejectedDurations(duration: Int) throws {
        let message = try #require(Self.validationMessage(Self.request(duration: duration)))
        #expect(message.contains("DurationSeconds \(duration)"))
        #expect(message.contains("900-43200"))
    }

    @Test("session names", arguments: ["a", "has space", String(repeating: "n", count: 65), "naïve", ""])
    func rejectedSessionNames(name: String) throws {
        let message = try #require(Self.validationMessage(Self.request(sessionName: name)))
        #expect(message.contains("RoleSessionName"))
    }

    @Test("role ARNs", arguments: ["", "not-an-arn-but-long-enough", "arn:aws:iam::111111111111:user/bob"])
    func rejectedRoleArns(arn: String) throws {
        let message = try #require(Self.validationMessage(Self.request(roleArn: arn)))
        #expect(message.contains("RoleArn"))
    }

    @Test("token length")
    func tokenLength() throws {
        #expect(try #require(Self.validationMessage(Self.request(token: "abc"))).contains("WebIdentityToken"))
        let huge = String(repeating: "x", count: 20_001)
        #expect(try #require(Self.validationMessage(Self.request(token: huge))).contains("20001"))
    }

    @Test("session policy length and characters")
    func policies() throws {
        try Self.request(policy: String(repeating: "a", count: 2_048)).validate()
        try Self.request(policy: "{\"Sid\":\"café\"}\t\r\n").validate()
        let long = try #require(Self.validationMessage(Self.request(policy: String(repeating: "a", count: 2_049))))
        #expect(long.contains("2049"))
        #expect(Self.validationMessage(Self.request(policy: "")) != nil)
        let euro = try #require(Self.validationMessage(Self.request(policy: "{\"Sid\":\"€\"}")))
        #expect(euro.contains("U+20AC"))
        let control = try #require(Self.validationMessage(Self.request(policy: "a\u{7}b")))
        #expect(control.contains("U+7"))
    }

    @Test("validation errors name the token's claims but not the token")
    func validationErrorRedaction() throws {
        let token = TestJWT.make(subject: "svc-x")
        do {
            try Self.request(token: token, duration: 10).validate()
            Issue.record("expected a validation error")
        } catch {
            #expect(error.tokenSubject == "svc-x")
            #expect(!error.description.contains(token))
            #expect(error.description.contains(Self.roleArn))
        }
    }
}
