import AWSSigning
import Foundation
import Logging
import MetricsTestKit
import Synchronization
import Testing
import WebIdentity

@testable import CredentialPlane

@Suite("Credential broker (L1, refresh, single flight)")
struct CredentialBrokerTests {
    let clock = ManualCredentialClock()

    func broker(
        _ fetcher: CountingFetcher,
        shared: CredentialBroker.SharedCache? = nil,
        configuration: CredentialBroker.Configuration = .init(),
        metrics: TestMetrics? = nil,
        logger: Logger = TestSupport.logger
    ) throws -> CredentialBroker {
        try CredentialBroker(
            fetcher: fetcher,
            sharedCache: shared,
            configuration: configuration,
            clock: clock,
            metricsFactory: metrics ?? TestMetrics(),
            logger: logger
        )
    }

    @Test("a miss fetches once; later lookups are L1 hits with the same credential")
    func missThenHit() async throws {
        let fetcher = CountingFetcher(clock: clock)
        let broker = try broker(fetcher)
        let request = try TestSupport.request()
        let first = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
        #expect(first.layer == .sts)
        for _ in 0..<10 {
            let next = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
            #expect(next.layer == .l1)
            #expect(next.credential == first.credential)
        }
        #expect(fetcher.calls == 1)
        #expect(first.credential.expiration == clock.now().addingTimeInterval(3_600))
    }

