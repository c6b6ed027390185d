import Foundation
import Synchronization
import Testing

@testable import CredentialPlane

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    @Test("closed → open after the threshold → half-open after the open duration → closed on success")
    func transitions() {
        let clock = ManualCredentialClock()
        let changes = Mutex<[CircuitBreaker.State]>([])
        let breaker = CircuitBreaker(
            configuration: .init(failureThreshold: 3, openDuration: .seconds(5)),
            clock: clock
        ) { state in changes.withLock { $0.append(state) } }

        #expect(breaker.state == .closed)
        #expect(breaker.allowsRequest())
        breaker.recordFailure()
        breaker.recordFailure()
        #expect(breaker.state == .closed)
        breaker.recordSuccess()  // resets the count
        breaker.recordFailure()
        breaker.recordFailure()
        #expect(breaker.state == .closed)
        breaker.recordFailure()
        #expect(breaker.state == .open)
        #expect(!breaker.allowsRequest())

        clock.advance(by: 4.9)
        #expect(!breaker.allowsRequest())
        clock.advance(by: 0.2)
        #expect(breaker.allowsRequest())  // the probe
        #expect(breaker.state == .halfOpen)
        #expect(!breaker.allowsRequest())  // only one probe at a time
        breaker.recordSuccess()
        #expect(breaker.state == .closed)
        #expect(breaker.allowsRequest())
        #expect(changes.withLock { $0 } == [.open, .halfOpen, .closed])
    }

    @Test("a failed probe opens the breaker again for a full open duration")
    func failedProbe() {
        let clock = ManualCredentialClock()
        let breaker = CircuitBreaker(configuration: .init(failureThreshold: 1, openDuration: .seconds(2)), clock: clock)
        breaker.recordFailure()
        #expect(breaker.state == .open)
        clock.advance(by: 2)
        #expect(breaker.allowsRequest())
        breaker.recordFailure()
        #expect(breaker.state == .open)
        clock.advance(by: 1.9)
        #expect(!breaker.allowsRequest())
        clock.advance(by: 0.1)
        #expect(breaker.allowsRequest())
    }

    @Test("a probe that never reports is replaced after another open duration")
    func lostProbe() {
        let clock = ManualCredentialClock()
        let breaker = CircuitBreaker(configuration: .init(failureThreshold: 1, openDuration: .seconds(2)), clock: clock)
        breaker.recordFailure()
        clock.advance(by: 2)
        #expect(breaker.allowsRequest())
        clock.advance(by: 1)
        #expect(!breaker.allowsRequest())
        clock.advance(by: 1)
        #expect(breaker.allowsRequest())
        #expect(breaker.state == .halfOpen)
    }
}
