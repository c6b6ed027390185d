import AWSSigning
import Foundation
import TestServers
import Testing

@testable import WebIdentity

@Suite("STSClient against the local STS stand-in", .serialized)
struct STSClientStandInTests {
    static let roleArn = "arn:aws:iam::222222222222:role/ACME-GenAI-UseCaseA-BedrockInvokeRole"

    static func token() -> WebIdentityToken {
        WebIdentityToken(
            value: TestJWT.make(issuer: "https://idp.example.com/realms/acme", subject: "svc-genai-gateway",
                audience: "genai-gateway")
        )
    }

    static func request(_ token: WebIdentityToken = token(), policy: String? = nil) -> AssumeRoleWithWebIdentityRequest {
        AssumeRoleWithWebIdentityRequest(
            roleArn: roleArn,
            roleSessionName: RoleSessionName.make(useCase: "UseCaseA", suffix: "test"),
            webIdentityToken: token,
            durationSeconds: 900,
            policy: policy
        )
    }

    static func client(
        _ standIn: STSStandIn,
        recorder: SleepRecorder,
        maxAttempts: Int = 4,
        timeout: Duration = .seconds(5)
    ) -> STSClient {
        STSClient(
            region: "eu-west-1",
            endpoint: standIn.endpoint,
            retryPolicy: STSRetryPolicy(
                maxAttempts: maxAttempts,
                baseDelay: .milliseconds(100),
                maxDelay: .seconds(1),
                jitter: false,
                sleep: recorder.sleep
            ),
            requestTimeout: timeout
        )
    }

    /// Calls STS expecting an error.
    static func failure(_ client: STSClient, _ request: AssumeRoleWithWebIdentityRequest) async throws -> STSError {
        do {
            let result = try await client.assumeRoleWithWebIdentity(request, logger: testLogger)
            Issue.record("expected an STSError, got credentials \(result.credential)")
            throw PeerStartError(description: "no error")
        } catch let error as STSError {
            return error
        }
    }

    @Test("the request is an unsigned, form-encoded POST with every parameter")
    func requestShape() async throws {
        try await STSStandIn.with { standIn in
            let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:InvokeModel","#
                + #""Resource":"arn:aws:bedrock:*::foundation-model/anthropic.claude-3:0 é+&=%"}]}"#
            let request = Self.request(policy: policy)
            let result = try await Self.client(standIn, recorder: SleepRecorder())
                .assumeRoleWithWebIdentity(request, logger: testLogger)
            #expect(result.credential.accessKeyId == "ASIASTANDIN000000001")

            let calls = try await standIn.calls()
            #expect(calls.count == 1)
            let call = try #require(calls.calls.first)
            #expect(call.path == "/")
            #expect(call.content_type == "application/x-www-form-urlencoded; charset=utf-8")
            #expect(call.authorization == nil)
            #expect(call.params["Action"] == "AssumeRoleWithWebIdentity")
            #expect(call.params["Version"] == "2011-06-15")
            #expect(call.params["RoleArn"] == Self.roleArn)
            #expect(call.params["RoleSessionName"] == "UseCaseA-test")
            let sentToken = call.params["WebIdentityToken"] == request.webIdentityToken.value
            #expect(sentToken)
            #expect(call.params["DurationSeconds"] == "900")
            #expect(call.params["Policy"] == policy)
            #expect(call.params["ProviderId"] == nil)
            #expect(call.params.count == 7)
        }
    }

