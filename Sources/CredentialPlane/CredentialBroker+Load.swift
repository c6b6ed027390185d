import AWSSigning
import Foundation
import Logging
import WebIdentity

extension CredentialBroker {
    private enum SharedRead {
        case hit(CachedCredential)
        case miss
        /// A value that cannot be served (undecryptable, unknown key id, malformed): a miss that the next
        /// write overwrites. Carries the bytes so a re-read of the same value is not reported twice.
        case rejected([UInt8])
        case unavailable
    }

    private enum LockAttempt {
        case acquired
        case held
        case unavailable
    }

    /// Loads a credential for `key` when L1 cannot answer (or a refresh is due): shared cache, then STS
    /// under the cross-replica lock. Runs as the single-flight leader for `key`.
    func load(
        _ key: CredentialKey,
        request: CredentialRequest,
        context: TokenRequestContext,
        mode: LoadMode,
        logger: Logger
    ) async throws -> CredentialLookup {
        guard let shared = sharedCache, breaker.allowsRequest() else {
            return try await fetch(key, request: request, context: context, storeIn: nil, logger: logger)
        }
        let storageKey = key.storageKey
        var rejected: [UInt8]?
        let first = try await readShared(
            shared,
            storageKey: storageKey,
            key: key,
            mode: mode,
            rejected: nil,
            logger: logger
        )
        switch first {
        case .hit(let entry):
            return adopt(entry, key: key, request: request, context: context, logger: logger)
        case .unavailable:
            return try await fetch(key, request: request, context: context, storeIn: nil, logger: logger)
        case .rejected(let blob):
            rejected = blob
        case .miss:
            break
        }

        let lockKey = key.lockKey
        let token = Self.makeLockToken()
        let deadline = clock.now().addingTimeInterval(configuration.lockWaitTimeout.timeInterval)
        var delay = configuration.lockPollInitialDelay
        while true {
            switch try await tryLock(shared, lockKey: lockKey, token: token, key: key, logger: logger) {
            case .unavailable:
                return try await fetch(key, request: request, context: context, storeIn: nil, logger: logger)
            case .acquired:
                let lookup: CredentialLookup
                do {
                    // Another replica may have stored a credential between the read above and the lock.
                    let reread = try await readShared(
                        shared,
                        storageKey: storageKey,
                        key: key,
                        mode: mode,
                        rejected: rejected,
                        logger: logger
                    )
                    switch reread {
                    case .hit(let entry):
                        lookup = adopt(entry, key: key, request: request, context: context, logger: logger)
                    case .miss, .rejected:
                        lookup = try await fetch(
                            key,
                            request: request,
                            context: context,
                            storeIn: (shared, storageKey),
                            logger: logger
                        )
                    case .unavailable:
                        lookup = try await fetch(key, request: request, context: context, storeIn: nil, logger: logger)
                    }
                } catch {
                    await unlock(shared, lockKey: lockKey, token: token, key: key, logger: logger)
                    throw error
                }
                await unlock(shared, lockKey: lockKey, token: token, key: key, logger: logger)
                return lookup
            case .held:
                if clock.now() >= deadline {
                    logger.notice(
                        "another replica did not store credentials in time; calling STS",
                        metadata: ["gw.role_arn": "\(key.roleArn)"]
                    )
                    return try await fetch(
                        key,
                        request: request,
                        context: context,
                        storeIn: (shared, storageKey),
                        logger: logger
                    )
                }
                try await clock.sleep(for: delay)
                delay = min(delay * 2, configuration.lockPollMaxDelay)
                let polled = try await readShared(
                    shared,
                    storageKey: storageKey,
                    key: key,
                    mode: mode,
                    rejected: rejected,
                    logger: logger
                )
                switch polled {
                case .hit(let entry):
                    return adopt(entry, key: key, request: request, context: context, logger: logger)
                case .unavailable:
                    return try await fetch(key, request: request, context: context, storeIn: nil, logger: logger)
                case .rejected(let blob):
                    rejected = blob
                case .miss:
                    break
                }
            }
        }
    }

    /// Calls the fetcher (STS), stores the result in L1 and, when given, in the shared cache.
    private func fetch(
        _ key: CredentialKey,
        request: CredentialRequest,
        context: TokenRequestContext,
        storeIn shared: (cache: SharedCache, storageKey: String)?,
        logger: Logger
    ) async throws -> CredentialLookup {
        metrics.stsCalls.increment()
        let credential: AWSCredential
        do {
            credential = try await fetcher.fetchCredential(for: request, context: context, logger: logger)
        } catch {
            if !(error is CancellationError) {
                metrics.recordSTSFailure(error)
                logger.warning(
                    "STS credential fetch failed",
                    metadata: ["gw.role_arn": "\(key.roleArn)", "gw.error": "\(error)"]
                )
            }
            throw error
        }
        let issuedAt = clock.now()
        let expiration = credential.expiration ?? issuedAt.addingTimeInterval(TimeInterval(request.durationSeconds))
        let entry = CachedCredential(credential: credential, issuedAt: issuedAt, expiration: expiration, timing: timing)
        guard entry.isUsable(at: issuedAt) else {
            throw CredentialPlaneError.credentialNotUsable(
                "STS returned a credential for role \(key.roleArn) that expires at \(expiration), inside the "
                    + "\(configuration.expiryMargin) safety margin; check the gateway host's clock"
            )
        }
        l1.insert(key, entry)
        if let shared {
            await writeShared(shared.cache, storageKey: shared.storageKey, entry: entry, key: key, logger: logger)
        }
        logger.debug(
            "credential fetched from STS",
            metadata: ["gw.role_arn": "\(key.roleArn)", "gw.cache.layer": "\(CacheLayer.sts.rawValue)"]
        )
        return CredentialLookup(credential: entry.credential, layer: .sts)
    }

