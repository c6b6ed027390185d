import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import TestServers
import Testing

@testable import UpstreamHTTP

/// The upstream client against a real nginx (plain and TLS), and against a scripted server for the misbehaviours
/// nginx will not produce on demand.
@Suite("Upstream HTTP/1.1 client")
struct UpstreamHTTPClientTests {
    static let locations = """
        location = /hello { add_header x-connection $connection always; return 200 'hello'; }
        location = /echo {
            echo_read_request_body;
            add_header x-connection $connection always;
            echo -n "$request_body|$http_x_test|$request_method|$http_content_length";
        }
        location = /slow-head { echo_sleep 10; echo "late"; }
        location = /stall { echo "first"; echo_flush; echo_sleep 10; echo "second"; }
        location = /trickle {
            echo "a"; echo_flush; echo_sleep 0.3; echo "b"; echo_flush; echo_sleep 0.3; echo "c"; echo_flush;
            echo_sleep 0.3; echo "d"; echo_flush; echo_sleep 0.3; echo "e"; echo_flush; echo_sleep 0.3; echo "f";
        }
        location = /connection { add_header x-connection $connection always; echo -n "ok"; }
        location = /big {
            add_header x-connection $connection always;
            echo_duplicate 100000 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        }
        """

    static let eventLoop = MultiThreadedEventLoopGroup.singleton.next()

    static func request(_ path: String, host: String, body: String = "", headers: [(String, String)] = []) -> UpstreamRequest {
        var fields = HTTPHeaders([("host", host)])
        for (name, value) in headers { fields.add(name: name, value: value) }
        return UpstreamRequest(method: .POST, target: path, headers: fields, body: ByteBuffer(string: body))
    }

    static func client(maxConnections: Int = 16, tls: TLSConfiguration? = nil, poolIdleTimeout: TimeAmount? = nil) throws -> UpstreamHTTPClient {
        var configuration = UpstreamHTTPClient.Configuration()
        configuration.connectTimeout = .seconds(2)
        configuration.maxConnections = maxConnections
        if let poolIdleTimeout { configuration.poolIdleTimeout = poolIdleTimeout }
        if let tls { configuration.tls = tls }
        return UpstreamHTTPClient(configuration: configuration)
    }

