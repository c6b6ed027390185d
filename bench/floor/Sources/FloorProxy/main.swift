// floor-proxy PORT UPSTREAM_URL
//
// A pass-through proxy with nothing of the gateway's own work: it reads the request body, POSTs it to
// UPSTREAM_URL with AsyncHTTPClient and streams the answer back. No authentication, no signing, no audit line,
// no metrics.
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
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