    /// Puts a shared-cache entry into L1; schedules a refresh when it is already due for one.
    private func adopt(
        _ entry: CachedCredential,
        key: CredentialKey,
        request: CredentialRequest,
        context: TokenRequestContext,
        logger: Logger
    ) -> CredentialLookup {
        l1.insert(key, entry)
        logger.debug(
            "credential served from the shared cache",
            metadata: ["gw.role_arn": "\(key.roleArn)", "gw.cache.layer": "\(CacheLayer.l2.rawValue)"]
        )
        let now = clock.now()
        if !entry.isFresh(at: now),
            let hit = l1.lookup(key, now: now, refreshRetryInterval: configuration.refreshRetryInterval.timeInterval),
            hit.refreshDue
        {
            scheduleRefresh(RefreshJob(key: key, request: request, context: context))
        }
        return CredentialLookup(credential: entry.credential, layer: .l2)
    }

    private func readShared(
        _ shared: SharedCache,
        storageKey: String,
        key: CredentialKey,
        mode: LoadMode,
        rejected: [UInt8]?,
        logger: Logger
    ) async throws -> SharedRead {
        let fetched = try await sharedCall(.get, key: key, logger: logger) { try await shared.store.get(storageKey) }
        guard let fetched else { return .unavailable }
        guard let blob = fetched else { return .miss }
        if let rejected, rejected == blob { return .rejected(blob) }
        let decoded: CredentialEnvelope.Decoded
        do {
            guard let payload = CredentialEnvelope.decode(try shared.cipher.open(blob, boundTo: storageKey)) else {
                rejectEntry(key: key, reason: "malformed_payload", blob: blob, logger: logger)
                return .rejected(blob)
            }
            decoded = payload
        } catch {
            rejectEntry(key: key, reason: error.reason, blob: blob, logger: logger)
            return .rejected(blob)
        }
        let entry = CachedCredential(
            credential: decoded.credential,
            issuedAt: decoded.issuedAt,
            expiration: decoded.expiration,
            timing: timing
        )
        let now = clock.now()
        switch mode {
        case .miss: return entry.isUsable(at: now) ? .hit(entry) : .miss
        case .refresh: return entry.isFresh(at: now) ? .hit(entry) : .miss
        }
    }

    /// Logs and counts a shared entry that cannot be served; the caller treats it as a miss and the next
    /// fetch overwrites it.
    private func rejectEntry(key: CredentialKey, reason: String, blob: [UInt8], logger: Logger) {
        metrics.recordRedisError(.corruptEntry)
        logger.warning(
            "rejected shared credential cache entry; treating it as a miss",
            metadata: [
                "gw.role_arn": "\(key.roleArn)",
                "gw.cache.reject_reason": "\(reason)",
                "gw.cache.key_id": "\(CredentialCipher.keyID(of: blob).map { String($0.prefix(64)) } ?? "none")",
            ]
        )
    }

    private func writeShared(
        _ shared: SharedCache,
        storageKey: String,
        entry: CachedCredential,
        key: CredentialKey,
        logger: Logger
    ) async {
        let timeToLive = entry.expiration.timeIntervalSince(clock.now()) - timing.expiryMargin
        guard timeToLive >= 1 else { return }
        let blob: [UInt8]
        do {
            let plaintext = CredentialEnvelope.encode(
                entry.credential,
                issuedAt: entry.issuedAt,
                expiration: entry.expiration
            )
            blob = try shared.cipher.seal(plaintext, boundTo: storageKey)
        } catch {
            logger.error(
                "could not encrypt credentials for the shared cache",
                metadata: ["gw.role_arn": "\(key.roleArn)"]
            )
            return
        }
        _ = try? await sharedCall(.set, key: key, logger: logger) {
            try await shared.store.set(storageKey, value: blob, timeToLive: .milliseconds(Int64(timeToLive * 1_000)))
        }
    }

    private func tryLock(
        _ shared: SharedCache,
        lockKey: String,
        token: String,
        key: CredentialKey,
        logger: Logger
    ) async throws -> LockAttempt {
        let acquired = try await sharedCall(.lock, key: key, logger: logger) {
            try await shared.store.acquireLock(lockKey, token: token, timeToLive: configuration.lockTimeToLive)
        }
        guard let acquired else { return .unavailable }
        return acquired ? .acquired : .held
    }

    private func unlock(
        _ shared: SharedCache,
        lockKey: String,
        token: String,
        key: CredentialKey,
        logger: Logger
    ) async {
        _ = try? await sharedCall(.unlock, key: key, logger: logger) {
            try await shared.store.releaseLock(lockKey, token: token)
        }
    }

    /// Runs one shared-cache call through the breaker's bookkeeping.
    ///
    /// - Returns: the call's result, or `nil` when the call failed (counted, logged, breaker informed).
    /// - Throws: only `CancellationError`, when the task was cancelled.
    private func sharedCall<T>(
        _ kind: CredentialPlaneMetrics.RedisErrorKind,
        key: CredentialKey,
        logger: Logger,
        _ body: () async throws -> T
    ) async throws -> T? {
        do {
            let value = try await body()
            breaker.recordSuccess()
            return value
        } catch {
            if Task.isCancelled { throw CancellationError() }
            breaker.recordFailure()
            metrics.recordRedisError(kind)
            logger.warning(
                "shared credential cache call failed",
                metadata: [
                    "gw.role_arn": "\(key.roleArn)",
                    "gw.redis.operation": "\(kind.rawValue)",
                    "gw.error": "\(error)",
                ]
            )
            return nil
        }
    }

    /// A random lock token (128 bits, hex), so a replica only ever releases its own lock.
    static func makeLockToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Hex.encode(bytes)
    }
}
