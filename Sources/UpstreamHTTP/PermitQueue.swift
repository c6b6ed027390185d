import NIOConcurrencyHelpers
import NIOCore

/// The right to have one request in flight; released once, by whoever finishes first.
final class Permit: Sendable {
    private let queue: PermitQueue
    private let released = NIOLockedValueBox(false)

    init(queue: PermitQueue) {
        self.queue = queue
    }

    func release() {
        let first = released.withLockedValue { released -> Bool in
            defer { released = true }
            return !released
        }
        if first { queue.returnOne() }
    }
}

/// Bounds the requests in flight; requests over the bound wait in order until one finishes or their deadline passes.
final class PermitQueue: Sendable {
    private struct Waiter {
        var id: UInt64
        var promise: EventLoopPromise<Permit>
        var timeout: Scheduled<Void>
    }

    private struct State {
        var available: Int
        var waiters = CircularBuffer<Waiter>()
        var nextID: UInt64 = 0
        var shutDown = false
    }

    private let state: NIOLockedValueBox<State>
    private let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
        state = NIOLockedValueBox(State(available: self.limit))
    }

    /// Permits currently held.
    var inUse: Int { limit - state.withLockedValue { $0.available } }

    /// A permit now if one is free; otherwise waits until one is, failing at `deadline` or on cancellation.
    func acquire(deadline: NIODeadline, eventLoop: any EventLoop) async throws -> Permit {
        if let permit = try takeImmediately() { return permit }
        let waiter = NIOLockedValueBox<UInt64?>(nil)
        let future = enqueue(deadline: deadline, eventLoop: eventLoop) { id in waiter.withLockedValue { $0 = id } }
        return try await withTaskCancellationHandler {
            try await future.get()
        } onCancel: {
            if let id = waiter.withLockedValue({ $0 }) { self.abandon(id, error: CancellationError()) }
        }
    }

    /// The future form of ``acquire(deadline:eventLoop:)``, for callers already on an event loop.
    func acquire(deadline: NIODeadline, on eventLoop: any EventLoop) -> EventLoopFuture<Permit> {
        do {
            if let permit = try takeImmediately() { return eventLoop.makeSucceededFuture(permit) }
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        return enqueue(deadline: deadline, eventLoop: eventLoop) { _ in }
    }

    func shutDown() {
        let waiters = state.withLockedValue { state -> CircularBuffer<Waiter> in
            state.shutDown = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters {
            waiter.timeout.cancel()
            waiter.promise.fail(UpstreamHTTPError(.shutdown, detail: "the upstream client is shut down", beforeResponse: true))
        }
    }

    private func takeImmediately() throws -> Permit? {
        let taken = try state.withLockedValue { state -> Bool in
            if state.shutDown { throw UpstreamHTTPError(.shutdown, detail: "the upstream client is shut down", beforeResponse: true) }
            guard state.available > 0, state.waiters.isEmpty else { return false }
            state.available -= 1
            return true
        }
        return taken ? Permit(queue: self) : nil
    }

    private func enqueue(deadline: NIODeadline, eventLoop: any EventLoop, registered: (UInt64) -> Void) -> EventLoopFuture<Permit> {
        let promise = eventLoop.makePromise(of: Permit.self)
        let granted = state.withLockedValue { state -> Bool in
            if state.available > 0 && state.waiters.isEmpty {
                state.available -= 1
                return true
            }
            state.nextID &+= 1
            let id = state.nextID
            let timeout = eventLoop.scheduleTask(deadline: deadline) {
                self.abandon(
                    id,
                    error: UpstreamHTTPError(
                        .firstByteTimeout, detail: "every upstream connection stayed busy until the deadline", beforeResponse: true)
                )
            }
            state.waiters.append(Waiter(id: id, promise: promise, timeout: timeout))
            registered(id)
            return false
        }
        if granted { promise.succeed(Permit(queue: self)) }
        return promise.futureResult
    }

    private func abandon(_ id: UInt64, error: any Error) {
        let removed = state.withLockedValue { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        guard let removed else { return }
        removed.timeout.cancel()
        removed.promise.fail(error)
    }

    fileprivate func returnOne() {
        let next = state.withLockedValue { state -> Waiter? in
            if let waiter = state.waiters.popFirst() { return waiter }
            state.available += 1
            return nil
        }
        guard let next else { return }
        next.timeout.cancel()
        next.promise.succeed(Permit(queue: self))
    }
}
