import Foundation
import TestServers

/// Drives `oidc_standin.py`.
struct OIDCStandIn {
    struct Stats: Decodable {
        struct Last: Decodable {
            var form: [String: String]
            var content_type: String?
            var has_basic_auth: Bool
        }

        var token_requests: Int
        var discovery_requests: Int
        var last: Last?
    }

    static let clientId = "genai-gateway"
    /// Has characters that must be form-encoded before HTTP Basic (RFC 6749 §2.3.1).
    static let clientSecret = "s3cr:t/+ value%&"

    let peer: PythonPeerProcess

    var issuer: String { peer.baseURL }

    static func with<T>(_ body: (OIDCStandIn) async throws -> T) async throws -> T {
        try await PythonPeerProcess.with({
            try await PythonPeerProcess.startStandIn(
                script: StandInScripts.url("oidc_standin.py"),
                arguments: [clientId, clientSecret]
            )
        }) { peer in
            try await body(OIDCStandIn(peer: peer))
        }
    }

    /// Changes the issuer's behaviour and resets its counters.
    func control(_ settings: [String: Any]) async throws {
        try await PeerHTTP.postJSON("\(peer.baseURL)/control", settings)
    }

    func stats() async throws -> Stats {
        try await PeerHTTP.getJSON("\(peer.baseURL)/stats", as: Stats.self)
    }
}
