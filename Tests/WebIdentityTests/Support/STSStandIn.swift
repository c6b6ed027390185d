import Foundation
import TestServers

/// Drives `sts_standin.py`.
struct STSStandIn {
    struct Call: Decodable {
        var params: [String: String]
        var content_type: String?
        var authorization: String?
        var path: String
    }

    struct Calls: Decodable {
        var count: Int
        var calls: [Call]
    }

    let peer: PythonPeerProcess

    var endpoint: String { peer.baseURL }

    static func with<T>(_ body: (STSStandIn) async throws -> T) async throws -> T {
        try await PythonPeerProcess.with({
            try await PythonPeerProcess.startStandIn(script: StandInScripts.url("sts_standin.py"))
        }) { peer in
            try await body(STSStandIn(peer: peer))
        }
    }

    /// Replaces the scripted answers and resets the call log.
    func script(_ answers: [[String: Any]]) async throws {
        try await PeerHTTP.postJSON("\(peer.baseURL)/control/script", answers)
    }

    func calls() async throws -> Calls {
        try await PeerHTTP.getJSON("\(peer.baseURL)/calls", as: Calls.self)
    }
}
