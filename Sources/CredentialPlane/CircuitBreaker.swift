import Foundation
import Synchronization

/// A closed / open / half-open breaker in front of the shared cache.
///
/// - closed: calls go through; `failureThreshold` consecutive failures open it.
/// - open: calls are skipped (the broker serves from L1 and STS) until `openDuration` has passed.
/// - half-open: one probe call goes through; success closes the breaker, failure opens it again. A probe
///   that never reports (its task was cancelled) is replaced after another `openDuration`.
final class CircuitBreaker: Sendable {
    enum State: Equatable, Sendable {
        case closed
        case open
        case halfOpen
    }

    private struct Storage {
        var state: State = .closed
        var consecutiveFailures = 0
        var openedAt = Date.distantPast
        var probeStartedAt: Date?
    }

    private let configuration: CircuitBreakerConfiguration
    private let clock: any CredentialClock
    private let storage = Mutex(Storage())
    private let onStateChange: @Sendable (State) -> Void

    init(
        configuration: CircuitBreakerConfiguration,
        clock: any CredentialClock,
        onStateChange: @escaping @Sendable (State) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.clock = clock
        self.onStateChange = onStateChange
    }

    var state: State { storage.withLock { $0.state } }

    /// Whether a shared-cache call may be made now. In half-open state, only the first caller (the probe)
    /// gets `true`.
    func allowsRequest() -> Bool {
        let now = clock.now()
        let openDuration = configuration.openDuration.timeInterval
        let (allowed, changed): (Bool, State?) = storage.withLock { storage in
            switch storage.state {
            case .closed:
                return (true, nil)
            case .open:
                guard now >= storage.openedAt.addingTimeInterval(openDuration) else { return (false, nil) }
                storage.state = .halfOpen
                storage.probeStartedAt = now
                return (true, .halfOpen)
            case .halfOpen:
                if let started = storage.probeStartedAt, now < started.addingTimeInterval(openDuration) {
                    return (false, nil)
                }
                storage.probeStartedAt = now
                return (true, nil)
            }
        }
        if let changed { onStateChange(changed) }
        return allowed
    }

    /// Records a successful shared-cache call.
    func recordSuccess() {
        let changed: State? = storage.withLock { storage in
            storage.consecutiveFailures = 0
            guard storage.state != .closed else { return nil }
            storage.state = .closed
            storage.probeStartedAt = nil
            return .closed
        }
        if let changed { onStateChange(changed) }
    }

    /// Records a failed shared-cache call.
    func recordFailure() {
        let now = clock.now()
        let threshold = configuration.failureThreshold
        let changed: State? = storage.withLock { storage in
            storage.consecutiveFailures += 1
            switch storage.state {
            case .closed:
                guard storage.consecutiveFailures >= threshold else { return nil }
            case .halfOpen:
                break
            case .open:
                storage.openedAt = now
                return nil
            }
            storage.state = .open
            storage.openedAt = now
            storage.probeStartedAt = nil
            return .open
        }
        if let changed { onStateChange(changed) }
    }
}
