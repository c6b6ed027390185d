import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import TestServers

/// Small JSON calls to the stand-ins' control endpoints.
enum PeerHTTP {
    static func postJSON(_ url: String, _ object: Any) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: object)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            throw PeerStartError(description: "POST \(url) answered \(response.status)")
        }
    }

    static func getJSON<T: Decodable>(_ url: String, as type: T.Type) async throws -> T {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 22)
        return try JSONDecoder().decode(T.self, from: Data(buffer: body))
    }
}