    static func send(
        _ client: UpstreamHTTPClient, _ request: UpstreamRequest, to origin: UpstreamOrigin,
        within deadline: TimeAmount = .seconds(15), readIdle: TimeAmount = .seconds(15)
    ) async throws -> (UpstreamResponse, String) {
        let response = try await client.execute(request, to: origin, on: eventLoop, deadline: .now() + deadline, readIdleTimeout: readIdle)
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response, String(buffer: body))
    }

    static func upstreamError(_ body: () async throws -> Void) async -> UpstreamHTTPError? {
        do {
            try await body()
            return nil
        } catch let error as UpstreamHTTPError {
            return error
        } catch {
            Issue.record("expected an UpstreamHTTPError, got \(error)")
            return nil
        }
    }

    // MARK: Exchanges and keep-alive

    @Test func sendsTheRequestAndReusesTheConnection() async throws {
        try await NginxProcess.withServer(locations: Self.locations) { nginx in
            let client = try Self.client()
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: nginx.port)
            let host = "127.0.0.1:\(nginx.port)"
            let (first, firstBody) = try await Self.send(client, Self.request("/echo", host: host, body: #"{"a":1}"#, headers: [("x-test", "abc")]), to: origin)
            #expect(first.status == .ok)
            #expect(firstBody == #"{"a":1}|abc|POST|7"#)
            let (second, secondBody) = try await Self.send(client, Self.request("/echo", host: host, body: "second"), to: origin)
            #expect(secondBody == "second||POST|6")
            #expect(first.headers.first(name: "x-connection") != nil)
            #expect(first.headers.first(name: "x-connection") == second.headers.first(name: "x-connection"), "the second request should reuse the kept-alive connection")
            await client.shutdown()
        }
    }

    @Test func aBodyLeftBeforeItsEndClosesTheConnectionAndFreesItsSlot() async throws {
        try await NginxProcess.withServer(locations: Self.locations) { nginx in
            // One slot: if abandoning the body leaked it, the next request would wait until its deadline.
            let client = try Self.client(maxConnections: 1)
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: nginx.port)
            let host = "127.0.0.1:\(nginx.port)"
            let big = try await client.execute(Self.request("/big", host: host), to: origin, on: Self.eventLoop, deadline: .now() + .seconds(15), readIdleTimeout: .seconds(15))
            var iterator = big.body.makeAsyncIterator()
            let firstPart = try await iterator.next()
            #expect((firstPart?.readableBytes ?? 0) > 0)
            _ = consume iterator
            let (next, _) = try await Self.send(client, Self.request("/hello", host: host), to: origin, within: .seconds(10))
            #expect(next.status == .ok)
            #expect(next.headers.first(name: "x-connection") != big.headers.first(name: "x-connection"), "the abandoned connection must not be reused")
            await client.shutdown()
        }
    }

    @Test func readsALargeBodyWhole() async throws {
        try await NginxProcess.withServer(locations: Self.locations) { nginx in
            let client = try Self.client()
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: nginx.port)
            let response = try await client.execute(Self.request("/big", host: "x"), to: origin, on: Self.eventLoop, deadline: .now() + .seconds(15), readIdleTimeout: .seconds(15))
            var total = 0
            for try await part in response.body {
                total += part.readableBytes
                // A slow consumer: the connection must wait for it rather than buffer the whole body.
                if total < 1_000_000 { try await Task.sleep(for: .milliseconds(1)) }
            }
            #expect(total == 100_000 * 64)
            await client.shutdown()
        }
    }

    // MARK: TLS

    @Test func speaksTLSWithSNIAndVerifiesTheCertificate() async throws {
        let pki = try await TestCertificates.generate()
        defer { pki.remove() }
        try await NginxProcess.withServer(locations: Self.locations, tls: (pki.serverCertificate, pki.serverKey)) { nginx in
            var trusting = TLSConfiguration.makeClientConfiguration()
            trusting.trustRoots = .file(pki.caCertificate)
            let client = try Self.client(tls: trusting)
            let origin = UpstreamOrigin(tls: true, host: "localhost", port: nginx.port)
            let (response, body) = try await Self.send(client, Self.request("/hello", host: "localhost"), to: origin)
            #expect(response.status == .ok)
            #expect(body == "hello")

            // The certificate names localhost and redis.test, not 127.0.0.1.
            let wrongName = await Self.upstreamError {
                _ = try await Self.send(client, Self.request("/hello", host: "127.0.0.1"), to: UpstreamOrigin(tls: true, host: "127.0.0.1", port: nginx.port))
            }
            #expect(wrongName?.code == .tlsFailed)
            await client.shutdown()

            // The system trust roots do not include the test CA.
            let systemRoots = try Self.client()
            let untrusted = await Self.upstreamError {
                _ = try await Self.send(systemRoots, Self.request("/hello", host: "localhost"), to: origin)
            }
            #expect(untrusted?.code == .tlsFailed)
            #expect(untrusted?.beforeResponse == true)
            await systemRoots.shutdown()
        }
    }

    // MARK: Timeouts and failures

    @Test func noHeadBeforeTheDeadlineIsAFirstByteTimeout() async throws {
        try await NginxProcess.withServer(locations: Self.locations) { nginx in
            let client = try Self.client()
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: nginx.port)
            let started = ContinuousClock.now
            let error = await Self.upstreamError {
                _ = try await Self.send(client, Self.request("/slow-head", host: "x"), to: origin, within: .milliseconds(300))
            }
            #expect(error?.code == .firstByteTimeout)
            #expect(ContinuousClock.now - started < .seconds(6), "the request should fail at its deadline, not when nginx answers 10 s later")
            await client.shutdown()
        }
    }

    @Test func aBodyThatGoesQuietIsAReadIdleTimeout() async throws {
        try await NginxProcess.withServer(locations: Self.locations) { nginx in
            let client = try Self.client()
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: nginx.port)
            let response = try await client.execute(Self.request("/stall", host: "x"), to: origin, on: Self.eventLoop, deadline: .now() + .seconds(15), readIdleTimeout: .milliseconds(300))
            #expect(response.status == .ok)
            var received = ""
            let error = await Self.upstreamError {
                for try await part in response.body { received += String(buffer: part) }
            }
            #expect(received == "first\n")
            #expect(error?.code == .readIdleTimeout)
            #expect(error?.beforeResponse == false)
            await client.shutdown()
        }
    }

    /// Each part arrives well within the read-idle timeout, the whole body takes longer than it: no timeout. (The
    /// handler keeps one timer check and moves the deadline on each part; the check re-arms when it finds it moved.)
    @Test func aBodyThatKeepsArrivingOutlastsTheReadIdleTimeout() async throws {
        try await NginxProcess.withServer(locations: Self.locations) { nginx in
            let client = try Self.client()
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: nginx.port)
            let started = ContinuousClock.now
            // Parts every 0.3 s for 1.5 s against a 1 s timeout: a loaded machine has 0.7 s of slack per part.
            let (response, body) = try await Self.send(client, Self.request("/trickle", host: "x"), to: origin, readIdle: .seconds(1))
            #expect(response.status == .ok)
            #expect(body == "a\nb\nc\nd\ne\nf\n")
            #expect(ContinuousClock.now - started >= .milliseconds(1_050), "the body should take longer than the read-idle timeout")
            await client.shutdown()
        }
    }

    @Test func aConnectionIdleInThePoolForItsTimeoutIsClosed() async throws {
        try await NginxProcess.withServer(locations: Self.locations) { nginx in
            // Reuse within the timeout is sendsTheRequestAndReusesTheConnection's to show; on a loaded machine the gap
            // between two requests here can exceed a short timeout, so only the close after it is checked.
            let client = try Self.client(poolIdleTimeout: .milliseconds(500))
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: nginx.port)
            let (before, _) = try await Self.send(client, Self.request("/connection", host: "x"), to: origin)
            try await Task.sleep(for: .milliseconds(1_500))
            let (after, _) = try await Self.send(client, Self.request("/connection", host: "x"), to: origin)
            #expect(!after.headers["x-connection"].isEmpty)
            #expect(after.headers["x-connection"] != before.headers["x-connection"], "the idle connection should have been closed")
            await client.shutdown()
        }
    }

    @Test func requestsOverTheConnectionLimitWaitForAFreeOne() async throws {
        try await NginxProcess.withServer(locations: Self.locations) { nginx in
            let client = try Self.client(maxConnections: 1)
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: nginx.port)
            // nginx holds the first request for 10 s; wait until it has the only slot.
            let first = Task { try await Self.send(client, Self.request("/slow-head", host: "x"), to: origin, within: .seconds(30)).1 }
            let waitUntil = ContinuousClock.now + .seconds(30)
            while client.requestsInFlight == 0, ContinuousClock.now < waitUntil { try await Task.sleep(for: .milliseconds(10)) }
            #expect(client.requestsInFlight == 1)
            let impatient = await Self.upstreamError {
                _ = try await Self.send(client, Self.request("/hello", host: "x"), to: origin, within: .milliseconds(100))
            }
            #expect(impatient?.code == .firstByteTimeout, "with the only connection busy, a 100 ms deadline passes while waiting")
            let (patient, body) = try await Self.send(client, Self.request("/hello", host: "x"), to: origin, within: .seconds(30))
            #expect(patient.status == .ok && body == "hello")
            #expect(try await first.value == "late\n")
            await client.shutdown()
        }
    }

    @Test func nothingListeningIsAConnectFailure() async throws {
        let client = try Self.client()
        let port = try RedisServerProcess.freePort()
        let error = await Self.upstreamError {
            _ = try await Self.send(client, Self.request("/", host: "x"), to: UpstreamOrigin(tls: false, host: "127.0.0.1", port: port))
        }
        #expect(error?.code == .connectFailed)
        await client.shutdown()
    }

    @Test func cancellingTheCallerAbandonsTheExchange() async throws {
        try await NginxProcess.withServer(locations: Self.locations) { nginx in
            let client = try Self.client(maxConnections: 1)
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: nginx.port)
            let started = ContinuousClock.now
            let task = Task { try await Self.send(client, Self.request("/slow-head", host: "x"), to: origin) }
            try await Task.sleep(for: .milliseconds(150))
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(ContinuousClock.now - started < .seconds(6), "cancelling should not wait for nginx's answer 10 s later")
            // Its slot is free again.
            let (response, _) = try await Self.send(client, Self.request("/hello", host: "x"), to: origin, within: .seconds(10))
            #expect(response.status == .ok)
            await client.shutdown()
        }
    }

    @Test func aShutDownClientRefusesRequests() async throws {
        let client = try Self.client()
        await client.shutdown()
        let error = await Self.upstreamError {
            _ = try await Self.send(client, Self.request("/", host: "x"), to: UpstreamOrigin(tls: false, host: "127.0.0.1", port: 9))
        }
        #expect(error?.code == .shutdown)
    }

    // MARK: Stale connections

    @Test func aReusedConnectionClosedBeforeAnyAnswerIsRetriedOnceOnANewOne() async throws {
        // Answers the first request on each connection, then closes the connection when the next one arrives.
        try await ScriptedServer.with(respondToRequest: { _, request in request == 0 }) { server in
            let client = try Self.client()
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: server.port)
            let (first, _) = try await Self.send(client, Self.request("/one", host: "x"), to: origin)
            #expect(first.status == .ok)
            let (second, body) = try await Self.send(client, Self.request("/two", host: "x"), to: origin)
            #expect(second.status == .ok && body == "ok")
            #expect(server.requestsPerConnection == [2, 1], "the second request went to the first connection, then once to a new one")
            await client.shutdown()
        }
    }

    @Test func aNewConnectionClosedBeforeAnyAnswerIsNotRetried() async throws {
        try await ScriptedServer.with(respondToRequest: { _, _ in false }) { server in
            let client = try Self.client()
            let origin = UpstreamOrigin(tls: false, host: "127.0.0.1", port: server.port)
            let error = await Self.upstreamError {
                _ = try await Self.send(client, Self.request("/one", host: "x"), to: origin)
            }
            #expect(error?.code == .connectionClosed)
            #expect(error?.beforeResponse == true)
            #expect(server.requestsPerConnection == [1], "a request that never saw a response on a fresh connection is not sent twice")
            await client.shutdown()
        }
    }

    // MARK: Origins

    @Test(arguments: [
        ("https://bedrock-runtime.us-east-1.amazonaws.com", UpstreamOrigin(tls: true, host: "bedrock-runtime.us-east-1.amazonaws.com", port: 443)),
        ("http://127.0.0.1:9000/base/", UpstreamOrigin(tls: false, host: "127.0.0.1", port: 9000)),
        ("HTTP://localhost", UpstreamOrigin(tls: false, host: "localhost", port: 80)),
        ("https://[::1]:8443", UpstreamOrigin(tls: true, host: "::1", port: 8443)),
    ])
    func parsesOrigins(url: String, origin: UpstreamOrigin) {
        #expect(UpstreamOrigin(url: url) == origin)
    }

    @Test(arguments: ["ftp://host", "https://", "https://host:0", "https://host:99999", "https://host:abc", "https://[::1", "host:443"])
    func refusesMalformedOrigins(url: String) {
        #expect(UpstreamOrigin(url: url) == nil)
    }

    @Test(arguments: [
        ("https://bedrock-runtime.us-east-1.amazonaws.com:443", "bedrock-runtime.us-east-1.amazonaws.com", ""),
        ("http://127.0.0.1:9000/base/", "127.0.0.1:9000", "/base/"),
        ("http://localhost:80/a/b?x=1", "localhost", "/a/b"),
        ("https://[::1]:8443#frag", "[::1]:8443", ""),
        ("https://[::1]/v1", "[::1]", "/v1"),
    ])
    func hostHeaderAndPathOfAnEndpoint(url: String, hostHeader: String, path: String) throws {
        let origin = try #require(UpstreamOrigin(url: url))
        #expect(origin.hostHeader == hostHeader)
        #expect(UpstreamOrigin.path(of: url) == Substring(path))
    }
}

