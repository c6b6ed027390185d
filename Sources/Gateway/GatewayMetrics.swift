import CoreMetrics
import Metrics
import Synchronization

/// The gateway's own metrics, with bounded dimensions: use case ids and model ids come from the catalog (requests
/// naming anything else are counted under `-`), statuses are HTTP codes.
///
/// | Name | Type | Dimensions |
/// |---|---|---|
/// | `gw_requests_total` | counter | `use_case`, `model`, `status` |
/// | `gw_request_duration_seconds` | histogram | `operation` |
/// | `gw_upstream_duration_seconds` | histogram (time to the upstream response head) | `operation` |
/// | `gw_routing_decisions_total` | counter | `use_case`, `route` (`simple`, `complex`) |
///
/// STS calls and failures, credential cache hits by layer and Redis errors come from the credential plane
/// (`gw_sts_calls_total`, `gw_sts_failures_total`, `gw_credential_cache_total`, `gw_redis_errors_total`).
public final class GatewayMetrics: Sendable {
    private struct RequestKey: Hashable {
        var useCase: String
        var model: String
        var status: Int
    }

    private struct RouteKey: Hashable {
        var useCase: String
        var route: String
    }

    private let factory: any MetricsFactory
    private let requestCounters = Mutex<[RequestKey: Counter]>([:])
    private let routeCounters = Mutex<[RouteKey: Counter]>([:])
    private let requestTimers: [String: Timer]
    private let upstreamTimers: [String: Timer]

    /// Creates the metrics on `factory`.
    public init(factory: any MetricsFactory) {
        self.factory = factory
        var requestTimers: [String: Timer] = [:]
        var upstreamTimers: [String: Timer] = [:]
        for operation in Self.operations {
            requestTimers[operation] = Timer(
                label: "gw_request_duration_seconds", dimensions: [("operation", operation)], preferredDisplayUnit: .seconds,
                factory: factory
            )
            upstreamTimers[operation] = Timer(
                label: "gw_upstream_duration_seconds", dimensions: [("operation", operation)], preferredDisplayUnit: .seconds,
                factory: factory
            )
        }
        self.requestTimers = requestTimers
        self.upstreamTimers = upstreamTimers
    }

    static let operations = ["converse", "converse-stream", "invoke", "invoke-with-response-stream", "count-tokens", "-"]

    /// Counts one finished request and records its latencies.
    func recordRequest(useCase: String, model: String, operation: String, status: Int, total: Duration, upstream: Duration?) {
        let key = RequestKey(useCase: useCase, model: model, status: status)
        let counter = requestCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "gw_requests_total",
                dimensions: [("use_case", useCase), ("model", model), ("status", String(status))],
                factory: factory
            )
            counters[key] = counter
            return counter
        }
        counter.increment()
        let operation = requestTimers[operation] == nil ? "-" : operation
        requestTimers[operation]?.record(duration: total)
        if let upstream { upstreamTimers[operation]?.record(duration: upstream) }
    }

    /// Counts one routing decision.
    func recordRoute(useCase: String, route: String) {
        let key = RouteKey(useCase: useCase, route: route)
        let counter = routeCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: "gw_routing_decisions_total", dimensions: [("use_case", useCase), ("route", route)], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }
}
