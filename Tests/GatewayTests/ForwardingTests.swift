import AWSSigning
import BedrockEventStream
import CredentialPlane
import Foundation
import Gateway
import GatewayCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@Suite("Forwarding: headers, signing, routing and pass-through")
struct ForwardingTests {
    @Test func explicitConverseIsSignedAndForwardedWithTheRightHeaders() async throws {
        let harness = GatewayHarness()
        let recorder = UpstreamRecorder()
        let token = harness.idp.token()
        let requestBody = simpleConverseBody
        var headers = HTTPFields.caller(token)
        headers[HTTPField.Name("X-Amzn-Bedrock-Trace")!] = "ENABLED"
        headers[HTTPField.Name("traceparent")!] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        headers[HTTPField.Name("X-Amzn-Trace-Id")!] = "Root=1-5759e988-bd862e3fe1be46a994272793"
        headers[HTTPField.Name("Keep-Alive")!] = "timeout=5"
        headers[HTTPField.Name("X-Custom-Secret")!] = "do-not-forward"
        headers[.cookie] = "session=abc"
        let callerHeaders = headers
        let upstreamHeaders: HTTPFields = [
            HTTPField.Name("x-amzn-RequestId")!: "req-123", .setCookie: "tracking=1",
            HTTPField.Name("x-gateway-route")!: "forged",
        ]
        let response = try await withUpstream(recordingUpstream(recorder, extraHeaders: upstreamHeaders)) { port in
            let app = try await harness.application(upstreamPort: port)
            return try await app.test(.router) { client in
                try await client.execute(
                    uri: "/use-cases/UseCaseA/model/titan-text-express/converse", method: .post, headers: callerHeaders,
                    body: ByteBuffer(string: requestBody)
                )
            }
        }
        #expect(response.status == .ok)
        let received = try #require(recorder.requests.first)
        #expect(recorder.requests.count == 1)
        #expect(received.path == "/model/\(Fixture.titanID)/converse")
        #expect(received.body == Array(requestBody.utf8), "the body must pass through byte for byte")

        // What must not reach Bedrock.
        let authorization = try #require(received.headers[.authorization])
        #expect(!authorization.contains(token))
        #expect(!received.headers.contains { $0.value.contains(token) })
        #expect(received.headers[HTTPField.Name("Keep-Alive")!] == nil)
        #expect(received.headers[HTTPField.Name("X-Custom-Secret")!] == nil)
        #expect(received.headers[.cookie] == nil)
        #expect(received.headers[.useCaseID] == nil)

        // What must.
        #expect(received.headers[HTTPField.Name("X-Amzn-Bedrock-Trace")!] == "ENABLED")
        #expect(received.headers[HTTPField.Name("traceparent")!] == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        #expect(received.headers[HTTPField.Name("X-Amzn-Trace-Id")!] == "Root=1-5759e988-bd862e3fe1be46a994272793")
        #expect(received.headers[.contentType] == "application/json")

        // SigV4 with the session credentials, service bedrock, the target Region.
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=\(Fixture.credential.accessKeyId)/"))
        #expect(authorization.contains("/us-east-1/bedrock/aws4_request"))
        #expect(authorization.contains("SignedHeaders=") && authorization.contains("host"))
        #expect(received.headers[HTTPField.Name("X-Amz-Security-Token")!] == Fixture.credential.sessionToken)
        #expect(received.headers[HTTPField.Name("X-Amz-Date")!]?.count == 16)
        #expect(received.authority?.hasPrefix("127.0.0.1:") == true)

        // What the client gets.
        #expect(response.headers[HTTPField.Name("x-gateway-use-case")!] == "UseCaseA")
        #expect(response.headers[HTTPField.Name("x-gateway-model")!] == Fixture.titanID)
        #expect(response.headers[HTTPField.Name("x-gateway-account")!] == Fixture.modelsUSAccount)
        #expect(response.headers[values: HTTPField.Name("x-gateway-route")!] == ["explicit"])
        #expect(response.headers[HTTPField.Name("x-amzn-RequestId")!] == "req-123")
        #expect(response.headers[.setCookie] == nil)
        #expect(response.body.text.contains("hello"))

        // The credential plane was asked for the use case's role in the target Region, with the caller's token.
        let asked = try #require(harness.credentials.requests.first)
        #expect(asked.role.contains(Fixture.modelsUSAccount))
        #expect(asked.region == "us-east-1")
        #expect(asked.useCase == "UseCaseA")
    }

