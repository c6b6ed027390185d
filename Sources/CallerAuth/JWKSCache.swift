import Foundation
import Logging
import NIOConcurrencyHelpers

/// The IdP's signing keys, fetched through a ``JWKSFetcher`` and refreshed when a token names a key id the
/// cache does not know.
///
/// Refreshes are rate limited: at most one fetch per `minimumRefreshInterval` (30 s by default), whatever
/// the number of unknown key ids presented, and concurrent callers needing a refresh share a single fetch.
/// A flood of tokens with random `kid`s therefore costs the IdP one request per interval. The key set is also
/// refetched (under the same limit) once it is older than `maximumKeySetAge`; if that fails the old keys stay.
public actor JWKSCache {
    struct Entry: Sendable {
        var kid: String?
        /// The JWK's `alg`, when it declares one.
        var declaredAlgorithm: String?
        var key: VerificationKey
    }

    /// The loaded keys. Written only by the actor; readable without waiting on it, so verifying a token whose
    /// key is already loaded never queues behind the actor.
    struct Snapshot: Sendable {
        var entries: [Entry] = []
        var entriesByKid: [String: [Entry]] = [:]
        var fetchedAt: Date?

        func lookup(_ kid: String?, algorithm: JWTAlgorithm) throws(AuthError) -> Entry? {
            if let kid {
                guard let candidates = self.entriesByKid[kid] else { return nil }
                return candidates.first { $0.key.algorithm == algorithm } ?? candidates.first
            }
            let compatible = self.entries.filter {
                $0.key.algorithm == algorithm
                    && ($0.declaredAlgorithm == nil || $0.declaredAlgorithm == algorithm.rawValue)
            }
            guard compatible.count <= 1 else {
                throw .malformed(
                    "the token header has no 'kid' and the JWKS holds \(compatible.count) \(algorithm.rawValue) keys; the IdP must name the key"
                )
            }
            return compatible.first
        }
    }

    private let fetcher: any JWKSFetcher
    private let clock: any AuthClock
    private let minimumRefreshInterval: TimeInterval
    private let maximumKeySetAge: TimeInterval
    private let logger: Logger

    private let current = NIOLockedValueBox(Snapshot())
    private var lastAttempt: Date?
    private var lastFailure: AuthError?
    private var inflight: Task<Void, Never>?

    /// How many fetches this cache has started, for metrics and tests.
    public private(set) var fetchCount = 0

    /// Creates an empty cache; nothing is fetched until a key is needed or ``prefetch()`` is called.
    public init(
        fetcher: any JWKSFetcher,
        clock: any AuthClock = SystemAuthClock(),
        minimumRefreshInterval: Duration = .seconds(30),
        maximumKeySetAge: Duration = .seconds(3600),
        logger: Logger = Logger(label: "gateway.caller-auth", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.fetcher = fetcher
        self.clock = clock
        self.minimumRefreshInterval = minimumRefreshInterval.timeInterval
        self.maximumKeySetAge = maximumKeySetAge.timeInterval
        self.logger = logger
    }

    /// The key ids currently trusted, in JWKS order (keys without an id are listed as `nil`).
    public var keyIDs: [String?] { self.current.withLockedValue { $0.entries.map(\.kid) } }

    /// When the key set was last fetched successfully.
    public var lastRefresh: Date? { self.current.withLockedValue { $0.fetchedAt } }

    private var entries: [Entry] { self.current.withLockedValue { $0.entries } }
    private var fetchedAt: Date? { self.current.withLockedValue { $0.fetchedAt } }

    /// The key for `kid` from the keys already loaded and not yet due for a refetch, without waiting on the
    /// actor; `nil` when the slow path (``key(for:algorithm:)``) must decide.
    nonisolated func loadedKey(for kid: String?, algorithm: JWTAlgorithm) -> Entry? {
        let snapshot = self.current.withLockedValue { $0 }
        guard let fetchedAt = snapshot.fetchedAt,
            self.clock.now().timeIntervalSince(fetchedAt) < self.maximumKeySetAge
        else { return nil }
        return try? snapshot.lookup(kid, algorithm: algorithm)
    }

    /// Fetches the key set if none is loaded yet (still rate limited), for readiness checks.
    ///
    /// - Throws: ``AuthError/keySetUnavailable`` when no usable key is loaded afterwards.
    public func prefetch() async throws(AuthError) {
        if self.fetchedAt == nil {
            await self.refreshIfAllowed()
        }
        guard !self.entries.isEmpty else {
            if let failure = self.lastFailure { throw failure }
            throw .keySetUnavailable(
                self.fetchedAt == nil
                    ? "the JWKS has not been fetched yet; next attempt allowed in \(self.secondsUntilNextRefresh())"
                    : "the JWKS holds no usable RS256 or ES256 key"
            )
        }
    }

    /// The key for `kid` (or the only key for `algorithm` when the token names none), refreshing the key set
    /// once if the id is unknown and the rate limit allows.
    func key(for kid: String?, algorithm: JWTAlgorithm) async throws(AuthError) -> Entry {
        if let fetchedAt = self.fetchedAt {
            if self.clock.now().timeIntervalSince(fetchedAt) >= self.maximumKeySetAge {
                await self.refreshIfAllowed()
            }
        } else {
            await self.refreshIfAllowed()
        }
        if let entry = try self.lookup(kid, algorithm: algorithm) {
            return entry
        }
        if await self.refreshIfAllowed(), let entry = try self.lookup(kid, algorithm: algorithm) {
            return entry
        }
        throw self.unknownKeyError(kid, algorithm: algorithm)
    }

    private func lookup(_ kid: String?, algorithm: JWTAlgorithm) throws(AuthError) -> Entry? {
        try self.current.withLockedValue { $0 }.lookup(kid, algorithm: algorithm)
    }

    private func unknownKeyError(_ kid: String?, algorithm: JWTAlgorithm) -> AuthError {
        let subject =
            kid.map { "unknown key id '\(Sanitize.quoted($0))'" }
            ?? "the token header has no 'kid' and the JWKS has no \(algorithm.rawValue) key"
        if let failure = self.lastFailure {
            return .keySetUnavailable(
                "\(subject): the JWKS could not be fetched (\(failure.reason)); next attempt allowed in \(self.secondsUntilNextRefresh())"
            )
        }
        let refreshed = self.fetchedAt.map { Timestamp.seconds(self.clock.now().timeIntervalSince($0)) } ?? "never"
        return .unknownKey(
            "\(subject) (JWKS refreshed \(refreshed) ago; next refresh allowed in \(self.secondsUntilNextRefresh()))"
        )
    }

    private func secondsUntilNextRefresh() -> String {
        guard let lastAttempt = self.lastAttempt else { return Timestamp.seconds(0) }
        let elapsed = self.clock.now().timeIntervalSince(lastAttempt)
        return Timestamp.seconds(self.minimumRefreshInterval - elapsed, roundingUp: true)
    }

    /// Fetches the key set unless a fetch ran less than `minimumRefreshInterval` ago; joins a fetch already
    /// in flight. Returns whether a fetch ran (or was joined).
    @discardableResult
    private func refreshIfAllowed() async -> Bool {
        if let inflight = self.inflight {
            _ = await inflight.value
            return true
        }
        let now = self.clock.now()
        if let lastAttempt = self.lastAttempt {
            let elapsed = now.timeIntervalSince(lastAttempt)
            // A clock that went backwards does not block refreshes.
            if elapsed >= 0, elapsed < self.minimumRefreshInterval {
                return false
            }
        }
        self.lastAttempt = now
        self.fetchCount += 1
        let fetcher = self.fetcher
        let logger = self.logger
        // The task runs on this actor (it uses `self`), so the result is installed before anyone waiting on
        // the task resumes: joiners always see the outcome of the fetch they waited for.
        let task = Task<Void, Never> {
            let result: Result<JSONWebKeySet, AuthError>
            do {
                result = .success(try await fetcher.fetchKeySet(logger: logger))
            } catch let error as AuthError {
                result = .failure(error)
            } catch {
                result = .failure(.keySetUnavailable("could not fetch the JWKS: \(error)"))
            }
            self.complete(result)
        }
        self.inflight = task
        await task.value
        return true
    }

    private func complete(_ result: Result<JSONWebKeySet, AuthError>) {
        self.inflight = nil
        switch result {
        case .success(let keySet):
            self.install(keySet)
        case .failure(let error):
            self.lastFailure = error
            self.logger.warning(
                "JWKS fetch failed",
                metadata: ["gw.jwks.error": "\(error.reason)", "gw.jwks.keys": "\(self.entries.count)"]
            )
        }
    }

    private func install(_ keySet: JSONWebKeySet) {
        var entries: [Entry] = []
        var byKid: [String: [Entry]] = [:]
        for jwk in keySet.keys {
            switch jwk.verificationKey() {
            case .success(let key):
                let entry = Entry(kid: jwk.kid, declaredAlgorithm: jwk.alg, key: key)
                entries.append(entry)
                if let kid = jwk.kid {
                    byKid[kid, default: []].append(entry)
                }
            case .failure(let rejection):
                self.logger.debug(
                    "JWKS key skipped",
                    metadata: ["gw.jwks.kid": "\(jwk.kid ?? "")", "gw.jwks.reason": "\(rejection.description)"]
                )
            }
        }
        let snapshot = Snapshot(entries: entries, entriesByKid: byKid, fetchedAt: self.clock.now())
        self.current.withLockedValue { $0 = snapshot }
        self.lastFailure = nil
        self.logger.debug(
            "JWKS refreshed",
            metadata: ["gw.jwks.keys": "\(entries.count)", "gw.jwks.published": "\(keySet.keys.count)"]
        )
    }
}