/// A loopback HTTP/1.1 server that answers or hangs up per request, for behaviour nginx will not produce on demand.
/// Requests must have no body. The answer is `answer` as raw bytes, and the connection is closed after it when
/// `thenClose` is set (an answer shorter than its content-length, then a hang-up or silence).
final class ScriptedServer: Sendable {
    let port: Int
    private let box: CountsBox

    private init(port: Int, box: CountsBox) {
        self.port = port
        self.box = box
    }

    /// Requests seen on each connection, in the order connections were accepted.
    var requestsPerConnection: [Int] { box.counts.withLock { $0 } }

    static let okAnswer = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"

    static func with(
        answer: String = okAnswer, thenClose: Bool = false,
        respondToRequest: @escaping @Sendable (_ connection: Int, _ request: Int) -> Bool, _ body: (ScriptedServer) async throws -> Void
    ) async throws {
        let box = CountsBox()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    let connection = box.newConnection()
                    try child.pipeline.syncOperations.addHandler(
                        ScriptedHandler(connection: connection, box: box, answer: answer, thenClose: thenClose, respond: respondToRequest)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = ScriptedServer(port: channel.localAddress!.port!, box: box)
        do {
            try await body(server)
        } catch {
            try? await channel.close()
            throw error
        }
        try await channel.close()
    }
}

final class CountsBox: Sendable {
    let counts = Mutex<[Int]>([])