    @Test func inferenceProfileModelIsInvokedByItsProfileId() async throws {
        let harness = GatewayHarness()
        let recorder = UpstreamRecorder()
        let response = try await withUpstream(recordingUpstream(recorder)) { port in
            let app = try await harness.application(upstreamPort: port)
            return try await app.test(.router) { client in
                try await client.execute(
                    uri: "/model/claude-sonnet-4-5/converse", method: .post, headers: .caller(harness.idp.token(), useCase: "UseCaseA"),
                    body: ByteBuffer(string: simpleConverseBody)
                )
            }
        }
        #expect(response.status == .ok)
        #expect(recorder.requests.first?.path == "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse")
        #expect(response.headers[HTTPField.Name("x-gateway-model")!] == Fixture.sonnetProfileID)
    }

    @Test(arguments: [(simpleConverseBody, "simple", Fixture.titanID), (complexConverseBody, "complex", Fixture.sonnetProfileID)])
    func autoRoutesToEachTier(body: String, route: String, model: String) async throws {
        let harness = GatewayHarness()
        let recorder = UpstreamRecorder()
        let response = try await withUpstream(recordingUpstream(recorder)) { port in
            let app = try await harness.application(upstreamPort: port)
            return try await app.test(.router) { client in
                try await client.execute(
                    uri: "/use-cases/UseCaseA/model/auto/converse", method: .post, headers: .caller(harness.idp.token()),
                    body: ByteBuffer(string: body)
                )
            }
        }
        #expect(response.status == .ok)
        #expect(response.headers[HTTPField.Name("x-gateway-route")!] == route)
        let reason = try #require(response.headers[HTTPField.Name("x-gateway-route-reason")!])
        #expect(!reason.isEmpty)
        #expect(response.headers[HTTPField.Name("x-gateway-model")!] == model)
        let encoded = model.replacingOccurrences(of: ":", with: "%3A")
        #expect(recorder.requests.first?.path == "/model/\(encoded)/converse")
        let audit = try #require(harness.audit.all.first)
        #expect(audit.route == route)
        #expect(audit.routeReason == reason)
    }

    @Test func autoWithAMalformedBodyIs400() async throws {
        let harness = GatewayHarness()
        let recorder = UpstreamRecorder()
        let response = try await withUpstream(recordingUpstream(recorder)) { port in
            let app = try await harness.application(upstreamPort: port)
            return try await app.test(.router) { client in
                try await client.execute(
                    uri: "/use-cases/UseCaseA/model/auto/converse", method: .post, headers: .caller(harness.idp.token()),
                    body: ByteBuffer(string: "not json")
                )
            }
        }
        #expect(response.status.code == 400)
        #expect(response.headers[HTTPField.Name("x-amzn-ErrorType")!] == "ValidationException")
        #expect(recorder.requests.isEmpty)
    }

    @Test func upstreamErrorsPassThroughUnchanged() async throws {
        let harness = GatewayHarness()
        let recorder = UpstreamRecorder()
        let errorBody = #"{"message":"Too many requests, please wait before trying again."}"#
        let upstream = recordingUpstream(
            recorder, status: .tooManyRequests,
            extraHeaders: [HTTPField.Name("x-amzn-ErrorType")!: "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"],
            body: errorBody
        )
        let response = try await withUpstream(upstream) { port in
            let app = try await harness.application(upstreamPort: port)
            return try await app.test(.router) { client in
                try await client.execute(
                    uri: "/use-cases/UseCaseA/model/titan-text-express/converse", method: .post, headers: .caller(harness.idp.token()),
                    body: ByteBuffer(string: simpleConverseBody)
                )
            }
        }
        #expect(response.status.code == 429)
        #expect(response.headers[HTTPField.Name("x-amzn-ErrorType")!] == "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/")
        #expect(response.body.text == errorBody)
        #expect(harness.audit.all.first?.upstreamErrorType == "ThrottlingException")
    }

