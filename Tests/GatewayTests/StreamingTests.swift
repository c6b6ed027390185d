import AsyncHTTPClient
import BedrockEventStream
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing

@Suite("Streaming: frames are forwarded as they arrive")
struct StreamingTests {
    static func frame(_ message: EventStreamMessage) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        try EventStreamEncoder().encode(message, into: &buffer)
        return buffer
    }

    @Test func firstFrameReachesTheClientBeforeTheLastIsSent() async throws {
        let first = try Self.frame(.bedrockEvent("messageStart", jsonPayload: #"{"role":"assistant","p":"abc"}"#))
        let middle = try Self.frame(.bedrockEvent("contentBlockDelta", jsonPayload: #"{"contentBlockIndex":0,"delta":{"text":"Hello"}}"#))
        let last = try Self.frame(
            .bedrockEvent("metadata", jsonPayload: #"{"usage":{"inputTokens":21,"outputTokens":7,"totalTokens":28},"metrics":{"latencyMs":5}}"#)
        )
        // The stand-in sends the last frame only after the test has seen the first one arrive at the client.
        let (released, release) = AsyncStream.makeStream(of: Void.self)
        let lastSent = SharedFlag()
        let router = upstream {
            return Response(
                status: .ok,
                headers: [.contentType: "application/vnd.amazon.eventstream"],
                body: ResponseBody { writer in
                    try await writer.write(first)
                    try await Task.sleep(for: .milliseconds(50))
                    try await writer.write(middle)
                    for await _ in released { break }
                    lastSent.set()
                    try await writer.write(last)
                    try await writer.finish(nil)
                }
            )
        }
        let harness = GatewayHarness()
        let token = harness.idp.token()
        let (received, sawFirstBeforeLast) = try await withUpstream(router) { upstreamPort in
            let app = try await harness.application(upstreamPort: upstreamPort)
            return try await app.test(.live) { client in
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(client.port!)/use-cases/UseCaseA/model/titan-text-express/converse-stream")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: simpleConverseBody))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "content-type") == "application/vnd.amazon.eventstream")
                #expect(response.headers.first(name: "x-gateway-route") == "explicit")
                var bytes = ByteBuffer()
                var sawFirstBeforeLast = false
                for try await chunk in response.body {
                    var chunk = chunk
                    bytes.writeBuffer(&chunk)
                    if bytes.readableBytes >= first.readableBytes, !sawFirstBeforeLast {
                        sawFirstBeforeLast = !lastSent.isSet
                        release.yield()
                        release.finish()
                    }
                }
                return (bytes, sawFirstBeforeLast)
            }
        }
        #expect(sawFirstBeforeLast, "the client must receive the first frame before the stand-in sends the last")
        var expected = first
        expected.writeImmutableBuffer(middle)
        expected.writeImmutableBuffer(last)
        #expect(received == expected, "frames must arrive byte for byte")
        let audit = try #require(harness.audit.all.first)
        #expect(audit.usage?.inputTokens == 21)
        #expect(audit.usage?.outputTokens == 7)
        #expect(audit.status == 200)
    }

    @Test func clientDisconnectCancelsTheUpstreamRequest() async throws {
        let chunk = try Self.frame(.bedrockEvent("contentBlockDelta", jsonPayload: #"{"contentBlockIndex":0,"delta":{"text":"tick"}}"#))
        let (ended, endedContinuation) = AsyncStream.makeStream(of: String.self)
        let router = upstream {
            return Response(
                status: .ok,
                headers: [.contentType: "application/vnd.amazon.eventstream"],
                body: ResponseBody { writer in
                    do {
                        for _ in 0..<400 {
                            try await writer.write(chunk)
                            try await Task.sleep(for: .milliseconds(25))
                        }
                        endedContinuation.yield("completed")
                    } catch {
                        endedContinuation.yield("cancelled")
                        throw error
                    }
                    try await writer.finish(nil)
                }
            )
        }
        let harness = GatewayHarness()
        let token = harness.idp.token()
        let outcome = try await withUpstream(router) { upstreamPort in
            let app = try await harness.application(upstreamPort: upstreamPort)
            return try await app.test(.live) { client in
                let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
                do {
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(client.port!)/use-cases/UseCaseA/model/titan-text-express/converse-stream")
                    request.method = .POST
                    request.headers.add(name: "Authorization", value: "Bearer \(token)")
                    request.body = .bytes(ByteBuffer(string: simpleConverseBody))
                    let response = try await httpClient.execute(request, timeout: .seconds(10))
                    var iterator = response.body.makeAsyncIterator()
                    _ = try await iterator.next()
                }
                // Closing the client's connections is a disconnect mid-stream.
                try? await httpClient.shutdown()
                for await outcome in ended { return outcome }
                return "no outcome"
            }
        }
        #expect(outcome == "cancelled", "the stand-in must see its response cut short when the client goes away")
    }
}
