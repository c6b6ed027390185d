import AWSSigning
import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import WebIdentity

/// The one object the gateway asks for AWS credentials.
///
/// A lookup goes through three layers:
/// 1. **L1**, in process: a usable credential is returned at once. Past its refresh instant (at the latest
///    5 minutes or 20% of the lifetime before expiry, whichever is earlier) the hit also schedules a
///    background refresh, so requests never wait on STS while a valid credential exists.
/// 2. **L2**, the shared encrypted cache (Redis), when configured: a credential another replica fetched.
/// 3. **STS**: one `AssumeRoleWithWebIdentity` call. Concurrent misses for a key in this process share one
///    call; across replicas a short lock in the shared cache makes one replica call STS while the others
///    poll the shared cache.
///
/// A credential is never handed out within ``Configuration/expiryMargin`` (60 s) of its expiry. When the
/// shared cache fails or is slow, a circuit breaker skips it and requests are served from L1 and STS.
///
/// The broker is a `Service`: add it to the application's `ServiceGroup` so background refreshes run.
/// Without it, lookups still work; credentials are then fetched when they leave their usable window.
///
/// ```swift
/// let broker = try CredentialBroker(
///     fetcher: STSCredentialFetcher { region in STSClient(region: region, httpClient: .shared) },
///     sharedCache: .init(store: RedisCredentialStore(pool: redis), cipher: cipher),
///     logger: logger
/// )
/// let lookup = try await broker.credentials(for: request, context: context, logger: logger)
/// ```
public final class CredentialBroker: Service, Sendable {
    enum LoadMode: Sendable {
        /// No usable credential: any usable shared entry will do.
        case miss
        /// A usable credential exists but is due for refresh: only a fresh shared entry will do.
        case refresh
    }

    struct RefreshJob: Sendable {
        var key: CredentialKey
        var request: CredentialRequest
        var context: TokenRequestContext
    }

    let fetcher: any CredentialFetcher
    let sharedCache: SharedCache?
    let configuration: Configuration
    let timing: CredentialTiming
    let clock: any CredentialClock
    let logger: Logger
    let l1: LocalCredentialCache
    let flights = SingleFlight<CredentialKey, CredentialLookup>()
    let breaker: CircuitBreaker
    let metrics: CredentialPlaneMetrics
    private let refreshRetryInterval: TimeInterval
    private let refreshJobs: AsyncStream<RefreshJob>
    private let refreshJobsContinuation: AsyncStream<RefreshJob>.Continuation
    private let started = Mutex(false)

    /// Creates a broker.
    ///
    /// - Parameters:
    ///   - fetcher: what to call on a miss (``STSCredentialFetcher`` in production).
    ///   - sharedCache: the shared encrypted layer; `nil` runs with L1 only (the embedded default).
    ///   - configuration: cache sizes and timings.
    ///   - clock: wall clock and sleeps (inject a test clock to control expiry and refresh).
    ///   - metricsFactory: where metrics go; defaults to the current (task-local or global) factory.
    ///   - logger: the logger for background work (refreshes, breaker changes).
    /// - Throws: ``CredentialPlaneError/invalidConfiguration`` for inconsistent settings.
    public init(
        fetcher: any CredentialFetcher,
        sharedCache: SharedCache? = nil,
        configuration: Configuration = .init(),
        clock: any CredentialClock = SystemCredentialClock(),
        metricsFactory: (any MetricsFactory)? = nil,
        logger: Logger
    ) throws {
        try configuration.validate()
        self.fetcher = fetcher
        self.sharedCache = sharedCache
        self.configuration = configuration
        self.timing = configuration.timing
        self.clock = clock
        self.logger = logger
        self.l1 = LocalCredentialCache(capacity: configuration.maxL1Entries)
        self.refreshRetryInterval = configuration.refreshRetryInterval.timeInterval
        let metrics = CredentialPlaneMetrics(factory: metricsFactory ?? MetricsSystem.factory)
        self.metrics = metrics
        self.breaker = CircuitBreaker(configuration: configuration.circuitBreaker, clock: clock) { state in
            metrics.circuitOpen.record(state == .closed ? 0 : 1)
            switch state {
            case .open:
                logger.warning("shared credential cache circuit opened; serving from L1 and STS")
            case .halfOpen:
                logger.info("shared credential cache circuit half-open; probing")
            case .closed:
                logger.info("shared credential cache circuit closed; shared cache in use again")
            }
        }
        (refreshJobs, refreshJobsContinuation) = AsyncStream.makeStream(
            of: RefreshJob.self,
            bufferingPolicy: .bufferingNewest(configuration.refreshQueueLimit)
        )
    }