    @Test func auditLineHasTheRequestFactsAndNoSecrets() async throws {
        let harness = GatewayHarness()
        let recorder = UpstreamRecorder()
        let token = harness.idp.token(subject: "alice@example.com")
        _ = try await withUpstream(recordingUpstream(recorder)) { port in
            let app = try await harness.application(upstreamPort: port)
            return try await app.test(.router) { client in
                try await client.execute(
                    uri: "/use-cases/UseCaseA/model/titan-text-express/converse", method: .post, headers: .caller(token),
                    body: ByteBuffer(string: simpleConverseBody)
                )
            }
        }
        let record = try #require(harness.audit.all.first)
        #expect(harness.audit.all.count == 1)
        #expect(record.useCase == "UseCaseA")
        #expect(record.callerSubject == "alice@example.com")
        #expect(record.model == Fixture.titanID)
        #expect(record.account == Fixture.modelsUSAccount)
        #expect(record.region == "us-east-1")
        #expect(record.route == "explicit")
        #expect(record.status == 200)
        #expect(record.credentialLayer == .l1)
        #expect(record.usage?.inputTokens == 12)
        #expect(record.usage?.outputTokens == 3)
        #expect(record.upstreamLatencyMilliseconds != nil)
        let line = record.jsonLine
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(parsed["request_id"] as? String == record.requestID)
        #expect(parsed["input_tokens"] as? Int == 12)
        #expect(!line.contains(token))
        #expect(!line.contains(Fixture.credential.secretAccessKey))
        #expect(!line.contains(Fixture.credential.sessionToken!))
        #expect(!line.contains("opening hours"), "prompt text must not be logged")
    }

    @Test func unknownRoutesAnswerInBedrockShape() async throws {
        let harness = GatewayHarness()
        let recorder = UpstreamRecorder()
        try await withUpstream(recordingUpstream(recorder)) { port in
            let app = try await harness.application(upstreamPort: port)
            try await app.test(.router) { client in
                // The bedrock-runtime operations bypass the router (GatewayResponder); everything else, look-alikes
                // included, gets the router's Bedrock-shaped 404.
                let unknown: [(String, HTTPRequest.Method)] = [
                    ("/v1/chat/completions", .post), ("/model/titan-text-express/converse", .get),
                    ("/models/titan-text-express/converse", .post), ("/model", .post),
                    ("/use-cases/UseCaseA/model/titan-text-express/converse", .put),
                ]
                for (uri, method) in unknown {
                    let response = try await client.execute(uri: uri, method: method, headers: .caller(harness.idp.token()))
                    #expect(response.status == .notFound)
                    #expect(response.headers[.amznErrorType] == "ResourceNotFoundException")
                    let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body.text.utf8)) as? [String: Any])
                    let message = try #require(body["message"] as? String)
                    #expect(message.contains("\(method.rawValue) \(uri)"), "names what was asked: \(message)")
                    #expect(message.contains("/model/{modelId}/"), "says what is served: \(message)")
                }
            }
        }
        #expect(recorder.requests.isEmpty, "nothing goes upstream for an unknown route")
    }

    @Test func metricsHealthAndReadiness() async throws {
        let harness = GatewayHarness()
        let recorder = UpstreamRecorder()
        try await withUpstream(recordingUpstream(recorder)) { port in
            let app = try await harness.application(upstreamPort: port)
            try await app.test(.router) { client in
                try await client.execute(
                    uri: "/use-cases/UseCaseA/model/titan-text-express/converse", method: .post, headers: .caller(harness.idp.token()),
                    body: ByteBuffer(string: simpleConverseBody)
                )
                let health = try await client.execute(uri: "/health", method: .get)
                #expect(health.status == .ok)
                let metrics = try await client.execute(uri: "/metrics", method: .get)
                #expect(metrics.status == .ok)
                let text = metrics.body.text
                #expect(text.contains(#"gw_requests_total{use_case="UseCaseA",model="amazon.titan-text-express-v1",status="200"} 1"#))
                #expect(text.contains("gw_request_duration_seconds"))
                #expect(text.contains("gw_upstream_duration_seconds"))
                // The key set is served by a local fetcher; readiness turns true once it is loaded.
                var ready = try await client.execute(uri: "/ready", method: .get)
                for _ in 0..<50 where ready.status != .ok {
                    try await Task.sleep(for: .milliseconds(20))
                    ready = try await client.execute(uri: "/ready", method: .get)
                }
                #expect(ready.status == .ok)
            }
        }
    }
}