    func newConnection() -> Int {
        counts.withLock { counts in
            counts.append(0)
            return counts.count - 1
        }
    }

    func countRequest(on connection: Int) -> Int {
        counts.withLock { counts in
            defer { counts[connection] += 1 }
            return counts[connection]
        }
    }
}

final class ScriptedHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let connection: Int
    let box: CountsBox
    let answer: String
    let thenClose: Bool
    let respond: @Sendable (Int, Int) -> Bool
    private let pending = Mutex<String>("")

    init(connection: Int, box: CountsBox, answer: String, thenClose: Bool, respond: @escaping @Sendable (Int, Int) -> Bool) {
        self.connection = connection
        self.box = box
        self.answer = answer
        self.thenClose = thenClose
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let text = String(buffer: unwrapInboundIn(data))
        var heads = 0
        pending.withLock { pending in
            pending += text
            while let end = pending.range(of: "\r\n\r\n") {
                pending.removeSubrange(..<end.upperBound)
                heads += 1
            }
        }
        for _ in 0..<heads {
            let index = box.countRequest(on: connection)
            if respond(connection, index) {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
                if thenClose {
                    context.close(promise: nil)
                    return
                }
            } else {
                context.close(promise: nil)
                return
            }
        }
    }
}

/// The connection handler's back-pressure, driven directly: an unread body stops `read()` from reaching the socket,
/// and the consumer's demand lets the withheld read through.
@Suite("Upstream connection back-pressure")
struct UpstreamBackPressureTests {
    /// Counts `read()` calls that get past the handler towards the socket.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    @Test func anUnreadBodyWithholdsReadsUntilTheConsumerAsksForMore() throws {
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        let handler = UpstreamConnectionHandler(origin: UpstreamOrigin(tls: false, host: "127.0.0.1", port: 1), poolIdleTimeout: .seconds(60))
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()