    /// Returns usable credentials for `request`.
    ///
    /// - Parameters:
    ///   - request: the role, session policy, duration and token source of the use case.
    ///   - context: the caller's token, for per-caller (passthrough) token sources.
    ///   - logger: the request's logger.
    /// - Returns: a credential valid for at least the expiry margin, and the layer that answered.
    /// - Throws: `STSError` and token-source errors unchanged;
    ///   ``CredentialPlaneError/missingCallerToken`` when a per-caller source gets no caller token.
    ///   Shared-cache failures never surface.
    public func credentials(
        for request: CredentialRequest,
        context: TokenRequestContext,
        logger: Logger
    ) async throws -> CredentialLookup {
        let key = try CredentialKey(request: request, context: context)
        while true {
            if let lookup = lookupLocal(key, request: request, context: context) { return lookup }
            switch await flights.participate(key) {
            case .leader:
                let lookup: CredentialLookup
                do {
                    lookup = try await load(key, request: request, context: context, mode: .miss, logger: logger)
                } catch {
                    flights.finish(key, with: error is CancellationError ? .retry : .failure(error))
                    throw error
                }
                flights.finish(key, with: .value(lookup))
                metrics.recordHandout(lookup.layer)
                return lookup
            case .follower(.value(let lookup)):
                metrics.recordHandout(lookup.layer)
                return lookup
            case .follower(.failure(let error)):
                throw error
            case .follower(.retry):
                try Task.checkCancellation()
            }
        }
    }

    /// Runs background refreshes until graceful shutdown or cancellation.
    ///
    /// - Throws: ``CredentialPlaneError/alreadyRunning`` when called a second time.
    public func run() async throws {
        let first = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard first else {
            throw CredentialPlaneError.alreadyRunning("CredentialBroker.run() was called twice; run each broker once")
        }
        await withDiscardingTaskGroup { group in
            for await job in refreshJobs.cancelOnGracefulShutdown() {
                group.addTask { await self.refresh(job) }
            }
            group.cancelAll()
        }
        refreshJobsContinuation.finish()
    }

    /// The L1 answer, scheduling a refresh when the entry is due for one.
    @inline(__always)
    private func lookupLocal(
        _ key: CredentialKey,
        request: CredentialRequest,
        context: TokenRequestContext
    ) -> CredentialLookup? {
        guard let hit = l1.lookup(key, now: clock.now(), refreshRetryInterval: refreshRetryInterval) else { return nil }
        if hit.refreshDue { scheduleRefresh(RefreshJob(key: key, request: request, context: context)) }
        metrics.recordHandout(.l1)
        return CredentialLookup(credential: hit.credential, layer: .l1)
    }

    /// Queues a background refresh for `job.key`.
    func scheduleRefresh(_ job: RefreshJob) {
        switch refreshJobsContinuation.yield(job) {
        case .enqueued:
            logger.debug("credential refresh scheduled", metadata: ["gw.role_arn": "\(job.key.roleArn)"])
        case .dropped(let oldest):
            // The queue was full and gave up its oldest job; that key may claim a refresh again.
            l1.clearRefreshClaim(oldest.key)
        case .terminated:
            l1.clearRefreshClaim(job.key)
        @unknown default:
            l1.clearRefreshClaim(job.key)
        }
    }

    /// One background refresh.
    ///
    /// When a load for the key is already running (often the foreground load that scheduled this job, still
    /// finishing after it read a due entry from the shared cache), the refresh waits for it and then goes ahead
    /// only if what L1 holds is still due; dropping the job instead would leave the key claimed, so no refresh
    /// would be scheduled again until the retry interval passed.
    private func refresh(_ job: RefreshJob) async {
        while !flights.tryLead(job.key) {
            guard case .follower = await flights.participate(job.key) else { break }  // .leader: we lead now
            if let entry = l1.peek(job.key), entry.isFresh(at: clock.now()) {
                l1.clearRefreshClaim(job.key)
                return
            }
            if Task.isCancelled {
                l1.clearRefreshClaim(job.key)
                return
            }
        }
        let logger = self.logger
        do {
            let lookup = try await load(
                job.key,
                request: job.request,
                context: job.context,
                mode: .refresh,
                logger: logger
            )
            flights.finish(job.key, with: .value(lookup))
            logger.debug(
                "credential refreshed ahead of expiry",
                metadata: ["gw.role_arn": "\(job.key.roleArn)", "gw.cache.layer": "\(lookup.layer.rawValue)"]
            )
        } catch {
            flights.finish(job.key, with: error is CancellationError ? .retry : .failure(error))
            guard !(error is CancellationError) else { return }
            logger.warning(
                "background credential refresh failed; the current credential stays in use",
                metadata: ["gw.role_arn": "\(job.key.roleArn)", "gw.error": "\(error)"]
            )
        }
    }
}
