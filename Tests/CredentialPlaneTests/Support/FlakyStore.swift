import CredentialPlane
import Foundation
import Synchronization

/// Wraps an ``InMemoryCredentialStore`` and fails every call while switched to failing (as a Redis that is
/// down would), counting the calls that reach it.
final class FlakyStore: SharedCredentialStore {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "shared store unavailable (test)" }
    }

    let base: InMemoryCredentialStore
    private let state = Mutex((failing: false, calls: 0))

    init(base: InMemoryCredentialStore) {
        self.base = base
    }

    var calls: Int { state.withLock { $0.calls } }

    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }

    private func enter() throws {
        let failing = state.withLock { state in
            state.calls += 1
            return state.failing
        }
        if failing { throw Unavailable() }
    }

    func get(_ key: String) async throws -> [UInt8]? {
        try enter()
        return try await base.get(key)
    }

    func set(_ key: String, value: [UInt8], timeToLive: Duration) async throws {
        try enter()
        try await base.set(key, value: value, timeToLive: timeToLive)
    }

    func acquireLock(_ key: String, token: String, timeToLive: Duration) async throws -> Bool {
        try enter()
        return try await base.acquireLock(key, token: token, timeToLive: timeToLive)
    }

    @discardableResult
    func releaseLock(_ key: String, token: String) async throws -> Bool {
        try enter()
        return try await base.releaseLock(key, token: token)
    }
}
