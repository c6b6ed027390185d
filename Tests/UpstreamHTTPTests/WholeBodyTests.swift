import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTP1
import TestServers
import Testing

@testable import UpstreamHTTP

/// `wholeBodyLimit`: a small body with a declared length arrives whole with the response, anything else streams, and
/// a whole body that does not complete fails the call.
@Suite("Upstream bodies read whole")
struct WholeBodyTests {
    typealias Client = UpstreamHTTPClientTests

    static func execute(
        _ client: UpstreamHTTPClient, _ path: String, to origin: UpstreamOrigin, limit: Int?, readIdle: TimeAmount = .seconds(15)
    ) async throws -> UpstreamResponse {
        try await client.execute(
            Client.request(path, host: "x"), to: origin, on: Client.eventLoop, deadline: .now() + .seconds(15),
            readIdleTimeout: readIdle, wholeBodyLimit: limit
        )
    }

    @Test func aBodyWithinTheLimitArrivesWholeAndTheConnectionIsReused() async throws {
        try await NginxProcess.withServer(locations: Client.locations) { nginx in
            let client = try Client.client(maxConnections: 1)
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: nginx.port)
            // `return 200 'hello'` answers with content-length: 5.
            let first = try await Self.execute(client, "/hello", to: origin, limit: 5)
            #expect(first.status == .ok)
            #expect(first.body.whole.map { String(buffer: $0) } == "hello")
            // Read as a sequence, the whole body is one part.
            #expect(String(buffer: try await first.body.collect(upTo: 100)) == "hello")
            #expect(client.requestsInFlight == 0, "the slot is free as soon as the whole body is in")

            let second = try await Self.execute(client, "/hello", to: origin, limit: 5)
            #expect(second.body.whole.map { String(buffer: $0) } == "hello")
            #expect(first.headers.first(name: "x-connection") != nil)
            #expect(first.headers.first(name: "x-connection") == second.headers.first(name: "x-connection"), "the kept-alive connection carries the next request")
            await client.shutdown()
        }
    }

    @Test func aBodyOverTheLimitOrWithoutADeclaredLengthStreams() async throws {
        try await NginxProcess.withServer(locations: Client.locations) { nginx in
            let client = try Client.client()
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: nginx.port)
            let over = try await Self.execute(client, "/hello", to: origin, limit: 4)
            #expect(over.body.whole == nil)
            #expect(String(buffer: try await over.body.collect(upTo: 100)) == "hello")

            // The echo module answers without content-length (chunked).
            let chunked = try await Self.execute(client, "/connection", to: origin, limit: 1 << 20)
            #expect(chunked.headers.first(name: "content-length") == nil)
            #expect(chunked.body.whole == nil)
            #expect(String(buffer: try await chunked.body.collect(upTo: 100)) == "ok")

            let unasked = try await Self.execute(client, "/hello", to: origin, limit: nil)
            #expect(unasked.body.whole == nil)
            _ = try await unasked.body.collect(upTo: 100)
            await client.shutdown()
        }
    }

    static let halfAnswer = "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf"

    @Test func aWholeBodyCutShortFailsTheCallAfterTheHead() async throws {
        try await ScriptedServer.with(answer: Self.halfAnswer, thenClose: true, respondToRequest: { _, _ in true }) { server in
            let client = try Client.client()
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: server.port)
            let error = await Client.upstreamError {
                _ = try await Self.execute(client, "/", to: origin, limit: 1024)
            }
            #expect(error?.afterHead == true)
            #expect(error?.beforeResponse == false)
            #expect(server.requestsPerConnection == [1], "an answer that had begun is not sent again")
            await client.shutdown()
        }
    }

    @Test func aWholeBodyThatGoesQuietIsAReadIdleTimeout() async throws {
        try await ScriptedServer.with(answer: Self.halfAnswer, respondToRequest: { _, _ in true }) { server in
            let client = try Client.client()
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: server.port)
            let started = ContinuousClock.now
            let error = await Client.upstreamError {
                _ = try await Self.execute(client, "/", to: origin, limit: 1024, readIdle: .milliseconds(300))
            }
            #expect(error?.code == .readIdleTimeout)
            #expect(error?.afterHead == true)
            #expect(ContinuousClock.now - started < .seconds(10), "the call should fail at the read-idle timeout")
            #expect(client.requestsInFlight == 0)
            await client.shutdown()
        }
    }

    @Test func cancellingWhileTheBodyIsReadFreesTheSlot() async throws {
        try await ScriptedServer.with(answer: Self.halfAnswer, respondToRequest: { _, _ in true }) { server in
            let client = try Client.client(maxConnections: 1)
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: server.port)
            let task = Task { try await Self.execute(client, "/", to: origin, limit: 1024) }
            // The head and half the body arrive at once; the rest never does.
            while server.requestsPerConnection.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            try await Task.sleep(for: .milliseconds(100))
            task.cancel()
            await #expect(throws: CancellationError.self) { _ = try await task.value }
            #expect(client.requestsInFlight == 0, "the one slot is free again")
            await client.shutdown()
        }
    }

    /// A handler on an embedded channel with one exchange started, asking for bodies up to `limit` whole.
    struct Harness {
        let channel = EmbeddedChannel()
        let counter = UpstreamBackPressureTests.ReadCounter()
        let head: EventLoopPromise<UpstreamResponse>
        let finished = NIOLockedValueBox<Bool?>(nil)
        let completed = NIOLockedValueBox(false)

        init(limit: Int) throws {
            let handler = UpstreamConnectionHandler(origin: UpstreamOrigin(tls: false, host: "127.0.0.1", port: 1), poolIdleTimeout: .seconds(60))
            try channel.pipeline.syncOperations.addHandler(counter)
            try channel.pipeline.syncOperations.addHandler(handler)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            head = channel.eventLoop.makePromise(of: UpstreamResponse.self)
            let (finished, completed) = (self.finished, self.completed)
            head.futureResult.whenComplete { _ in completed.withLockedValue { $0 = true } }
            _ = handler.start(
                UpstreamRequest(target: "/", headers: ["host": "x"], body: ByteBuffer()), deadline: .now() + .seconds(60),
                readIdleTimeout: .seconds(60), wholeBodyLimit: limit, headPromise: head,
                onFinish: { reusable in finished.withLockedValue { $0 = reusable } }
            )
        }

        func receiveHead(contentLength: Int) throws {
            try channel.writeInbound(
                HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-length": "\(contentLength)"]))
            )
        }
    }

    static let parts = (0..<20).map { "part\($0);" }
    static let length = parts.joined().utf8.count

    /// The handler gathers the parts itself, without withholding reads, and completes the promise only at the end.
    @Test func partsAreGatheredUntilTheEnd() throws {
        let harness = try Harness(limit: 1024)
        try harness.receiveHead(contentLength: Self.length)
        for part in Self.parts {
            try harness.channel.writeInbound(HTTPClientResponsePart.body(ByteBuffer(string: part)))
            harness.channel.read()
        }
        #expect(harness.counter.reads >= Self.parts.count, "reads go through while a body is gathered")
        #expect(harness.completed.withLockedValue { $0 } == false, "the caller waits for the end of the body")
        try harness.channel.writeInbound(HTTPClientResponsePart.end(nil))
        let response = try harness.head.futureResult.wait()
        #expect(response.body.whole.map { String(buffer: $0) } == Self.parts.joined())
        #expect(harness.finished.withLockedValue { $0 } == true, "a complete keep-alive response leaves the connection reusable")
        _ = try? harness.channel.finish()
    }

    @Test func aDeclaredLengthOverTheLimitCompletesAtTheHead() throws {
        let harness = try Harness(limit: Self.length - 1)
        try harness.receiveHead(contentLength: Self.length)
        let response = try harness.head.futureResult.wait()
        #expect(response.body.whole == nil, "the body streams")
        #expect(harness.finished.withLockedValue { $0 } == nil, "the exchange goes on")
        try harness.channel.writeInbound(HTTPClientResponsePart.end(nil))
        #expect(harness.finished.withLockedValue { $0 } == true)
        _ = try? harness.channel.finish()
    }
}
