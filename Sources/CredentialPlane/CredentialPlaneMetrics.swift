import CoreMetrics
import Synchronization
import WebIdentity

/// The broker's metrics. Every dimension takes values from a fixed set.
///
/// - `gw_sts_calls_total`: `AssumeRoleWithWebIdentity` attempts (fetches) made by this process.
/// - `gw_sts_failures_total{code}`: failed fetches, by STS error code (known codes, `TokenSource`, `Other`).
/// - `gw_credential_cache_total{layer}`: credentials handed out, by layer (`l1`, `l2`, `sts`).
/// - `gw_redis_errors_total{kind}`: shared-cache failures, by operation (`get`, `set`, `lock`, `unlock`)
///   or `corrupt_entry` for values that could not be decrypted or decoded.
/// - `gw_redis_circuit_open`: 1 while the shared-cache breaker is open or half-open, else 0.
final class CredentialPlaneMetrics: Sendable {
    enum RedisErrorKind: String, CaseIterable, Sendable {
        case get
        case set
        case lock
        case unlock
        case corruptEntry = "corrupt_entry"
    }

    let stsCalls: Counter
    let circuitOpen: Gauge
    private let l1Handouts: Counter
    private let l2Handouts: Counter
    private let stsHandouts: Counter
    private let redisErrorCounters: [RedisErrorKind: Counter]
    private let stsFailureCounters: Mutex<[String: Counter]>
    private let factory: any MetricsFactory

    init(factory: any MetricsFactory) {
        self.factory = factory
        stsCalls = Counter(label: "gw_sts_calls_total", factory: factory)
        circuitOpen = Gauge(label: "gw_redis_circuit_open", factory: factory)
        func handouts(_ layer: CacheLayer) -> Counter {
            Counter(label: "gw_credential_cache_total", dimensions: [("layer", layer.rawValue)], factory: factory)
        }
        l1Handouts = handouts(.l1)
        l2Handouts = handouts(.l2)
        stsHandouts = handouts(.sts)
        var redisErrorCounters: [RedisErrorKind: Counter] = [:]
        for kind in RedisErrorKind.allCases {
            redisErrorCounters[kind] = Counter(
                label: "gw_redis_errors_total",
                dimensions: [("kind", kind.rawValue)],
                factory: factory
            )
        }
        self.redisErrorCounters = redisErrorCounters
        stsFailureCounters = Mutex([:])
        circuitOpen.record(0)
    }

    @inline(__always)
    func recordHandout(_ layer: CacheLayer) {
        switch layer {
        case .l1: l1Handouts.increment()
        case .l2: l2Handouts.increment()
        case .sts: stsHandouts.increment()
        }
    }

    func recordRedisError(_ kind: RedisErrorKind) {
        redisErrorCounters[kind]?.increment()
    }

    /// Counts a failed fetch under the error's bounded label: `STSError.shortDescription` (the known STS
    /// codes or `Other`), `TokenSource` for token-source failures, `Other` for anything else.
    func recordSTSFailure(_ error: any Error) {
        let label =
            switch error {
            case let error as STSError: error.shortDescription
            case is WebIdentityTokenError: "TokenSource"
            default: "Other"
            }
        let factory = self.factory
        let counter = stsFailureCounters.withLock { counters in
            if let counter = counters[label] { return counter }
            let counter = Counter(label: "gw_sts_failures_total", dimensions: [("code", label)], factory: factory)
            counters[label] = counter
            return counter
        }
        counter.increment()
    }
}
