import Foundation
import Gateway
import GatewayCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WebIdentity

@Suite("Error mapping: Bedrock-shaped errors for every refusal")
struct ErrorMappingTests {
    /// Runs one request against the gateway (router mode) in front of a recording stand-in.
    func send(
        _ harness: GatewayHarness = GatewayHarness(),
        uri: String,
        headers: HTTPFields,
        body: String = simpleConverseBody,
        maxBodyBytes: Int = GatewayConfiguration.defaultMaxBodyBytes
    ) async throws -> (TestResponse, [ReceivedRequest]) {
        let recorder = UpstreamRecorder()
        let response = try await withUpstream(recordingUpstream(recorder)) { port in
            let app = try await harness.application(upstreamPort: port, maxBodyBytes: maxBodyBytes)
            return try await app.test(.router) { client in
                try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
            }
        }
        return (response, recorder.requests)
    }

    func expectError(_ response: TestResponse, status: Int, type: String, messageContains: [String]) {
        #expect(response.status.code == status)
        #expect(response.headers[HTTPField.Name("x-amzn-ErrorType")!] == type)
        #expect(response.headers[.contentType] == "application/json")
        let message = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])?["message"] as? String
        #expect(message != nil, "body must be {\"message\": ...}: \(response.body.text)")
        for fragment in messageContains {
            #expect(message?.contains(fragment) == true, "message '\(message ?? "")' should mention '\(fragment)'")
        }
    }

    @Test func missingAuthorizationIs401() async throws {
        let (response, upstream) = try await send(uri: "/use-cases/UseCaseA/model/titan-text-express/converse", headers: [.contentType: "application/json"])
        expectError(response, status: 401, type: "UnrecognizedClientException", messageContains: ["Authorization"])
        #expect(upstream.isEmpty)
    }

    @Test func sigV4AuthorizationIs401() async throws {
        let (response, _) = try await send(
            uri: "/use-cases/UseCaseA/model/titan-text-express/converse",
            headers: [.authorization: "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00"]
        )
        expectError(response, status: 401, type: "UnrecognizedClientException", messageContains: ["bearer"])
    }

    @Test func expiredTokenIs401NamingTheCheck() async throws {
        let harness = GatewayHarness()
        let token = harness.idp.token(expiresIn: -600)
        let (response, upstream) = try await send(harness, uri: "/use-cases/UseCaseA/model/titan-text-express/converse", headers: .caller(token))
        expectError(response, status: 401, type: "UnrecognizedClientException", messageContains: ["expired"])
        #expect(!response.body.text.contains(token))
        #expect(upstream.isEmpty)
    }

    @Test func algNoneTokenIs401() async throws {
        let harness = GatewayHarness()
        let (response, upstream) = try await send(
            harness, uri: "/use-cases/UseCaseA/model/titan-text-express/converse", headers: .caller(harness.idp.unsignedToken())
        )
        expectError(response, status: 401, type: "UnrecognizedClientException", messageContains: ["none"])
        #expect(upstream.isEmpty)
    }

    @Test func wrongAudienceIs401() async throws {
        let harness = GatewayHarness()
        let (response, _) = try await send(
            harness, uri: "/use-cases/UseCaseA/model/titan-text-express/converse", headers: .caller(harness.idp.token(audience: "someone-else"))
        )
        expectError(response, status: 401, type: "UnrecognizedClientException", messageContains: ["aud"])
    }

    @Test func callerOutsideTheGroupsIs403() async throws {
        let harness = GatewayHarness()
        let token = harness.idp.token(groups: ["genai-marketing"])
        let (response, upstream) = try await send(harness, uri: "/use-cases/UseCaseA/model/titan-text-express/converse", headers: .caller(token))
        expectError(response, status: 403, type: "AccessDeniedException", messageContains: ["UseCaseA", "genai-usecase-a"])
        #expect(!response.body.text.contains("genai-marketing"))
        #expect(upstream.isEmpty)
    }

    @Test func unknownUseCaseIs403() async throws {
        let harness = GatewayHarness()
        let (response, _) = try await send(harness, uri: "/use-cases/NoSuchCase/model/titan-text-express/converse", headers: .caller(harness.idp.token()))
        expectError(response, status: 403, type: "AccessDeniedException", messageContains: ["NoSuchCase"])
    }

    @Test func modelOutsideTheAllowListIs403ListingAllowedModels() async throws {
        let harness = GatewayHarness()
        let (response, upstream) = try await send(
            harness, uri: "/use-cases/UseCaseA/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", headers: .caller(harness.idp.token())
        )
        expectError(response, status: 403, type: "AccessDeniedException", messageContains: ["titan-text-express", "claude-sonnet-4-5"])
        #expect(upstream.isEmpty)
    }

    @Test func useCaseHeaderAndPathMismatchIs400() async throws {
        let harness = GatewayHarness()
        let (response, upstream) = try await send(
            harness, uri: "/use-cases/UseCaseA/model/titan-text-express/converse", headers: .caller(harness.idp.token(), useCase: "UseCaseB")
        )
        expectError(response, status: 400, type: "ValidationException", messageContains: ["UseCaseA", "UseCaseB"])
        #expect(upstream.isEmpty)
    }

    @Test func doubleEncodedModelIdIs400BeforeAnyUpstreamCall() async throws {
        let harness = GatewayHarness()
        let (response, upstream) = try await send(
            harness, uri: "/use-cases/UseCaseA/model/amazon.titan-text-express-v1%253A0/converse", headers: .caller(harness.idp.token())
        )
        expectError(response, status: 400, type: "ValidationException", messageContains: ["twice"])
        #expect(upstream.isEmpty)
    }

    @Test func bodyOverTheLimitIs413() async throws {
        let harness = GatewayHarness()
        let big = #"{"messages":[{"role":"user","content":[{"text":""# + String(repeating: "a", count: 5_000) + #""}]}]}"#
        let (response, upstream) = try await send(
            harness, uri: "/use-cases/UseCaseA/model/titan-text-express/converse", headers: .caller(harness.idp.token()), body: big,
            maxBodyBytes: 1_000
        )
        expectError(response, status: 413, type: "ValidationException", messageContains: ["1000 bytes"])
        #expect(upstream.isEmpty)
    }

    @Test func stsFailureIs502NamingRoleAndCodeButNotTheToken() async throws {
        let credentials = FixedCredentialSource { target in
            STSError(code: STSError.Codes.accessDenied, message: "Not authorized to perform sts:AssumeRoleWithWebIdentity", roleArn: target.roleARN, httpStatus: 403)
        }
        let harness = GatewayHarness(credentials: credentials)
        let token = harness.idp.token()
        let (response, upstream) = try await send(harness, uri: "/use-cases/UseCaseA/model/titan-text-express/converse", headers: .caller(token))
        let role = try #require(credentials.requests.first?.role)
        expectError(response, status: 502, type: "ServiceUnavailableException", messageContains: [role, "AccessDenied"])
        #expect(!response.body.text.contains(token))
        #expect(upstream.isEmpty)
    }

    @Test func retryableSTSFailureIs503() async throws {
        let credentials = FixedCredentialSource { target in
            STSError(code: STSError.Codes.throttling, message: "Rate exceeded", roleArn: target.roleARN, httpStatus: 400)
        }
        let harness = GatewayHarness(credentials: credentials)
        let (response, _) = try await send(harness, uri: "/use-cases/UseCaseA/model/titan-text-express/converse", headers: .caller(harness.idp.token()))
        expectError(response, status: 503, type: "ServiceUnavailableException", messageContains: ["Throttling"])
    }

    @Test func tokenFromAnotherKeyIs401BeforeCredentialsAreFetched() async throws {
        let credentials = FixedCredentialSource()
        let (response, _) = try await send(
            GatewayHarness(credentials: credentials), uri: "/use-cases/UseCaseA/model/titan-text-express/converse",
            headers: .caller(TestIdentityProvider().token())
        )
        #expect(response.status.code == 401)
        #expect(credentials.requests.isEmpty)
    }

    @Test func unknownOperationIs404InBedrockShape() async throws {
        let harness = GatewayHarness()
        let (response, _) = try await send(harness, uri: "/model/titan-text-express/invoke-with-bidirectional-stream", headers: .caller(harness.idp.token()))
        expectError(response, status: 404, type: "ResourceNotFoundException", messageContains: ["invoke-with-bidirectional-stream"])
    }
}