    @Test("roles, session policies and callers get separate credentials")
    func keysSeparate() async throws {
        let fetcher = CountingFetcher(clock: clock)
        let broker = try broker(fetcher)
        let plain = try TestSupport.request()
        let withPolicy = try TestSupport.request(sessionPolicy: TestSupport.policy)
        let other = try TestSupport.request(roleArn: TestSupport.otherRoleArn)
        let perCaller = try TestSupport.request(tokenSource: PassthroughTokenSource())
        let alice = TokenRequestContext(callerToken: WebIdentityToken(value: TestJWT.make(subject: "alice")))
        let bob = TokenRequestContext(callerToken: WebIdentityToken(value: TestJWT.make(subject: "bob")))
        var keys = Set<String>()
        for (request, context) in [
            (plain, alice), (withPolicy, alice), (other, alice), (perCaller, alice), (perCaller, bob),
        ] {
            keys.insert(
                try await broker.credentials(for: request, context: context, logger: TestSupport.logger).credential
                    .accessKeyId
            )
        }
        #expect(keys.count == 5)
        #expect(fetcher.calls == 5)
        // The shared source ignores the caller.
        #expect(try await broker.credentials(for: plain, context: bob, logger: TestSupport.logger).layer == .l1)
        await #expect(throws: CredentialPlaneError.missingCallerToken) {
            try await broker.credentials(for: perCaller, context: .init(), logger: TestSupport.logger)
        }
        #expect(fetcher.calls == 5)
    }

    @Test("a credential is not handed out within 60 s of expiry: the lookup fetches a new one")
    func sixtySecondRule() async throws {
        let fetcher = CountingFetcher(clock: clock)
        let broker = try broker(fetcher)  // not running: no background refresh
        let request = try TestSupport.request()
        let first = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
        clock.advance(by: 3_600 - 61)
        let stillValid = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
        #expect(stillValid.layer == .l1)
        #expect(stillValid.credential == first.credential)
        clock.advance(by: 1)
        let renewed = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
        #expect(renewed.layer == .sts)
        #expect(renewed.credential != first.credential)
        #expect(fetcher.calls == 2)
        #expect(renewed.credential.expiration!.timeIntervalSince(clock.now()) > 60)
    }

    @Test("refresh ahead: nothing before the refresh instant, a background refresh after it, no waiting")
    func refreshAhead() async throws {
        let fetcher = CountingFetcher(clock: clock)
        let broker = try broker(fetcher)
        let request = try TestSupport.request()
        try await TestSupport.whileRunning(broker) {
            let first = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
            // 1 h credential: refresh from 48 min (20% = 12 min before expiry, earlier than 5 min).
            clock.advance(by: 48 * 60 - 1)
            #expect(
                try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger).layer == .l1
            )
            try await Task.sleep(for: .milliseconds(50))
            #expect(fetcher.calls == 1)

            // Hold the refresh fetch: lookups keep being answered from L1 meanwhile.
            fetcher.closeGate()
            clock.advance(by: 1)
            let during = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
            #expect(during.layer == .l1)
            #expect(during.credential == first.credential)
            #expect(await TestSupport.eventually { fetcher.isHeldAtGate })
            for _ in 0..<100 {
                let lookup = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
                #expect(lookup.layer == .l1)
                #expect(lookup.credential == first.credential)
            }
            #expect(fetcher.calls == 2)
            fetcher.openGate()
            let refreshed = await TestSupport.eventually {
                (try? await broker.credentials(for: request, context: .init(), logger: TestSupport.logger))?.credential
                    != first.credential
            }
            #expect(refreshed)
            let after = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
            #expect(after.layer == .l1)
            #expect(after.credential.expiration == clock.now().addingTimeInterval(3_600))
            #expect(fetcher.calls == 2)
        }
    }

    @Test("refresh ahead of a 15-minute credential starts 5 minutes before expiry")
    func refreshAheadShortLived() async throws {
        let fetcher = CountingFetcher(clock: clock, lifetime: 900)
        let broker = try broker(fetcher)
        let request = try TestSupport.request(durationSeconds: 900)
        try await TestSupport.whileRunning(broker) {
            _ = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
            clock.advance(by: 599)
            _ = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
            try await Task.sleep(for: .milliseconds(50))
            #expect(fetcher.calls == 1)
            clock.advance(by: 1)
            _ = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
            #expect(await TestSupport.eventually { fetcher.calls == 2 })
        }
    }

    @Test("a failed background refresh keeps the valid credential and retries after the retry interval")
    func refreshFailure() async throws {
        let fetcher = CountingFetcher(clock: clock)
        let broker = try broker(fetcher, configuration: .init(refreshRetryInterval: .seconds(30)))
        let request = try TestSupport.request()
        try await TestSupport.whileRunning(broker) {
            let first = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
            fetcher.fail(with: STSError(code: "Throttling", message: "Rate exceeded", roleArn: TestSupport.roleArn))
            clock.advance(by: 50 * 60)
            #expect(
                try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger).credential
                    == first.credential
            )
            #expect(await TestSupport.eventually { fetcher.calls == 2 })
            try await Task.sleep(for: .milliseconds(50))
            // Within the retry interval no new attempt is made.
            for _ in 0..<20 {
                #expect(
                    try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger).layer
                        == .l1
                )
            }
            try await Task.sleep(for: .milliseconds(50))
            #expect(fetcher.calls == 2)
            fetcher.fail(with: nil)
            clock.advance(by: 30)
            _ = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
            #expect(await TestSupport.eventually { fetcher.calls == 3 })
            #expect(
                await TestSupport.eventually {
                    (try? await broker.credentials(for: request, context: .init(), logger: TestSupport.logger))?
                        .credential
                        != first.credential
                }
            )
        }
    }

    @Test("1,000 concurrent misses for one key make one fetch and share its credential")
    func singleFlight() async throws {
        let fetcher = CountingFetcher(clock: clock, delay: .milliseconds(100))
        let metrics = TestMetrics()
        let broker = try broker(fetcher, metrics: metrics)
        let request = try TestSupport.request()
        let lookups = try await withThrowingTaskGroup(of: CredentialLookup.self) { group in
            for _ in 0..<1_000 {
                group.addTask {
                    try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
                }
            }
            return try await group.reduce(into: [CredentialLookup]()) { $0.append($1) }
        }
        #expect(lookups.count == 1_000)
        #expect(fetcher.calls == 1)
        #expect(Set(lookups.map(\.credential.accessKeyId)).count == 1)
        #expect(try metrics.expectCounter("gw_sts_calls_total").totalValue == 1)
        let handedOut = CacheLayer.allCases.map {
            metrics.counterTotal(label: "gw_credential_cache_total", dimensions: [("layer", $0.rawValue)])
        }
        #expect(handedOut.reduce(0, +) == 1_000)
    }

    @Test("an STS error reaches every waiter unchanged, from one call")
    func errorPropagation() async throws {
        let fetcher = CountingFetcher(clock: clock, delay: .milliseconds(50))
        let stsError = STSError(
            code: "AccessDenied",
            message: "Not authorized",
            roleArn: TestSupport.roleArn,
            httpStatus: 403
        )
        fetcher.fail(with: stsError)
        let metrics = TestMetrics()
        let broker = try broker(fetcher, metrics: metrics)
        let request = try TestSupport.request()
        let errors = await withTaskGroup(of: (any Error)?.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    do {
                        _ = try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            return await group.reduce(into: [(any Error)?]()) { $0.append($1) }
        }
        #expect(fetcher.calls == 1)
        #expect(errors.count == 100)
        for error in errors {
            let typed = try #require(error as? STSError)
            #expect(typed == stsError)
            #expect(typed.code == "AccessDenied")
            #expect(typed.roleArn == TestSupport.roleArn)
        }
        #expect(metrics.counterTotal(label: "gw_sts_failures_total", dimensions: [("code", "AccessDenied")]) == 1)
        // Failures are not cached: the next lookup tries again.
        fetcher.fail(with: nil)
        #expect(try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger).layer == .sts)
        #expect(fetcher.calls == 2)
    }

    @Test("a cancelled waiter stops waiting; the leader's fetch still serves the others")
    func cancelledWaiter() async throws {
        let fetcher = CountingFetcher(clock: clock)
        fetcher.closeGate()
        let broker = try broker(fetcher)
        let request = try TestSupport.request()
        let leader = Task { try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger) }
        #expect(await TestSupport.eventually { fetcher.isHeldAtGate })
        let waiter = Task { try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger) }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        fetcher.openGate()
        #expect(try await leader.value.layer == .sts)
        #expect(fetcher.calls == 1)
    }

    @Test("a cancelled leader hands over: a waiter leads a new fetch instead of failing")
    func cancelledLeader() async throws {
        let fetcher = CountingFetcher(clock: clock)
        fetcher.closeGate()
        let broker = try broker(fetcher)
        let request = try TestSupport.request()
        let leader = Task { try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger) }
        #expect(await TestSupport.eventually { fetcher.isHeldAtGate })
        let waiter = Task { try await broker.credentials(for: request, context: .init(), logger: TestSupport.logger) }
        try await Task.sleep(for: .milliseconds(20))
        leader.cancel()
        // The held fetch notices the cancellation once released.
        fetcher.openGate()
        await #expect(throws: CancellationError.self) { try await leader.value }
        let lookup = try await waiter.value
        #expect(lookup.layer == .sts)
        #expect(fetcher.calls == 2)
    }

    @Test("the broker runs once, stops on cancellation, and metrics and logs carry no secrets")
    func serviceAndHygiene() async throws {
        let fetcher = CountingFetcher(clock: clock)
        let recorder = LogRecorder()
        let broker = try broker(fetcher, logger: recorder.logger())
        let request = try TestSupport.request()
        let lookup = try await TestSupport.whileRunning(broker) {
            try await broker.credentials(for: request, context: .init(), logger: recorder.logger())
        }
        await #expect(throws: CredentialPlaneError.alreadyRunning) { try await broker.run() }
        let text = recorder.text
        #expect(text.contains("credential fetched from STS"))
        #expect(text.contains(TestSupport.roleArn))
        #expect(!text.contains(lookup.credential.secretAccessKey))
        #expect(!text.contains(lookup.credential.sessionToken!))
        #expect(!"\(lookup)".contains(lookup.credential.secretAccessKey))
    }

    @Test("invalid configuration is rejected with a reason")
    func configurationValidation() throws {
        let fetcher = CountingFetcher(clock: clock)
        #expect(throws: CredentialPlaneError.invalidConfiguration) {
            try broker(fetcher, configuration: .init(expiryMargin: .seconds(30)))
        }
        #expect(throws: CredentialPlaneError.invalidConfiguration) {
            try broker(fetcher, configuration: .init(maxL1Entries: 0))
        }
        #expect(throws: CredentialPlaneError.invalidConfiguration) {
            try broker(fetcher, configuration: .init(refreshLeadFraction: 1.5))
        }
    }
}