@Suite("Upstream concurrency")
struct UpstreamConcurrencyTests {
    final class InFlight: Sendable {
        private let state = Mutex<(now: Int, max: Int)>((0, 0))
        func enter() { state.withLock { $0.now += 1; $0.max = Swift.max($0.max, $0.now) } }
        func leave() { state.withLock { $0.now -= 1 } }
        var max: Int { state.withLock { $0.max } }
    }

    /// AsyncHTTPClient allows 8 HTTP/1.1 connections per host unless told otherwise, which held a slow upstream to 8
    /// requests in flight (160 req/s at 50 ms). The gateway must keep every caller's request in flight at once.
    @Test func slowUpstreamRequestsAreAllInFlightAtOnce() async throws {
        let harness = GatewayHarness()
        let inFlight = InFlight()
        let requests = 40
        let router = Router(context: BasicRequestContext.self)
        router.post("/model/**") { request, _ -> Response in
            inFlight.enter()
            defer { inFlight.leave() }
            _ = try await request.body.collect(upTo: 1 << 20)
            // Hold every request until all of them have arrived (or 4 s, under the 5 s first-byte timeout), so a
            // slow machine delivering them late cannot make them look sequential.
            let deadline = ContinuousClock.now + .seconds(4)
            while inFlight.max < requests, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        }
        let statuses = try await withUpstream(router) { port in
            let app = try await harness.application(upstreamPort: port)
            return try await app.test(.router) { client in
                try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for _ in 0..<requests {
                        group.addTask {
                            try await client.execute(
                                uri: "/use-cases/UseCaseA/model/titan-text-express/converse", method: .post,
                                headers: .caller(harness.idp.token()), body: ByteBuffer(string: simpleConverseBody)
                            ).status
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
        }
        #expect(statuses.count == requests && statuses.allSatisfy { $0 == .ok })
        #expect(inFlight.max == requests, "all \(requests) requests should reach the upstream together; at most \(inFlight.max) did")
    }
}

@Suite("Upstream timeouts")
struct UpstreamTimeoutTests {
    static let timeouts = GatewayConfiguration.Timeouts(connect: .seconds(2), firstByte: .milliseconds(300), streamIdle: .milliseconds(300))

    @Test func anUpstreamSlowerThanTheFirstByteTimeoutIs503() async throws {
        let harness = GatewayHarness()
        let router = upstream {
            try await Task.sleep(for: .seconds(8))
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        }
        try await withUpstream(router) { port in
            let app = try await harness.application(upstreamPort: port, timeouts: Self.timeouts)
            try await app.test(.router) { client in
                let started = ContinuousClock.now
                let response = try await client.execute(
                    uri: "/use-cases/UseCaseA/model/titan-text-express/converse", method: .post,
                    headers: .caller(harness.idp.token()), body: ByteBuffer(string: simpleConverseBody)
                )
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[HTTPField.Name("x-amzn-ErrorType")!] == "ServiceUnavailableException")
                #expect(response.body.text.contains("did not answer within the first-byte timeout"), "\(response.body.text)")
                #expect(ContinuousClock.now - started < .seconds(6), "the gateway should give up at its 300 ms timeout, not wait for the upstream's 8 s")
            }
        }
        #expect(harness.audit.all.last?.error == "upstream_timeout")
    }

    @Test func aStreamThatGoesQuietIsCutAtTheStreamIdleTimeout() async throws {
        let harness = GatewayHarness()
        let router = upstream {
            return Response(
                status: .ok, headers: [.contentType: "application/vnd.amazon.eventstream"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "partial"))
                    try await Task.sleep(for: .seconds(8))
                    try await writer.write(ByteBuffer(string: "late"))
                    try await writer.finish(nil)
                }
            )
        }
        try await withUpstream(router) { port in
            // A generous first-byte timeout, so only the stream-idle timeout can end this request on a busy machine.
            let timeouts = GatewayConfiguration.Timeouts(connect: .seconds(2), firstByte: .seconds(5), streamIdle: .milliseconds(300))
            let app = try await harness.application(upstreamPort: port, timeouts: timeouts)
            try await app.test(.live) { client in
                let started = ContinuousClock.now
                let response = try? await client.execute(
                    uri: "/use-cases/UseCaseA/model/titan-text-express/converse-stream", method: .post,
                    headers: .caller(harness.idp.token()), body: ByteBuffer(string: simpleConverseBody)
                )
                // The head and the first bytes were sent; the gateway then ends the stream instead of waiting 8 s.
                if let response { #expect(!response.body.text.contains("late")) }
                #expect(ContinuousClock.now - started < .seconds(6), "the gateway should give up at its 300 ms timeout, not wait for the upstream's 8 s")
            }
        }
        #expect(harness.audit.all.last?.error == "upstream_stream_failed")
    }
}

@Suite("Non-streaming answers: small ones read whole, large ones part by part")
struct WholeAnswerTests {
    @Test func aNonStreamingAnswerCutShortUpstreamIs502() async throws {
        let harness = GatewayHarness()
        let router = upstream {
            // Announces 1,000 bytes, sends 9 and fails: the upstream connection closes mid-answer.
            return Response(
                status: .ok, headers: [.contentType: "application/json", .contentLength: "1000"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: #"{"output""#))
                    throw CancellationError()
                }
            )
        }
        try await withUpstream(router) { port in
            let app = try await harness.application(upstreamPort: port)
            try await app.test(.router) { client in
                let response = try await client.execute(
                    uri: "/use-cases/UseCaseA/model/titan-text-express/converse", method: .post,
                    headers: .caller(harness.idp.token()), body: ByteBuffer(string: simpleConverseBody)
                )
                #expect(response.status == .badGateway)
                #expect(response.headers[HTTPField.Name("x-amzn-ErrorType")!] == "ServiceUnavailableException")
                #expect(response.body.text.contains("ended its answer before it was complete"), "\(response.body.text)")
                #expect(!response.body.text.contains(#"{"output""#), "no part of the cut answer may reach the caller")
            }
        }
        #expect(harness.audit.all.last?.error == "upstream_stream_failed")
        #expect(harness.audit.all.last?.status == 502)
    }

    @Test func aLargeNonStreamingAnswerIsForwardedPartByPartAndWhole() async throws {
        let harness = GatewayHarness()
        let recorder = UpstreamRecorder()
        // Over the limit for answers read whole, so this one takes the part-by-part path.
        let filler = String(repeating: "x", count: 300 * 1024)
        let answer = #"{"output":{"message":{"role":"assistant","content":[{"text":""# + filler
            + #""}]}},"stopReason":"end_turn","usage":{"inputTokens":12,"outputTokens":70000,"totalTokens":70012}}"#
        let response = try await withUpstream(recordingUpstream(recorder, body: answer)) { port in
            let app = try await harness.application(upstreamPort: port)
            return try await app.test(.live) { client in
                try await client.execute(
                    uri: "/use-cases/UseCaseA/model/titan-text-express/converse", method: .post,
                    headers: .caller(harness.idp.token()), body: ByteBuffer(string: simpleConverseBody)
                )
            }
        }
        #expect(response.status == .ok)
        #expect(response.body.readableBytes == answer.utf8.count)
        #expect(response.body.text == answer)
        #expect(harness.audit.all.last?.usage == BedrockTokenUsage(inputTokens: 12, outputTokens: 70000))
    }
}
