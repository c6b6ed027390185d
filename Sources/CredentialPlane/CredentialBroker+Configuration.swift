extension CredentialBroker {
    /// Tuning of the broker. Every value has a default suited to a production gateway.
    public struct Configuration: Sendable {
        /// Maximum number of credentials held in process (L1); the least recently used go first.
        public var maxL1Entries: Int
        /// A credential is never handed out when it expires within this margin (at least 60 s). It is also
        /// subtracted from the expiry to set the shared-cache time to live.
        public var expiryMargin: Duration
        /// Refresh starts at the latest this long before expiry (default 5 minutes)…
        public var refreshLead: Duration
        /// …or this fraction of the credential's lifetime before expiry (default 20%), whichever is earlier.
        public var refreshLeadFraction: Double
        /// After a refresh attempt, the next one for the same key waits at least this long.
        public var refreshRetryInterval: Duration
        /// Lifetime of the lock a replica takes before calling STS (`SET NX PX`, default 5 s).
        public var lockTimeToLive: Duration
        /// How long a replica waits for another replica's STS call to land in the shared cache before it
        /// calls STS itself (default 5 s).
        public var lockWaitTimeout: Duration
        /// First delay between shared-cache polls while waiting; doubles up to ``lockPollMaxDelay``.
        public var lockPollInitialDelay: Duration
        /// Longest delay between shared-cache polls while waiting.
        public var lockPollMaxDelay: Duration
        /// Breaker in front of the shared cache.
        public var circuitBreaker: CircuitBreakerConfiguration
        /// Most pending background refreshes; beyond it the oldest requests are dropped (and retried later).
        public var refreshQueueLimit: Int

        /// Creates a configuration; see each property for its meaning and default.
        public init(
            maxL1Entries: Int = 10_000,
            expiryMargin: Duration = .seconds(60),
            refreshLead: Duration = .seconds(300),
            refreshLeadFraction: Double = 0.2,
            refreshRetryInterval: Duration = .seconds(15),
            lockTimeToLive: Duration = .milliseconds(5_000),
            lockWaitTimeout: Duration = .seconds(5),
            lockPollInitialDelay: Duration = .milliseconds(10),
            lockPollMaxDelay: Duration = .milliseconds(250),
            circuitBreaker: CircuitBreakerConfiguration = .init(),
            refreshQueueLimit: Int = 1_024
        ) {
            self.maxL1Entries = maxL1Entries
            self.expiryMargin = expiryMargin
            self.refreshLead = refreshLead
            self.refreshLeadFraction = refreshLeadFraction
            self.refreshRetryInterval = refreshRetryInterval
            self.lockTimeToLive = lockTimeToLive
            self.lockWaitTimeout = lockWaitTimeout
            self.lockPollInitialDelay = lockPollInitialDelay
            self.lockPollMaxDelay = lockPollMaxDelay
            self.circuitBreaker = circuitBreaker
            self.refreshQueueLimit = refreshQueueLimit
        }

        func validate() throws {
            guard maxL1Entries > 0 else {
                throw CredentialPlaneError.invalidConfiguration(
                    "maxL1Entries is \(maxL1Entries); it must be at least 1"
                )
            }
            guard expiryMargin >= .seconds(60) else {
                throw CredentialPlaneError.invalidConfiguration(
                    "expiryMargin is \(expiryMargin); credentials must never be used within 60 s of expiry"
                )
            }
            guard refreshLead >= .zero, (0...1).contains(refreshLeadFraction) else {
                throw CredentialPlaneError.invalidConfiguration(
                    "refreshLead must be >= 0 and refreshLeadFraction within 0...1 "
                        + "(got \(refreshLead) and \(refreshLeadFraction))"
                )
            }
            guard lockTimeToLive > .zero, lockWaitTimeout >= .zero, lockPollInitialDelay > .zero,
                lockPollMaxDelay >= lockPollInitialDelay, refreshQueueLimit > 0
            else {
                throw CredentialPlaneError.invalidConfiguration(
                    "lock timings must be positive (lockPollMaxDelay >= lockPollInitialDelay) and refreshQueueLimit >= 1"
                )
            }
        }

        var timing: CredentialTiming {
            CredentialTiming(
                expiryMargin: expiryMargin.timeInterval,
                refreshLead: refreshLead.timeInterval,
                refreshLeadFraction: refreshLeadFraction
            )
        }
    }

    /// The shared (L2) layer: where values go and how they are encrypted.
    public struct SharedCache: Sendable {
        /// The store all replicas share (``RedisCredentialStore`` in production).
        public var store: any SharedCredentialStore
        /// The AES-GCM keys for values in the store.
        public var cipher: CredentialCipher

        /// Creates a shared layer.
        public init(store: any SharedCredentialStore, cipher: CredentialCipher) {
            self.store = store
            self.cipher = cipher
        }
    }
}