    @Test("every optional element is read and a whole-second Expiration is accepted")
    func fullResult() async throws {
        try await STSStandIn.with { standIn in
            try await standIn.script([["fractional": false]])
            let result = try await Self.client(standIn, recorder: SleepRecorder())
                .assumeRoleWithWebIdentity(Self.request(), logger: testLogger)
            #expect(result.credential.secretAccessKey == "standinSecretKey/0123456789abcdefghijkl")
            #expect(result.credential.sessionToken == "standin-session-token+/=")
            let expiration = try #require(result.credential.expiration)
            #expect(abs(expiration.timeIntervalSinceNow - 900) < 30)
            #expect(expiration.timeIntervalSince1970 == expiration.timeIntervalSince1970.rounded())
            #expect(result.subjectFromWebIdentityToken == "standin-subject")
            #expect(result.audience == "standin-audience")
            #expect(result.provider == "https://standin-issuer.example")
            #expect(result.sourceIdentity == "standin-source")
            #expect(result.packedPolicySize == 7)
            #expect(result.assumedRoleArn == "arn:aws:sts::222222222222:assumed-role/"
                + "ACME-GenAI-UseCaseA-BedrockInvokeRole/UseCaseA-test")
            #expect(result.requestId == "standin-request-id")
        }
    }

    @Test(
        "retried errors succeed once STS recovers",
        arguments: [
            ["status": 400, "code": "IDPCommunicationError", "message": "Couldn't retrieve verification key"],
            ["status": 400, "code": "Throttling", "message": "Rate exceeded"],
            ["status": 500, "code": "InternalFailure", "message": "internal", "type": "Receiver"],
            ["status": 503, "code": "ServiceUnavailable", "message": "unavailable", "type": "Receiver"],
            ["status": 502, "body": "<html><body>Bad Gateway</body></html>"],
            ["status": 429, "body": "Too Many Requests"],
        ] as [[String: any Sendable]]
    )
    func retriedThenSuccess(answer: [String: any Sendable]) async throws {
        try await STSStandIn.with { standIn in
            try await standIn.script([answer, answer, ["fractional": true]])
            let recorder = SleepRecorder()
            let result = try await Self.client(standIn, recorder: recorder)
                .assumeRoleWithWebIdentity(Self.request(), logger: testLogger)
            #expect(result.credential.accessKeyId == "ASIASTANDIN000000001")
            #expect(try await standIn.calls().count == 3)
            #expect(recorder.recorded == [.milliseconds(100), .milliseconds(200)])
        }
    }

    @Test("retryable errors stop after maxAttempts, with capped exponential backoff")
    func retriesExhausted() async throws {
        try await STSStandIn.with { standIn in
            let throttled: [String: Any] = ["status": 400, "code": "Throttling", "message": "Rate exceeded"]
            try await standIn.script(Array(repeating: throttled, count: 10))
            let recorder = SleepRecorder()
            let error = try await Self.failure(Self.client(standIn, recorder: recorder, maxAttempts: 6), Self.request())
            #expect(error.code == "Throttling")
            #expect(error.attempts == 6)
            #expect(error.isRetryable)
            #expect(error.httpStatus == 400)
            #expect(error.shortDescription == "Throttling")
            #expect(try await standIn.calls().count == 6)
            #expect(
                recorder.recorded == [
                    .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1),
                ]
            )
        }
    }

    @Test("InvalidIdentityToken is retried at most twice")
    func invalidIdentityTokenBounded() async throws {
        try await STSStandIn.with { standIn in
            let invalid: [String: Any] = [
                "status": 400, "code": "InvalidIdentityToken", "message": "Couldn't retrieve verification key",
            ]
            try await standIn.script(Array(repeating: invalid, count: 10))
            let recorder = SleepRecorder()
            let error = try await Self.failure(Self.client(standIn, recorder: recorder, maxAttempts: 8), Self.request())
            #expect(error.code == "InvalidIdentityToken")
            #expect(error.attempts == 3)
            #expect(!error.isRetryable)
            #expect(try await standIn.calls().count == 3)
            #expect(recorder.recorded.count == 2)

            try await standIn.script([invalid, ["fractional": true]])
            let result = try await Self.client(standIn, recorder: SleepRecorder())
                .assumeRoleWithWebIdentity(Self.request(), logger: testLogger)
            #expect(result.credential.sessionToken == "standin-session-token+/=")
            #expect(try await standIn.calls().count == 2)
        }
    }

    @Test(
        "non-retryable errors fail at once",
        arguments: [
            ("ExpiredTokenException", 400, "Token is expired"),
            ("IDPRejectedClaim", 403, "Claim rejected"),
            ("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity"),
            ("RegionDisabledException", 403, "STS is not activated in this region for account:222222222222"),
            ("PackedPolicyTooLarge", 400, "Packed policy consumes 112% of allotted space"),
            ("MalformedPolicyDocument", 400, "Syntax errors in policy."),
            ("ValidationError", 400, "1 validation error detected"),
        ]
    )
    func notRetried(code: String, status: Int, message: String) async throws {
        try await STSStandIn.with { standIn in
            try await standIn.script([["status": status, "code": code, "message": message]])
            let recorder = SleepRecorder()
            let error = try await Self.failure(Self.client(standIn, recorder: recorder), Self.request())
            #expect(error.code == code)
            #expect(error.message == message)
            #expect(error.httpStatus == status)
            #expect(error.attempts == 1)
            #expect(!error.isRetryable)
            #expect(error.requestId == "standin-error-request-id")
            #expect(error.shortDescription == code)
            #expect(recorder.recorded.isEmpty)
            #expect(try await standIn.calls().count == 1)
        }
    }

    @Test("the error names role, code, message and the token's iss/aud/sub, never the token")
    func errorMessageContents() async throws {
        try await STSStandIn.with { standIn in
            let token = Self.token()
            let echoed = "Not authorized to perform sts:AssumeRoleWithWebIdentity (token \(token.value))"
            try await standIn.script([["status": 403, "code": "AccessDenied", "message": echoed]])
            let error = try await Self.failure(Self.client(standIn, recorder: SleepRecorder()), Self.request(token))
            let text = error.description
            #expect(text.contains(Self.roleArn))
            #expect(text.contains("AccessDenied"))
            #expect(text.contains("HTTP 403"))
            #expect(text.contains("Not authorized to perform sts:AssumeRoleWithWebIdentity"))
            #expect(text.contains("iss=https://idp.example.com/realms/acme"))
            #expect(text.contains("aud=genai-gateway"))
            #expect(text.contains("sub=svc-genai-gateway"))
            #expect(text.contains("trust policy"))
            #expect(!text.contains("\n"))
            let segments = token.value.split(separator: ".").map(String.init)
            #expect(!text.contains(token.value))
            #expect(!text.contains(segments[1]))
            #expect(!text.contains(segments[2]))
            #expect(!error.message.contains(token.value))
            #expect(error.tokenIssuer == "https://idp.example.com/realms/acme")
            #expect(error.tokenAudience == ["genai-gateway"])
            #expect(error.tokenSubject == "svc-genai-gateway")
        }
    }

    @Test("Errors/Error bodies and unrecognised error bodies")
    func otherErrorBodies() async throws {
        try await STSStandIn.with { standIn in
            try await standIn.script([["status": 400, "code": "IDPRejectedClaim", "message": "nope", "root": "Errors"]])
            let first = try await Self.failure(Self.client(standIn, recorder: SleepRecorder()), Self.request())
            #expect(first.code == "IDPRejectedClaim")
            #expect(first.message == "nope")

            try await standIn.script([["status": 418, "body": "I'm a teapot"]])
            let second = try await Self.failure(Self.client(standIn, recorder: SleepRecorder()), Self.request())
            #expect(second.code == "UnrecognizedResponse")
            #expect(second.httpStatus == 418)
            #expect(second.message.contains("I'm a teapot"))
            #expect(!second.isRetryable)
            #expect(try await standIn.calls().count == 1)

            try await standIn.script([["status": 200, "body": "<html>captive portal</html>"]])
            let third = try await Self.failure(Self.client(standIn, recorder: SleepRecorder()), Self.request())
            #expect(third.code == "InvalidResponse")
            #expect(third.message.contains("got html"))
        }
    }

    @Test("a slow STS times out and the timeout is retried")
    func timeouts() async throws {
        try await STSStandIn.with { standIn in
            try await standIn.script([["delay": 2]])
            let single = try await Self.failure(
                Self.client(standIn, recorder: SleepRecorder(), maxAttempts: 1, timeout: .milliseconds(300)),
                Self.request()
            )
            #expect(single.code == "Timeout")
            #expect(single.isRetryable)
            #expect(single.httpStatus == nil)
            #expect(single.description.contains("network access"))

            try await standIn.script([["delay": 5], ["fractional": true]])
            let recorder = SleepRecorder()
            let result = try await Self.client(standIn, recorder: recorder, timeout: .milliseconds(1500))
                .assumeRoleWithWebIdentity(Self.request(), logger: testLogger)
            #expect(result.credential.accessKeyId == "ASIASTANDIN000000001")
            #expect(recorder.recorded.count == 1)
        }
    }

    @Test("connection failures are transport errors and are retried")
    func transportErrors() async throws {
        let port = try RedisServerProcess.freePort()
        let recorder = SleepRecorder()
        let client = STSClient(
            region: "eu-west-1",
            endpoint: "http://127.0.0.1:\(port)",
            retryPolicy: STSRetryPolicy(maxAttempts: 3, jitter: false, sleep: recorder.sleep),
            requestTimeout: .seconds(1)
        )
        let error = try await Self.failure(client, Self.request())
        #expect(error.code == "Transport")
        #expect(error.attempts == 3)
        #expect(error.isRetryable)
        #expect(error.message.contains("127.0.0.1:\(port)"))
        #expect(recorder.recorded.count == 2)
    }

    @Test("invalid requests are rejected before anything is sent")
    func validationBeforeSending() async throws {
        try await STSStandIn.with { standIn in
            var request = Self.request()
            request.durationSeconds = 60
            let error = try await Self.failure(Self.client(standIn, recorder: SleepRecorder()), request)
            #expect(error.code == "InvalidParameter")
            #expect(try await standIn.calls().count == 0)
        }
    }

    @Test("the retry policy's backoff: capped exponential, full jitter within bounds")
    func backoffMath() {
        let fixed = STSRetryPolicy(baseDelay: .milliseconds(250), maxDelay: .seconds(2), jitter: false)
        #expect((1...6).map { fixed.delay(beforeRetry: $0) } == [
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(2), .seconds(2),
        ])
        let jittered = STSRetryPolicy(baseDelay: .milliseconds(250), maxDelay: .seconds(2), jitter: true)
        let samples = (0..<500).map { _ in jittered.delay(beforeRetry: 3) }
        #expect(samples.allSatisfy { $0 >= .zero && $0 <= .seconds(1) })
        #expect(Set(samples).count > 50)
        #expect(STSRetryPolicy.none.maxAttempts == 1)
    }

    @Test("default endpoints")
    func defaultEndpoints() {
        #expect(STSClient(region: "eu-west-1").endpoint == "https://sts.eu-west-1.amazonaws.com")
        #expect(STSClient.defaultEndpoint(region: "cn-north-1") == "https://sts.cn-north-1.amazonaws.com.cn")
    }

    @Test("shortDescription is bounded")
    func shortDescriptions() {
        let odd = STSError(code: "SomethingNew\(UUID())", message: "m", roleArn: Self.roleArn, httpStatus: 400)
        #expect(odd.shortDescription == "Other")
        #expect(!odd.isRetryable)
        let server = STSError(code: "SomethingNew", message: "m", roleArn: Self.roleArn, httpStatus: 504)
        #expect(server.isRetryable)
    }
}
