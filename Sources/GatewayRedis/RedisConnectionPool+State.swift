import NIOCore

extension RedisConnectionPool {
    /// The pool's bookkeeping, always mutated under the pool's lock. Pure state: it never calls out, so the
    /// pool performs every side effect (connecting, closing, completing promises) after releasing the lock.
    struct State {
        enum SlotState {
            case connecting(EventLoopPromise<RedisConnection>)
            case ready(RedisConnection)
        }

        struct Slot {
            let id: Int
            var state: SlotState
            /// Commands leased on this slot and not yet finished (including ones waiting for it to connect).
            var inFlight: Int
        }

        enum Lifecycle {
            case running
            /// Waiting for in-flight commands; `drained` completes when none are left.
            case draining(drained: EventLoopPromise<Void>, finished: EventLoopPromise<Void>)
            case shutDown(finished: EventLoopFuture<Void>)
        }

        /// Where a command should go.
        enum Lease {
            case connection(slotID: Int, RedisConnection)
            case pending(slotID: Int, EventLoopFuture<RedisConnection>)
            case shutDown
        }

        /// A new connection the pool must start opening, completing `promise`.
        struct ConnectRequest {
            let slotID: Int
            let promise: EventLoopPromise<RedisConnection>
        }

        private(set) var slots: [Slot] = []
        private(set) var lifecycle: Lifecycle = .running
        private var nextSlotID = 0
        private var totalInFlight = 0
        private(set) var statistics = Statistics()

        let poolSize: Int

        init(poolSize: Int) {
            self.poolSize = max(1, poolSize)
        }

        /// Picks a connection for one command: an idle open connection first; else a new connection while the
        /// pool has room (pipelining on the least busy open connection meanwhile, if there is one); else the
        /// least busy connection, open or still connecting.
        mutating func lease(makePromise: () -> EventLoopPromise<RedisConnection>) -> (Lease, ConnectRequest?) {
            guard case .running = self.lifecycle else { return (.shutDown, nil) }

            var bestReady: Int?
            for index in self.slots.indices {
                guard case .ready = self.slots[index].state else { continue }
                if bestReady == nil || self.slots[index].inFlight < self.slots[bestReady!].inFlight {
                    bestReady = index
                }
            }
            if let index = bestReady, self.slots[index].inFlight == 0 {
                return (self.take(index), nil)
            }

            var connectRequest: ConnectRequest?
            if self.slots.count < self.poolSize {
                let promise = makePromise()
                let id = self.nextSlotID
                self.nextSlotID += 1
                self.slots.append(Slot(id: id, state: .connecting(promise), inFlight: 0))
                self.statistics.connectionsStarted += 1
                connectRequest = ConnectRequest(slotID: id, promise: promise)
                if bestReady == nil {
                    return (self.take(self.slots.count - 1), connectRequest)
                }
            }
            if let index = bestReady {
                return (self.take(index), connectRequest)
            }
            var leastBusy = self.slots.startIndex
            for index in self.slots.indices where self.slots[index].inFlight < self.slots[leastBusy].inFlight {
                leastBusy = index
            }
            return (self.take(leastBusy), connectRequest)
        }

        private mutating func take(_ index: Int) -> Lease {
            self.slots[index].inFlight += 1
            self.totalInFlight += 1
            self.statistics.maxInFlightPerConnection = max(
                self.statistics.maxInFlightPerConnection,
                self.slots[index].inFlight
            )
            switch self.slots[index].state {
            case .ready(let connection):
                return .connection(slotID: self.slots[index].id, connection)
            case .connecting(let promise):
                return .pending(slotID: self.slots[index].id, promise.futureResult)
            }
        }

        /// A leased command finished. Returns the drain promise to complete when this was the last one during
        /// shutdown.
        mutating func release(slotID: Int) -> EventLoopPromise<Void>? {
            self.totalInFlight -= 1
            if let index = self.slots.firstIndex(where: { $0.id == slotID }) {
                self.slots[index].inFlight -= 1
            }
            if case .draining(let drained, _) = self.lifecycle, self.totalInFlight == 0 {
                return drained
            }
            return nil
        }

        /// A connection finished opening. Returns `false` when it is no longer wanted (the pool is shutting
        /// down or the slot was dropped), in which case the caller closes it.
        mutating func connected(slotID: Int, connection: RedisConnection) -> Bool {
            guard let index = self.slots.firstIndex(where: { $0.id == slotID }) else { return false }
            if case .shutDown = self.lifecycle {
                self.slots.remove(at: index)
                return false
            }
            self.slots[index].state = .ready(connection)
            self.statistics.connectionsOpened += 1
            return true
        }

        /// A connection failed to open or closed: forget it so a later command opens a new one.
        mutating func remove(slotID: Int, connection: RedisConnection? = nil) {
            guard let index = self.slots.firstIndex(where: { $0.id == slotID }) else { return }
            if let connection, case .ready(let current) = self.slots[index].state, current !== connection { return }
            self.slots.remove(at: index)
        }

        enum ShutdownAction {
            /// Wait for `drained` (in-flight commands), then call ``finishShutdown()`` and complete `finished`.
            case drain(drained: EventLoopFuture<Void>, finished: EventLoopPromise<Void>)
            /// Another call is already shutting down; wait for it.
            case wait(EventLoopFuture<Void>)
        }

        mutating func beginShutdown(
            drained: EventLoopPromise<Void>,
            finished: EventLoopPromise<Void>
        ) -> ShutdownAction {
            switch self.lifecycle {
            case .running:
                self.lifecycle = .draining(drained: drained, finished: finished)
                if self.totalInFlight == 0 { drained.succeed() }
                return .drain(drained: drained.futureResult, finished: finished)
            case .draining(_, let existing):
                drained.succeed()
                finished.succeed()
                return .wait(existing.futureResult)
            case .shutDown(let existing):
                drained.succeed()
                finished.succeed()
                return .wait(existing)
            }
        }

        /// Ends shutdown: returns every slot for the caller to close.
        mutating func finishShutdown() -> [Slot] {
            if case .draining(_, let finished) = self.lifecycle {
                self.lifecycle = .shutDown(finished: finished.futureResult)
            }
            let slots = self.slots
            self.slots.removeAll()
            return slots
        }

        var isRunning: Bool {
            if case .running = self.lifecycle { return true }
            return false
        }
    }

    /// Counters for tests and diagnostics.
    struct Statistics: Sendable {
        /// Connections the pool started opening.
        var connectionsStarted = 0
        /// Connections that opened successfully.
        var connectionsOpened = 0
        /// The most commands in flight on one connection at once (more than 1 means pipelining happened).
        var maxInFlightPerConnection = 0
    }
}
