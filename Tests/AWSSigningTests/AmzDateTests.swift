import Foundation
import TestServers
import Testing

@testable import AWSSigning

/// The hand-written `X-Amz-Date` formatting against Foundation's calendar.
@Suite("X-Amz-Date formatting")
struct AmzDateTests {
    @Test(
        "known instants",
        arguments: [
            (1_440_938_160.0, "20150830T123600Z"),
            (0.0, "19700101T000000Z"),
            (-1.0, "19691231T235959Z"),
            (-0.5, "19691231T235959Z"),
            (951_782_400.0, "20000229T000000Z"),
            (946_684_799.999, "19991231T235959Z"),
            (4_107_542_400.0, "21000301T000000Z"),
            (1_798_761_599.999, "20261231T235959Z"),
        ]
    )
    func knownInstants(seconds: Double, expected: String) {
        let date = AmzDate(Date(timeIntervalSince1970: seconds))
        #expect(date.timestamp == expected)
        let bytes = ByteWriter.collect(capacity: 16) { date.appendTimestamp(to: &$0) }
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
        #expect(String(decoding: date.dateStamp, as: UTF8.self) == String(expected.prefix(8)))
        #expect(date.day == Int64((seconds / 86_400).rounded(.down)))
    }

    @Test("10,000 random instants between 1900 and 2200 agree with Foundation's calendar")
    func randomInstantsMatchCalendar() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<10_000 {
            let seconds = Double(Int64.random(in: -2_208_988_800...7_258_118_400, using: &rng))
                + Double.random(in: 0..<1, using: &rng)
            let date = Date(timeIntervalSince1970: seconds)
            let ours = AmzDate(date).timestamp
            let reference = BotocoreCrossCheckTests.referenceTimestamp(date)
            if ours != reference {
                Issue.record("\(seconds): \(ours) != \(reference)")
                return
            }
        }
    }
}

extension AmzDateTests {
    @Test("non-finite and far-away dates are clamped instead of trapping")
    func extremesAreClamped() {
        #expect(AmzDate(Date(timeIntervalSince1970: .infinity)).timestamp == "99991231T235959Z")
        #expect(AmzDate(Date(timeIntervalSince1970: -.infinity)).timestamp == "00000101T000000Z")
        #expect(AmzDate(Date(timeIntervalSince1970: .nan)).timestamp == "19700101T000000Z")
        #expect(AmzDate(Date.distantFuture).timestamp == "40010101T000000Z")
    }
}
