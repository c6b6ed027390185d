import Crypto
import Synchronization

/// The immutable per-signer state of a ``SigV4Signer`` plus its signing-key cache, shared by all copies of the
/// signer.
///
/// The cache holds one entry: the HMAC state keyed with the signing key of the most recent UTC day seen.
/// Deriving a key costs four HMACs; a hit costs one uncontended lock and a copy of two SHA-256 states. A date
/// older than the cached day (clock skew around midnight) is derived without replacing the entry, so the cache
/// never thrashes.
final class SigningContext: Sendable {
    let credential: AWSCredential
    let region: String
    let service: String
    /// `/<region>/<service>/aws4_request`: the credential scope after the date stamp.
    let scopeSuffix: [UInt8]
    /// `AWS4-HMAC-SHA256 Credential=<access key id>/`: the start of the `Authorization` value.
    let authorizationPrefix: [UInt8]
    /// The session token in canonical (trimmed) form, computed once because STS tokens are about a kilobyte.
    let canonicalSessionToken: [UInt8]?
    /// `AWS4` followed by the secret access key: the key of the first HMAC of the derivation.
    private let secretSeed: SymmetricKey
    private let cachedKey: Mutex<CachedKey?>

    private struct CachedKey: Sendable {
        let day: Int64
        let keyedHMAC: KeyedHMAC
    }

    init(credential: AWSCredential, region: String, service: String) {
        self.credential = credential
        self.region = region
        self.service = service
        self.scopeSuffix = Array("/\(region)/\(service)/aws4_request".utf8)
        self.authorizationPrefix = Array("AWS4-HMAC-SHA256 Credential=\(credential.accessKeyId)/".utf8)
        self.canonicalSessionToken = credential.sessionToken.map { token in
            [UInt8](unsafeUninitializedCapacity: token.utf8.count) { buffer, initialized in
                var writer = ByteWriter(buffer)
                SigV4Canonicalizer.appendTrimmed(token, to: &writer)
                initialized = writer.count
            }
        }
        self.secretSeed = SymmetricKey(data: Array("AWS4\(credential.secretAccessKey)".utf8))
        self.cachedKey = Mutex(nil)
    }

    /// An HMAC-SHA256 already keyed with the signing key for `date`'s day.
    func keyedHMAC(for date: AmzDate) -> KeyedHMAC {
        let day = date.day
        if let hit = cachedKey.withLock({ entry -> KeyedHMAC? in
            guard let entry, entry.day == day else { return nil }
            return entry.keyedHMAC
        }) {
            return hit
        }
        let derived = KeyedHMAC(key: signingKey(dateStamp: date.dateStamp))
        cachedKey.withLock { entry in
            if let current = entry, current.day >= day { return }
            entry = CachedKey(day: day, keyedHMAC: derived)
        }
        return derived
    }

    /// The SigV4 signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
    func signingKey(dateStamp: some Sequence<UInt8>) -> SymmetricKey {
        let kDate = HMAC<SHA256>.authenticationCode(for: Array(dateStamp), using: secretSeed)
        let kRegion = HMAC<SHA256>.authenticationCode(for: Array(region.utf8), using: SymmetricKey(data: kDate))
        let kService = HMAC<SHA256>.authenticationCode(for: Array(service.utf8), using: SymmetricKey(data: kRegion))
        let kSigning = HMAC<SHA256>.authenticationCode(
            for: Array("aws4_request".utf8), using: SymmetricKey(data: kService)
        )
        return SymmetricKey(data: kSigning)
    }
}