        let head = channel.eventLoop.makePromise(of: UpstreamResponse.self)
        let finished = NIOLockedValueBox<Bool?>(nil)
        let exchange = handler.start(
            UpstreamRequest(target: "/", headers: ["host": "x"], body: ByteBuffer()), deadline: .now() + .seconds(60),
            readIdleTimeout: .seconds(60), wholeBodyLimit: nil, headPromise: head,
            onFinish: { reusable in finished.withLockedValue { $0 = reusable } }
        )
        try channel.writeInbound(HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        let response = try head.futureResult.wait()
        #expect(response.status == .ok)

        channel.read()
        let readsWhileFlowing = counter.reads
        #expect(readsWhileFlowing > 0, "with nothing buffered, read() reaches the socket")

        // Far more parts than the body buffers (high watermark 8) while nobody reads the body.
        for _ in 0..<20 {
            try channel.writeInbound(HTTPClientResponsePart.body(ByteBuffer(string: "part")))
        }
        channel.read()
        channel.read()
        #expect(counter.reads == readsWhileFlowing, "read() must be withheld while the consumer is behind")

        // What the body's producer calls once the consumer has drained it below the low watermark.
        handler.consumerWantsMore(exchange: exchange)
        #expect(counter.reads == readsWhileFlowing + 1, "the withheld read goes through once the consumer asks for more")

        try channel.writeInbound(HTTPClientResponsePart.end(nil))
        #expect(finished.withLockedValue { $0 } == true, "a complete keep-alive response leaves the connection reusable")
        _ = try? channel.finish()
    }
}
