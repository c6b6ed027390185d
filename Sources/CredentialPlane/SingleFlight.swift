import Synchronization

/// Collapses concurrent work for the same key into one flight: the first caller leads and does the work,
/// later callers wait for its outcome.
///
/// Waiters are continuations, not stored tasks. A waiter that is cancelled stops waiting at once; a leader
/// that is cancelled hands its waiters `.retry`, so one of them leads instead of all failing.
final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    enum Outcome: Sendable {
        case value(Value)
        case failure(any Error)
        /// The flight ended without a result for this waiter (no flight was running by the time it
        /// registered, or the leader was cancelled): look again, and lead if needed.
        case retry
    }

    enum Participation: Sendable {
        /// The caller must do the work and then call ``finish(_:with:)`` exactly once.
        case leader
        /// Another caller did the work.
        case follower(Outcome)
    }

    private struct State {
        var flights: [Key: [UInt64: CheckedContinuation<Outcome, Never>]] = [:]
        var nextWaiterID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Leads a new flight for `key` if none is running; returns `false` without waiting otherwise.
    func tryLead(_ key: Key) -> Bool {
        state.withLock { state in
            guard state.flights[key] == nil else { return false }
            state.flights[key] = [:]
            return true
        }
    }

    /// Leads a new flight for `key`, or waits for the one running.
    func participate(_ key: Key) async -> Participation {
        if tryLead(key) { return .leader }
        return .follower(await wait(for: key))
    }

    /// Ends the flight for `key`, handing `outcome` to every waiter.
    func finish(_ key: Key, with outcome: Outcome) {
        let waiters = state.withLock { state in state.flights.removeValue(forKey: key) ?? [:] }
        for waiter in waiters.values { waiter.resume(returning: outcome) }
    }

    /// Whether a flight is running for `key`.
    func isInFlight(_ key: Key) -> Bool {
        state.withLock { $0.flights[key] != nil }
    }

    private func wait(for key: Key) async -> Outcome {
        let id = state.withLock { state in
            state.nextWaiterID &+= 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                // Registration and cancellation both take the lock, and cancellation is flagged before its
                // handler runs: either the handler finds this waiter, or this check sees the flag.
                let immediate: Outcome? = state.withLock { state in
                    guard state.flights[key] != nil else { return .retry }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.flights[key]?[id] = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state in state.flights[key]?.removeValue(forKey: id) }
            waiter?.resume(returning: .failure(CancellationError()))
        }
    }
}
