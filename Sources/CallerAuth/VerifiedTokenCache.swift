import Foundation
import NIOConcurrencyHelpers

/// Remembers verified tokens until they expire, keyed by a hash of the token text.
///
/// The key is SipHash (Swift's `Hasher`) under the process's random seed, not a cryptographic digest: a hit also
/// requires the whole cached token to equal the presented one, so a colliding key can only cause a miss, and since
/// callers cannot predict the seed, a presented token is compared only with a cached token of the same key, which
/// in practice is itself (no timing signal about other callers' tokens). SHA-256 cost about 27,000 instructions
/// per request for a 700-byte token (bench/instructions.sh); SipHash a tenth of that.
///
/// Bounded: once `capacity` entries are held, the oldest inserted is evicted. An entry is never returned at
/// or after its token's `exp`, whatever the clock skew allowance.
final class VerifiedTokenCache: Sendable {
    typealias Key = Int

    private struct State {
        var entries: [Key: (caller: VerifiedCaller, sequence: UInt64)] = [:]
        /// Insertion order; items whose sequence no longer matches their entry are stale and skipped.
        var order: [(key: Key, sequence: UInt64)] = []
        var head = 0
        var nextSequence: UInt64 = 0
    }

    let capacity: Int
    private let state = NIOLockedValueBox(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    static func key(for token: String) -> Key {
        var token = token
        return token.withUTF8 { bytes in
            var hasher = Hasher()
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
            return hasher.finalize()
        }
    }

    var count: Int { self.state.withLockedValue { $0.entries.count } }

    func lookup(_ key: Key, token: String, now: Date) -> VerifiedCaller? {
        guard self.capacity > 0 else { return nil }
        return self.state.withLockedValue { state in
            guard let entry = state.entries[key] else { return nil }
            guard now < entry.caller.expiresAt else {
                state.entries[key] = nil
                return nil
            }
            return entry.caller.token == token ? entry.caller : nil
        }
    }

    func insert(_ caller: VerifiedCaller, key: Key) {
        guard self.capacity > 0 else { return }
        self.state.withLockedValue { state in
            let sequence = state.nextSequence
            state.nextSequence &+= 1
            state.entries[key] = (caller, sequence)
            state.order.append((key, sequence))
            while state.entries.count > self.capacity, state.head < state.order.count {
                let oldest = state.order[state.head]
                state.head += 1
                if state.entries[oldest.key]?.sequence == oldest.sequence {
                    state.entries[oldest.key] = nil
                }
            }
            // Compact the order list when its consumed or stale part dominates.
            if state.head > 1024 && state.head * 2 > state.order.count || state.order.count > 4 * self.capacity + 1024 {
                let entries = state.entries
                state.order = state.order[state.head...].filter { entries[$0.key]?.sequence == $0.sequence }
                state.head = 0
            }
        }
    }
}
