import CredentialPlane
import Foundation
import Synchronization

/// A wall clock the test moves by hand. Sleeps are real (short) waits, so polling code still yields to
/// the tasks it waits for; only `now()` is controlled.
final class ManualCredentialClock: CredentialClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    func now() -> Date { current.withLock { $0 } }

    func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
