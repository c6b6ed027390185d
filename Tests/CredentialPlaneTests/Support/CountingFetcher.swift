import AWSSigning
import CredentialPlane
import Foundation
import Logging
import Synchronization
import WebIdentity

/// A ``CredentialFetcher`` double: counts calls, issues numbered credentials that expire `lifetime` after
/// the clock's now, and can be slowed down, held at a gate or made to fail.
final class CountingFetcher: CredentialFetcher {
    private struct State {
        var calls = 0
        var failure: (any Error)?
        var gate: CheckedContinuation<Void, Never>?
        var gateClosed = false
        var waitingAtGate = 0
    }

    let clock: any CredentialClock
    let lifetime: TimeInterval
    let delay: Duration
    private let state = Mutex(State())

    init(clock: any CredentialClock, lifetime: TimeInterval = 3_600, delay: Duration = .zero) {
        self.clock = clock
        self.lifetime = lifetime
        self.delay = delay
    }

    var calls: Int { state.withLock { $0.calls } }

    /// Makes every later call throw `error` (or succeed again with `nil`).
    func fail(with error: (any Error)?) { state.withLock { $0.failure = error } }

    /// Holds later calls until ``openGate()``.
    func closeGate() { state.withLock { $0.gateClosed = true } }

    /// Releases a held call and lets later ones through.
    func openGate() {
        let gate = state.withLock { state in
            state.gateClosed = false
            defer { state.gate = nil }
            return state.gate
        }
        gate?.resume()
    }

    /// Whether a call is currently held at the gate.
    var isHeldAtGate: Bool { state.withLock { $0.waitingAtGate > 0 } }

    func fetchCredential(
        for request: CredentialRequest,
        context: TokenRequestContext,
        logger: Logger
    ) async throws -> AWSCredential {
        let (number, failure, gated) = state.withLock { state in
            state.calls += 1
            return (state.calls, state.failure, state.gateClosed)
        }
        if gated {
            await withCheckedContinuation { continuation in
                state.withLock { state in
                    state.waitingAtGate += 1
                    state.gate = continuation
                }
            }
            state.withLock { $0.waitingAtGate -= 1 }
            try Task.checkCancellation()
        }
        if delay > .zero { try await Task.sleep(for: delay) }
        if let failure { throw failure }
        return AWSCredential(
            accessKeyId: String(format: "ASIAFAKE%012d", number),
            secretAccessKey: "fake-secret-\(number)-\(UUID().uuidString)",
            sessionToken: "fake-session-token-\(number)-\(UUID().uuidString)",
            expiration: clock.now().addingTimeInterval(lifetime)
        )
    }
}
