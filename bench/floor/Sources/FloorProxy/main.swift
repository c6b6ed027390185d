// floor-proxy PORT UPSTREAM_URL
//
// A pass-through proxy with nothing of the gateway's own work: it reads the request body, POSTs it to
// UPSTREAM_URL with AsyncHTTPClient and streams the answer back. No authentication, no signing, no audit line,
// no metrics. FLOOR_CLIENT=nio makes the upstream call with MinimalHTTP1Client instead (plain http only), to
// measure how much of the floor is AsyncHTTPClient. FLOOR_SERVER=nio (with FLOOR_CLIENT=nio) serves with plain NIO
// channel handlers instead of Hummingbird: no Swift concurrency and no task per request.
import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOPosix

let arguments = CommandLine.arguments
guard arguments.count == 3, let port = Int(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: floor-proxy PORT UPSTREAM_URL\n".utf8))
    exit(2)
}
let upstream = arguments[2]
var configuration = HTTPClient.Configuration()
// As the gateway: AsyncHTTPClient's default of 8 connections per host would queue requests behind 8 in flight.
configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 1_024)
let client = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: configuration)
let router = Router()
if ProcessInfo.processInfo.environment["FLOOR_CLIENT"] == "nio" {
    guard upstream.hasPrefix("http://") else {
        FileHandle.standardError.write(Data("FLOOR_CLIENT=nio needs an http:// upstream\n".utf8))
        exit(2)
    }
    let authority = upstream.dropFirst("http://".count).prefix { $0 != "/" }
    let minimal = MinimalHTTP1Client(
        host: String(authority.prefix { $0 != ":" }),
        port: Int(authority.split(separator: ":").last.map(String.init) ?? "80") ?? 80,
        path: String(upstream.dropFirst("http://".count + authority.count))
    )
    if ProcessInfo.processInfo.environment["FLOOR_SERVER"] == "nio" {
        try runPlainNIOServer(port: port, client: minimal)
        exit(0)
    }
    router.post("**") { request, _ -> Response in
        let body = try await request.body.collect(upTo: 1 << 20)
        let answer = try await minimal.post(body, on: MultiThreadedEventLoopGroup.singleton.any()).get()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: answer))
    }
} else {
    router.post("**") { request, _ -> Response in
        let body = try await request.body.collect(upTo: 1 << 20)
        var outbound = HTTPClientRequest(url: upstream)
        outbound.method = .POST
        outbound.headers.add(name: "content-type", value: "application/json")
        outbound.body = .bytes(body)
        let response = try await client.execute(outbound, timeout: .seconds(30))
        let upstreamBody = response.body
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
            for try await chunk in upstreamBody { try await writer.write(chunk) }
            try await writer.finish(nil)
        })
    }
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
