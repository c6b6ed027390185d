import AWSSigning
import Foundation
import Synchronization

/// The in-process (L1) credential cache: bounded, with CLOCK (second-chance) eviction.
///
/// A hit takes one lock, one dictionary lookup and sets a reference bit; an insert into a full cache
/// sweeps the clock hand past recently used entries and evicts the first one not used since the last sweep.
final class LocalCredentialCache: Sendable {
    struct Hit {
        var credential: AWSCredential
        /// True exactly once per refresh attempt: the caller must schedule the background refresh.
        var refreshDue: Bool
    }

    private struct Slot {
        var key: CredentialKey
        var entry: CachedCredential
        var referenced: Bool
        var nextRefreshAttempt: Date
    }

    private struct Storage {
        var slots: [Slot] = []
        var index: [CredentialKey: Int] = [:]
        var hand = 0
    }

    let capacity: Int
    private let storage: Mutex<Storage>

    init(capacity: Int) {
        precondition(capacity > 0, "the L1 cache needs room for at least one credential")
        self.capacity = capacity
        var storage = Storage()
        storage.slots.reserveCapacity(min(capacity, 1_024))
        self.storage = Mutex(storage)
    }

    /// The usable credential for `key`, if any; marks it as recently used.
    ///
    /// When the entry is past its refresh instant and no refresh was claimed within `refreshRetryInterval`,
    /// the hit says `refreshDue` and records the claim, so concurrent hits schedule one refresh.
    func lookup(_ key: CredentialKey, now: Date, refreshRetryInterval: TimeInterval) -> Hit? {
        storage.withLock { storage in
            guard let position = storage.index[key] else { return nil }
            let entry = storage.slots[position].entry
            guard entry.isUsable(at: now) else { return nil }
            storage.slots[position].referenced = true
            var refreshDue = false
            if !entry.isFresh(at: now) && now >= storage.slots[position].nextRefreshAttempt {
                storage.slots[position].nextRefreshAttempt = now.addingTimeInterval(refreshRetryInterval)
                refreshDue = true
            }
            return Hit(credential: entry.credential, refreshDue: refreshDue)
        }
    }

    /// The entry for `key`, usable or not, without touching its reference bit.
    func peek(_ key: CredentialKey) -> CachedCredential? {
        storage.withLock { storage in storage.index[key].map { storage.slots[$0].entry } }
    }

    /// Stores `entry` for `key`, replacing an older one or evicting another key when full.
    ///
    /// An older entry is kept when it expires later than `entry` (a slow fetch must not replace a newer
    /// credential that another path stored meanwhile).
    func insert(_ key: CredentialKey, _ entry: CachedCredential) {
        storage.withLock { storage in
            let slot = Slot(key: key, entry: entry, referenced: false, nextRefreshAttempt: .distantPast)
            if let position = storage.index[key] {
                if storage.slots[position].entry.expiration <= entry.expiration {
                    storage.slots[position] = slot
                }
                return
            }
            if storage.slots.count < capacity {
                storage.index[key] = storage.slots.count
                storage.slots.append(slot)
                return
            }
            while storage.slots[storage.hand].referenced {
                storage.slots[storage.hand].referenced = false
                storage.hand = (storage.hand + 1) % capacity
            }
            storage.index.removeValue(forKey: storage.slots[storage.hand].key)
            storage.slots[storage.hand] = slot
            storage.index[key] = storage.hand
            storage.hand = (storage.hand + 1) % capacity
        }
    }

    /// Allows another refresh attempt for `key` right away (after a refresh that could not run).
    func clearRefreshClaim(_ key: CredentialKey) {
        storage.withLock { storage in
            if let position = storage.index[key] { storage.slots[position].nextRefreshAttempt = .distantPast }
        }
    }

    /// The number of entries held (usable or not).
    var count: Int { storage.withLock { $0.slots.count } }

    /// Whether `key` currently has an entry (usable or not).
    func contains(_ key: CredentialKey) -> Bool { storage.withLock { $0.index[key] != nil } }
}
