import AWSSigning
import Synchronization

/// Keeps one ``SigV4Signer`` per credential and Region, so the signing key (four chained HMACs) is derived once per
/// credential and UTC day instead of once per request.
///
/// Entries are found by access key id and Region and used only when the cached signer's credential is the one
/// asked for (a refreshed credential replaces its entry). The cache is bounded: when it holds `limit` entries it is
/// emptied, which only costs re-deriving keys.
public final class SignerCache: Sendable {
    private struct Key: Hashable {
        var accessKeyId: String
        var region: String
    }

    private let signers = Mutex<[Key: SigV4Signer]>([:])
    private let service: String
    private let limit: Int

    /// - Parameters:
    ///   - service: the signing name (`bedrock` for bedrock-runtime).
    ///   - limit: most signers kept.
    public init(service: String, limit: Int = 1_024) {
        self.service = service
        self.limit = limit
    }

    /// The signer for `credential` in `region`, built on first use.
    public func signer(for credential: AWSCredential, region: String) -> SigV4Signer {
        let key = Key(accessKeyId: credential.accessKeyId, region: region)
        if let cached = signers.withLock({ $0[key] }), cached.credential == credential {
            return cached
        }
        let signer = SigV4Signer(credential: credential, region: region, service: service)
        signers.withLock { signers in
            if signers.count >= limit { signers.removeAll(keepingCapacity: true) }
            signers[key] = signer
        }
        return signer
    }

    /// How many signers are kept.
    public var count: Int { signers.withLock { $0.count } }
}
